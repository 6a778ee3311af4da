//! Background analysis of open documents, coalesced per document, and publishing.
//!
//! At most one worker task runs per document. A change that arrives while the worker analyses
//! marks the document dirty; when the worker finishes it analyses once more — the newest version
//! only, however many edits arrived. Analysis runs on tokio's blocking pool (`spawn_blocking`),
//! never on the async executor. A result is published only if the document is still at the
//! version analysed (otherwise it is dropped: a newer analysis is already queued).
//!
//! In pull mode (the client sent `textDocument.diagnostic` capabilities) the worker still runs
//! (coalescing and warming the cache) but publishes nothing; the client asks with
//! `textDocument/diagnostic` (see `requests/diagnostic.rs`).
//!
//! Requests (hover, code actions, pulls) never start a second analysis of a version the worker
//! is already analysing: [`analyze_latest`] waits for the worker and reads its cached result.

use std::sync::Arc;

use distlint_analysis::host::VersionedFindings;
use distlint_analysis::Document;
use tower_lsp_server::ls_types::{Diagnostic, Uri};
use tower_lsp_server::Client;

use crate::lint::result_diagnostics;
use crate::session::Session;

/// Removes the document's schedule entry if the worker ends abnormally (panic, cancellation),
/// so a later edit can start a new worker.
struct EntryGuard {
    session: Arc<Session>,
    key: String,
    armed: bool,
}

impl Drop for EntryGuard {
    fn drop(&mut self) {
        if self.armed {
            if let Ok(mut map) = self.session.schedule.lock() {
                map.remove(&self.key);
            }
            self.session.analysed.notify_waiters();
        }
    }
}

/// Queues an analysis of `uri`'s newest version and, in push mode, its publication.
pub(crate) fn schedule(session: &Arc<Session>, client: &Client, uri: Uri) {
    let key = uri.as_str().to_string();
    {
        let mut map = session.schedule.lock().unwrap_or_else(|e| e.into_inner());
        let state = map.entry(key.clone()).or_default();
        if state.running {
            state.dirty = true;
            return;
        }
        state.running = true;
    }
    let session = session.clone();
    let client = client.clone();
    tokio::spawn(async move {
        let mut guard = EntryGuard {
            session: session.clone(),
            key: key.clone(),
            armed: true,
        };
        loop {
            let s = session.clone();
            let k = key.clone();
            match tokio::task::spawn_blocking(move || s.host.analyze_current(&k)).await {
                Ok(Some((doc, result))) => {
                    session.analysed.notify_waiters();
                    show_config_errors(&session, &client).await;
                    if !session.client().pull_diagnostics {
                        publish(&session, &client, &uri, &doc, &result).await
                    }
                }
                // Closed, out of sync, or moved on (then the change marked us dirty).
                Ok(None) => {}
                Err(e) => tracing::error!(uri = key, "analysis task failed: {e}"),
            }
            let mut map = session.schedule.lock().unwrap_or_else(|e| e.into_inner());
            match map.get_mut(&key) {
                Some(state) if state.dirty => state.dirty = false,
                _ => {
                    map.remove(&key);
                    guard.armed = false;
                    drop(map);
                    session.analysed.notify_waiters();
                    break;
                }
            }
        }
    });
}

/// Shows queued `distlint.toml` errors to the user (`window/showMessage`, error).
pub(crate) async fn show_config_errors(session: &Session, client: &Client) {
    for message in session.take_config_errors() {
        client
            .show_message(
                tower_lsp_server::ls_types::MessageType::ERROR,
                format!("distlint: invalid configuration: {message}"),
            )
            .await;
    }
}

