//! The one helper layer of the Rust rules: syntax shapes, function-local data flow and retry
//! recognition that several rules share. Rules import from here (`super::helpers::...`);
//! nothing here imports a rule. What the file facts also need lives below, in
//! [`crate::syntax`] and [`crate::facts`].
//!
//! - `shapes`: method calls and call chains, handle names, enclosing functions and loops,
//!   identifiers in a subtree, literals;
//! - `local_flow`: where a variable is bound, which statements follow a statement, the `.await`
//!   points of one future, the type of a lock receiver;
//! - `retry_shape`: retry loops and retry closures (`unbounded-retry`, `retry-backoff`,
//!   `retry-idempotency`).
//!
//! Shared between rules: add functions, do not change existing signatures (append-only).

mod local_flow;
mod retry_shape;
mod shapes;

pub use local_flow::*;
pub use retry_shape::*;
pub use shapes::*;
