//! Phase 3, the units: each analysis unit of the new version is either reused (its cached
//! findings shifted by the edit), reused with some checks re-run (those that read a changed
//! fact, or whose [`FileReads`] asks for it), or analysed afresh (it touches the dirty region,
//! its context does, or it is new). Fresh units are scanned by the literal prefilter; the
//! verdicts are cached with the unit.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use tree_sitter::Node;

use super::delta::Reuse;
use super::{union_of, UnitEntry};
use crate::engine::run::warn_if_over_budget;
use crate::engine::units::{log_too_deep, too_deep_decision, Layout};
use crate::engine::Analyzer;
use crate::facts::FactKinds;
use crate::rule::{Context, FileReads, Finding, Rule, Scope};
use crate::text::LineIndex;

/// The units of the new version and the counters of the phase.
pub(super) struct Units {
    /// One entry per unit of the layout, in source order.
    pub(super) entries: Vec<UnitEntry>,
    /// Depth of each unit below the root (from the layout).
    pub(super) bases: Vec<usize>,
    /// Units analysed afresh.
    pub(super) analysed: usize,
    /// Rule checks re-run on otherwise reused units.
    pub(super) rule_reruns: usize,
}

/// Reuses, re-runs or analyses every unit of `layout` (`unit_keys`: each unit's byte range and
/// kind id) with the unit rules among `rules`, in the context `ctx` (`index`: the line index of
/// its text); `stale_reads` are the
/// kinds of fact whose readers re-run on reused units.
pub(super) fn units(
    analyzer: &Analyzer,
    ctx: &Context<'_>,
    index: &LineIndex,
    rules: &[&'static dyn Rule],
    layout: &Layout<'_>,
    unit_keys: Vec<(Range<usize>, u16)>,
    reuse: Option<&Reuse<'_>>,
    stale_reads: FactKinds,
) -> Units {
    let config = analyzer.config();
    let source = ctx.source;
    let unit_rules: Vec<(usize, &'static dyn Rule, FileReads)> = rules
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, r)| r.meta().scope == Scope::Unit)
        .map(|(i, r)| (i, r, r.file_reads()))
        .collect();
    // Time each unit rule spends in this analysis (all units it re-ran), for the budget warning.
    let spent: RefCell<Vec<(&'static str, Duration)>> = Default::default();
    // The literal prefilter, extended with this file's imports (which are unchanged whenever
    // cached units are reused, so their cached verdicts stay valid).
    let prefilter = analyzer.file_prefilter(ctx.language, ctx.imports, rules.iter().copied());
    // Runs one rule on one unit: its findings (`None` if it panicked) and the facts it read.
    let run = |rule: &dyn Rule, node: Node<'_>| -> (Option<Vec<Finding>>, FactKinds) {
        let (found, reads, elapsed) = analyzer.check_unit(rule, ctx, node);
        let id = rule.meta().id;
        let mut spent = spent.borrow_mut();
        match spent.iter_mut().find(|(r, _)| *r == id) {
            Some((_, d)) => *d += elapsed,
            None => spent.push((id, elapsed)),
        }
        (found, reads)
    };
    // The unit rules (indices into `unit_rules`) whose `FileReads` may re-run them on an
    // unedited unit.
    let reading_rules: Vec<usize> = (0..unit_rules.len())
        .filter(|&k| unit_rules[k].2 != FileReads::Nothing)
        .collect();
    let mut units = Vec::with_capacity(layout.units.len());
    let mut analysed = 0;
    let mut rule_reruns = 0;
    let limit = config.nesting_limit();
    // Depths from the layout: `unit_depths` would walk the root's children (25 000 in the
    // 5 MB benchmark file) on every keystroke.
    let bases: Vec<usize> = layout.unit_context.iter().map(|c| c.depth).collect();
    for (((node, &base), &unit_ctx), (range, kind)) in layout
        .units
        .iter()
        .zip(&bases)
        .zip(&layout.unit_context)
        .zip(unit_keys)
    {
        let cached = reuse.and_then(|r| {
            if r.context_dirty(layout, unit_ctx, &range) {
                return None;
            }
            let (old, e) = r.unchanged(&r.prev.units, &range, kind, |e| (&e.range, e.kind))?;
            // The unit's own depth is cached; its position in the tree is not.
            ((base + e.nesting > limit) == e.too_deep).then_some((r, old, e))
        });
        let entry = match cached {
            Some((r, old, e)) => {
                // Rules that read outside the unit and must run again here: one that read a
                // changed fact (only possible when the union of what was read here meets
                // the changed kinds), or by its `FileReads`.
                let by_file_reads = |k: usize| {
                    let (_, rule, reads) = unit_rules[k];
                    match reads {
                        FileReads::Nothing => false,
                        FileReads::ForFindings => {
                            e.findings.iter().any(|f| f.rule == rule.meta().id)
                        }
                        FileReads::Anything => e.triggered.get(k) == Some(&true),
                    }
                };
                let rerun: Vec<usize> = if e.read_any.intersects(stale_reads) {
                    (0..unit_rules.len())
                        .filter(|&k| {
                            e.reads.get(k).is_some_and(|r| r.intersects(stale_reads))
                                || by_file_reads(k)
                        })
                        .collect()
                } else {
                    reading_rules
                        .iter()
                        .copied()
                        .filter(|&k| by_file_reads(k))
                        .collect()
                };
                // Every offset the kept findings carry must lie on the unit's side of the
                // edit, so one shift moves them all.
                let before = range.start == old.start;
                let shift = if before { e.shift } else { e.shift + r.delta() };
                let rerun_ids: Vec<&str> =
                    rerun.iter().map(|&k| unit_rules[k].1.meta().id).collect();
                let clear = e
                    .findings
                    .iter()
                    .filter(|f| !rerun_ids.contains(&f.rule))
                    .flat_map(finding_offsets)
                    .all(|o| r.side(shifted(o, e.shift)) == Some(before));
                if !clear {
                    None
                } else if rerun.is_empty() {
                    Some(UnitEntry {
                        range: range.clone(),
                        kind,
                        shift,
                        findings: e.findings.clone(),
                        panicked: e.panicked.clone(),
                        triggered: e.triggered.clone(),
                        nesting: e.nesting,
                        too_deep: e.too_deep,
                        reads: e.reads.clone(),
                        read_any: e.read_any,
                    })
                } else {
                    rule_reruns += rerun.len();
                    let mut findings = Vec::new();
                    let mut panicked = Vec::new();
                    let mut reads = (*e.reads).clone();
                    for (k, &(i, rule, _)) in unit_rules.iter().enumerate() {
                        if rerun.contains(&k) {
                            let (found, read) = run(rule, *node);
                            match found {
                                Some(found) => findings.extend(found),
                                None => panicked.push(i),
                            }
                            if let Some(r) = reads.get_mut(k) {
                                *r = read;
                            }
                        } else {
                            let id = rule.meta().id;
                            findings.extend(
                                e.findings
                                    .iter()
                                    .filter(|f| f.rule == id)
                                    .map(|f| shift_finding(f, shift)),
                            );
                            if e.panicked.contains(&i) {
                                panicked.push(i);
                            }
                        }
                    }
                    Some(UnitEntry {
                        range: range.clone(),
                        kind,
                        shift: 0,
                        findings: Arc::new(findings),
                        panicked: Arc::new(panicked),
                        triggered: e.triggered.clone(),
                        nesting: e.nesting,
                        too_deep: e.too_deep,
                        read_any: union_of(&reads),
                        reads: Arc::new(reads),
                    })
                }
            }
            None => None,
        };
        let entry = match entry {
            Some(e) => e,
            None => 'fresh: {
                analysed += 1;
                let nesting = crate::syntax::nesting_depth(*node).depth;
                if let Some(d) = too_deep_decision(*node, base, nesting, index, limit) {
                    log_too_deep(ctx.path, &d);
                    break 'fresh UnitEntry {
                        range,
                        kind,
                        shift: 0,
                        findings: Arc::new(Vec::new()),
                        panicked: Arc::new(Vec::new()),
                        triggered: Arc::new(vec![false; unit_rules.len()]),
                        nesting,
                        too_deep: true,
                        reads: Arc::new(vec![FactKinds::NONE; unit_rules.len()]),
                        read_any: FactKinds::NONE,
                    };
                }
                let verdict = prefilter
                    .as_ref()
                    .map(|(filter, _)| filter.scan(&source[range.clone()]));
                let triggered: Vec<bool> = unit_rules
                    .iter()
                    .map(|&(i, _, _)| match (&verdict, &prefilter) {
                        (Some(v), Some((_, idx))) => v.may_fire(idx[i]),
                        _ => true,
                    })
                    .collect();
                let mut findings = Vec::new();
                let mut panicked = Vec::new();
                let mut reads = Vec::with_capacity(unit_rules.len());
                for (k, &(i, rule, _)) in unit_rules.iter().enumerate() {
                    if !triggered[k] {
                        reads.push(FactKinds::NONE);
                        continue;
                    }
                    let (found, read) = run(rule, *node);
                    match found {
                        Some(found) => findings.extend(found),
                        None => panicked.push(i),
                    }
                    reads.push(read);
                }
                UnitEntry {
                    range,
                    kind,
                    shift: 0,
                    findings: Arc::new(findings),
                    panicked: Arc::new(panicked),
                    triggered: Arc::new(triggered),
                    nesting,
                    too_deep: false,
                    read_any: union_of(&reads),
                    reads: Arc::new(reads),
                }
            }
        };
        units.push(entry);
    }
    for (id, elapsed) in spent.take() {
        warn_if_over_budget(id, ctx.path, elapsed, source.len());
    }
    Units {
        entries: units,
        bases,
        analysed,
        rule_reruns,
    }
}

