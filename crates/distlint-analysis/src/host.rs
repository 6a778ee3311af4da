//! Open documents and their cached findings, shared between threads.
//!
//! The host is what an editor integration drives: open / change / close documents by a string key
//! (the server uses the document URI), and ask for findings. Documents and results live in
//! [`DashMap`]s, so applying an edit to one document never waits for an analysis of another, and
//! an analysis runs on a snapshot (text + tree clone), never under a map lock.
//!
//! Every cached result is tagged with the document version it was computed for; a result for an
//! older version than the one cached is dropped.

use std::sync::{Arc, RwLock};

use dashmap::DashMap;

use crate::document::{Document, EditError, TextChange};
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

/// Open documents, their analyses, and the analyzer in force.
#[derive(Debug, Default)]
pub struct AnalysisHost {
    documents: DashMap<String, Document>,
    results: DashMap<String, VersionedFindings>,
    analyzer: RwLock<Arc<Analyzer>>,
}

impl AnalysisHost {
    /// A host analysing with `analyzer`.
    pub fn new(analyzer: Analyzer) -> Self {
        Self {
            documents: DashMap::new(),
            results: DashMap::new(),
            analyzer: RwLock::new(Arc::new(analyzer)),
        }
    }

    /// Replaces the analyzer (configuration change) and forgets every cached result.
    pub fn set_analyzer(&self, analyzer: Analyzer) {
        *self.analyzer.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(analyzer);
        self.results.clear();
    }

    /// The analyzer in force.
    pub fn analyzer(&self) -> Arc<Analyzer> {
        self.analyzer
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Opens (or re-opens, replacing) a document.
    pub fn open(&self, key: &str, document: Document) {
        self.results.remove(key);
        self.documents.insert(key.to_string(), document);
    }

    /// Applies changes to an open document and moves it to `version`. Synchronous and cheap
    /// (text splice + incremental reparse); callers apply edits in arrival order.
    pub fn change(
        &self,
        key: &str,
        changes: &[TextChange],
        version: i32,
        encoding: PositionEncoding,
    ) -> Result<(), HostError> {
        let mut doc = self.documents.get_mut(key).ok_or(HostError::NotOpen)?;
        if version <= doc.version() {
            return Err(HostError::StaleVersion {
                current: doc.version(),
                received: version,
            });
        }
        doc.apply_changes(changes, version, encoding)
            .map_err(HostError::Edit)?;
        Ok(())
    }

    /// Closes a document, freeing its text, tree and findings. Returns whether it was open.
    pub fn close(&self, key: &str) -> bool {
        self.results.remove(key);
        self.documents.remove(key).is_some()
    }

    /// A copy of the document as it is now (the tree clone is reference-counted).
    pub fn snapshot(&self, key: &str) -> Option<Document> {
        self.documents.get(key).map(|d| d.clone())
    }

    /// The current version of an open document.
    pub fn version(&self, key: &str) -> Option<i32> {
        self.documents.get(key).map(|d| d.version())
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
            .filter(|r| r.version == version)
            .map(|r| r.clone())
    }

    /// Findings for the document's current version: cached, or computed now on a snapshot.
    /// `None` when the document is not open. The result is cached unless a newer version was
    /// cached meanwhile.
    pub fn analyze(&self, key: &str) -> Option<VersionedFindings> {
        if let Some(hit) = self.cached(key) {
            return Some(hit);
        }
        let doc = self.snapshot(key)?;
        let findings = Arc::new(self.analyzer().analyze(&doc));
        let result = VersionedFindings {
            version: doc.version(),
            findings,
        };
        self.store(key, result.clone());
        Some(result)
    }

    /// Caches `result` unless the document is gone or a newer version is cached.
    fn store(&self, key: &str, result: VersionedFindings) {
        if !self.documents.contains_key(key) {
            return;
        }
        let mut entry = self
            .results
            .entry(key.to_string())
            .or_insert_with(|| result.clone());
        if entry.version < result.version {
            *entry = result;
        }
    }
}
