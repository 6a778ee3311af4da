//! `textDocument/didOpen`: parses the document (synchronously, before any `.await`, so a
//! following `didChange` always finds it) and schedules its analysis.

use std::path::Path;

use distlint_analysis::{Document, Language};
use tower_lsp_server::ls_types::*;

use crate::server::{schedule::schedule, Backend};

pub(crate) async fn handle(server: &Backend, params: DidOpenTextDocumentParams) {
    let session = &server.session;
    let item = params.text_document;
    let path = item.uri.to_file_path().map(|p| p.into_owned());
    let language = Language::from_language_id(&item.language_id)
        .or_else(|| path.as_deref().and_then(Language::from_path))
        .or_else(|| Language::from_path(Path::new(item.uri.as_str())));
    let Some(language) = language else {
        tracing::debug!(
            uri = item.uri.as_str(),
            language_id = item.language_id,
            "not a Rust or Go document; ignored"
        );
        return;
    };
    let mut doc = Document::new(language, item.text, item.version);
    if let Some(path) = path {
        doc = doc.with_path(path);
    }
    if let Some(reason) = doc.skipped() {
        tracing::warn!(uri = item.uri.as_str(), "{reason}");
    }
    let key = item.uri.as_str();
    session.open(key, doc);
    schedule(session, &server.client, item.uri);
}
