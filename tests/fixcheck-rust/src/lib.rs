//! Fixture code that triggers distlint's Rust rules with fixes. Every function here must compile
//! before and after `distlint check --fix --unsafe-fixes` (see `run.sh`).
#![allow(dead_code, unused_variables, unused_mut, unused_imports, clippy::all)]

pub mod channels;
pub mod clocks;
pub mod fanout;
pub mod futures_channels;
pub mod grpc;
pub mod locks;
pub mod quorum;
pub mod retries;
pub mod suppressions;
pub mod timeouts;
pub mod tokio_pump;
pub mod tokio_worker;
