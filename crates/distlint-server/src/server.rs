//! The LSP front end: [`Backend`] implements tower-lsp-server's `LanguageServer` by delegating
//! each method to one file under `requests/` or `notifications/` (ruff_server's layout).
//!
//! Follow an edit: `notifications/did_change.rs` applies it to the [`AnalysisHost`] synchronously
//! (before the handler's first `.await`, so edits are applied in arrival order even though
//! tower-lsp-server runs up to 4 handlers at a time) and calls [`schedule::schedule`], which
//! analyses the newest version on the blocking pool and publishes diagnostics tagged with that
//! version, dropping them if the document moved on meanwhile.
//!
//! Every handler body runs inside [`guard_request`] / [`guard_notification`]: a panic becomes a
//! logged `InternalError` response (or a log line, for notifications), never a dead server.
//!
//! [`AnalysisHost`]: distlint_analysis::AnalysisHost

mod notifications;
pub mod requests;
pub(crate) mod schedule;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::session::Session;

/// The `CodeActionKind` of the "apply all safe fixes" source action.
pub const SOURCE_FIX_ALL_DISTLINT: &str = "source.fixAll.distlint";

/// distlint's language server: the client handle and the shared session.
#[derive(Debug, Clone)]
pub struct Backend {
    pub(crate) client: Client,
    pub(crate) session: Arc<Session>,
}

impl Backend {
    /// A server talking to `client`, with a fresh session.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            session: Arc::new(Session::new()),
        }
    }

    /// The shared session (open documents, settings).
    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }

    /// `distlint/documentState`: see `requests/document_state.rs`.
    pub async fn document_state(
        &self,
        params: requests::document_state::DocumentStateParams,
    ) -> Result<Option<requests::document_state::DocumentState>> {
        guard_request(
            requests::document_state::METHOD,
            requests::document_state::handle(self, params),
        )
        .await
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into())
}

/// Runs a request handler; a panic becomes an `InternalError` response naming the method.
pub(crate) async fn guard_request<T>(
    method: &'static str,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(payload) => {
            let msg = panic_message(payload.as_ref());
            tracing::error!(method, "handler panicked: {msg}");
            let mut e = Error::internal_error();
            e.message = format!("distlint: {method} failed: {msg}").into();
            Err(e)
        }
    }
}

/// Runs a notification handler; a panic is logged and swallowed.
pub(crate) async fn guard_notification(method: &'static str, fut: impl Future<Output = ()>) {
    if let Err(payload) = AssertUnwindSafe(fut).catch_unwind().await {
        tracing::error!(
            method,
            "handler panicked: {}",
            panic_message(payload.as_ref())
        );
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guard_request("initialize", requests::initialize::handle(self, params)).await
    }

    async fn initialized(&self, params: InitializedParams) {
        guard_notification(
            "initialized",
            notifications::initialized::handle(self, params),
        )
        .await
    }

    async fn shutdown(&self) -> Result<()> {
        guard_request("shutdown", requests::shutdown::handle(self)).await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        guard_notification(
            "textDocument/didOpen",
            notifications::did_open::handle(self, params),
        )
        .await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        guard_notification(
            "textDocument/didChange",
            notifications::did_change::handle(self, params),
        )
        .await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        guard_notification(
            "textDocument/didClose",
            notifications::did_close::handle(self, params),
        )
        .await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        guard_notification(
            "workspace/didChangeConfiguration",
            notifications::did_change_configuration::handle(self, params),
        )
        .await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        guard_notification(
            "workspace/didChangeWatchedFiles",
            notifications::did_change_watched_files::handle(self, params),
        )
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guard_request("textDocument/hover", requests::hover::handle(self, params)).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guard_request(
            "textDocument/codeAction",
            requests::code_action::handle(self, params),
        )
        .await
    }

    async fn code_action_resolve(&self, params: CodeAction) -> Result<CodeAction> {
        guard_request(
            "codeAction/resolve",
            requests::code_action_resolve::handle(self, params),
        )
        .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        guard_request(
            "textDocument/diagnostic",
            requests::diagnostic::handle(self, params),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_request_handler_becomes_an_internal_error() {
        let result: Result<()> = guard_request("textDocument/hover", async {
            panic!("rule exploded");
        })
        .await;
        let err = result.unwrap_err();
        assert_eq!(
            err.code,
            tower_lsp_server::jsonrpc::ErrorCode::InternalError
        );
        assert!(err.message.contains("textDocument/hover"));
        assert!(err.message.contains("rule exploded"));
        let ok: Result<u8> = guard_request("x", async { Ok(7) }).await;
        assert_eq!(ok.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_panicking_notification_handler_is_swallowed() {
        guard_notification("textDocument/didChange", async {
            panic!("boom");
        })
        .await;
    }
}