/// Publishes `result` (computed on `doc`) unless the document moved on or closed meanwhile.
pub(crate) async fn publish(
    session: &Session,
    client: &Client,
    uri: &Uri,
    doc: &Document,
    result: &VersionedFindings,
) {
    let settings = session.settings();
    let diagnostics = result_diagnostics(
        result,
        doc,
        session.encoding(),
        settings.docs_base_url.as_deref(),
    );
    let _order = session.publish_lock.lock().await;
    if session.host.version(uri.as_str()) != Some(doc.version()) {
        tracing::debug!(
            uri = uri.as_str(),
            version = doc.version(),
            "dropping diagnostics of an outdated version"
        );
        return;
    }
    client
        .publish_diagnostics(uri.clone(), diagnostics, Some(doc.version()))
        .await;
}

/// Publishes an empty list for `uri` (close, loss of sync). No-op in pull mode.
pub(crate) async fn publish_empty(
    session: &Session,
    client: &Client,
    uri: Uri,
    version: Option<i32>,
) {
    if session.client().pull_diagnostics {
        return;
    }
    let _order = session.publish_lock.lock().await;
    client
        .publish_diagnostics(uri, Vec::<Diagnostic>::new(), version)
        .await;
}

/// Re-analyses every open document after a configuration change: re-schedules each one (push)
/// or asks the client to re-pull (`workspace/diagnostic/refresh`, pull with refresh support).
pub(crate) async fn refresh_all(session: &Arc<Session>, client: &Client) {
    let caps = session.client();
    if caps.pull_diagnostics {
        if caps.diagnostic_refresh {
            if let Err(e) = client.workspace_diagnostic_refresh().await {
                tracing::warn!("workspace/diagnostic/refresh failed: {e}");
            }
        }
        return;
    }
    for key in session.host.open_documents() {
        match key.parse::<Uri>() {
            Ok(uri) => schedule(session, client, uri),
            Err(e) => tracing::warn!(uri = key, "cannot re-parse document URI: {e}"),
        }
    }
}

/// How long a request waits for the current version's analysis before giving up.
const WAIT_FOR_ANALYSIS: std::time::Duration = std::time::Duration::from_secs(20);

/// Findings of the newest version with the snapshot they were computed on. Served from the cache
/// when the current version is analysed; when the background worker is analysing the document,
/// waits for it (no duplicate analysis); otherwise analyses on the blocking pool.
/// `Ok(None)`: not open (or out of sync).
pub(crate) async fn analyze_latest(
    session: &Arc<Session>,
    key: &str,
) -> Result<Option<(Document, VersionedFindings)>, LatestError> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_ANALYSIS;
    loop {
        // Register for the wake-up before looking, so a worker finishing in between is not missed.
        let notified = session.analysed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if let Some(hit) = session.host.cached_current(key) {
            return Ok(Some(hit));
        }
        if session.host.version(key).is_none() || session.host.is_desynced(key) {
            return Ok(None);
        }
        if session.is_scheduled(key) {
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Err(LatestError::KeptChanging);
            }
            continue;
        }
        let s = session.clone();
        let k = key.to_string();
        let result = tokio::task::spawn_blocking(move || s.host.analyze_current(&k))
            .await
            .map_err(|e| LatestError::Failed(e.to_string()))?;
        match result {
            Some(hit) => return Ok(Some(hit)),
            None if tokio::time::Instant::now() >= deadline => {
                return Err(LatestError::KeptChanging)
            }
            // Moved on meanwhile: its change scheduled the worker; wait for it.
            None => continue,
        }
    }
}

/// Why [`analyze_latest`] gave up.
#[derive(Debug)]
pub(crate) enum LatestError {
    /// The analysis task failed (panicked).
    Failed(String),
    /// No analysis of the current version finished within the wait limit (it kept changing).
    KeptChanging,
}

impl From<LatestError> for tower_lsp_server::jsonrpc::Error {
    fn from(e: LatestError) -> Self {
        match e {
            LatestError::Failed(msg) => {
                let mut err = Self::internal_error();
                err.message = format!("distlint: analysis failed: {msg}").into();
                err
            }
            LatestError::KeptChanging => Self::content_modified(),
        }
    }
}
