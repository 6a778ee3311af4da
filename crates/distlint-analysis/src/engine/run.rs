//! Running rules and finishing findings, shared by both pipelines: one rule over a file's units
//! (a panicking rule is caught and logged, a slow one is logged against [`RULE_TIME_BUDGET`],
//! severities come from the configuration), then suppressions applied, suppression comments
//! judged and findings sorted by byte position.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use tree_sitter::Node;

use super::suppress;
use super::Analyzer;
use crate::facts::FactKinds;
use crate::rule::{Context, Finding, Rule, Scope};
use crate::text::LineIndex;

/// Wall-clock time one rule may spend on one file (all its units) before a warning is logged:
/// 250 ms. Rules are linear walks; a rule over budget on a file of ordinary size is a bug.
pub const RULE_TIME_BUDGET: Duration = Duration::from_millis(250);

impl Analyzer {
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
        let started = Instant::now();
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
        self.set_severity(rule, &mut out);
        Some(out)
    }

    /// One [`Scope::Unit`] rule's check on one unit, for the incremental engine: its findings
    /// with the configured severity (`None` when it panicked; the caller logs it once per file),
    /// the kinds of file fact the check read ([`Context::take_reads`]), and its wall-clock time.
    pub(crate) fn check_unit(
        &self,
        rule: &dyn Rule,
        ctx: &Context<'_>,
        unit: Node<'_>,
    ) -> (Option<Vec<Finding>>, FactKinds, Duration) {
        let mut out = Vec::new();
        let started = Instant::now();
        ctx.take_reads();
        let result = catch_unwind(AssertUnwindSafe(|| rule.check(ctx, unit, &mut out)));
        let reads = ctx.take_reads();
        let elapsed = started.elapsed();
        if result.is_err() {
            return (None, reads, elapsed);
        }
        self.set_severity(rule, &mut out);
        (Some(out), reads, elapsed)
    }

    /// Gives `findings` of `rule` the severity the configuration sets for it.
    fn set_severity(&self, rule: &dyn Rule, findings: &mut [Finding]) {
        let severity = self.config.severity(rule.meta());
        for f in findings {
            f.severity = severity;
        }
    }

    /// The common tail of every analysis: applies suppressions to `findings` (computed on
    /// `source`, whose line index is `index` and tree `root`), reports suppression comments
    /// without a reason or that suppressed nothing (for the rules `judge` says ran, outside the
    /// code it says was skipped), and sorts by byte position.
    pub(crate) fn finish_judged(
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
    pub(crate) fn finish_with(
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

/// Logs a warning naming the rule and the file when `elapsed` (one rule's time on one file in
/// one analysis) exceeds [`RULE_TIME_BUDGET`]. A check cannot be pre-empted; the warning lets
/// the slow case be reported and reproduced (docs/reliability.md).
pub(crate) fn warn_if_over_budget(
    rule: &str,
    path: Option<&Path>,
    elapsed: Duration,
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

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::config::Config;
    use crate::document::Document;
    use crate::engine::units::analysis_units;
    use crate::facts::FileFacts;
    use crate::language::Language;
    use crate::resolve::Imports;
    use crate::rule::RuleMeta;

    /// A rule that takes longer than [`RULE_TIME_BUDGET`] on every unit.
    struct Slow;
    static SLOW_META: RuleMeta = crate::testing::test_meta("test-slow");
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
        let ctx = Context::for_document(&doc, &imports, &facts, &config);
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
