//! `distlint/documentState` (a distlint extension, not LSP): the version and full text the server
//! holds for an open document. Lets tests and bug reports check that the server's copy matches
//! the editor's after any sequence of edits.
//!
//! Params: `{"textDocument": {"uri": "..."}}`. Result: `{"version": <i32>, "text": "..."}`, or
//! `null` when the document is not open.

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::TextDocumentIdentifier;

use crate::server::Backend;

/// The method name.
pub const METHOD: &str = "distlint/documentState";

/// Parameters of [`METHOD`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentStateParams {
    /// The document.
    pub text_document: TextDocumentIdentifier,
}

/// Result of [`METHOD`].
#[derive(Debug, Serialize)]
pub struct DocumentState {
    /// The document version the server holds.
    pub version: i32,
    /// The full text the server holds.
    pub text: String,
}

pub(crate) async fn handle(
    server: &Backend,
    params: DocumentStateParams,
) -> Result<Option<DocumentState>> {
    Ok(server
        .session
        .host
        .snapshot(params.text_document.uri.as_str())
        .map(|d| DocumentState {
            version: d.version(),
            text: d.text().to_string(),
        }))
}
