//! Open documents and their cached findings, shared between threads.
//!
//! The host is what an editor integration drives: open / change / close documents by a string key
//! (the server uses the document URI), and ask for findings. Documents and results live in
//! [`DashMap`]s, so applying an edit to one document never waits for an analysis of another, and
//! an analysis runs on a snapshot (text + tree clone), never under a map lock.
//!
//! Every cached result is tagged with the document version it was computed for; a result for an
//! older version than the one cached is dropped.
//!
//! Analysis is incremental ([`crate::engine::incremental`]): the host records the byte edits each
//! [`AnalysisHost::change`] applied, and the next [`AnalysisHost::analyze`] hands the composed edit
//! since the last analysed version, with that version's [`AnalysisState`], to
//! [`Analyzer::analyze_incremental`], which re-runs rules only on the units the edits touched.
//!
//! Coalescing: edits never wait for an analysis (an analysis works on a snapshot taken under a
//! short lock); an analysis always takes the newest version at the time it starts, and
//! [`AnalysisHost::analyze_if_current`] skips the work entirely when the document has moved on;
//! a result is stored only if it is newer than the stored one, for the same opening of the
//! document, under the same analyzer.
//!
//! Per-document configuration ([`DocumentConfig`]): a document under a nested `distlint.toml`
//! is analysed with its own [`Analyzer`], kept with the document, incrementally like every other
//! document; one its configuration excludes gets no findings. A document whose text the
//! editor integration lost track of ([`AnalysisHost::mark_desynced`]) gets no analysis until it
//! is opened again.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use dashmap::DashMap;

use crate::config::Config;
use crate::document::{AppliedEdit, Document, EditError, TextChange};
use crate::engine::incremental::{AnalysisState, AnalysisStats, Delta};
use crate::engine::Analyzer;
use crate::rule::Finding;
use crate::text::PositionEncoding;

/// Findings computed for one document version.
#[derive(Debug, Clone)]
pub struct VersionedFindings {
    /// The document version analysed.
    pub version: i32,
    /// Findings sorted by position, in byte offsets of that version's text.
    pub findings: Arc<Vec<Finding>>,
    /// Items of that version left out because they nest deeper than `max-nesting-depth`
    /// (the document was *analysed partially*), in source order; empty almost always.
    pub too_deep: Arc<Vec<crate::input::TooDeep>>,
}

/// Why a host operation was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostError {
    /// No open document has that key.
    NotOpen,
    /// The change's version is not newer than the document's.
    StaleVersion { current: i32, received: i32 },
    /// A change's range was invalid.
    Edit(EditError),
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostError::NotOpen => write!(f, "document is not open"),
            HostError::StaleVersion { current, received } => {
                write!(
                    f,
                    "version {received} is not newer than the current version {current}"
                )
            }
            HostError::Edit(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for HostError {}

/// Most edits remembered between two analyses; beyond this the next analysis starts from scratch.
const MAX_LOGGED_EDITS: usize = 4096;

/// How many documents keep their syntax trees by default: the 8 most recently opened, edited,
/// analysed or inspected ones. A tree costs ~30× its text (tree-sitter allocates a subtree per
/// node); an idle document keeps its text, line index and findings (~2–3× its text), and is
/// parsed again (once, from scratch) when it is next edited or something needs its tree.
pub const DEFAULT_TREE_CACHE: usize = 8;

/// Keys of the documents whose trees are kept, most recently used first.
#[derive(Debug)]
struct TreeCache {
    recent: VecDeque<String>,
    limit: usize,
}

impl Default for TreeCache {
    fn default() -> Self {
        Self {
            recent: VecDeque::new(),
            limit: DEFAULT_TREE_CACHE,
        }
    }
}

/// Which configuration analyses an open document.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum DocumentConfig {
    /// The host's analyzer ([`AnalysisHost::set_analyzer`]): the workspace's configuration.
    #[default]
    Shared,
    /// Its own configuration (a nested `distlint.toml`, with the editor's settings on top).
    Own(Config),
    /// Its configuration excludes it: it is never analysed and has no findings.
    Excluded,
}

