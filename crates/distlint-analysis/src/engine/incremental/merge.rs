//! Phase 4, the merge: the file-scope rules run over the whole file, the units' raw findings
//! are merged (a rule that panicked on any unit loses all its findings in the file, as in the
//! from-scratch pipeline), the suppression comments are collected near their offsets only, and
//! the findings are finished by the step both pipelines share
//! ([`Analyzer::finish_with`]), into the state the next version starts from.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use tree_sitter::Node;

use super::delta::SUPPRESSION_NEEDLE;
use super::rerun::{shift_finding, Units};
use super::reuse::FileInputs;
use super::{AnalysisState, AnalysisStats};
use crate::document::Document;
use crate::engine::suppress;
use crate::engine::units::Layout;
use crate::engine::Analyzer;
use crate::input::TooDeep;
use crate::rule::{Context, Rule, Scope};
use crate::text::LineIndex;

/// Finishes the analysis of `doc` (rule context `ctx`, laid out as `layout`) from its `units`
/// and file-level `inputs`; `ignore_at` are the offsets of every suppression comment's
/// `distlint:ignore` in its text, `from_scratch` whether nothing was reused.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    analyzer: &Analyzer,
    doc: &Document,
    ctx: &Context<'_>,
    rules: &[&'static dyn Rule],
    layout: &Layout<'_>,
    units: Units,
    inputs: FileInputs,
    ignore_at: Arc<Vec<usize>>,
    from_scratch: bool,
) -> AnalysisState {
    let config = analyzer.config();
    let language = doc.language();
    let source = doc.text();
    let root = doc.tree().root_node();
    let index = doc.line_index();
    let limit = config.nesting_limit();
    // Unlike a full analysis, no prefilter scan of the whole text here: an aho-corasick
    // pass over every literal of every rule is O(file) per keystroke (12 % of a 200 KB
    // keystroke measured with perf). The prefilter is only a necessary condition, so running
    // a file-scope rule without it gives the same findings (`tests/prefilter_exact.rs`); the
    // file-scope rules return at once when a file fact says there is nothing for them.
    let mut file_findings = Vec::new();
    let mut dead = vec![false; rules.len()];
    for (i, rule) in rules.iter().enumerate() {
        if rule.meta().scope == Scope::File {
            match analyzer.run_rule_checked(*rule, ctx, &layout.units) {
                Some(found) => file_findings.extend(found),
                None => dead[i] = true,
            }
        }
    }

    // Merge: a rule that panicked on any unit loses all its findings in this file, as in
    // `run_rule`.
    for u in &units.entries {
        for &i in u.panicked.iter() {
            if !dead[i] {
                tracing::error!(rule = rules[i].meta().id, path = ?ctx.path, "rule panicked; its findings for this file are skipped");
            }
            dead[i] = true;
        }
    }
    let dead_ids: Vec<&str> = rules
        .iter()
        .enumerate()
        .filter(|(i, _)| dead[*i])
        .map(|(_, r)| r.meta().id)
        .collect();
    let mut all = Vec::new();
    for u in &units.entries {
        for f in u.findings.iter() {
            if dead_ids.is_empty() || !dead_ids.contains(&f.rule) {
                all.push(shift_finding(f, u.shift));
            }
        }
    }
    all.extend(file_findings.iter().cloned());
    let too_deep: Vec<TooDeep> = units
        .entries
        .iter()
        .zip(&units.bases)
        .filter(|(u, _)| u.too_deep)
        .map(|(u, &base)| TooDeep {
            range: u.range.clone(),
            line: index.line_of(u.range.start),
            depth: base + u.nesting,
            limit,
        })
        .collect();
    let sups = collect_suppressions(source, root, index, &ignore_at);
    let judge = suppress::Judge {
        ran: rules
            .iter()
            .enumerate()
            .filter(|(i, _)| !dead[*i])
            .map(|(_, r)| r.meta().id)
            .collect(),
        skipped: if !config.include_tests {
            layout.skipped.clone()
        } else {
            Vec::new()
        }
        .into_iter()
        // A suppression inside a unit that was not analysed cannot be judged unused.
        .chain(too_deep.iter().map(|d| d.range.clone()))
        .collect(),
    };
    let findings = analyzer.finish_with(source, index, all, &sups, &judge);

    AnalysisState {
        version: doc.version(),
        language,
        path: doc.path().map(PathBuf::from),
        config: config.clone(),
        tree: doc.skipped().is_none().then(|| doc.tree().clone()),
        line_index: index.clone(),
        text_len: source.len(),
        stats: AnalysisStats {
            from_scratch,
            units: units.entries.len(),
            units_analysed: units.analysed,
            facts_changed: inputs.imports_changed,
            rule_reruns: units.rule_reruns,
        },
        units: units.entries,
        segments: inputs.segments,
        contributions: inputs.contributions,
        imports: inputs.imports,
        fact_parts: inputs.fact_parts,
        facts: inputs.facts,
        findings: Arc::new(findings),
        too_deep,
        ignore_at,
    }
}

