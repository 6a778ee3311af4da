//! distlint's language server (LSP 3.17 over stdio, on tower-lsp-server 0.23).
//!
//! Layout (after ruff's `ruff_server`):
//! - [`server`]: the `LanguageServer` impl, one file per LSP method under `server/requests/` and
//!   `server/notifications/`, and `server/schedule.rs` (background analysis + publishing);
//! - [`session`]: open documents (an [`distlint_analysis::AnalysisHost`]), negotiated client
//!   capabilities, editor settings;
//! - [`edit`]: byte offsets ⇄ LSP positions in the negotiated encoding, fixes → workspace edits;
//! - [`lint`]: findings → diagnostics (severity mapping) and hover Markdown.
//!
//! Logging goes through `tracing`; the binary installs a subscriber writing to **stderr**. Stdout
//! carries only protocol messages.

pub mod config;
pub mod edit;
pub mod lint;
pub mod server;
pub mod session;
#[cfg(feature = "test-client")]
pub mod test_client;
pub mod transport;

pub use server::Backend;
use tower_lsp_server::{ClientSocket, LspService};

/// A fresh language-server service and the socket for server → client messages, ready for
/// `tower_lsp_server::Server::new(input, output, socket).serve(service)`.
/// Besides LSP 3.17 methods it answers `distlint/documentState` (the text and version held).
pub fn service() -> (LspService<Backend>, ClientSocket) {
    LspService::build(Backend::new)
        .custom_method("distlint/documentState", Backend::document_state)
        .finish()
}

/// Serves the language server on `input`/`output` until the client sends `exit` (or closes input),
/// behind [`transport::serve_tolerant`]: malformed frames are answered and skipped, never fatal.
pub async fn serve<I, O>(input: I, output: O) -> transport::ServeOutcome
where
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite + Unpin,
{
    transport::serve_tolerant(input, output).await
}

/// Serves the language server on this process's stdin/stdout (`distlint lsp`). The caller
/// installs the tracing subscriber (to stderr) and the tokio runtime, and exits with code 0 when
/// [`transport::ServeOutcome::shutdown_requested`], 1 otherwise (LSP 3.17 "Exit Notification").
pub async fn run_stdio() -> transport::ServeOutcome {
    serve(tokio::io::stdin(), tokio::io::stdout()).await
}
