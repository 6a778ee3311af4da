//! `textDocument/didChange`: applies the edits to the open document **before the first `.await`**
//! (tower-lsp-server runs up to 4 handlers concurrently; doing all the work at the first poll
//! keeps edits in arrival order), then schedules an analysis of the new version.
//!
//! Bad input is logged and rejected, never a panic:
//! - unknown document: ignored;
//! - version not newer than the document's: ignored (a duplicate or replayed change);
//! - a range outside the document: the batch is rejected; the server has lost the client's text,
//!   so it clears the document's diagnostics and ignores further incremental edits until a
//!   full-text change (or re-open) resynchronises it. A batch that contains a full-text change
//!   resynchronises from it directly.

use distlint_analysis::host::HostError;
use distlint_analysis::{Document, TextChange};
use tower_lsp_server::ls_types::*;

use crate::edit::to_text_change;
use crate::server::schedule::{publish_empty, schedule};
use crate::server::Backend;

pub(crate) async fn handle(server: &Backend, params: DidChangeTextDocumentParams) {
    let session = &server.session;
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let key = uri.as_str();
    let changes: Vec<TextChange> = params
        .content_changes
        .into_iter()
        .map(to_text_change)
        .collect();

    if session.host.is_desynced(key) {
        if resync(server, key, &changes, version) {
            tracing::info!(
                uri = key,
                version,
                "document back in sync after a full-text change"
            );
            schedule(session, &server.client, uri);
        } else {
            tracing::debug!(
                uri = key,
                version,
                "ignoring edits to an out-of-sync document"
            );
        }
        return;
    }

    match session
        .host
        .change(key, &changes, version, session.encoding())
    {
        Ok(()) => schedule(session, &server.client, uri),
        Err(HostError::NotOpen) => {
            tracing::warn!(
                uri = key,
                version,
                "didChange for a document that is not open; ignored"
            )
        }
        Err(HostError::StaleVersion { current, received }) => tracing::warn!(
            uri = key,
            current,
            received,
            "rejected a didChange whose version is not newer than the document's"
        ),
        Err(HostError::Edit(e)) => {
            if resync(server, key, &changes, version) {
                tracing::warn!(
                    uri = key,
                    version,
                    "bad edit ({e}); resynchronised from the full-text change in the same batch"
                );
                schedule(session, &server.client, uri);
                return;
            }
            tracing::error!(
                uri = key,
                version,
                "rejected a didChange: {e}. distlint has lost track of this document's text; \
                 its diagnostics are cleared until the document is reopened"
            );
            session.host.mark_desynced(key);
            server
                .client
                .log_message(
                    MessageType::WARNING,
                    format!("distlint: lost track of {key} after a bad edit ({e}); close and reopen it to re-enable diagnostics"),
                )
                .await;
            publish_empty(session, &server.client, uri, Some(version)).await;
        }
    }
}

/// Rebuilds the document from the last full-text change in `changes` plus the changes after it.
/// Returns whether that succeeded (the document is then at `version` and in sync).
fn resync(server: &Backend, key: &str, changes: &[TextChange], version: i32) -> bool {
    let session = &server.session;
    let Some(last_full) = changes.iter().rposition(|c| c.range.is_none()) else {
        return false;
    };
    // Only the old document's language, limits and path are needed: no re-parse of a tree the
    // host released (`peek`, not `snapshot`).
    let Some((language, limits, path)) = session.host.peek(key, |old| {
        (
            old.language(),
            *old.limits(),
            old.path().map(|p| p.to_path_buf()),
        )
    }) else {
        return false;
    };
    let mut doc = Document::with_limits(language, changes[last_full].text.clone(), version, limits);
    if let Some(path) = path {
        doc = doc.with_path(path);
    }
    if let Err(e) = doc.apply_changes(&changes[last_full + 1..], version, session.encoding()) {
        tracing::warn!(uri = key, "cannot resynchronise: {e}");
        return false;
    }
    session.open(key, doc);
    true
}
