//! provenant's integration tests: one binary, one module per concern.

mod cli;
mod corpus;
mod docs;
mod support;
