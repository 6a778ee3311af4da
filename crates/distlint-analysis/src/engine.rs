//! Runs the rules over a parsed file: enumerates analysis units, calls each enabled rule on each
//! unit (or once on the file), catches a rule that panics, applies configured severities and
//! suppression comments, and returns findings sorted by position.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use tree_sitter::Node;

use crate::config::Config;
use crate::document::Document;
use crate::language::Language;
use crate::resolve::Imports;
use crate::rule::{Context, Finding, Rule, Scope};
use crate::rules;
use crate::suppress;
use crate::syntax::text;
use crate::text::LineIndex;

/// Wall-clock time one rule may spend on one file (all its units) before a warning is logged:
/// 250 ms. Rules are linear walks; a rule over budget on a file of ordinary size is a bug.
pub const RULE_TIME_BUDGET: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs rules under one [`Config`]. Cheap to clone; share it behind an `Arc`.
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    config: Config,
}

impl Analyzer {
    /// An analyzer with `config`.
    pub fn new(config: Config) -> Self {
        Self { config }
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
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
        self.analyze_tree(
            doc.language(),
            doc.text(),
            doc.tree().root_node(),
            doc.line_index(),
            doc.path(),
        )
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

    /// Analyses a parsed tree. `index` must be the line index of `source`.
    pub fn analyze_tree(
        &self,
        language: Language,
        source: &str,
        root: Node<'_>,
        index: &LineIndex,
        path: Option<&Path>,
    ) -> Vec<Finding> {
        if !self.config.include_tests && language == Language::Go && is_go_test_file(path) {
            return Vec::new();
        }
        let imports = Imports::collect(language, source, root);
        let ctx = Context {
            source,
            language,
            root,
            imports: &imports,
            config: &self.config,
            path,
        };
        let units = analysis_units(language, source, root, self.config.include_tests);
        let mut findings = Vec::new();
        let mut judge = suppress::Judge::default();
        for rule in self.rules_for(language) {
            if let Some(found) = self.run_rule_checked(rule, &ctx, &units) {
                judge.ran.insert(rule.meta().id);
                findings.extend(found);
            }
        }
        if !self.config.include_tests && language == Language::Rust {
            judge.skipped = skipped_test_units(language, source, root, &units);
        }
        self.finish_judged(source, root, index, findings, &judge)
    }

    /// Runs one rule over `units` (or the root, for file-scoped rules), catching panics.
    pub fn run_rule(&self, rule: &dyn Rule, ctx: &Context<'_>, units: &[Node<'_>]) -> Vec<Finding> {
        self.run_rule_checked(rule, ctx, units).unwrap_or_default()
    }

    /// Like [`Analyzer::run_rule`], but `None` when the rule panicked (logged).
    pub fn run_rule_checked(
        &self,
        rule: &dyn Rule,
        ctx: &Context<'_>,
        units: &[Node<'_>],
    ) -> Option<Vec<Finding>> {
        let meta = rule.meta();
        let mut out = Vec::new();
        let started = std::time::Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| match meta.scope {
            Scope::File => rule.check(ctx, ctx.root, &mut out),
            Scope::Unit => {
                for unit in units {
                    rule.check(ctx, *unit, &mut out);
                }
            }
        }));
        let elapsed = started.elapsed();
        if elapsed > RULE_TIME_BUDGET {
            // A check cannot be pre-empted; the warning names the rule and file so the slow case
            // can be reported and reproduced (docs/reliability.md).
            tracing::warn!(
                rule = meta.id,
                path = ?ctx.path,
                elapsed_ms = elapsed.as_millis() as u64,
                budget_ms = RULE_TIME_BUDGET.as_millis() as u64,
                bytes = ctx.source.len(),
                "rule exceeded its time budget"
            );
        }
        if result.is_err() {
            tracing::error!(rule = meta.id, path = ?ctx.path, "rule panicked; its findings for this file are skipped");
            return None;
        }
        let severity = self.config.severity(meta);
        for f in &mut out {
            f.severity = severity;
        }
        Some(out)
    }

    /// Applies suppressions, reports suppression comments without a reason or that suppressed
    /// nothing, and sorts: the common tail of every analysis.
    ///
    /// Without knowledge of which rules ran, every rule enabled for the tree's language is assumed
    /// to have run; [`Analyzer::analyze_tree`] passes the exact set via
    /// [`Analyzer::finish_judged`].
    pub fn finish(
        &self,
        source: &str,
        root: Node<'_>,
        index: &LineIndex,
        findings: Vec<Finding>,
    ) -> Vec<Finding> {
        let language = match root.language().name() {
            Some("go") => Language::Go,
            _ => Language::Rust,
        };
        let judge = suppress::Judge {
            ran: self.rules_for(language).map(|r| r.meta().id).collect(),
            skipped: Vec::new(),
        };
        self.finish_judged(source, root, index, findings, &judge)
    }

    /// [`Analyzer::finish`] with an explicit [`suppress::Judge`] (rules that ran, skipped code).
    pub fn finish_judged(
        &self,
        source: &str,
        root: Node<'_>,
        index: &LineIndex,
        findings: Vec<Finding>,
        judge: &suppress::Judge<'_>,
    ) -> Vec<Finding> {
        let sups = suppress::collect(source, root, index);
        self.finish_with(source, index, findings, &sups, judge)
    }

    /// [`Analyzer::finish_judged`] with the suppression comments already collected (the
    /// incremental engine finds them without walking the whole tree).
    pub fn finish_with(
        &self,
        source: &str,
        index: &LineIndex,
        mut findings: Vec<Finding>,
        sups: &[suppress::Suppression],
        judge: &suppress::Judge<'_>,
    ) -> Vec<Finding> {
        let used = suppress::apply_tracked(&mut findings, sups, index);
        let mut meta_findings = suppress::report(source, index, sups, &used, judge, &self.config);
        // Pseudo-rule findings can themselves be suppressed, by naming the pseudo-rule.
        suppress::apply_tracked(&mut meta_findings, sups, index);
        findings.extend(meta_findings);
        findings.sort_by(|a, b| {
            (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
        });
        findings.dedup_by(|a, b| a.rule == b.rule && a.range == b.range);
        findings
    }
}