/// The analyzer of one document (see [`DocumentConfig`]).
#[derive(Debug, Clone)]
enum DocumentAnalyzer {
    Shared,
    /// Built once when the configuration is set, so its literal prefilter is built once too.
    Own(Arc<Analyzer>),
    Excluded,
}

impl DocumentAnalyzer {
    fn new(config: DocumentConfig) -> Self {
        match config {
            DocumentConfig::Shared => DocumentAnalyzer::Shared,
            DocumentConfig::Own(c) => DocumentAnalyzer::Own(Arc::new(Analyzer::new(c))),
            DocumentConfig::Excluded => DocumentAnalyzer::Excluded,
        }
    }

    fn is(&self, config: &DocumentConfig) -> bool {
        match (self, config) {
            (DocumentAnalyzer::Shared, DocumentConfig::Shared)
            | (DocumentAnalyzer::Excluded, DocumentConfig::Excluded) => true,
            (DocumentAnalyzer::Own(a), DocumentConfig::Own(c)) => a.config() == c,
            _ => false,
        }
    }
}

/// An open document, with the edits applied since the oldest version an analysis state may be at.
#[derive(Debug)]
struct OpenDocument {
    doc: Document,
    /// Distinguishes successive openings of the same key, and configurations of one opening.
    epoch: u64,
    /// The configuration that analyses it.
    analyzer: DocumentAnalyzer,
    /// Its text was lost track of ([`AnalysisHost::mark_desynced`]): no analysis.
    desynced: bool,
    /// The path its code role is judged by ([`crate::roles::judged_path`]); `None`: no role
    /// check (no path).
    role_path: Option<PathBuf>,
    /// `(version produced, edit)` for every edit after version `log_base`, in order.
    log: Vec<(i32, AppliedEdit)>,
    log_base: i32,
}

impl OpenDocument {
    /// Whether `config` includes the document's code role (judged by its role path and its
    /// current text); always true without a role path.
    fn role_included(&self, config: &Config) -> bool {
        self.role_path.as_ref().is_none_or(|judged| {
            let role = crate::roles::classify(self.doc.language(), judged, self.doc.text());
            config.includes_role(role.role)
        })
    }

    /// How the text changed from version `from` to the current version.
    fn delta_since(&self, from: i32) -> Delta {
        if from < self.log_base {
            return Delta::Reset;
        }
        Delta::compose(
            self.log
                .iter()
                .filter(|(v, _)| *v > from && *v <= self.doc.version())
                .map(|(_, e)| e),
        )
    }
}

/// A stored analysis: the published findings and the state the next analysis starts from.
#[derive(Debug, Clone)]
struct Analysed {
    findings: VersionedFindings,
    state: Arc<AnalysisState>,
    epoch: u64,
    generation: u64,
}

/// Open documents, their analyses, and the analyzer in force.
#[derive(Debug, Default)]
pub struct AnalysisHost {
    documents: DashMap<String, OpenDocument>,
    results: DashMap<String, Analysed>,
    /// The analyzer and its generation (bumped by [`AnalysisHost::set_analyzer`]).
    analyzer: RwLock<(Arc<Analyzer>, u64)>,
    epochs: AtomicU64,
    /// Which documents keep their trees (an LRU). Lock order: this, then `documents`, then
    /// `results`, never nested the other way.
    trees: Mutex<TreeCache>,
}

impl AnalysisHost {
    /// A host analysing with `analyzer`.
    pub fn new(analyzer: Analyzer) -> Self {
        Self {
            documents: DashMap::new(),
            results: DashMap::new(),
            analyzer: RwLock::new((Arc::new(analyzer), 0)),
            epochs: AtomicU64::new(0),
            trees: Mutex::new(TreeCache::default()),
        }
    }

