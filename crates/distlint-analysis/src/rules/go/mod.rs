//! Rules for Go code.

pub mod cache_stampede;
pub mod clock_ordering;
pub mod context_not_propagated;
pub mod dial_without_timeout;
pub mod discarded_network_error;
pub mod dual_write;
pub mod graceful_shutdown;
pub mod grpc_call_without_deadline;
pub mod helpers;
pub mod hot_partition_key;
pub mod http_client_without_timeout;
pub mod http_server_without_timeouts;
pub mod lock_fencing;
pub mod mutex_held_across_io;
pub mod poison_message;
pub mod quorum_math;
pub mod replication_lag;
pub mod request_without_context;
pub mod retry_backoff;
pub mod retry_idempotency;
pub mod select_without_cancel;
pub mod strict_decode;
pub mod unbounded_fanout;
pub mod unbounded_queue;
pub mod unbounded_retry;
