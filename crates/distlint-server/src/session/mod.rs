//! Session state: open documents (in the [`AnalysisHost`]), the negotiated client capabilities,
//! settings, workspace roots, and the per-document analysis schedule.
//!
//! Open documents are keyed by their URI string (`Uri::as_str()`), exactly as the client sent it.
//! The session maps URIs and versions to the host and decides which configuration applies to a
//! document when it is opened or the configuration changes ([`Session::open`],
//! [`Session::reconfigure`]); the host analyses every document, under its own configuration or
//! the shared one, incrementally.

mod capabilities;
mod settings;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use dashmap::DashSet;
use distlint_analysis::host::DocumentConfig;
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
    /// `distlint.toml` errors not yet shown to the user, and those already shown (shown once).
    config_errors: Mutex<Vec<String>>,
    shown_config_errors: DashSet<String>,
    roots: RwLock<Vec<PathBuf>>,
    /// Bumped on each configuration change; part of pull-diagnostic result ids.
    generation: AtomicU64,
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
            config_errors: Mutex::new(Vec::new()),
            shown_config_errors: DashSet::new(),
            roots: RwLock::new(Vec::new()),
            generation: AtomicU64::new(0),
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
    /// configuration under the editor settings (dropping cached results) and sets each open
    /// document's configuration again. Returns the root's configuration.
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
        for key in self.host.open_documents() {
            let path = self
                .host
                .peek(&key, |d| d.path().map(Path::to_path_buf))
                .flatten();
            let doc_config = self.document_config(&key, path.as_deref());
            self.host.set_document_config(&key, doc_config);
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        config
    }

    /// Opens (or re-opens, replacing) a document in the host under the configuration that
    /// applies to it (see [`Session::document_config`]); a re-open brings an out-of-sync
    /// document back in sync.
    pub fn open(&self, key: &str, doc: Document) {
        let config = self.document_config(key, doc.path());
        let judged = doc.path().map(|p| self.role_path(p));
        self.host.open_with_config(key, doc, config, judged);
    }

    /// The path a document's role is judged by ([`roles::judged_path`]): its directories below
    /// the innermost workspace folder that holds it, as `distlint check` judges them. The host
    /// classifies the document by it (and its text) at every analysis: roles the configuration
    /// does not include get no diagnostics.
    fn role_path(&self, path: &Path) -> PathBuf {
        let roots = self.roots();
        let base = roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.components().count());
        roles::judged_path(path, base.map(PathBuf::as_path))
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
        self.host.close(key)
    }

    /// The configuration generation (bumped by [`Session::reconfigure`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The configuration that applies to the document `key` at `path`: the shared one (the
    /// first workspace root's, in the host's analyzer) when its nearest `distlint.toml` gives
    /// the same configuration under the editor settings (or it has no path), its own when it
    /// differs (a nested `distlint.toml`), excluded when that file excludes it. An invalid file
    /// is reported and the built-in defaults apply.
    pub fn document_config(&self, key: &str, path: Option<&Path>) -> DocumentConfig {
        let effective = match self.configs().for_document(path, &self.roots()) {
            Ok(FileScope::Excluded(by)) => {
                tracing::debug!(uri = key, config = %by.display(), "excluded by distlint.toml");
                return DocumentConfig::Excluded;
            }
            Ok(scope) => self.settings().apply(scope.config().unwrap_or_default()),
            Err(e) => {
                self.report_config_error(e.to_string());
                self.settings().apply(Config::default())
            }
        };
        if path.is_none() || *self.host.analyzer().config() == effective {
            DocumentConfig::Shared
        } else {
            DocumentConfig::Own(effective)
        }
    }

    /// Whether a background analysis of the document is running or queued.
    pub(crate) fn is_scheduled(&self, key: &str) -> bool {
        self.schedule
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .is_some_and(|s| s.running)
    }
}

#[cfg(test)]
mod tests {
    use distlint_analysis::{Severity, TextChange, TextPosition};

    use super::*;

    const SRC: &str = "use tokio::sync::mpsc;\n\nfn a() {\n    let x = 1;\n}\n\nfn b() {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n}\n";

    /// A document under a nested `distlint.toml` goes through the host under its own
    /// configuration and is analysed incrementally on every edit after the first (it used to be
    /// analysed from scratch, outside the host, with a new analyzer on every keystroke); a
    /// document under the root's file uses the shared analyzer; an excluded one has no findings.
    #[test]
    fn a_nested_distlint_toml_document_is_analysed_incrementally_by_the_host() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("nested")).unwrap();
        std::fs::write(root.join("distlint.toml"), "exclude = [\"skip.rs\"]\n").unwrap();
        std::fs::write(
            root.join("nested/distlint.toml"),
            "[rules]\nunbounded-channel = \"blocker\"\n",
        )
        .unwrap();
        let session = Session::new();
        session.set_roots(vec![root.clone()]);
        session.reconfigure(None, true);
        let open = |name: &str| {
            let key = format!("file://{}", root.join(name).display());
            let doc =
                Document::new(distlint_analysis::Language::Rust, SRC, 0).with_path(root.join(name));
            session.open(&key, doc);
            key
        };
        let nested = open("nested/lib.rs");
        let shared = open("lib.rs");
        let skipped = open("skip.rs");

        let (_, first) = session.host.analyze_current(&nested).unwrap();
        assert_eq!(first.findings[0].severity, Severity::Blocker);
        assert!(session.host.last_stats(&nested).unwrap().from_scratch);
        let at = TextPosition::new(3, 4);
        for version in 1..=3 {
            session
                .host
                .change(
                    &nested,
                    &[TextChange {
                        range: Some((at, at)),
                        text: "let y = 2;\n    ".into(),
                    }],
                    version,
                    PositionEncoding::Utf8,
                )
                .unwrap();
            let (doc, result) = session.host.analyze_current(&nested).unwrap();
            assert_eq!(result.version, version);
            let stats = session.host.last_stats(&nested).unwrap();
            assert!(!stats.from_scratch, "version {version}: {stats:?}");
            assert_eq!(stats.units_analysed, 1, "version {version}");
            assert_eq!(result.findings[0].severity, Severity::Blocker);
            let own = session.host.document_analyzer(&nested).unwrap();
            assert_eq!(*result.findings, own.analyze(&doc));
        }

        let (_, shared_result) = session.host.analyze_current(&shared).unwrap();
        assert_eq!(shared_result.findings[0].severity, Severity::Major);
        assert!(Arc::ptr_eq(
            &session.host.document_analyzer(&shared).unwrap(),
            &session.host.analyzer()
        ));
        let (_, skipped_result) = session.host.analyze_current(&skipped).unwrap();
        assert!(skipped_result.findings.is_empty());
        assert!(session.host.document_analyzer(&skipped).is_none());

        // The nested file goes away: after the reload the document uses the shared analyzer.
        std::fs::remove_file(root.join("nested/distlint.toml")).unwrap();
        session.reconfigure(None, true);
        let (_, after) = session.host.analyze_current(&nested).unwrap();
        assert_eq!(after.findings[0].severity, Severity::Major);
    }
}