    /// Keeps the syntax trees of the `limit` most recently used documents only (at least 1;
    /// default [`DEFAULT_TREE_CACHE`]); releases the others' trees now.
    pub fn set_tree_cache_limit(&self, limit: usize) {
        let mut cache = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        cache.limit = limit.max(1);
        self.evict_over_limit(&mut cache);
    }

    /// Number of open documents holding a syntax tree (for tests and memory checks).
    pub fn trees_held(&self) -> usize {
        self.documents
            .iter()
            .filter(|d| d.doc.has_tree() && d.doc.skipped().is_none())
            .count()
    }

    /// Marks `key` as the most recently used document; releases the trees of the documents that
    /// fall out of the cache. Call with no `documents`/`results` guard held.
    fn touch(&self, key: &str) {
        let mut cache = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        if cache.recent.front().map(String::as_str) != Some(key) {
            if let Some(i) = cache.recent.iter().position(|k| k == key) {
                cache.recent.remove(i);
            }
            cache.recent.push_front(key.to_string());
        }
        self.evict_over_limit(&mut cache);
    }

    fn evict_over_limit(&self, cache: &mut TreeCache) {
        while cache.recent.len() > cache.limit {
            let Some(key) = cache.recent.pop_back() else {
                break;
            };
            if let Some(mut open) = self.documents.get_mut(&key) {
                open.doc.drop_tree();
            }
            if let Some(mut r) = self.results.get_mut(&key) {
                if r.state.has_tree() {
                    r.state = Arc::new(r.state.without_tree());
                }
            }
        }
    }

    /// Replaces the analyzer (configuration change) and forgets every cached result. Analyses
    /// still running under the old analyzer finish but their results are not stored.
    pub fn set_analyzer(&self, analyzer: Analyzer) {
        {
            let mut a = self.analyzer.write().unwrap_or_else(|e| e.into_inner());
            let generation = a.1 + 1;
            *a = (Arc::new(analyzer), generation);
        }
        self.results.clear();
    }

    /// The analyzer in force.
    pub fn analyzer(&self) -> Arc<Analyzer> {
        self.analyzer_and_generation().0
    }

    fn analyzer_and_generation(&self) -> (Arc<Analyzer>, u64) {
        let a = self.analyzer.read().unwrap_or_else(|e| e.into_inner());
        (a.0.clone(), a.1)
    }

    /// Opens (or re-opens, replacing) a document, analysed with the host's analyzer, whatever
    /// its code role.
    pub fn open(&self, key: &str, document: Document) {
        self.open_with_config(key, document, DocumentConfig::Shared, None);
    }

    /// Opens (or re-opens, replacing) a document analysed under `config`. With `role_path` (the
    /// path its code role is judged by, [`crate::roles::judged_path`]), every analysis
    /// classifies the document by it and its current text ([`crate::roles::classify`]), and a
    /// role the configuration does not include gets no findings, as in `distlint check`.
    /// Re-opening clears a [`AnalysisHost::mark_desynced`] mark.
    pub fn open_with_config(
        &self,
        key: &str,
        document: Document,
        config: DocumentConfig,
        role_path: Option<PathBuf>,
    ) {
        self.results.remove(key);
        let epoch = self.epochs.fetch_add(1, Ordering::Relaxed) + 1;
        let log_base = document.version();
        self.documents.insert(
            key.to_string(),
            OpenDocument {
                doc: document,
                epoch,
                analyzer: DocumentAnalyzer::new(config),
                desynced: false,
                role_path,
                log: Vec::new(),
                log_base,
            },
        );
        self.touch(key);
    }

    /// Sets the configuration that analyses an open document (after a `distlint.toml` or the
    /// editor's settings changed). When it differs from the current one the cached result is
    /// dropped and the next analysis starts from scratch; an analysis running under the old one
    /// is not stored. Returns whether the document is open.
    pub fn set_document_config(&self, key: &str, config: DocumentConfig) -> bool {
        let Some(mut open) = self.documents.get_mut(key) else {
            return false;
        };
        if open.analyzer.is(&config) {
            return true;
        }
        open.analyzer = DocumentAnalyzer::new(config);
        open.epoch = self.epochs.fetch_add(1, Ordering::Relaxed) + 1;
        open.log.clear();
        open.log_base = open.doc.version();
        // Lock order: `documents`, then `results`.
        self.results.remove(key);
        true
    }

