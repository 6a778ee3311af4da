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

use dashmap::{DashMap, DashSet};
use distlint_analysis::host::VersionedFindings;
use distlint_analysis::roles;
use distlint_analysis::{AnalysisHost, Analyzer, Config, Document, PositionEncoding};

use crate::config::{FileConfigs, FileScope};

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
    configs: RwLock<Arc<FileConfigs>>,
    /// Findings of documents whose `distlint.toml` differs from the root's (analysed outside the
    /// host, which runs one configuration): `(generation, findings)`.
    other_config_results: DashMap<String, (u64, VersionedFindings)>,
    /// `distlint.toml` errors not yet shown to the user, and those already shown (shown once).
    config_errors: Mutex<Vec<String>>,
    shown_config_errors: DashSet<String>,
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
    /// Woken after every background analysis (any document): requests waiting for the analysis
    /// of a document's current version re-check the cache instead of analysing it a second time.
    pub(crate) analysed: tokio::sync::Notify,
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
            configs: RwLock::new(Arc::new(FileConfigs::new())),
            other_config_results: DashMap::new(),
            config_errors: Mutex::new(Vec::new()),
            shown_config_errors: DashSet::new(),
            roots: RwLock::new(Vec::new()),
            generation: AtomicU64::new(0),
            desynced: DashSet::new(),
            schedule: Mutex::new(HashMap::new()),
            publish_lock: tokio::sync::Mutex::new(()),
            startup_warnings: Mutex::new(Vec::new()),
            analysed: tokio::sync::Notify::new(),
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

    /// Replaces the editor settings (when `Some`) and, when `reload_files`, forgets every cached
    /// `distlint.toml`; then rebuilds the host's analyzer from the first workspace root's file
    /// configuration under the editor settings (dropping cached results). Returns that
    /// configuration.
    pub fn reconfigure(&self, settings: Option<Settings>, reload_files: bool) -> Config {
        if let Some(s) = settings {
            *self.settings.write().unwrap_or_else(|e| e.into_inner()) = s;
        }
        if reload_files {
            *self.configs.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(FileConfigs::new());
            self.shown_config_errors.clear();
        }
        let base = match self.configs().for_roots(&self.roots()) {
            Ok(c) => c.unwrap_or_default(),
            Err(e) => {
                self.report_config_error(e.to_string());
                Config::default()
            }
        };
        let config = self.settings().apply(base);
        self.host.set_analyzer(Analyzer::new(config.clone()));
        self.other_config_results.clear();
        self.generation.fetch_add(1, Ordering::SeqCst);
        config
    }

    fn configs(&self) -> Arc<FileConfigs> {
        self.configs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Queues a `distlint.toml` error to show the user (each distinct message once per reload).
    pub fn report_config_error(&self, message: String) {
        tracing::error!("{message}");
        if self.shown_config_errors.insert(message.clone()) {
            self.config_errors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(message);
        }
    }

    /// Takes the queued `distlint.toml` errors.
    pub fn take_config_errors(&self) -> Vec<String> {
        std::mem::take(&mut *self.config_errors.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Closes a document: drops it, its findings and its out-of-sync mark. Returns whether it was open.
    pub fn close(&self, key: &str) -> bool {
        self.other_config_results.remove(key);
        self.clear_desynced(key);
        self.host.close(key)
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

    /// Which analysis applies to `doc` (see [`Session::analyze_current`]).
    fn route(&self, key: &str, doc: &Document) -> Route {
        let effective = match self.configs().for_document(doc.path(), &self.roots()) {
            Ok(FileScope::Excluded(by)) => {
                tracing::debug!(uri = key, config = %by.display(), "excluded by distlint.toml");
                return Route::Excluded;
            }
            Ok(scope) => self.settings().apply(scope.config().unwrap_or_default()),
            Err(e) => {
                self.report_config_error(e.to_string());
                self.settings().apply(Config::default())
            }
        };
        // The document's role (its directories judged below the innermost workspace folder that
        // holds it): roles the configuration does not include get no diagnostics, as in
        // `distlint check`.
        if let Some(path) = doc.path() {
            let roots = self.roots();
            let base = roots
                .iter()
                .filter(|r| path.starts_with(r))
                .max_by_key(|r| r.components().count());
            let judged = roles::judged_path(path, base.map(PathBuf::as_path));
            let role = roles::classify(doc.language(), &judged, doc.text());
            if !effective.includes_role(role.role) {
                tracing::debug!(uri = key, role = %role.role, reason = %role.reason, "role not included");
                return Route::Excluded;
            }
        }
        if doc.path().is_none() || *self.host.analyzer().config() == effective {
            Route::Host
        } else {
            Route::Own(effective)
        }
    }

    /// The analyzer whose configuration applies to `doc` (the root's, or the document's own
    /// `distlint.toml` merged with the editor settings): what resolves its deferred fixes
    /// (`Analyzer::resolve_fix`), so a fix uses the same configured capacity or timeout as the
    /// analysis that offered it. `None` when its `distlint.toml` excludes the document.
    pub fn analyzer_for(&self, key: &str, doc: &Document) -> Option<Arc<Analyzer>> {
        match self.route(key, doc) {
            Route::Excluded => None,
            Route::Host => Some(self.host.analyzer()),
            Route::Own(config) => Some(Arc::new(Analyzer::new(config))),
        }
    }

    /// Cached findings of the document's current version with its snapshot, without analysing.
    pub fn cached_current(&self, key: &str) -> Option<(Document, VersionedFindings)> {
        if self.is_desynced(key) {
            return None;
        }
        let doc = self.host.snapshot(key)?;
        let hit = match self.route(key, &doc) {
            Route::Excluded => return None,
            Route::Host => self.host.cached(key)?,
            Route::Own(_) => {
                let h = self.other_config_results.get(key)?;
                if h.0 != self.generation() {
                    return None;
                }
                h.1.clone()
            }
        };
        (hit.version == doc.version()).then_some((doc, hit))
    }

    /// Whether a background analysis of the document is running or queued.
    pub(crate) fn is_scheduled(&self, key: &str) -> bool {
        self.schedule
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .is_some_and(|s| s.running)
    }

    /// Findings of the document's current version together with the snapshot they were computed
    /// on (so byte ranges convert against the right text). Blocking: call it off the async
    /// executor. `None` when the document is not open, out of sync, or moved on during the
    /// analysis.
    ///
    /// Documents under the root's configuration go through the host (cached, incremental);
    /// documents under another `distlint.toml` are analysed with their own configuration and
    /// cached here; documents their `distlint.toml` excludes get no findings.
    pub fn analyze_current(&self, key: &str) -> Option<(Document, VersionedFindings)> {
        if self.is_desynced(key) {
            return None;
        }
        let doc = self.host.snapshot(key)?;
        let generation = self.generation();
        let effective = match self.route(key, &doc) {
            Route::Excluded => {
                let empty = VersionedFindings {
                    version: doc.version(),
                    findings: Arc::new(Vec::new()),
                    too_deep: Arc::new(Vec::new()),
                };
                return Some((doc, empty));
            }
            Route::Host => {
                let result = self.host.analyze(key)?;
                if result.version == doc.version() {
                    return Some((doc, result));
                }
                let doc = self.host.snapshot(key)?;
                return (doc.version() == result.version).then_some((doc, result));
            }
            Route::Own(config) => config,
        };
        if let Some(hit) = self.other_config_results.get(key) {
            if hit.0 == generation && hit.1.version == doc.version() {
                return Some((doc, hit.1.clone()));
            }
        }
        let analysis = Analyzer::new(effective).analyze_document(&doc);
        let result = VersionedFindings {
            version: doc.version(),
            findings: Arc::new(analysis.findings),
            too_deep: Arc::new(analysis.too_deep),
        };
        if self.host.version(key) == Some(doc.version()) && self.generation() == generation {
            self.other_config_results
                .insert(key.to_string(), (generation, result.clone()));
        }
        Some((doc, result))
    }
}

/// How a document is analysed.
enum Route {
    /// Its `distlint.toml` excludes it, or the configuration does not include its role: no
    /// findings.
    Excluded,
    /// Through the shared host (root configuration; cached and incremental).
    Host,
    /// With its own configuration (another `distlint.toml`), cached in the session.
    Own(Config),
}
