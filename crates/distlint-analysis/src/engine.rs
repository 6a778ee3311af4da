//! Runs the rules over a parsed file: enumerates analysis units, calls each enabled rule on each
//! unit (or once on the file), catches a rule that panics, applies configured severities and
//! suppression comments, and returns findings sorted by position.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use tree_sitter::Node;

use crate::config::Config;
use crate::document::Document;
use crate::facts::LazyFacts;
use crate::input::TooDeep;
use crate::language::Language;
use crate::prefilter::{FileFilter, Prefilter, Verdict};
use crate::resolve::Imports;
use crate::rule::{Context, Finding, Fix, Rule, Scope};
use crate::rules;
use crate::suppress;
use crate::syntax::{nesting_depth, text};
use crate::text::LineIndex;

/// Wall-clock time one rule may spend on one file (all its units) before a warning is logged:
/// 250 ms. Rules are linear walks; a rule over budget on a file of ordinary size is a bug.
pub const RULE_TIME_BUDGET: std::time::Duration = std::time::Duration::from_millis(250);

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
    /// Whether the literal prefilter ([`crate::prefilter`]) skips rules that cannot fire on a
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
    /// [`crate::prefilter::DISABLE_ENV`] (`DISTLINT_NO_PREFILTER=1`) turns it off.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            prefilter: crate::prefilter::prefilter_enabled_by_env(),
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

    /// Like [`Analyzer::analyze`], and also says which units were not analysed because they nest
    /// too deeply ([`Analysis::too_deep`]), so the CLI can report the file as analysed partially.
    pub fn analyze_document(&self, doc: &Document) -> Analysis {
        self.analyze_tree_with_decisions(
            doc.language(),
            doc.text(),
            doc.tree().root_node(),
            doc.line_index(),
            doc.path(),
        )
    }

    /// [`Analyzer::analyze`] followed by [`Analyzer::resolve_fixes`]: every fix has its edits.
    /// What batch consumers use (`distlint check` and its output formats, `check --fix`, the
    /// fixture harness); the language server resolves only the fixes a user asks for.
    pub fn analyze_with_fixes(&self, doc: &Document) -> Vec<Finding> {
        let mut findings = self.analyze(doc);
        self.resolve_fixes(doc, &mut findings);
        findings
    }

    /// Computes the edits of every deferred fix ([`Fix::deferred`]) in `findings`, which must
    /// have been computed on `doc`'s text (byte ranges into it). A deferred fix whose rule
    /// returns `None` or panics is removed. Builds the rule [`Context`] once for all findings.
    pub fn resolve_fixes(&self, doc: &Document, findings: &mut [Finding]) {
        if !findings
            .iter()
            .any(|f| f.fixes.iter().any(Fix::is_deferred))
        {
            return;
        }
        let root = doc.tree().root_node();
        let imports = Imports::collect(doc.language(), doc.text(), root);
        let facts = LazyFacts::new(doc.language(), doc.text(), root);
        let ctx = Context::new(
            doc.text(),
            doc.language(),
            root,
            &imports,
            &facts,
            &self.config,
            doc.path(),
        );
        resolve_all(&ctx, findings, rules::by_id);
    }

    /// The fix `finding.fixes[index]` with its edits: a clone when it is not deferred, else the
    /// rule's [`Rule::resolve_fix`] on `doc`, whose text must be the one `finding` was computed
    /// on. `None` when there is no such fix, the rule is unknown, or the rule returns `None` or
    /// panics (logged). The language server's `codeAction/resolve` and the CLI's `--fix` both
    /// come through here (via [`Analyzer::resolve_fixes`] for the CLI).
    pub fn resolve_fix(&self, doc: &Document, finding: &Finding, index: usize) -> Option<Fix> {
        self.resolve_fixes_at(doc, std::slice::from_ref(finding), &[(0, index)])
            .pop()
            .flatten()
    }

    /// [`Analyzer::resolve_fix`] for several fixes at once: `wanted` lists
    /// `(index into findings, index into that finding's fixes)`; the result has one entry per
    /// `wanted` entry, in order. The rule [`Context`] (import resolution) is built once, and only
    /// if some wanted fix is deferred.
    pub fn resolve_fixes_at(
        &self,
        doc: &Document,
        findings: &[Finding],
        wanted: &[(usize, usize)],
    ) -> Vec<Option<Fix>> {
        let fix_of = |&(i, j): &(usize, usize)| findings.get(i).and_then(|f| f.fixes.get(j));
        if !wanted
            .iter()
            .any(|w| fix_of(w).is_some_and(Fix::is_deferred))
        {
            return wanted.iter().map(|w| fix_of(w).cloned()).collect();
        }
        let root = doc.tree().root_node();
        let imports = Imports::collect(doc.language(), doc.text(), root);
        let facts = LazyFacts::new(doc.language(), doc.text(), root);
        let ctx = Context::new(
            doc.text(),
            doc.language(),
            root,
            &imports,
            &facts,
            &self.config,
            doc.path(),
        );
        wanted
            .iter()
            .map(|w| {
                let fix = fix_of(w)?;
                if !fix.is_deferred() {
                    return Some(fix.clone());
                }
                resolve_with_rule(&ctx, &findings[w.0], fix)
            })
            .collect()
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
        self.analyze_tree_with_decisions(language, source, root, index, path)
            .findings
    }

    /// [`Analyzer::analyze_tree`] with the nesting-depth decisions ([`Analysis::too_deep`]).
    pub fn analyze_tree_with_decisions(
        &self,
        language: Language,
        source: &str,
        root: Node<'_>,
        index: &LineIndex,
        path: Option<&Path>,
    ) -> Analysis {
        if !self.config.include_tests && language == Language::Go && is_go_test_file(path) {
            return Analysis::default();
        }
        let imports = Imports::collect(language, source, root);
        // Facts are collected per kind when a check first reads one (most files never do).
        let facts = LazyFacts::new(language, source, root);
        let ctx = Context::new(source, language, root, &imports, &facts, &self.config, path);
        let all_units = analysis_units(language, source, root, self.config.include_tests);
        let limit = self.config.nesting_limit();
        let (units, too_deep) = split_too_deep(root, &all_units, index, limit);
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
        if !self.config.include_tests && language == Language::Rust {
            judge.skipped = skipped_test_units(language, source, root, &all_units);
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
        warn_if_over_budget(meta.id, ctx.path, started.elapsed(), ctx.source.len());
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

/// Replaces every deferred fix in `findings` by its resolution (dropping those that resolve to
/// `None`), looking rules up with `lookup`.
fn resolve_all(
    ctx: &Context<'_>,
    findings: &mut [Finding],
    lookup: impl Fn(&str) -> Option<&'static dyn Rule>,
) {
    for finding in findings.iter_mut() {
        if !finding.fixes.iter().any(Fix::is_deferred) {
            continue;
        }
        let rule = lookup(finding.rule);
        let fixes = std::mem::take(&mut finding.fixes);
        finding.fixes = fixes
            .into_iter()
            .filter_map(|fix| {
                if fix.is_deferred() {
                    resolve_deferred(rule?, ctx, finding, &fix)
                } else {
                    Some(fix)
                }
            })
            .collect();
    }
}

/// Resolves one deferred `fix` of `finding` with the rule that reported it (looked up by id).
fn resolve_with_rule(ctx: &Context<'_>, finding: &Finding, fix: &Fix) -> Option<Fix> {
    let rule = rules::by_id(finding.rule)?;
    resolve_deferred(rule, ctx, finding, fix)
}

/// Calls `rule.resolve_fix`, catching a panic (logged, `None`), and normalises the result: edits
/// sorted by start, not deferred, the deferred fix's applicability (a rule cannot make a fix
/// safer when it resolves it).
pub(crate) fn resolve_deferred(
    rule: &dyn Rule,
    ctx: &Context<'_>,
    finding: &Finding,
    fix: &Fix,
) -> Option<Fix> {
    let resolved = catch_unwind(AssertUnwindSafe(|| rule.resolve_fix(ctx, finding, fix)));
    match resolved {
        Ok(Some(mut r)) => {
            r.deferred = false;
            r.applicability = fix.applicability;
            r.edits.sort_by_key(|e| (e.range.start, e.range.end));
            Some(r)
        }
        Ok(None) => None,
        Err(_) => {
            tracing::error!(rule = finding.rule, path = ?ctx.path, title = fix.title, "resolving a fix panicked; the fix is dropped");
            None
        }
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

/// Logs a warning naming the rule and the file when `elapsed` (one rule's time on one file in
/// one analysis) exceeds [`RULE_TIME_BUDGET`]. A check cannot be pre-empted; the warning lets
/// the slow case be reported and reproduced (docs/reliability.md).
pub(crate) fn warn_if_over_budget(
    rule: &str,
    path: Option<&Path>,
    elapsed: std::time::Duration,
    bytes: usize,
) {
    if elapsed > RULE_TIME_BUDGET {
        tracing::warn!(
            rule,
            path = ?path,
            elapsed_ms = elapsed.as_millis() as u64,
            budget_ms = RULE_TIME_BUDGET.as_millis() as u64,
            bytes,
            "rule exceeded its time budget"
        );
    }
}

/// Logs a [`TooDeep`] decision (`tracing::warn!`, with the path).
pub(crate) fn log_too_deep(path: Option<&Path>, d: &TooDeep) {
    tracing::warn!(
        path = ?path,
        line = d.line + 1,
        depth = d.depth,
        limit = d.limit,
        "{d}"
    );
}

/// Depth of each of `units` below `root` (the root's children are at depth 1), found with one
/// [`tree_sitter::TreeCursor`] walk from the root that enters only nodes enclosing a unit: O(number
/// of container nodes and their children), never a parent lookup. `units` must not overlap.
pub fn unit_depths(root: Node<'_>, units: &[Node<'_>]) -> Vec<usize> {
    let mut out = vec![usize::MAX; units.len()];
    let ids: std::collections::HashMap<usize, usize> =
        units.iter().enumerate().map(|(i, u)| (u.id(), i)).collect();
    let mut spans: Vec<(usize, usize)> = units
        .iter()
        .map(|u| (u.start_byte(), u.end_byte()))
        .collect();
    spans.sort_unstable();
    let encloses_unit = |n: Node<'_>| {
        let i = spans.partition_point(|&(s, _)| s < n.start_byte());
        spans.get(i).is_some_and(|&(_, e)| e <= n.end_byte())
    };
    let mut cursor = root.walk();
    let mut depth = 0usize;
    'walk: loop {
        let node = cursor.node();
        let descend = match ids.get(&node.id()) {
            Some(&i) => {
                out[i] = depth;
                false
            }
            None => encloses_unit(node),
        };
        if descend && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if depth == 0 {
                break 'walk;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            depth -= 1;
        }
    }
    // A unit the walk did not reach (not expected): one O(depth) descent from the root.
    for (i, d) in out.iter_mut().enumerate() {
        if *d == usize::MAX {
            *d = crate::syntax::ancestor_chain(units[i]).len();
        }
    }
    out
}

/// An upper bound of [`nesting_depth`]`(node).depth`, in O(1): the number of nodes below
/// `node` ([`Node::descendant_count`] minus the node itself, stored in the tree). A tree cursor
/// steps through exactly those nodes (tree-sitter's visible descendants), and a downward path
/// of `d` edges passes `d` distinct ones. Most units of real code are far below a nesting limit
/// of 1,000 in node count already, so the walk that measures the exact depth is only needed for
/// the few large ones.
pub fn nesting_bound(node: Node<'_>) -> usize {
    node.descendant_count().saturating_sub(1)
}

/// The [`TooDeep`] decision for a unit at `base` levels below the root whose own subtree is
/// `nesting` levels deep, or `None` when it is within `limit`.
pub(crate) fn too_deep_decision(
    unit: Node<'_>,
    base: usize,
    nesting: usize,
    index: &LineIndex,
    limit: usize,
) -> Option<TooDeep> {
    let depth = base + nesting;
    (depth > limit).then(|| TooDeep {
        range: unit.byte_range(),
        line: index.line_of(unit.start_byte()),
        depth,
        limit,
    })
}

/// Splits `units` into those to analyse and the decisions for those whose syntax tree reaches
/// deeper than `limit` levels below `root` (measured with one cursor walk per unit, O(nodes),
/// unless [`nesting_bound`] already shows the unit is within the limit, O(1)).
pub fn split_too_deep<'t>(
    root: Node<'t>,
    units: &[Node<'t>],
    index: &LineIndex,
    limit: usize,
) -> (Vec<Node<'t>>, Vec<TooDeep>) {
    let bases = unit_depths(root, units);
    let mut kept = Vec::with_capacity(units.len());
    let mut deep = Vec::new();
    for (unit, base) in units.iter().zip(bases) {
        if base.saturating_add(nesting_bound(*unit)) <= limit {
            // Within the limit whatever its exact depth: `too_deep_decision` would say `None`.
            kept.push(*unit);
            continue;
        }
        match too_deep_decision(*unit, base, nesting_depth(*unit).depth, index, limit) {
            Some(d) => deep.push(d),
            None => kept.push(*unit),
        }
    }
    (kept, deep)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::FileFacts;
    use crate::rule::{Applicability, RuleDocs, RuleMeta, Severity, TextEdit};

    /// `Context::file_memo` computes a per-file value once per context, whatever the number of
    /// callers, and keeps values of different types apart.
    #[test]
    fn file_memo_computes_once_per_context() {
        let source = "fn a() {}\nfn b() {}\n";
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_rust::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(source, None).unwrap();
        let imports = Imports::collect(Language::Rust, source, tree.root_node());
        let facts = FileFacts::collect(Language::Rust, source, tree.root_node());
        let config = Config::default();
        let ctx = Context::new(
            source,
            Language::Rust,
            tree.root_node(),
            &imports,
            &facts,
            &config,
            None,
        );
        struct Count(usize);
        struct Other(&'static str);
        let calls = std::cell::Cell::new(0);
        for _ in 0..3 {
            let v = ctx.file_memo(|| {
                calls.set(calls.get() + 1);
                Count(source.matches("fn ").count())
            });
            assert_eq!(v.0, 2);
        }
        assert_eq!(calls.get(), 1);
        assert_eq!(ctx.file_memo(|| Other("x")).0, "x");
        assert_eq!(ctx.file_memo(|| Count(99)).0, 2);
    }

    /// A rule with a deferred fix: flags `slow_fix()` calls; the fix renames them to
    /// `fast_fix()` and, to show the resolution reads the whole file, counts the calls in the
    /// file into the title. `boom()` calls get a deferred fix whose resolution panics.
    struct Deferring;
    static DEFERRING: Deferring = Deferring;
    static META: RuleMeta = test_meta("test-deferring");

    /// Metadata for a Rust unit rule that exists only in these tests.
    pub(super) const fn test_meta(id: &'static str) -> RuleMeta {
        RuleMeta {
            id,
            language: Language::Rust,
            category: "unbounded-queue",
            severity: Severity::Minor,
            title: "test",
            docs: RuleDocs {
                what: "",
                why: "",
                known_problems: "",
                example: "",
                use_instead: "",
                fix: "",
            },
            scope: Scope::Unit,
            default_enabled: true,
        }
    }

    fn callee<'t>(ctx: &Context<'t>, call: Node<'_>) -> &'t str {
        call.child_by_field_name("function")
            .map(|f| ctx.text(f))
            .unwrap_or("")
    }

    impl Rule for Deferring {
        fn meta(&self) -> &'static RuleMeta {
            &META
        }
        fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
            for n in crate::syntax::Walk::new(node) {
                if n.kind() == "call_expression" && matches!(callee(ctx, n), "slow_fix" | "boom") {
                    out.push(
                        Finding::new(&META, n.byte_range(), "m")
                            .with_fix(Fix::deferred("Rename", Applicability::Safe)),
                    );
                }
            }
        }
        fn resolve_fix(&self, ctx: &Context<'_>, finding: &Finding, _fix: &Fix) -> Option<Fix> {
            let call = ctx.node_at(finding.range.clone(), "call_expression")?;
            let f = call.child_by_field_name("function")?;
            if ctx.text(f) == "boom" {
                panic!("resolution exploded");
            }
            let calls = crate::syntax::Walk::new(ctx.root)
                .filter(|n| n.kind() == "call_expression")
                .count();
            Some(Fix::new(
                format!("Rename ({calls} calls in the file)"),
                // Claims a different safety: the engine keeps the deferred fix's.
                Applicability::Unsafe,
                vec![TextEdit::replace(f.byte_range(), "fast_fix")],
            ))
        }
    }

    fn lookup(id: &str) -> Option<&'static dyn Rule> {
        (id == META.id).then_some(&DEFERRING as &'static dyn Rule)
    }

    #[test]
    fn deferred_fixes_are_resolved_from_the_finding_range() {
        let src = "fn a() { slow_fix(); }\nfn b() { let x = (slow_fix()); boom(); other(); }\n";
        let doc = Document::new(Language::Rust, src, 0);
        let analyzer = Analyzer::default();
        let root = doc.tree().root_node();
        let imports = Imports::collect(Language::Rust, src, root);
        let config = Config::default();
        let facts = FileFacts::collect(Language::Rust, src, root);
        let ctx = Context::new(src, Language::Rust, root, &imports, &facts, &config, None);
        let units = analysis_units(Language::Rust, src, root, true);
        let mut findings = analyzer.run_rule(&DEFERRING, &ctx, &units);
        assert_eq!(findings.len(), 3);
        assert!(findings
            .iter()
            .all(|f| f.fixes[0].is_deferred() && f.fixes[0].edits.is_empty()));
        resolve_all(&ctx, &mut findings, lookup);
        // The two `slow_fix()` calls resolve (the parenthesised one too: `node_at` finds the
        // call, not the parenthesised expression); `boom()` panicked and lost its fix.
        let edits: Vec<_> = findings.iter().map(|f| f.fixes.clone()).collect();
        assert_eq!(edits[2], vec![]);
        for (f, fixes) in findings.iter().zip(&edits).take(2) {
            assert_eq!(fixes.len(), 1);
            let fix = &fixes[0];
            assert!(!fix.is_deferred());
            assert_eq!(fix.title, "Rename (4 calls in the file)");
            assert_eq!(fix.applicability, Applicability::Safe);
            assert_eq!(
                fix.edits,
                vec![TextEdit::replace(
                    f.range.start..f.range.start + 8,
                    "fast_fix"
                )]
            );
        }
        let fixed = crate::testing::apply_fix(src, &findings[0].fixes[0]);
        assert!(fixed.starts_with("fn a() { fast_fix(); }"), "{fixed}");
    }

    #[test]
    fn node_at_needs_the_exact_range() {
        let src = "fn a() { let x = (slow_fix()); }\n";
        let doc = Document::new(Language::Rust, src, 0);
        let root = doc.tree().root_node();
        let imports = Imports::collect(Language::Rust, src, root);
        let config = Config::default();
        let facts = FileFacts::collect(Language::Rust, src, root);
        let ctx = Context::new(src, Language::Rust, root, &imports, &facts, &config, None);
        let start = src.find("slow_fix").unwrap();
        let call = start..start + "slow_fix()".len();
        assert_eq!(
            ctx.node_at(call.clone(), "call_expression")
                .map(|n| n.byte_range()),
            Some(call.clone())
        );
        assert!(ctx
            .node_at(call.start..call.end - 1, "call_expression")
            .is_none());
        assert!(ctx.node_at(call.clone(), "let_declaration").is_none());
        assert!(ctx
            .node_at(call.start..src.len() + 5, "call_expression")
            .is_none());
        let paren = start - 1..call.end + 1;
        assert_eq!(
            ctx.node_at(paren.clone(), "parenthesized_expression")
                .map(|n| n.byte_range()),
            Some(paren)
        );
    }

    #[test]
    fn analyzer_resolve_fix_clones_ready_fixes() {
        let src = "fn f() {\n    let (a, b) = std::sync::mpsc::channel::<u8>();\n}\n";
        let doc = Document::new(Language::Rust, src, 0);
        let analyzer = Analyzer::default();
        let findings = analyzer.analyze(&doc);
        let f = findings
            .iter()
            .find(|f| f.rule == "unbounded-channel")
            .unwrap();
        let fix = analyzer.resolve_fix(&doc, f, 0).unwrap();
        if !f.fixes[0].is_deferred() {
            assert_eq!(fix, f.fixes[0]);
        }
        assert!(!fix.edits.is_empty() && !fix.is_deferred());
        assert!(analyzer.resolve_fix(&doc, f, 99).is_none());
        let i = findings.iter().position(|g| g.rule == f.rule).unwrap();
        let many = analyzer.resolve_fixes_at(&doc, &findings, &[(i, 0), (i, 99), (99, 0)]);
        assert_eq!(many, vec![Some(fix.clone()), None, None]);
        assert_eq!(analyzer.analyze_with_fixes(&doc).len(), findings.len());
    }
}