    /// The analyzer of an open document: its own configuration's, or the host's. `None` when it
    /// is not open or its configuration excludes it. What resolves its deferred fixes
    /// ([`Analyzer::resolve_fix`]), so a fix uses the same configuration as the analysis that
    /// offered it.
    pub fn document_analyzer(&self, key: &str) -> Option<Arc<Analyzer>> {
        let shared = self.analyzer();
        let open = self.documents.get(key)?;
        let analyzer = match &open.analyzer {
            DocumentAnalyzer::Shared => shared,
            DocumentAnalyzer::Own(a) => a.clone(),
            DocumentAnalyzer::Excluded => return None,
        };
        open.role_included(analyzer.config()).then_some(analyzer)
    }

    /// Marks an open document as out of sync: the editor integration lost track of its text (a
    /// bad incremental edit). It is not analysed, and [`AnalysisHost::is_desynced`] says so,
    /// until it is opened again ([`AnalysisHost::open`]).
    pub fn mark_desynced(&self, key: &str) {
        if let Some(mut open) = self.documents.get_mut(key) {
            open.desynced = true;
        }
    }

    /// Whether the document is open and out of sync (see [`AnalysisHost::mark_desynced`]).
    pub fn is_desynced(&self, key: &str) -> bool {
        self.documents.get(key).is_some_and(|d| d.desynced)
    }

    /// Applies changes to an open document and moves it to `version`. Synchronous and cheap
    /// (text splice + incremental reparse + recording the byte edits); never waits for an
    /// analysis. Callers apply edits in arrival order.
    pub fn change(
        &self,
        key: &str,
        changes: &[TextChange],
        version: i32,
        encoding: PositionEncoding,
    ) -> Result<(), HostError> {
        self.change_inner(key, changes, version, encoding)?;
        self.touch(key);
        Ok(())
    }

    fn change_inner(
        &self,
        key: &str,
        changes: &[TextChange],
        version: i32,
        encoding: PositionEncoding,
    ) -> Result<(), HostError> {
        let mut entry = self.documents.get_mut(key).ok_or(HostError::NotOpen)?;
        let open = &mut *entry;
        if version <= open.doc.version() {
            return Err(HostError::StaleVersion {
                current: open.doc.version(),
                received: version,
            });
        }
        let applied = open
            .doc
            .apply_changes(changes, version, encoding)
            .map_err(HostError::Edit)?;
        if open.log.len() + applied.len() > MAX_LOGGED_EDITS {
            // Nobody analysed for a long time: forget the history; the next analysis is full.
            open.log.clear();
            open.log_base = version;
        } else {
            open.log.extend(applied.into_iter().map(|e| (version, e)));
        }
        Ok(())
    }

    /// Closes a document, freeing its text, tree and findings. Returns whether it was open.
    pub fn close(&self, key: &str) -> bool {
        // Documents first: `store` inserts a result while holding the document's entry, so once
        // the document is gone no store is mid-insert, and removing the result after cannot be
        // undone by a racing analysis (which would leak one cached result per close).
        {
            let mut cache = self.trees.lock().unwrap_or_else(|e| e.into_inner());
            cache.recent.retain(|k| k != key);
        }
        let was_open = self.documents.remove(key).is_some();
        self.results.remove(key);
        was_open
    }

    /// Number of cached results held (for leak checks: 0 once every document is closed).
    pub fn cached_results(&self) -> usize {
        self.results.len()
    }

    /// A copy of the document as it is now (the tree clone is reference-counted). A document
    /// whose tree was released is parsed again here (and keeps the tree: it is now recently used).
    pub fn snapshot(&self, key: &str) -> Option<Document> {
        let doc = {
            let open = self.documents.get(key)?;
            open.doc.tree();
            open.doc.clone()
        };
        self.touch(key);
        Some(doc)
    }

