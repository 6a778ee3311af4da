//! `textDocument/hover` (LSP 3.17 § "Hover Request"): over a finding's range, Markdown with the
//! rule title, the failure scenario and the "use instead" example (see `lint::hover_markdown`).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::edit::{offset_of, to_lsp_range};
use crate::lint::hover_markdown;
use crate::server::schedule::analyze_latest;
use crate::server::Backend;

pub(crate) async fn handle(server: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let session = &server.session;
    let uri = params.text_document_position_params.text_document.uri;
    let position = params.text_document_position_params.position;
    let Some((doc, result)) = analyze_latest(session, uri.as_str()).await? else {
        return Ok(None);
    };
    let encoding = session.encoding();
    let offset = match offset_of(&doc, position, encoding) {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(
                uri = uri.as_str(),
                "hover position outside the document: {e}"
            );
            return Ok(None);
        }
    };
    // End-inclusive, so hovering just after the last character of the range still counts.
    let hits: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.range.start <= offset && offset <= f.range.end)
        .collect();
    let Some(first) = hits.first() else {
        return Ok(None);
    };
    let value = hits
        .iter()
        .map(|f| hover_markdown(f))
        .collect::<Vec<_>>()
        .join("\n\n---\n\n");
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(to_lsp_range(&doc, first.range.clone(), encoding)),
    }))
}
