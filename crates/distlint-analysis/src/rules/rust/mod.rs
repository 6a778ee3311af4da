//! Rules for Rust code.

pub mod cache_stampede;
pub mod connect_without_timeout;
pub mod dual_write;
pub mod graceful_shutdown;
pub mod helpers;
pub mod hot_spot;
pub mod lock_fencing;
pub mod lock_held_across_await;
pub mod observability;
pub mod poison_message;
pub mod quorum_math;
pub mod replication_lag;
pub mod reply_without_timeout;
pub mod reqwest_client_without_timeout;
pub mod retry_backoff;
pub mod retry_idempotency;
pub mod schema_evolution;
pub mod unbounded_channel;
pub mod unbounded_fanout;
pub mod unbounded_retry;
pub mod unbounded_work_queue;
pub mod wall_clock_elapsed;
