//! Incremental analysis: after an edit, re-run the rules only on the analysis units the edit
//! touched, and reuse every other unit's cached findings with their byte offsets shifted.
//!
//! # How an edit flows
//!
//! 1. The host records each edit [`Document::apply_changes`] applied ([`AppliedEdit`], bytes) and
//!    composes the edits since the last analysed version into one [`Delta::Edit`]
//!    (`old[start..old_end]` became `new[start..new_end]`).
//! 2. [`Analyzer::analyze_incremental`] describes that covering edit to a copy of the *analysed*
//!    tree (`Tree::edit`), asks tree-sitter for `Tree::changed_ranges` against the new tree, and
//!    adds the edited byte range itself (changed ranges miss edits that keep the structure, such as
//!    renaming an identifier). The union is the *dirty region*, in new-text bytes.
//! 3. The new tree's analysis units (see [`crate::engine::units::layout`], the same listing the from-scratch pipeline uses) are listed. A unit is
//!    reused when it does not touch the dirty region (closed intervals: touching counts), the unit
//!    at the same pre-edit range with the same node kind existed before, none of its cached
//!    findings or fix edits reaches into the edited range, and the file-level facts are unchanged.
//!    Every other unit is re-analysed by every [`Scope::Unit`] rule.
//!    A unit is also re-analysed when its *context* touches the dirty region (see
//!    [`UnitContext`]): the text between the previous item and the unit (its attributes and
//!    comments), and for every `impl`/`trait`/`mod` around it, that container's header and the
//!    text before it (`impl<T> Trait for Type where ..`, `#[cfg(..)] mod m`). Segments (below)
//!    inside a container are re-collected under the same condition.
//! 4. File-level facts are dependencies of every unit: Rust `use` declarations and item names
//!    and Go imports and aliases ([`Imports`], computed per segment — Rust item, Go top-level
//!    declaration — and merged, so only edited segments are read again), the configuration and
//!    the path. When any of them changes, every unit is re-analysed.
//! 5. [`Scope::File`] rules run over the whole file on every analysis (their cost is O(file)
//!    per keystroke; prefer [`Scope::Unit`]). On every re-analysed unit (and the file, for file
//!    rules) the literal prefilter ([`crate::engine::prefilter`]) skips the rules that cannot fire; its
//!    per-unit verdicts are cached with the unit (they depend only on the unit's text and the
//!    file's imports) and decide which [`FileReads::Anything`] rules re-run on untouched units.
//! 6. Suppression comments are re-collected on every analysis from the offsets of
//!    `distlint:ignore` in the text (carried over from the previous version, only the edited bytes
//!    searched again: O(edit + matches)) and applied to the merged raw findings, so a comment on
//!    the line above a function (which belongs to the previous unit, or none) keeps working
//!    whichever side of it is edited.
//!
//! # Phases
//!
//! [`Analyzer::analyze_incremental`] runs four phases, one file each:
//! - [`delta`]: the covering edit and the dirty region (steps 1–2), and where the suppression
//!   comments moved;
//! - [`reuse`]: the file-level facts, reused per unedited segment (step 4);
//! - [`rerun`]: the units, each reused (findings shifted), partly re-run, or analysed afresh
//!   (steps 3 and 5);
//! - [`merge`]: the file-scope rules, the merged raw findings, suppressions and the finishing
//!   shared with the from-scratch pipeline (steps 5–6), into the next [`AnalysisState`].
//!
//! The result is exactly what [`Analyzer::analyze`] returns for the same text; the differential
//! test `tests/incremental_differential.rs` checks this after every step of random edit sequences.
//!
//! # Contract for [`Scope::Unit`] rules
//!
//! A unit rule's findings must be a function of the unit's subtree and text, its context (the
//! attributes and comments before it; the header, attributes and comments before each enclosing
//! `impl`/`trait`/`mod`, e.g. the type an `impl` is for, or a `#[cfg(all(.., test))]` on the `mod`
//! around it), the file's [`Imports`] and [`FileFacts`] (reads tracked), the configuration, the
//! language and the path. It must not read other nodes or text outside the unit (siblings,
//! other items of the container, `ctx.root`) unless it declares so ([`FileReads`],
//! `ctx.facts().whole_file()`), and messages must not embed positions (line numbers), because
//! cached findings are moved, not recomputed. A rule that needs more declares [`Scope::File`].