    /// Runs `f` on the open document as it is, without parsing a released tree again and
    /// without making it the most recently used: for what does not need the syntax tree
    /// (language, input limits, path, version, text). `None` when `key` is not open.
    pub fn peek<R>(&self, key: &str, f: impl FnOnce(&Document) -> R) -> Option<R> {
        self.documents.get(key).map(|open| f(&open.doc))
    }

    /// The current version of an open document.
    pub fn version(&self, key: &str) -> Option<i32> {
        self.documents.get(key).map(|d| d.doc.version())
    }

    /// Keys of the open documents.
    pub fn open_documents(&self) -> Vec<String> {
        self.documents.iter().map(|e| e.key().clone()).collect()
    }

    /// Cached findings of the document's current version with a snapshot of that version (so
    /// byte ranges convert against the right text), without analysing. `None` when not open,
    /// out of sync, or not analysed at this version.
    pub fn cached_current(&self, key: &str) -> Option<(Document, VersionedFindings)> {
        if self.is_desynced(key) {
            return None;
        }
        let hit = self.cached(key)?;
        let doc = self.snapshot(key)?;
        (doc.version() == hit.version).then_some((doc, hit))
    }

    /// Findings of the document's current version with the snapshot they were computed on (so
    /// byte ranges convert against the right text): cached, or computed now, incrementally.
    /// Blocking. `None` when the document is not open, out of sync, or moved on during the
    /// analysis.
    pub fn analyze_current(&self, key: &str) -> Option<(Document, VersionedFindings)> {
        let result = self.analyze(key)?;
        let doc = self.snapshot(key)?;
        (doc.version() == result.version).then_some((doc, result))
    }

    /// Cached findings of the document's current version, if computed.
    pub fn cached(&self, key: &str) -> Option<VersionedFindings> {
        let version = self.version(key)?;
        self.results
            .get(key)
            .filter(|r| r.findings.version == version)
            .map(|r| r.findings.clone())
    }

    /// Counters of the last stored analysis of the document (how many units were re-analysed).
    pub fn last_stats(&self, key: &str) -> Option<AnalysisStats> {
        self.results.get(key).map(|r| r.state.stats())
    }

    /// Units the last stored analysis of the document left out because they nest too deeply
    /// ([`crate::input::TooDeep`], byte ranges of that analysis's version).
    pub fn last_too_deep(&self, key: &str) -> Option<Vec<crate::input::TooDeep>> {
        self.results.get(key).map(|r| r.state.too_deep().to_vec())
    }

    /// Findings for the document's current version: cached, or computed now (incrementally from
    /// the last stored analysis) on a snapshot. `None` when the document is not open. The result
    /// is stored unless a newer version was stored meanwhile.
    pub fn analyze(&self, key: &str) -> Option<VersionedFindings> {
        self.analyze_inner(key, None)
    }

    /// Like [`AnalysisHost::analyze`], but only if the document is still at `version`: returns
    /// `None` without analysing when it has moved on (a newer analysis will publish) or is
    /// closed. The primitive for coalescing: a debounced task for version `v` calls this and
    /// publishes what it gets, tagged with `v`.
    pub fn analyze_if_current(&self, key: &str, version: i32) -> Option<VersionedFindings> {
        self.analyze_inner(key, Some(version))
    }

