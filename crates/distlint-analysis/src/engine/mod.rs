//! The engine: runs the rules over a document. [`Analyzer`] holds a [`Config`] and is the
//! from-scratch pipeline (this file: list the analysis units, run every enabled rule on each unit
//! or once on the file, finish the findings); [`incremental`] is the pipeline after an edit,
//! which re-runs rules only where the edit reaches and returns exactly the same findings.
//!
//! Both pipelines share one implementation of each step:
//! - [`units`]: listing analysis units, test-code and nesting-depth decisions;
//! - [`run`]: running a rule (panics caught, time budget, severities) and finishing findings
//!   (suppressions applied and judged, sorted);
//! - [`prefilter`]: the literal prefilter that skips rules that cannot fire on a unit;
//! - [`suppress`]: suppression comments;
//! - [`fixes`]: resolving deferred fixes, with the one rule [`Context`] built from a document.
//!
//! Ranges are byte ranges into the document's UTF-8 text; lines are 0-based.

mod fixes;
pub mod incremental;
pub(crate) mod prefilter;
mod run;
pub(crate) mod suppress;
pub(crate) mod units;

use std::path::Path;

use tree_sitter::Node;

use crate::config::Config;
use crate::document::Document;
use crate::facts::LazyFacts;
use crate::input::TooDeep;
use crate::language::Language;
use crate::resolve::Imports;
use crate::rule::{Context, Finding, Rule, Scope};
use crate::rules;
use prefilter::{FileFilter, Prefilter, Verdict};
pub use run::RULE_TIME_BUDGET;
use units::{is_go_test_file, layout, log_too_deep, split_too_deep};

/// The result of analysing one document: its findings, and the analysis units left out because
/// they nest deeper than [`Config::max_nesting_depth`] (empty when the whole file was analysed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    /// Findings, suppressions applied, sorted by byte position.
    pub findings: Vec<Finding>,
    /// Units not analysed, in source order ("analysed partially"); each was logged.
    pub too_deep: Vec<TooDeep>,
}

/// Runs rules under one [`Config`]. Cheap to clone; share it behind an `Arc`.
#[derive(Debug, Clone)]
pub struct Analyzer {
    config: Config,
    /// Whether the literal prefilter ([`prefilter`]) skips rules that cannot fire on a
    /// unit. Never changes the findings; off only to debug the prefilter itself.
    prefilter: bool,
    /// The prefilter over the rules this configuration enables, per language (Rust, Go), built
    /// on first use and shared by clones: scanning for the literals of disabled rules would
    /// only cost time (`select = [..]` with a few rules scans for a few literals).
    prefilters: std::sync::Arc<[std::sync::OnceLock<Prefilter>; 2]>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new(Config::default())
    }
}