mod delta;
mod merge;
mod rerun;
mod reuse;

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use tree_sitter::Tree;

use super::units::{is_go_test_file, layout};
use super::Analyzer;
use crate::config::Config;
use crate::document::Document;
use crate::facts::{FactKinds, FileFacts};
use crate::input::TooDeep;
use crate::language::Language;
use crate::resolve::Imports;
use crate::rule::{Context, Finding, Rule};
use crate::text::LineIndex;

pub use delta::Delta;

/// Counters of one analysis, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalysisStats {
    /// True when nothing was reused (first analysis, reset, changed facts or configuration).
    pub from_scratch: bool,
    /// Analysis units in the file.
    pub units: usize,
    /// Units whose rules were run in this analysis.
    pub units_analysed: usize,
    /// Whether the file-level facts (imports) changed, forcing every unit to be re-analysed.
    pub facts_changed: bool,
    /// Rule checks re-run on units that were otherwise reused (a [`FileFacts`] kind the check
    /// read changed, it read the whole file, or its [`FileReads`] asks for it).
    pub rule_reruns: usize,
}

/// Cached findings of one analysis unit.
#[derive(Debug, Clone)]
pub(super) struct UnitEntry {
    /// Byte range of the unit in the text of the state's version.
    range: Range<usize>,
    /// `Node::kind_id` of the unit.
    kind: u16,
    /// Offsets in `findings` plus `shift` are offsets in the state's text.
    shift: isize,
    /// Raw findings (before suppressions), rule-major in registry order, severities applied.
    findings: Arc<Vec<Finding>>,
    /// Indices (into the analyzer's rule list) of the rules that panicked on this unit.
    panicked: Arc<Vec<usize>>,
    /// Per unit rule (in order): whether the literal prefilter ([`crate::engine::prefilter`]) lets the
    /// rule run on this unit (always true with the prefilter off). A rule it rules out has no
    /// findings here; a [`FileReads::Anything`] rule it lets through is re-run after every edit.
    /// Valid as long as the unit's text and the file's imports are unchanged.
    triggered: Arc<Vec<bool>>,
    /// Nesting depth of the unit's own subtree ([`crate::syntax::nesting_depth`]).
    nesting: usize,
    /// Whether the unit was left out as [`TooDeep`] (then it has no findings).
    too_deep: bool,
    /// Per unit rule (in order): the kinds of file fact the rule read on this unit (through
    /// [`Context::facts`]); the rule is re-run here when one of them changes.
    reads: Arc<Vec<FactKinds>>,
    /// The union of `reads`: when it misses the changed kinds, no rule is re-run here for what
    /// it read (checked once per unit instead of once per rule).
    read_any: FactKinds,
}

pub(super) fn union_of(reads: &[FactKinds]) -> FactKinds {
    reads.iter().fold(FactKinds::NONE, |a, &b| a.union(b))
}

/// What one segment of the file contributes to the file-level facts: Rust, a top-level item or
/// an item inside an `impl`/`trait`/`mod` body; Go, a top-level declaration (only import
/// declarations have [`Imports`]).
#[derive(Debug, Clone)]
pub(super) struct SegmentEntry {
    range: Range<usize>,
    kind: u16,
    imports: Arc<Imports>,
    facts: Arc<FileFacts>,
    /// `!facts.is_empty()`, kept so a reused segment is not compared with an empty value again.
    has_facts: bool,
}

/// What an analysis of one document version leaves behind so the next version can be analysed
/// incrementally: the analysed tree and line index, per-unit raw findings, per-segment imports,
/// and the final findings. Cheap to keep: the tree shares its nodes with the document's tree.
#[derive(Debug, Clone)]
pub struct AnalysisState {
    version: i32,
    language: Language,
    path: Option<PathBuf>,
    config: Config,
    /// `None` when the version was not parsed (skipped input) or the whole file was skipped.
    tree: Option<Tree>,
    line_index: LineIndex,
    text_len: usize,
    units: Vec<UnitEntry>,
    segments: Vec<SegmentEntry>,
    contributions: Vec<Arc<Imports>>,
    imports: Arc<Imports>,
    /// The [`FileFacts`] of the segments with facts, in source order, and their merge.
    fact_parts: Vec<Arc<FileFacts>>,
    facts: Arc<FileFacts>,
    findings: Arc<Vec<Finding>>,
    too_deep: Vec<TooDeep>,
    /// Byte offsets of every `distlint:ignore` in this version's text, ascending (where the
    /// suppression comments are; see [`Reuse::ignore_offsets`]).
    ignore_at: Arc<Vec<usize>>,
    stats: AnalysisStats,
}

