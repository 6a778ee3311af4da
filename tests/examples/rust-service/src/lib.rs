//! An orders service, trimmed to the parts that show distlint's Rust rules. Analysed by
//! `distlint check tests/examples/rust-service`; not built.

pub mod batch_fetch;
pub mod leases;
pub mod payments;
pub mod session_cache;
pub mod upstream_client;
