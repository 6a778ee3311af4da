//! `workspace/didChangeWatchedFiles`: when a `distlint.toml` changed, reloads the file
//! configuration (editor settings still override it), re-analyses open documents and republishes.

use tower_lsp_server::ls_types::*;

use crate::server::schedule::refresh_all;
use crate::server::Backend;

pub(crate) async fn handle(server: &Backend, params: DidChangeWatchedFilesParams) {
    let touched = params
        .changes
        .iter()
        .any(|c| c.uri.as_str().ends_with("/distlint.toml"));
    if !touched {
        return;
    }
    let session = &server.session;
    // Forget every cached file: one may have appeared, changed or gone.
    session.reconfigure(None, true);
    tracing::info!("distlint.toml changed; re-analysing open documents");
    crate::server::schedule::show_config_errors(session, &server.client).await;
    refresh_all(session, &server.client).await;
}
