//! Renderers: a [`Report`](provenant_model::Report) and a writer in, bytes out. No terminal logic
//! beyond a `color` flag the caller decides.
//!
//! ```
//! use provenant_model::{Check, CheckCode, Report, Subject, SubjectKind, ToolInfo};
//! let report = Report::new(
//!     ToolInfo { name: "provenant".into(), version: "0".into() }, "verify artifact",
//!     "2026-01-01T00:00:00Z",
//!     Subject { kind: SubjectKind::Digest, name: None, digests: vec![], size: None },
//!     vec![Check::fail(CheckCode::EvidenceMissing, "nothing", vec![])], vec![], vec![]);
//! let mut out = Vec::new();
//! provenant_report::text::render(&report, &mut out, false).unwrap();
//! assert!(String::from_utf8(out).unwrap().starts_with("FAIL"));
//! ```
#![warn(missing_docs)]

pub mod chain;
pub mod docs;
pub mod json;
pub mod text;
