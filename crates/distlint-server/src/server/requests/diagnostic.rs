//! `textDocument/diagnostic` (LSP 3.17 § "Document Diagnostics", pull model). Offered only to
//! clients that declare `textDocument.diagnostic`; those never receive `publishDiagnostics`.
//!
//! The `resultId` is `"<document version>:<configuration generation>"`; when the client's
//! `previousResultId` matches, the answer is `unchanged`. If the document keeps changing while it
//! is analysed, the request fails with `ServerCancelled` (-32802) and `retriggerRequest: true`.

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use crate::lint::result_diagnostics;
use crate::server::schedule::{analyze_latest, LatestError};
use crate::server::Backend;

pub(crate) async fn handle(
    server: &Backend,
    params: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let session = &server.session;
    let uri = params.text_document.uri;
    let generation = session.generation();
    let latest = match analyze_latest(session, uri.as_str()).await {
        Ok(l) => l,
        Err(LatestError::KeptChanging) => {
            return Err(Error {
                code: ErrorCode::ServerError(-32802),
                message: "distlint: the document changed during analysis".into(),
                data: Some(serde_json::json!({ "retriggerRequest": true })),
            })
        }
        Err(e) => return Err(e.into()),
    };
    crate::server::schedule::show_config_errors(session, &server.client).await;
    let report = match latest {
        None => full(None, Vec::new()),
        Some((doc, result)) => {
            let result_id = format!("{}:{generation}", doc.version());
            if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id,
                    },
                })
            } else {
                let items = result_diagnostics(
                    &result,
                    &doc,
                    session.encoding(),
                    session.settings().docs_base_url.as_deref(),
                );
                full(Some(result_id), items)
            }
        }
    };
    Ok(DocumentDiagnosticReportResult::Report(report))
}

fn full(result_id: Option<String>, items: Vec<Diagnostic>) -> DocumentDiagnosticReport {
    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
    })
}
