//! Strict, bounded parsers: untrusted bytes in, typed values out. Nothing here verifies anything.
//!
//! ```
//! use provenant_formats::{dsse::pae, json::parse_strict};
//!
//! assert!(parse_strict(br#"{"a":1,"a":2}"#).is_err()); // duplicate keys are refused
//! assert_eq!(pae("t", b"x"), b"DSSEv1 1 t 1 x".to_vec());
//! ```
#![warn(missing_docs)]

pub mod bundle;
pub mod cosign;
pub mod dsse;
pub mod gate;
pub mod gcb;
pub mod intoto;
pub mod json;
pub mod layout;
pub mod limits;
pub mod lockfile;
pub mod npm_attestations;
pub mod oci;
pub mod purl;
pub mod sbom;
mod schemas;
pub mod slsa;
pub mod source;
pub mod xml;
pub mod yaml;
