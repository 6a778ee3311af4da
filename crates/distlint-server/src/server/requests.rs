//! One file per LSP request.

pub(crate) mod code_action;
pub(crate) mod code_action_resolve;
pub(crate) mod diagnostic;
pub mod document_state;
pub(crate) mod hover;
pub(crate) mod initialize;
pub(crate) mod shutdown;
