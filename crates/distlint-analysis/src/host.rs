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
//! Analysis is incremental ([`crate::incremental`]): the host records the byte edits each
//! [`AnalysisHost::change`] applied, and the next [`AnalysisHost::analyze`] hands the composed edit
//! since the last analysed version, with that version's [`AnalysisState`], to
//! [`Analyzer::analyze_incremental`], which re-runs rules only on the units the edits touched.
//!
//! Coalescing: edits never wait for an analysis (an analysis works on a snapshot taken under a
//! short lock); an analysis always takes the newest version at the time it starts, and
//! [`AnalysisHost::analyze_if_current`] skips the work entirely when the document has moved on;
//! a result is stored only if it is newer than the stored one, for the same opening of the
//! document, under the same analyzer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use dashmap::DashMap;

use crate::document::{AppliedEdit, Document, EditError, TextChange};
use crate::engine::Analyzer;
use crate::incremental::{AnalysisState, AnalysisStats, Delta};
use crate::rule::Finding;
use crate::text::PositionEncoding;

/// Findings computed for one document version.
#[derive(Debug, Clone)]
pub struct VersionedFindings {
    /// The document version analysed.
    pub version: i32,
    /// Findings sorted by position, in byte offsets of that version's text.
    pub findings: Arc<Vec<Finding>>,
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

/// An open document, with the edits applied since the oldest version an analysis state may be at.
#[derive(Debug)]
struct OpenDocument {
    doc: Document,
    /// Distinguishes successive openings of the same key.
    epoch: u64,
    /// `(version produced, edit)` for every edit after version `log_base`, in order.
    log: Vec<(i32, AppliedEdit)>,
    log_base: i32,
}

impl OpenDocument {
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
}

impl AnalysisHost {
    /// A host analysing with `analyzer`.
    pub fn new(analyzer: Analyzer) -> Self {
        Self {
            documents: DashMap::new(),
            results: DashMap::new(),
            analyzer: RwLock::new((Arc::new(analyzer), 0)),
            epochs: AtomicU64::new(0),
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

    /// Opens (or re-opens, replacing) a document.
    pub fn open(&self, key: &str, document: Document) {
        self.results.remove(key);
        let epoch = self.epochs.fetch_add(1, Ordering::Relaxed) + 1;
        let log_base = document.version();
        self.documents.insert(
            key.to_string(),
            OpenDocument {
                doc: document,
                epoch,
                log: Vec::new(),
                log_base,
            },
        );
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
        let was_open = self.documents.remove(key).is_some();
        self.results.remove(key);
        was_open
    }

    /// Number of cached results held (for leak checks: 0 once every document is closed).
    pub fn cached_results(&self) -> usize {
        self.results.len()
    }

    /// A copy of the document as it is now (the tree clone is reference-counted).
    pub fn snapshot(&self, key: &str) -> Option<Document> {
        self.documents.get(key).map(|d| d.doc.clone())
    }

    /// The current version of an open document.
    pub fn version(&self, key: &str) -> Option<i32> {
        self.documents.get(key).map(|d| d.doc.version())
    }

    /// Keys of the open documents.
    pub fn open_documents(&self) -> Vec<String> {
        self.documents.iter().map(|e| e.key().clone()).collect()
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
        let (doc, epoch, delta) = {
            let open = self.documents.get(key)?;
            if want.is_some_and(|v| v != open.doc.version()) {
                return None;
            }
            let delta = match &prev {
                Some((state, epoch)) if *epoch == open.epoch => open.delta_since(state.version()),
                _ => Delta::Reset,
            };
            (open.doc.clone(), open.epoch, delta)
        };
        let prev = prev
            .as_ref()
            .filter(|(_, e)| *e == epoch)
            .map(|(s, _)| (&**s, delta));
        let state = analyzer.analyze_incremental(&doc, prev);
        let result = VersionedFindings {
            version: doc.version(),
            findings: state.findings().clone(),
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

    /// Stores `result` unless the document was closed or re-opened, the analyzer changed, or a
    /// newer version is stored; then forgets the edits the stored state no longer needs.
    fn store(&self, key: &str, result: Analysed) {
        let Some(mut open) = self.documents.get_mut(key) else {
            return;
        };
        if open.epoch != result.epoch || self.analyzer_and_generation().1 != result.generation {
            return;
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
