//! The rule registry. One file per rule under `rust/` or `go/`, holding its metadata and docs, its
//! check, its fixes, and its fixture tests (rust-analyzer's `ide-diagnostics/src/handlers` layout).
//!
//! To add a rule: write `rules/<lang>/<rule_id>.rs` exporting `pub static RULE`, declare the module
//! in `rules/<lang>/mod.rs`, and add `&<lang>::<module>::RULE` to [`all`].

use crate::rule::Rule;

pub mod go;
pub mod rust;

/// Every rule distlint knows, Rust first, each group in id order.
pub fn all() -> &'static [&'static dyn Rule] {
    static ALL: &[&dyn Rule] = &[
        // Rust
        &rust::unbounded_channel::RULE,
        &rust::quorum_math::RULE,
        &rust::graceful_shutdown::RULE,
        &rust::observability::RULE,
        &rust::lock_fencing::RULE,
        &rust::dual_write::RULE,
        &rust::poison_message::RULE,
        &rust::cache_stampede::RULE,
        &rust::replication_lag::RULE,
        &rust::hot_spot::RULE,
        &rust::schema_evolution::RULE,
        &rust::unbounded_work_queue::RULE,
        &rust::lock_held_across_await::RULE,
        &rust::reqwest_client_without_timeout::RULE,
        &rust::connect_without_timeout::RULE,
        &rust::unbounded_retry::RULE,
        &rust::retry_backoff::RULE,
        &rust::retry_idempotency::RULE,
        &rust::unbounded_fanout::RULE,
        &rust::wall_clock_elapsed::RULE,
        &rust::reply_without_timeout::RULE,
        // Go
        &go::quorum_math::RULE,
        &go::http_client_without_timeout::RULE,
        &go::http_server_without_timeouts::RULE,
        &go::context_not_propagated::RULE,
        &go::request_without_context::RULE,
        &go::clock_ordering::RULE,
        &go::replication_lag::RULE,
        &go::dual_write::RULE,
        &go::lock_fencing::RULE,
        &go::cache_stampede::RULE,
        &go::retry_idempotency::RULE,
        &go::unbounded_retry::RULE,
        &go::poison_message::RULE,
        &go::graceful_shutdown::RULE,
        &go::retry_backoff::RULE,
        &go::mutex_held_across_io::RULE,
        &go::unbounded_fanout::RULE,
        &go::unbounded_queue::RULE,
        &go::dial_without_timeout::RULE,
        &go::select_without_cancel::RULE,
        &go::discarded_network_error::RULE,
        &go::hot_partition_key::RULE,
        &go::strict_decode::RULE,
        &go::grpc_call_without_deadline::RULE,
    ];
    ALL
}

/// The rule with `id`, if any.
pub fn by_id(id: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().id == id)
}
