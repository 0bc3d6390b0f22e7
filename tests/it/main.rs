//! provenant's integration tests: one binary, one module per concern.
#![allow(clippy::print_stdout, clippy::print_stderr)]
// tests report counts and skips
// Tests read the binary's own JSON output and the fixtures they built; the strict entries are
// tested on their own (json::parse_strict, yaml::parse_strict and the attack tests).
#![allow(clippy::disallowed_methods)]

mod action;
mod audit;
mod audit_pg;
mod audit_run;
mod audit_sql;
mod bundles;
mod cli;
mod contract;
mod corpus;
mod docs;
mod engine;
mod gate_review;
mod gate_sast_dast;
mod gate_sca;
mod gates;
mod gates_scope;
mod gates_tools;
mod image;
mod inspect_oci;
mod keys;
mod layout;
mod npm;
mod policy;
mod provenance;
mod reports;
mod sanitize;
mod sbom;
mod sbom_cyclonedx;
mod sbom_spdx;
mod schema;
mod semantics;
mod snapshots;
mod strict_readers;
mod support;
mod tamper;
mod trust_windows;
