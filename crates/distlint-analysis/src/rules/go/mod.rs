//! Rules for Go code.

pub mod quorum_math;
pub mod shapes;
pub mod common;
pub mod http_client_without_timeout;
pub mod http_server_without_timeouts;