impl Analyzer {
    /// An analyzer with `config`; the literal prefilter is on unless the environment variable
    /// `DISTLINT_NO_PREFILTER=1` turns it off.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            prefilter: prefilter::prefilter_enabled_by_env(),
            prefilters: Default::default(),
        }
    }

    /// The same analyzer with the literal prefilter on or off (for the tests that prove the
    /// prefilter changes nothing, and for debugging).
    pub fn with_prefilter(mut self, on: bool) -> Self {
        self.prefilter = on;
        self
    }

    /// Whether the literal prefilter is on.
    pub fn prefilter_on(&self) -> bool {
        self.prefilter
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The literal prefilter of one file for `rules` (in order): `None` when it is off, else
    /// the file's filter and each rule's index in it.
    pub(crate) fn file_prefilter<'r>(
        &self,
        language: Language,
        imports: &Imports,
        rules: impl IntoIterator<Item = &'r dyn Rule>,
    ) -> Option<(FileFilter<'_>, Vec<Option<usize>>)> {
        if !self.prefilter {
            return None;
        }
        let slot = match language {
            Language::Rust => 0,
            Language::Go => 1,
        };
        let pf = self.prefilters[slot].get_or_init(|| Prefilter::new(self.rules_for(language)));
        Some((pf.for_file(imports), pf.indices(rules)))
    }

    /// The rules that run for `language` under this configuration.
    pub fn rules_for(&self, language: Language) -> impl Iterator<Item = &'static dyn Rule> + '_ {
        rules::all()
            .iter()
            .copied()
            .filter(move |r| r.meta().language == language && self.config.is_enabled(r.meta()))
    }

    /// Analyses a document. Never panics because of a rule: a panicking rule is logged
    /// (`tracing::error!` with the rule id and path) and its findings for that file are dropped.
    pub fn analyze(&self, doc: &Document) -> Vec<Finding> {
        self.analyze_document(doc).findings
    }

    /// Parses and analyses `source` (for the CLI and tests).
    pub fn analyze_source(
        &self,
        language: Language,
        source: &str,
        path: Option<&Path>,
    ) -> Vec<Finding> {
        let mut doc = Document::new(language, source, 0);
        if let Some(p) = path {
            doc = doc.with_path(p);
        }
        self.analyze(&doc)
    }

    /// Like [`Analyzer::analyze`], and also says which units were not analysed because they nest
    /// too deeply ([`Analysis::too_deep`]), so the CLI can report the file as analysed partially.
    ///
    /// The from-scratch pipeline: list the units ([`units::layout`]), leave out those nested
    /// too deeply, run each enabled rule where the literal prefilter lets it fire, finish.
    pub fn analyze_document(&self, doc: &Document) -> Analysis {
        let (language, source, path) = (doc.language(), doc.text(), doc.path());
        if !self.config.include_tests && language == Language::Go && is_go_test_file(path) {
            return Analysis::default();
        }
        let root = doc.tree().root_node();
        let index = doc.line_index();
        let imports = Imports::collect(language, source, root);
        // Facts are collected per kind when a check first reads one (most files never do).
        let facts = LazyFacts::new(language, source, root);
        let ctx = Context::for_document(doc, &imports, &facts, &self.config);
        let layout = layout(language, source, root, self.config.include_tests, false);
        let limit = self.config.nesting_limit();
        let (units, too_deep) = split_too_deep(root, &layout.units, index, limit);
        for d in &too_deep {
            log_too_deep(path, d);
        }
        let rules: Vec<&'static dyn Rule> = self.rules_for(language).collect();
        // The literal prefilter: one scan per unit (and one of the file, for file-scope rules)
        // decides which rules can fire where; the others are not called.
        let prefilter = self.file_prefilter(language, &imports, rules.iter().copied());
        let unit_verdicts: Vec<Verdict> = match &prefilter {
            Some((filter, _)) => units
                .iter()
                .map(|u| filter.scan(&source[u.byte_range()]))
                .collect(),
            None => Vec::new(),
        };
        let mut file_verdict: Option<Verdict> = None;
        let mut findings = Vec::new();
        let mut judge = suppress::Judge::default();
        for (k, &rule) in rules.iter().enumerate() {
            let found = match &prefilter {
                None => self.run_rule_checked(rule, &ctx, &units),
                Some((filter, idx)) => match rule.meta().scope {
                    Scope::File => {
                        let v = file_verdict.get_or_insert_with(|| filter.scan(source));
                        if v.may_fire(idx[k]) {
                            self.run_rule_checked(rule, &ctx, &units)
                        } else {
                            Some(Vec::new())
                        }
                    }
                    Scope::Unit => {
                        let kept: Vec<Node<'_>> = units
                            .iter()
                            .zip(&unit_verdicts)
                            .filter(|(_, v)| v.may_fire(idx[k]))
                            .map(|(u, _)| *u)
                            .collect();
                        if kept.is_empty() {
                            Some(Vec::new())
                        } else {
                            self.run_rule_checked(rule, &ctx, &kept)
                        }
                    }
                },
            };
            if let Some(found) = found {
                judge.ran.insert(rule.meta().id);
                findings.extend(found);
            }
        }
        if !self.config.include_tests {
            judge.skipped = layout.skipped;
        }
        // A suppression inside a unit that was not analysed cannot be judged unused.
        judge
            .skipped
            .extend(too_deep.iter().map(|d| d.range.clone()));
        Analysis {
            findings: self.finish_judged(source, root, index, findings, &judge),
            too_deep,
        }
    }
}
