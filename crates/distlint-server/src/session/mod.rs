//! Session state: open documents (in the [`AnalysisHost`]), the negotiated client capabilities,
//! settings, workspace roots, and the per-document analysis schedule.
//!
//! Open documents are keyed by their URI string (`Uri::as_str()`), exactly as the client sent it.

mod capabilities;
mod settings;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use dashmap::DashSet;
use distlint_analysis::{AnalysisHost, Analyzer, Config, Document, PositionEncoding};

pub use capabilities::ResolvedClientCapabilities;
pub use settings::Settings;

/// Analysis state of one document in the scheduler (see `server::schedule`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ScheduleState {
    /// A worker task is analysing this document.
    pub running: bool,
    /// An edit (or configuration change) arrived while the worker ran: analyse again, once.
    pub dirty: bool,
}

/// Everything the handlers share. Cheap to clone behind an [`Arc`].
#[derive(Debug)]
pub struct Session {
    /// Open documents and their cached findings.
    pub host: Arc<AnalysisHost>,
    client: RwLock<ResolvedClientCapabilities>,
    settings: RwLock<Settings>,
    file_config: RwLock<Config>,
    roots: RwLock<Vec<PathBuf>>,
    /// Bumped on each configuration change; part of pull-diagnostic result ids.
    generation: AtomicU64,
    /// Documents whose text we lost track of (a bad incremental edit): their incremental edits
    /// are ignored until a full-text change or a re-open brings them back in sync.
    desynced: DashSet<String>,
    pub(crate) schedule: Mutex<HashMap<String, ScheduleState>>,
    /// Serialises publishing so that an empty list sent on `didClose` is never overtaken by a
    /// worker's publish for the same document.
    pub(crate) publish_lock: tokio::sync::Mutex<()>,
    startup_warnings: Mutex<Vec<String>>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// An empty session with default configuration and UTF-16 positions.
    pub fn new() -> Self {
        Self {
            host: Arc::new(AnalysisHost::new(Analyzer::default())),
            client: RwLock::new(ResolvedClientCapabilities::default()),
            settings: RwLock::new(Settings::default()),
            file_config: RwLock::new(Config::default()),
            roots: RwLock::new(Vec::new()),
            generation: AtomicU64::new(0),
            desynced: DashSet::new(),
            schedule: Mutex::new(HashMap::new()),
            publish_lock: tokio::sync::Mutex::new(()),
            startup_warnings: Mutex::new(Vec::new()),
        }
    }

    /// The client capabilities negotiated at `initialize`.
    pub fn client(&self) -> ResolvedClientCapabilities {
        *self.client.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the client's capabilities (called once, from `initialize`).
    pub fn set_client(&self, caps: ResolvedClientCapabilities) {
        *self.client.write().unwrap_or_else(|e| e.into_inner()) = caps;
    }

    /// Keeps messages (rejected `initializationOptions` keys) to show once `initialized` arrives.
    pub fn set_startup_warnings(&self, warnings: Vec<String>) {
        *self
            .startup_warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = warnings;
    }

    /// Takes the messages kept by [`Session::set_startup_warnings`].
    pub fn take_startup_warnings(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .startup_warnings
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        )
    }

    /// The negotiated position encoding.
    pub fn encoding(&self) -> PositionEncoding {
        self.client().encoding
    }

    /// Current editor settings.
    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Workspace roots (from `workspaceFolders` / `rootUri` at initialize).
    pub fn roots(&self) -> Vec<PathBuf> {
        self.roots.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sets the workspace roots.
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        *self.roots.write().unwrap_or_else(|e| e.into_inner()) = roots;
    }

    /// Replaces the editor settings and/or the file configuration and rebuilds the analyzer
    /// (which drops every cached result). Returns the effective configuration.
    pub fn reconfigure(&self, settings: Option<Settings>, file_config: Option<Config>) -> Config {
        if let Some(s) = settings {
            *self.settings.write().unwrap_or_else(|e| e.into_inner()) = s;
        }
        if let Some(c) = file_config {
            *self.file_config.write().unwrap_or_else(|e| e.into_inner()) = c;
        }
        let base = self
            .file_config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let config = self.settings().apply(base);
        self.host.set_analyzer(Analyzer::new(config.clone()));
        self.generation.fetch_add(1, Ordering::SeqCst);
        config
    }

    /// The configuration generation (bumped by [`Session::reconfigure`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Marks a document as out of sync (see [`Session::is_desynced`]).
    pub fn mark_desynced(&self, key: &str) {
        self.desynced.insert(key.to_string());
    }

    /// Clears the out-of-sync mark; returns whether it was set.
    pub fn clear_desynced(&self, key: &str) -> bool {
        self.desynced.remove(key).is_some()
    }

    /// Whether the server lost track of the document's text.
    pub fn is_desynced(&self, key: &str) -> bool {
        self.desynced.contains(key)
    }

    /// Findings of the document's current version together with the snapshot they were computed
    /// on (so byte ranges convert against the right text). Blocking: call it off the async
    /// executor. `None` when the document is not open or moved on during the analysis.
    pub fn analyze_current(
        &self,
        key: &str,
    ) -> Option<(Document, distlint_analysis::host::VersionedFindings)> {
        if self.is_desynced(key) {
            return None;
        }
        let result = self.host.analyze(key)?;
        let doc = self.host.snapshot(key)?;
        (doc.version() == result.version).then_some((doc, result))
    }
}