#[cfg(test)]
mod nesting_tests {
    use super::*;

    /// `split_too_deep` without the O(1) bound: the exact depth of every unit.
    fn split_exactly<'t>(
        root: Node<'t>,
        units: &[Node<'t>],
        index: &LineIndex,
        limit: usize,
    ) -> (Vec<Node<'t>>, Vec<TooDeep>) {
        let mut kept = Vec::new();
        let mut deep = Vec::new();
        for (unit, base) in units.iter().zip(unit_depths(root, units)) {
            match too_deep_decision(*unit, base, nesting_depth(*unit).depth, index, limit) {
                Some(d) => deep.push(d),
                None => kept.push(*unit),
            }
        }
        (kept, deep)
    }

    /// The bound is never below the exact depth (every node of the real-code fixtures), and
    /// `split_too_deep` with it decides exactly as with the exact depths, at limits that cut
    /// through the units of those files.
    #[test]
    fn nesting_bound_is_an_upper_bound_and_changes_no_decision() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| Language::from_path(p).is_some())
            .collect();
        files.sort();
        assert!(files.len() >= 6);
        let mut cut = 0;
        for path in files {
            let language = Language::from_path(&path).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            let deep = format!(
                "{}
fn deep() {{ let x = {}1{}; }}
",
                text,
                "(".repeat(300),
                ")".repeat(300)
            );
            let text = if language == Language::Rust {
                deep
            } else {
                text
            };
            let doc = Document::new(language, text.as_str(), 0);
            let root = doc.tree().root_node();
            for n in crate::syntax::Walk::new(root) {
                assert!(
                    nesting_depth(n).depth <= nesting_bound(n),
                    "{}",
                    path.display()
                );
            }
            let units = analysis_units(language, &text, root, true);
            for limit in [0, 3, 10, 30, 100, 300, 1000] {
                let got = split_too_deep(root, &units, doc.line_index(), limit);
                let want = split_exactly(root, &units, doc.line_index(), limit);
                assert_eq!(got.0, want.0, "{} at {limit}", path.display());
                assert_eq!(got.1, want.1, "{} at {limit}", path.display());
                cut += usize::from(!want.0.is_empty() && !want.1.is_empty());
            }
        }
        // Some limits keep some units and cut others, so the comparison is not trivial.
        assert!(cut >= 6, "{cut}");
    }
}

