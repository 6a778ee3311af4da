//! `codeAction/resolve` (LSP 3.17 § "Code Action Resolve Request"): fills in the `edit` of a
//! quick fix that `textDocument/codeAction` sent without one (clients that declare
//! `codeAction.resolveSupport.properties: ["edit"]` and `dataSupport`; see `code_action.rs`).
//!
//! The action's `data` is a [`FixData`]: URI, document version, the finding (rule id and byte
//! range in that version) and the fix (index and title). The handler takes the findings of the
//! document's current version (cached by the diagnostics pass, or analysed now), finds the same
//! finding and fix, and computes its edits with `Analyzer::resolve_fix` — the function
//! `distlint check --fix` uses too — with the analyzer configured for that document.
//!
//! A document that moved past `data.version` (or was closed, or whose finding or fix is gone)
//! gets a `ContentModified` error (-32801, LSP 3.17 § "Error Codes": the result would be computed
//! on a state that no longer exists); the client then asks for code actions again. Actions
//! without `data` (the suppression action, fix-all) already carry their edit and come back
//! unchanged; malformed `data` is `InvalidParams`.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::CodeAction;

use super::code_action::FixData;
use crate::edit::{to_lsp_text_edits, WorkspaceEditBuilder};
use crate::server::schedule::analyze_latest;
use crate::server::Backend;

fn content_modified(why: &str) -> Error {
    let mut e = Error::content_modified();
    e.message = format!("distlint: {why}; request code actions again").into();
    e
}

pub(crate) async fn handle(server: &Backend, mut action: CodeAction) -> Result<CodeAction> {
    if action.edit.is_some() {
        return Ok(action);
    }
    let Some(raw) = action.data.clone() else {
        return Ok(action);
    };
    let data: FixData = serde_json::from_value(raw).map_err(|e| {
        let mut err = Error::invalid_params(format!("codeAction/resolve: bad data: {e}"));
        err.message = format!("distlint: {}", err.message).into();
        err
    })?;
    let session = &server.session;
    // Cheap check first: a stale action needs no analysis.
    match session.host.version(&data.uri) {
        None => return Err(content_modified("the document is not open")),
        Some(v) if v != data.version => {
            return Err(content_modified(&format!(
                "the document changed (version {v}, action computed on {})",
                data.version
            )))
        }
        Some(_) => {}
    }
    let Some((doc, result)) = analyze_latest(session, &data.uri).await? else {
        return Err(content_modified("the document is not open"));
    };
    if doc.version() != data.version {
        return Err(content_modified(&format!(
            "the document changed (version {}, action computed on {})",
            doc.version(),
            data.version
        )));
    }
    let Some(finding) = result
        .findings
        .iter()
        .find(|f| f.rule == data.rule && f.range == (data.start..data.end))
        .cloned()
    else {
        return Err(content_modified("the finding is gone"));
    };
    if finding
        .fixes
        .get(data.fix)
        .is_none_or(|f| f.title != data.title)
    {
        return Err(content_modified("the fix is no longer offered"));
    }
    let Some(analyzer) = session.host.document_analyzer(&data.uri) else {
        return Err(content_modified(
            "the document is excluded by its distlint.toml",
        ));
    };
    let snapshot = doc.clone();
    let index = data.fix;
    let fix = tokio::task::spawn_blocking(move || analyzer.resolve_fix(&snapshot, &finding, index))
        .await
        .map_err(|e| {
            let mut err = Error::internal_error();
            err.message = format!("distlint: resolving the fix failed: {e}").into();
            err
        })?
        .ok_or_else(|| content_modified("the fix no longer applies"))?;
    let builder = WorkspaceEditBuilder {
        uri: data.uri.parse().map_err(|e| {
            Error::invalid_params(format!("distlint: codeAction/resolve: bad uri: {e}"))
        })?,
        version: doc.version(),
        document_changes: session.client().document_changes,
    };
    let encoding = session.encoding();
    action.edit = Some(builder.build(to_lsp_text_edits(&doc, &fix.edits, encoding)));
    // A deferred fix may refine its title when resolved ("... constructor only: <reason>");
    // clients that already showed the menu keep their label, others show this one.
    action.title = fix.title;
    Ok(action)
}
