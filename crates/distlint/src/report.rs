//! One analysed file as the output formats print it: the data `check` produces and `output/*`
//! reads. It sits below both so that `output` does not depend on `check`.

use std::sync::Arc;

use distlint_analysis::{Document, Finding, Language, LineIndex};

/// One analysed file: its text (as analysed; lossy-decoded when the bytes were not UTF-8) and its
/// findings, sorted by position.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as printed: as given on the command line or joined onto it, `/`-separated.
    pub path: String,
    /// The language.
    pub language: Language,
    /// The analysed text.
    pub source: Arc<str>,
    /// Line starts of `source`.
    pub index: LineIndex,
    /// Findings sorted by position (the engine's order).
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// A report of `findings` (already computed) in `doc`, printed under `shown`.
    pub fn new(shown: String, doc: &Document, findings: Vec<Finding>) -> FileReport {
        FileReport {
            path: shown,
            language: doc.language(),
            source: Arc::from(doc.text()),
            index: doc.line_index().clone(),
            findings,
        }
    }
}

/// Analyses a parsed document into a [`FileReport`] printed under `shown`.
#[cfg(test)]
pub fn report_for(
    shown: String,
    doc: &Document,
    analyzer: &distlint_analysis::Analyzer,
) -> FileReport {
    FileReport::new(shown, doc, analyzer.analyze_with_fixes(doc))
}
