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
    let file_config = crate::config::load_file_config(&session.roots());
    // `None` (no file any more, or unreadable): fall back to defaults under the editor settings.
    session.reconfigure(None, Some(file_config.unwrap_or_default()));
    tracing::info!("distlint.toml changed; re-analysing open documents");
    refresh_all(session, &server.client).await;
}