impl AnalysisState {
    /// The document version this state was computed for.
    pub fn version(&self) -> i32 {
        self.version
    }

    /// The findings (suppressions applied, sorted by byte position), exactly as
    /// [`Analyzer::analyze`] returns them for this version's text.
    pub fn findings(&self) -> &Arc<Vec<Finding>> {
        &self.findings
    }

    /// The units not analysed because they nest too deeply, exactly as
    /// [`Analyzer::analyze_document`] reports them for this version's text.
    pub fn too_deep(&self) -> &[TooDeep] {
        &self.too_deep
    }

    /// Counters of the analysis that produced this state.
    pub fn stats(&self) -> AnalysisStats {
        self.stats
    }

    /// Whether the analysed tree is held (needed to analyse the next version incrementally).
    pub fn has_tree(&self) -> bool {
        self.tree.is_some()
    }

    /// The same state without the analysed tree, to save memory while the document is idle:
    /// the findings stay valid for this version; the next version is analysed from scratch.
    pub fn without_tree(&self) -> AnalysisState {
        AnalysisState {
            tree: None,
            ..self.clone()
        }
    }

    pub(crate) fn empty(doc: &Document, config: &Config) -> Self {
        AnalysisState {
            version: doc.version(),
            language: doc.language(),
            path: doc.path().map(PathBuf::from),
            config: config.clone(),
            tree: None,
            line_index: doc.line_index().clone(),
            text_len: doc.text().len(),
            units: Vec::new(),
            segments: Vec::new(),
            contributions: Vec::new(),
            imports: Arc::new(Imports::default()),
            fact_parts: Vec::new(),
            facts: Arc::new(FileFacts::default()),
            findings: Arc::new(Vec::new()),
            too_deep: Vec::new(),
            ignore_at: Arc::new(Vec::new()),
            stats: AnalysisStats {
                from_scratch: true,
                ..AnalysisStats::default()
            },
        }
    }
}

impl Analyzer {
    /// Analyses `doc`, reusing `prev` (the state of an earlier version of the same document) and
    /// `delta` (how the text changed since that version) where it can. Returns the new state; its
    /// [`AnalysisState::findings`] equal [`Analyzer::analyze`]`(doc)` exactly.
    ///
    /// `prev` is ignored (full analysis) when its configuration, language or path differ, when
    /// `delta` is [`Delta::Reset`], or when either version was not parsed.
    pub fn analyze_incremental(
        &self,
        doc: &Document,
        prev: Option<(&AnalysisState, Delta)>,
    ) -> AnalysisState {
        let language = doc.language();
        let config = self.config();
        if !config.include_tests && language == Language::Go && is_go_test_file(doc.path()) {
            return AnalysisState::empty(doc, config);
        }
        if let Some((p, Delta::Unchanged)) = prev {
            if p.version == doc.version() && self.compatible(p, doc) && p.tree.is_some() {
                return p.clone();
            }
        }
        // 1. Delta: how the previous state maps onto the new text.
        let plan = prev.and_then(|(p, delta)| {
            if self.compatible(p, doc) {
                delta::Reuse::plan(p, delta, doc)
            } else {
                None
            }
        });
        // Where the suppression comments are: O(edit) with a previous version, else a scan.
        let ignore_at = Arc::new(match &plan {
            Some(r) => r.ignore_offsets(doc.text()),
            None => delta::ignore_offsets(doc.text()),
        });
        let rules: Vec<&'static dyn Rule> = self.rules_for(language).collect();
        let root = doc.tree().root_node();
        let layout = layout(
            language,
            doc.text(),
            root,
            config.include_tests,
            language == Language::Rust,
        );
        // Each unit's byte range and kind id, read from the tree once (each read dereferences the
        // node's subtree: on a large file, a cache miss per unit).
        let unit_keys: Vec<(Range<usize>, u16)> = layout
            .units
            .iter()
            .map(|n| (n.byte_range(), n.kind_id()))
            .collect();

        // 2. Reuse: the file-level facts, from the unedited segments' cached parts.
        let inputs = reuse::file_inputs(doc, &layout, &unit_keys, plan.as_ref());
        // Changed imports: every unit is re-analysed.
        let plan = if inputs.imports_changed { None } else { plan };
        let (imports, facts) = (inputs.imports.clone(), inputs.facts.clone());
        let ctx = Context::for_document(doc, &imports, &facts, config);

        // 3. Re-run: each unit reused, partly re-run or analysed afresh.
        let units = rerun::units(
            self,
            &ctx,
            doc.line_index(),
            &rules,
            &layout,
            unit_keys,
            plan.as_ref(),
            inputs.stale_reads(),
        );

        // 4. Merge: file-scope rules, merged findings, suppressions.
        merge::finish(
            self,
            doc,
            &ctx,
            &rules,
            &layout,
            units,
            inputs,
            ignore_at,
            plan.is_none(),
        )
    }