pub(super) fn shifted(offset: usize, shift: isize) -> usize {
    (offset as isize + shift) as usize
}

fn finding_offsets(f: &Finding) -> impl Iterator<Item = usize> + '_ {
    [f.range.start, f.range.end].into_iter().chain(
        f.fixes
            .iter()
            .flat_map(|fix| fix.edits.iter().flat_map(|e| [e.range.start, e.range.end])),
    )
}

pub(super) fn shift_finding(f: &Finding, shift: isize) -> Finding {
    let mut f = f.clone();
    if shift != 0 {
        f.range = shifted(f.range.start, shift)..shifted(f.range.end, shift);
        for fix in &mut f.fixes {
            for e in &mut fix.edits {
                e.range = shifted(e.range.start, shift)..shifted(e.range.end, shift);
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    const LOCKS: &str = "use std::sync::Mutex;\n\nstruct State {\n    inner: Mutex<u32>,\n}\n\nasync fn tick() {}\n\nasync fn a(s: &State) {\n    let g = s.inner.lock().unwrap();\n    tick().await;\n    drop(g);\n}\n\nasync fn b() {\n    tick().await;\n}\n\nfn c() -> u32 {\n    1\n}\n";

    /// The default rules minus `unbounded-channel`, which may re-run on other units (it reads
    /// the whole file) and would blur the re-run counts.
    fn without_channel_rule() -> Analyzer {
        let mut config = Config::default();
        config
            .rules
            .insert("unbounded-channel".into(), crate::config::RuleLevel::Off);
        Analyzer::new(config)
    }

    #[test]
    fn a_changed_struct_field_reruns_only_the_checks_that_read_it() {
        let host = AnalysisHost::new(without_channel_rule());
        host.open("k", Document::new(Language::Rust, LOCKS, 0));
        assert_eq!(rules_of(&host, "k"), vec![("lock-held-across-await", 9)]);
        // Typing inside `fn c` changes no fact: only `c` is analysed, and the lock rule is
        // re-run only where it has a finding (its message names a line).
        let at = LOCKS.find("    1\n").unwrap();
        edit(&host, "k", 1, at, 0, "0 + ");
        assert_eq!(rules_of(&host, "k"), vec![("lock-held-across-await", 9)]);
        let stats = host.last_stats("k").unwrap();
        assert_eq!((stats.units_analysed, stats.rule_reruns), (1, 1));
        // The field becomes an async lock in another unit: `a`, which read the field's type, is
        // re-run by the lock rule and its finding goes; `b` (no lock) is not re-run.
        let at = LOCKS.find("Mutex<u32>").unwrap();
        edit(&host, "k", 2, at, 0, "Async");
        let doc = host.snapshot("k").unwrap();
        assert!(
            doc.text().contains("inner: AsyncMutex<u32>"),
            "{}",
            doc.text()
        );
        assert_eq!(rules_of(&host, "k"), vec![]);
        let stats = host.last_stats("k").unwrap();
        assert_eq!((stats.units_analysed, stats.rule_reruns), (1, 1));
        // And back: the finding returns.
        edit(&host, "k", 3, at, "Async".len(), "");
        assert_eq!(rules_of(&host, "k"), vec![("lock-held-across-await", 9)]);
    }

    #[test]
    fn quorum_math_follows_a_strict_comparison_in_another_function() {
        let src = "struct R { peers: Vec<u8> }\nimpl R {\n    fn quorum(&self) -> usize {\n        self.peers.len() / 2\n    }\n    fn won(&self, votes: usize) -> bool {\n        votes >= self.quorum()\n    }\n}\n";
        let host = AnalysisHost::new(Analyzer::default());
        host.open("q", Document::new(Language::Rust, src, 0));
        assert_eq!(rules_of(&host, "q"), vec![("quorum-math", 3)]);
        // `votes > self.quorum()`: a strict comparison makes `n / 2` a majority; the unit with
        // the division is not edited but read that fact, so it is re-run.
        let at = src.find(">= self").unwrap();
        edit(&host, "q", 1, at + 1, 1, "");
        assert_eq!(rules_of(&host, "q"), vec![]);
        assert_eq!(host.last_stats("q").unwrap().units_analysed, 1);
        edit(&host, "q", 2, at + 1, 0, "=");
        assert_eq!(rules_of(&host, "q"), vec![("quorum-math", 3)]);
    }

    #[test]
    fn a_shutdown_call_in_another_function_silences_the_server_in_main() {
        let src = "package main\n\nimport \"net/http\"\n\nfunc main() {\n\thttp.ListenAndServe(\":80\", nil)\n}\n\nfunc stop(s *http.Server) {\n\ts.Close()\n}\n";
        let host = AnalysisHost::new(without_channel_rule());
        host.open("s", Document::new(Language::Go, src, 0));
        let both = vec![
            ("graceful-shutdown-go", 5),
            ("http-server-without-timeouts", 5),
        ];
        assert_eq!(rules_of(&host, "s"), both);
        // `s.Close()` becomes `s.Shutdown(nil)` in `stop`: `main` is not edited but read that
        // fact, so it is re-run and its finding goes.
        let at = src.find("Close()").unwrap();
        edit(&host, "s", 1, at, "Close()".len(), "Shutdown(nil)");
        let left = vec![("http-server-without-timeouts", 5)];
        assert_eq!(rules_of(&host, "s"), left);
        // Re-run in `main`: only this rule (a fact it read changed). The server-timeout rule's
        // finding there is reused: its fix, which reads the import block, is deferred.
        let stats = host.last_stats("s").unwrap();
        assert_eq!((stats.units_analysed, stats.rule_reruns), (1, 1));
        // A build-ignore line before the package clause (outside every unit) silences it too.
        let host = AnalysisHost::new(without_channel_rule());
        host.open("t", Document::new(Language::Go, src, 0));
        assert_eq!(rules_of(&host, "t"), both);
        edit(&host, "t", 1, 0, 0, "//go:build ignore\n\n");
        assert_eq!(
            rules_of(&host, "t"),
            vec![("http-server-without-timeouts", 7)]
        );
    }

    #[test]
    fn a_package_level_client_follows_timeout_assignments_in_other_functions() {
        let src = "package main\n\nimport (\n\t\"net/http\"\n\t\"time\"\n)\n\nvar client = &http.Client{}\n\nfunc init() {\n\tclient.Timeout = 5 * time.Second\n}\n\nfunc get() {\n\tclient.Get(\"http://x\")\n}\n";
        let host = AnalysisHost::new(Analyzer::default());
        host.open("g", Document::new(Language::Go, src, 0));
        assert_eq!(rules_of(&host, "g"), vec![]);
        // Deleting the assignment in `init` brings back the finding on the literal.
        let at = src.find("\tclient.Timeout").unwrap();
        let len = "\tclient.Timeout = 5 * time.Second\n".len();
        edit(&host, "g", 1, at, len, "");
        assert_eq!(
            rules_of(&host, "g"),
            vec![("http-client-without-timeout", 7)]
        );
    }

    #[test]
    fn removing_a_cfg_test_attribute_brings_test_code_into_analysis() {
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, SRC, 0));
        assert_eq!(rules_of(&host, "k"), vec![("unbounded-channel", 7)]);
        let at = SRC.find("#[cfg(test)]").unwrap();
        edit(&host, "k", 1, at, "#[cfg(test)]".len(), "");
        assert_eq!(
            rules_of(&host, "k"),
            vec![("unbounded-channel", 7), ("unbounded-channel", 12)]
        );
    }
}
