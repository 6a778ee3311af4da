//! The one helper layer of the Go rules: syntax shapes and import-aware matching that several
//! rules share. Rules import from here (`super::helpers::...`); nothing here imports a rule.
//! What the file facts also need lives below, in [`crate::syntax`] (re-exported here).
//!
//! Everything walks with [`crate::syntax::Walk`] (never recursion) and works on tree-sitter-go
//! node kinds: `call_expression` (`function`, `arguments`), `selector_expression` (`operand`,
//! `field`), `short_var_declaration` / `assignment_statement` (`left`, `right`:
//! `expression_list`), `function_declaration` / `method_declaration` / `func_literal` (`body`).

mod calls;
mod edits;
mod flow;
mod functions;
mod retry;
mod words;

pub use calls::*;
pub use edits::*;
pub use flow::*;
pub use functions::*;
pub use retry::*;
pub use words::*;

pub use crate::syntax::{go_assigned_to as assigned_to, go_callee as callee};