    fn compatible(&self, p: &AnalysisState, doc: &Document) -> bool {
        p.language == doc.language()
            && p.config == *self.config()
            && p.path.as_deref() == doc.path()
    }
}

/// Helpers for the tests of the phases: edit a document of a host and read its findings.
#[cfg(test)]
mod test_support {
    pub(super) use super::*;
    pub(super) use crate::document::TextChange;
    pub(super) use crate::host::AnalysisHost;
    pub(super) use crate::text::PositionEncoding;

    pub(super) const SRC: &str = "use tokio::sync::mpsc;\n\nfn a() {\n    let x = 1;\n}\n\nfn b() {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n}\n\n#[cfg(test)]\nmod tests {\n    fn t() { let c = std::sync::mpsc::channel::<u8>(); }\n}\n";

    pub(super) fn edit(
        host: &AnalysisHost,
        key: &str,
        version: i32,
        at: usize,
        del: usize,
        text: &str,
    ) {
        let doc = host.snapshot(key).unwrap();
        let (t, index) = (doc.text(), doc.line_index());
        let range = (
            index.position(t, at, PositionEncoding::Utf8),
            index.position(t, at + del, PositionEncoding::Utf8),
        );
        host.change(
            key,
            &[TextChange {
                range: Some(range),
                text: text.into(),
            }],
            version,
            PositionEncoding::Utf8,
        )
        .unwrap();
    }

    pub(super) fn rules_of(host: &AnalysisHost, key: &str) -> Vec<(&'static str, usize)> {
        let f = host.analyze(key).unwrap();
        let doc = host.snapshot(key).unwrap();
        assert_eq!(*f.findings, Analyzer::default().analyze(&doc));
        f.findings
            .iter()
            .map(|f| (f.rule, doc.line_index().line_of(f.range.start) as usize))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;

    #[test]
    fn stale_results_never_replace_newer_ones() {
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, SRC, 0));
        edit(&host, "k", 1, 0, 0, "\n");
        // A debounced task for version 0 finds the document moved on and does nothing.
        assert!(host.analyze_if_current("k", 0).is_none());
        let v1 = host.analyze_if_current("k", 1).unwrap();
        assert_eq!(v1.version, 1);
        edit(&host, "k", 2, 0, 0, "\n");
        assert!(
            host.cached("k").is_none(),
            "version 1's result is not served for version 2"
        );
        assert_eq!(host.analyze("k").unwrap().version, 2);
    }

    /// A nested configuration's analyzer analyses incrementally too: same findings as from
    /// scratch after every edit, and not from scratch.
    #[test]
    fn a_different_configuration_reanalyses_from_scratch_once() {
        let src = "use tokio::sync::mpsc;\n\nfn a() {\n    let x = 1;\n}\n\nfn b() {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n}\n";
        let doc = Document::new(Language::Rust, src, 0);
        let all = Analyzer::default().analyze_incremental(&doc, None);
        let mut config = Config::default();
        config
            .rules
            .insert("unbounded-channel".into(), crate::config::RuleLevel::Off);
        let other = Analyzer::new(config);
        // The state of another configuration is not reused.
        let state = other.analyze_incremental(&doc, Some((&all, Delta::Unchanged)));
        assert!(state.stats().from_scratch);
        assert!(state.findings().is_empty());
        assert_eq!(all.findings().len(), 1);
    }
}
