//! What the client can do, read once from `InitializeParams.capabilities`.

use distlint_analysis::PositionEncoding;
use tower_lsp_server::ls_types::ClientCapabilities;

use crate::edit::negotiate_encoding;

/// The client capabilities the server's behaviour depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResolvedClientCapabilities {
    /// Negotiated position encoding (UTF-8 if offered, else UTF-16).
    pub encoding: PositionEncoding,
    /// `textDocument.diagnostic` present: the client pulls diagnostics (LSP 3.17), so the server
    /// never pushes `publishDiagnostics`.
    pub pull_diagnostics: bool,
    /// `workspace.diagnostics.refreshSupport`: the server may ask the client to re-pull.
    pub diagnostic_refresh: bool,
    /// `workspace.workspaceEdit.documentChanges`: versioned edits are accepted.
    pub document_changes: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`: we can register a `distlint.toml` watcher.
    pub watched_files_dynamic: bool,
    /// `workspace.configuration`: the server may pull settings with `workspace/configuration`.
    pub configuration_pull: bool,
    /// `textDocument.codeAction.resolveSupport.properties` contains `"edit"` and
    /// `textDocument.codeAction.dataSupport` is true (LSP 3.17 § "Code Action Resolve Request"):
    /// quick fixes are sent without their edit, with `data` naming the fix, and the edit is
    /// computed in `codeAction/resolve`.
    pub code_action_resolve: bool,
}

impl ResolvedClientCapabilities {
    /// Reads the capabilities that matter.
    pub fn new(caps: &ClientCapabilities) -> Self {
        let workspace = caps.workspace.as_ref();
        Self {
            encoding: negotiate_encoding(caps),
            pull_diagnostics: caps
                .text_document
                .as_ref()
                .is_some_and(|t| t.diagnostic.is_some()),
            diagnostic_refresh: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            watched_files_dynamic: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            configuration_pull: workspace.and_then(|w| w.configuration).unwrap_or(false),
            code_action_resolve: caps
                .text_document
                .as_ref()
                .and_then(|t| t.code_action.as_ref())
                .is_some_and(|c| {
                    c.data_support == Some(true)
                        && c.resolve_support
                            .as_ref()
                            .is_some_and(|r| r.properties.iter().any(|p| p == "edit"))
                }),
        }
    }
}