/// Suppression comments of the file, found from `ignore_at`, the offsets of every
/// `distlint:ignore` in `source` (each one's enclosing comment node is handed to
/// [`suppress::collect`]), so the tree is only visited near them. Equal to
/// `suppress::collect(source, root, index)`.
fn collect_suppressions(
    source: &str,
    root: Node<'_>,
    index: &LineIndex,
    ignore_at: &[usize],
) -> Vec<suppress::Suppression> {
    const NEEDLE: &str = SUPPRESSION_NEEDLE;
    let mut out = Vec::new();
    let mut last: Option<Range<usize>> = None;
    for &at in ignore_at {
        if last.as_ref().is_some_and(|r| at < r.end) {
            continue;
        }
        let Some(mut node) = root.descendant_for_byte_range(at, at + NEEDLE.len()) else {
            continue;
        };
        let comment = loop {
            if matches!(node.kind(), "line_comment" | "comment" | "block_comment") {
                break Some(node);
            }
            match node.parent() {
                Some(p) => node = p,
                None => break None,
            }
        };
        let Some(comment) = comment else { continue };
        last = Some(comment.byte_range());
        out.extend(suppress::collect(source, comment, index));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn suppression_on_the_line_above_a_function_in_another_unit() {
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, SRC, 0));
        assert_eq!(rules_of(&host, "k"), vec![("unbounded-channel", 7)]);
        // A suppression comment above the `let` inside `fn b` …
        let at = SRC.find("    let (tx").unwrap();
        edit(
            &host,
            "k",
            1,
            at,
            0,
            "    // distlint:ignore unbounded-channel bounded by caller\n",
        );
        assert_eq!(rules_of(&host, "k"), vec![]);
        // … and an edit in `fn a` (another unit) keeps it suppressed, shifted by a line.
        edit(&host, "k", 2, SRC.find("let x").unwrap(), 0, "\n");
        assert_eq!(rules_of(&host, "k"), vec![]);
        assert_eq!(host.last_stats("k").unwrap().units_analysed, 1);
        // A file-level suppression added in the first unit removes findings everywhere.
        edit(
            &host,
            "k",
            3,
            0,
            0,
            "// distlint:ignore-file all generated\n",
        );
        assert_eq!(rules_of(&host, "k"), vec![]);
    }

    #[test]
    fn suppression_comment_between_two_functions_covers_the_next_ones_first_line() {
        let src = "fn a() {}\n// distlint:ignore unbounded-channel one-shot signal\nfn c() { let _ = std::sync::mpsc::channel::<u8>(); }\nfn d() {}\n";
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, src, 0));
        assert_eq!(rules_of(&host, "k"), vec![]);
        // Edit inside `fn c` (the comment is in no unit): still suppressed.
        edit(&host, "k", 1, src.find("let _").unwrap(), 0, " ");
        assert_eq!(rules_of(&host, "k"), vec![]);
        // Edit `fn a` so the comment moves: still suppressed; `fn c` was not re-run.
        edit(&host, "k", 2, src.find("{}").unwrap(), 0, "\n");
        assert_eq!(rules_of(&host, "k"), vec![]);
        assert_eq!(host.last_stats("k").unwrap().units_analysed, 1);
        // Break the comment's directive: the finding of the untouched unit comes back.
        let at = src.find("ignore").unwrap() + 1 + 2;
        edit(&host, "k", 3, at, 1, "X");
        assert_eq!(rules_of(&host, "k"), vec![("unbounded-channel", 3)]);
        // (The comment token ends where `fn c` starts, so `fn c` counts as touched.)
        let stats = host.last_stats("k").unwrap();
        assert!(
            !stats.from_scratch && stats.units_analysed <= 1,
            "{stats:?}"
        );
    }
}
