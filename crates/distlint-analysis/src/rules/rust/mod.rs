//! Rules for Rust code.

pub mod common;
pub mod connect_without_timeout;
pub mod dual_write;
pub mod graceful_shutdown;
pub mod local_flow;
pub mod lock_fencing;
pub mod lock_held_across_await;
pub mod observability;
pub mod quorum_math;
pub mod reqwest_client_without_timeout;
pub mod unbounded_channel;
pub mod poison_message;
pub mod cache_stampede;
pub mod replication_lag;
pub mod hot_spot;
pub mod schema_evolution;
