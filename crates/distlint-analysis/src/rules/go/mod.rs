//! Rules for Go code.

pub mod common;
pub mod context_not_propagated;
pub mod http_client_without_timeout;
pub mod http_server_without_timeouts;
pub mod quorum_math;
pub mod request_without_context;
pub mod shapes;
pub mod clock_ordering;
pub mod dual_write;
pub mod replication_lag;