    fn analyze_inner(&self, key: &str, want: Option<i32>) -> Option<VersionedFindings> {
        if self.is_desynced(key) {
            return None;
        }
        if let Some(hit) = self.cached(key) {
            if want.is_none_or(|v| v == hit.version) {
                return Some(hit);
            }
        }
        let (analyzer, generation) = self.analyzer_and_generation();
        // Read the stored state first and release it: never hold a `results` guard while taking
        // a `documents` one (`store` nests them the other way round).
        let prev = self
            .results
            .get(key)
            .filter(|r| r.generation == generation)
            .map(|r| (r.state.clone(), r.epoch));
        let (doc, epoch, delta, own) = {
            let open = self.documents.get(key)?;
            if open.desynced || want.is_some_and(|v| v != open.doc.version()) {
                return None;
            }
            let config = match &open.analyzer {
                DocumentAnalyzer::Own(a) => Some(a.config()),
                DocumentAnalyzer::Shared => Some(analyzer.config()),
                DocumentAnalyzer::Excluded => None,
            };
            if !config.is_some_and(|c| open.role_included(c)) {
                let doc = open.doc.clone();
                let epoch = open.epoch;
                drop(open);
                return Some(self.store_excluded(key, &doc, epoch, &analyzer, generation));
            }
            // The analysis needs the tree: parse a released one again, in the stored document.
            open.doc.tree();
            let delta = match &prev {
                Some((state, epoch)) if *epoch == open.epoch => open.delta_since(state.version()),
                _ => Delta::Reset,
            };
            (open.doc.clone(), open.epoch, delta, open.analyzer.clone())
        };
        self.touch(key);
        let prev = prev
            .as_ref()
            .filter(|(_, e)| *e == epoch)
            .map(|(s, _)| (&**s, delta));
        let analyzer = match &own {
            DocumentAnalyzer::Own(a) => a,
            _ => &analyzer,
        };
        let state = analyzer.analyze_incremental(&doc, prev);
        let result = VersionedFindings {
            version: doc.version(),
            findings: state.findings().clone(),
            too_deep: Arc::new(state.too_deep().to_vec()),
        };
        self.store(
            key,
            Analysed {
                findings: result.clone(),
                state: Arc::new(state),
                epoch,
                generation,
            },
        );
        Some(result)
    }

    /// The (empty) findings of an excluded document, stored like an analysis.
    fn store_excluded(
        &self,
        key: &str,
        doc: &Document,
        epoch: u64,
        analyzer: &Analyzer,
        generation: u64,
    ) -> VersionedFindings {
        let result = VersionedFindings {
            version: doc.version(),
            findings: Arc::new(Vec::new()),
            too_deep: Arc::new(Vec::new()),
        };
        self.store(
            key,
            Analysed {
                findings: result.clone(),
                state: Arc::new(AnalysisState::empty(doc, analyzer.config())),
                epoch,
                generation,
            },
        );
        result
    }