#[cfg(test)]
mod budget_tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::facts::FileFacts;
    use crate::rule::RuleMeta;

    /// A rule that takes longer than [`RULE_TIME_BUDGET`] on every unit.
    struct Slow;
    static SLOW_META: RuleMeta = super::tests::test_meta("test-slow");
    impl Rule for Slow {
        fn meta(&self) -> &'static RuleMeta {
            &SLOW_META
        }
        fn check(&self, _: &Context<'_>, _: Node<'_>, _: &mut Vec<Finding>) {
            std::thread::sleep(RULE_TIME_BUDGET + std::time::Duration::from_millis(20));
        }
    }

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl Write for Capture {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_rule_over_its_time_budget_is_logged_with_its_id_and_path() {
        let log = Capture::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let src = "fn a() {}\n";
        let doc = Document::new(Language::Rust, src, 0).with_path("src/slow.rs");
        let root = doc.tree().root_node();
        let imports = Imports::collect(Language::Rust, src, root);
        let config = Config::default();
        let facts = FileFacts::collect(Language::Rust, src, root);
        let ctx = Context::new(
            src,
            Language::Rust,
            root,
            &imports,
            &facts,
            &config,
            doc.path(),
        );
        let units = analysis_units(Language::Rust, src, root, true);
        tracing::subscriber::with_default(subscriber, || {
            Analyzer::default().run_rule(&Slow, &ctx, &units);
            // The incremental engine reports through the same function.
            warn_if_over_budget("fast-rule", doc.path(), RULE_TIME_BUDGET, src.len());
        });
        let out = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        assert!(lines[0].contains("WARN"), "{out}");
        assert!(lines[0].contains("rule exceeded its time budget"), "{out}");
        assert!(lines[0].contains("rule=\"test-slow\""), "{out}");
        assert!(lines[0].contains("path=Some(\"src/slow.rs\")"), "{out}");
        assert!(lines[0].contains("budget_ms=250"), "{out}");
    }
}
