//! `textDocument/didClose`: drops the document and its cached findings, then publishes an empty
//! list so the editor clears its squiggles (push mode only).

use tower_lsp_server::ls_types::*;

use crate::server::{schedule::publish_empty, Backend};

pub(crate) async fn handle(server: &Backend, params: DidCloseTextDocumentParams) {
    let session = &server.session;
    let uri = params.text_document.uri;
    let key = uri.as_str();
    let version = session.host.version(key);
    let was_open = session.close(key);
    if !was_open {
        tracing::debug!(uri = key, "didClose for a document that was not open");
    }
    // Everything above ran before the first `.await`.
    publish_empty(session, &server.client, uri, version).await;
}