/// Byte ranges of the analysis units that test-code skipping left out (the difference between
/// the units with and without `include_tests`).
fn skipped_test_units(
    language: Language,
    source: &str,
    root: Node<'_>,
    kept: &[Node<'_>],
) -> Vec<std::ops::Range<usize>> {
    let kept: std::collections::HashSet<(usize, usize)> = kept
        .iter()
        .map(|n| (n.start_byte(), n.end_byte()))
        .collect();
    analysis_units(language, source, root, true)
        .into_iter()
        .filter(|n| !kept.contains(&(n.start_byte(), n.end_byte())))
        .map(|n| n.byte_range())
        .collect()
}

/// True for Go test files (`*_test.go`).
pub fn is_go_test_file(path: Option<&Path>) -> bool {
    path.and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with("_test.go"))
}

/// The analysis units of a file, in source order: top-level items; for Rust, the items inside
/// `impl`, `trait` and inline `mod` bodies instead of the container. Test code (`#[test]`-like
/// attributes, `#[cfg(test)]` modules) is left out unless `include_tests`.
pub fn analysis_units<'t>(
    language: Language,
    source: &str,
    root: Node<'t>,
    include_tests: bool,
) -> Vec<Node<'t>> {
    let mut units = Vec::new();
    match language {
        Language::Go => {
            let mut c = root.walk();
            for child in root.named_children(&mut c) {
                if child.kind() != "comment" {
                    units.push(child);
                }
            }
        }
        Language::Rust => {
            // Explicit stack of container bodies (no recursion).
            let mut stack = vec![root];
            let mut containers = Vec::new();
            while let Some(body) = stack.pop() {
                containers.push(body);
                let mut c = body.walk();
                let children: Vec<Node<'t>> = body.named_children(&mut c).collect();
                let mut pending_test_attr = false;
                for child in children {
                    match child.kind() {
                        "attribute_item" => {
                            if !include_tests && is_test_attribute(text(source, child)) {
                                pending_test_attr = true;
                            }
                            continue;
                        }
                        "line_comment" | "block_comment" => continue,
                        _ => {}
                    }
                    let skip = std::mem::take(&mut pending_test_attr);
                    if skip {
                        continue;
                    }
                    let inner = match child.kind() {
                        "impl_item" | "trait_item" => child.child_by_field_name("body"),
                        "mod_item" => child.child_by_field_name("body"),
                        _ => None,
                    };
                    match inner {
                        Some(b) => stack.push(b),
                        None => units.push(child),
                    }
                }
            }
            units.sort_by_key(|n| n.start_byte());
        }
    }
    units
}

/// Whether an attribute marks test code: `#[test]`, `#[tokio::test]`, `#[cfg(test)]`, ...
pub fn is_test_attribute(attr: &str) -> bool {
    let a: String = attr.chars().filter(|c| !c.is_whitespace()).collect();
    a == "#[test]"
        || a.ends_with("::test]")
        || a.starts_with("#[cfg(test")
        || a.starts_with("#[cfg(all(test")
        || a.starts_with("#[tokio::test(")
        || a.ends_with("::test(flavor=\"multi_thread\")]")
}