    /// Stores `result` unless the document was closed or re-opened, the analyzer changed, or a
    /// newer version is stored; then forgets the edits the stored state no longer needs.
    fn store(&self, key: &str, result: Analysed) {
        let Some(mut open) = self.documents.get_mut(key) else {
            return;
        };
        if open.epoch != result.epoch || self.analyzer_and_generation().1 != result.generation {
            return;
        }
        // The document's tree was released while this analysis ran: do not keep the analysed
        // tree alive through the stored state either.
        let mut result = result;
        if !open.doc.has_tree() && result.state.has_tree() {
            result.state = Arc::new(result.state.without_tree());
        }
        let version = result.findings.version;
        let stored = match self.results.entry(key.to_string()) {
            dashmap::Entry::Occupied(mut e) => {
                let cur = e.get();
                if cur.epoch != result.epoch
                    || cur.generation != result.generation
                    || cur.findings.version < version
                {
                    e.insert(result);
                    true
                } else {
                    false
                }
            }
            dashmap::Entry::Vacant(e) => {
                e.insert(result);
                true
            }
        };
        if stored && version > open.log_base {
            open.log.retain(|(v, _)| *v > version);
            open.log_base = version;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;
    use crate::text::TextPosition;

    const SRC: &str = "use tokio::sync::mpsc;\n\nfn a() {\n    let x = 1;\n}\n\nfn b() {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n}\n";

    fn fresh(text: &str) -> Vec<Finding> {
        Analyzer::default().analyze(&Document::new(Language::Rust, text, 0))
    }

    #[test]
    fn only_the_most_recently_used_documents_keep_their_trees() {
        let host = AnalysisHost::new(Analyzer::default());
        host.set_tree_cache_limit(2);
        for k in ["a", "b", "c"] {
            host.open(k, Document::new(Language::Rust, SRC, 0));
            host.analyze(k).unwrap();
        }
        assert_eq!(host.trees_held(), 2);
        let a = host.documents.get("a").unwrap();
        assert!(
            !a.doc.has_tree(),
            "the least recently used document was released"
        );
        drop(a);
        assert!(!host.results.get("a").unwrap().state.has_tree());
        // Its findings are still served without parsing.
        assert_eq!(*host.cached("a").unwrap().findings, fresh(SRC));
        assert!(!host.documents.get("a").unwrap().doc.has_tree());

        // Something needs the tree (hover, code action): parsed again, equal to a fresh parse,
        // and now `a` is recent while `b` is released.
        let snap = host.snapshot("a").unwrap();
        assert_eq!(
            snap.tree().root_node().to_sexp(),
            Document::new(Language::Rust, SRC, 0)
                .tree()
                .root_node()
                .to_sexp()
        );
        assert_eq!(host.trees_held(), 2);
        assert!(!host.documents.get("b").unwrap().doc.has_tree());

        // An edit to a released document parses from scratch and analyses correctly.
        let at = SRC.find("let x").unwrap();
        let line = SRC[..at].matches('\n').count() as u32;
        host.change(
            "b",
            &[TextChange {
                range: Some((
                    TextPosition { line, character: 4 },
                    TextPosition { line, character: 4 },
                )),
                text: "let y = std::sync::mpsc::channel::<u8>();\n    ".into(),
            }],
            1,
            PositionEncoding::Utf8,
        )
        .unwrap();
        let edited = host.snapshot("b").unwrap();
        assert_eq!(*host.analyze("b").unwrap().findings, fresh(edited.text()));
        assert_eq!(host.analyze("b").unwrap().findings.len(), 2);
        assert!(host.last_stats("b").unwrap().from_scratch);
        assert_eq!(host.trees_held(), 2);

        // Reading what does not need the tree (a server resynchronising a document from a
        // full-text change needs only its language, limits and path) leaves it released.
        let released = ["a", "b", "c"]
            .into_iter()
            .find(|k| !host.documents.get(*k).unwrap().doc.has_tree())
            .unwrap();
        assert_eq!(host.peek(released, |d| d.language()), Some(Language::Rust));
        assert!(!host.documents.get(released).unwrap().doc.has_tree());
        assert_eq!(host.peek("nope", |d| d.version()), None);

        // Closing forgets the key; the limit can be raised and lowered.
        assert!(host.close("b"));
        host.set_tree_cache_limit(1);
        assert_eq!(host.trees_held(), 1);
    }

    fn edit(host: &AnalysisHost, key: &str, version: i32, at: usize, text: &str) {
        let doc = host.snapshot(key).unwrap();
        let p = doc
            .line_index()
            .position(doc.text(), at, PositionEncoding::Utf8);
        host.change(
            key,
            &[TextChange {
                range: Some((p, p)),
                text: text.into(),
            }],
            version,
            PositionEncoding::Utf8,
        )
        .unwrap();
    }

    /// A document with its own configuration (a nested `distlint.toml`) is analysed by its own
    /// analyzer, incrementally after the first analysis, with exactly the findings of a
    /// from-scratch analysis under that configuration; the host's other documents keep theirs.
    #[test]
    fn a_document_with_its_own_configuration_is_analysed_incrementally() {
        let host = AnalysisHost::new(Analyzer::default());
        let mut own = Config::default();
        own.rules.insert(
            "unbounded-channel".into(),
            crate::config::RuleLevel::On(crate::rule::Severity::Blocker),
        );
        let nested = Analyzer::new(own.clone());
        host.open("shared", Document::new(Language::Rust, SRC, 0));
        host.open_with_config(
            "nested",
            Document::new(Language::Rust, SRC, 0),
            DocumentConfig::Own(own.clone()),
            None,
        );
        let first = host.analyze("nested").unwrap();
        assert_eq!(first.findings[0].severity, crate::rule::Severity::Blocker);
        assert!(host.last_stats("nested").unwrap().from_scratch);
        assert_eq!(
            host.document_analyzer("nested").unwrap().config(),
            &own,
            "fixes resolve under the document's configuration"
        );
        let at = SRC.find("let x").unwrap();
        for (v, text) in [(1, "let y = 2;\n    "), (2, "z;\n    ")] {
            edit(&host, "nested", v, at, text);
            let got = host.analyze("nested").unwrap();
            let stats = host.last_stats("nested").unwrap();
            assert!(!stats.from_scratch, "version {v}: {stats:?}");
            assert_eq!(stats.units_analysed, 1, "version {v}");
            let doc = host.snapshot("nested").unwrap();
            assert_eq!(*got.findings, nested.analyze(&doc), "version {v}");
        }
        let shared = host.analyze("shared").unwrap();
        assert_eq!(shared.findings[0].severity, crate::rule::Severity::Major);
        assert_eq!(*shared.findings, fresh(SRC));
    }

    /// Changing a document's configuration drops its result and re-analyses it from scratch;
    /// setting the same one again keeps the cache; an excluded document has no findings and no
    /// analyzer; a desynchronised one is not analysed until re-opened.
    #[test]
    fn document_configuration_changes_exclusion_and_desync() {
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, SRC, 0));
        assert_eq!(host.analyze("k").unwrap().findings.len(), 1);
        let mut off = Config::default();
        off.rules
            .insert("unbounded-channel".into(), crate::config::RuleLevel::Off);
        assert!(host.set_document_config("k", DocumentConfig::Own(off.clone())));
        assert!(host.cached("k").is_none());
        assert!(host.analyze("k").unwrap().findings.is_empty());
        assert!(host.last_stats("k").unwrap().from_scratch);
        host.set_document_config("k", DocumentConfig::Own(off));
        assert!(host.cached("k").is_some(), "same configuration: cache kept");

        host.set_document_config("k", DocumentConfig::Excluded);
        assert!(host.document_analyzer("k").is_none());
        let (doc, excluded) = host.analyze_current("k").unwrap();
        assert!(excluded.findings.is_empty());
        assert_eq!(excluded.version, doc.version());
        edit(&host, "k", 1, 0, "\n");
        assert!(host.analyze("k").unwrap().findings.is_empty());

        host.set_document_config("k", DocumentConfig::Shared);
        assert_eq!(host.analyze("k").unwrap().findings.len(), 1);
        host.mark_desynced("k");
        assert!(host.is_desynced("k"));
        assert!(host.analyze("k").is_none() && host.cached_current("k").is_none());
        host.open("k", Document::new(Language::Rust, SRC, 5));
        assert!(!host.is_desynced("k"));
        assert_eq!(host.analyze_current("k").unwrap().1.version, 5);
        assert!(!host.set_document_config("closed", DocumentConfig::Shared));

        // A document whose role the configuration does not include (generated code, by its
        // header) has no findings; the role follows the text at each analysis.
        let header = "// Code generated by protoc. DO NOT EDIT.\n";
        host.open_with_config(
            "gen",
            Document::new(Language::Rust, format!("{header}{SRC}"), 0),
            DocumentConfig::Shared,
            Some(PathBuf::from("src/gen.rs")),
        );
        assert!(host.analyze("gen").unwrap().findings.is_empty());
        assert!(host.document_analyzer("gen").is_none());
        let doc = host.snapshot("gen").unwrap();
        let end = doc
            .line_index()
            .position(doc.text(), header.len(), PositionEncoding::Utf8);
        host.change(
            "gen",
            &[TextChange {
                range: Some((TextPosition::new(0, 0), end)),
                text: String::new(),
            }],
            1,
            PositionEncoding::Utf8,
        )
        .unwrap();
        assert_eq!(*host.analyze("gen").unwrap().findings, fresh(SRC));
        assert!(host.document_analyzer("gen").is_some());
    }
}
