//! Fixture harness for rule tests, in the style of rust-analyzer's `ide-diagnostics` handler tests.
//!
//! A fixture is source code in which a finding is marked on the line *below* the offending line
//! by a comment whose carets sit under the finding's span, followed by the rule id:
//!
//! ```text
//!     let (tx, rx) = mpsc::unbounded_channel::<u8>();
//!                  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
//! ```
//!
//! Marker lines are removed before analysis. Every finding must be marked and every marker must
//! be found (exact line, start column and end column, columns in characters; a span that runs
//! past its first line is marked to the end of that line).

use crate::config::{Config, RuleLevel};
use crate::document::Document;
use crate::engine::units::analysis_units;
use crate::engine::Analyzer;
use crate::resolve::Imports;
use crate::rule::{Context, Finding, Fix};
use crate::rules;
use crate::syntax::Walk;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub rule: String,
}

/// Splits a fixture into the clean source and the expected marks.
pub fn parse_fixture(fixture: &str) -> (String, Vec<Mark>) {
    let mut clean = Vec::new();
    let mut marks = Vec::new();
    for line in fixture.lines() {
        let t = line.trim_start();
        if let Some(after) = t.strip_prefix("//") {
            let after_trim = after.trim_start();
            if after_trim.starts_with('^') {
                let col = line.chars().take_while(|&c| c != '^').count();
                let carets = after_trim.chars().take_while(|&c| c == '^').count();
                let rule = after_trim[carets..]
                    .trim()
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string();
                assert!(!clean.is_empty(), "marker before any source line");
                marks.push(Mark {
                    line: clean.len() - 1,
                    start: col,
                    end: col + carets,
                    rule,
                });
                continue;
            }
        }
        clean.push(line);
    }
    let mut src = clean.join("\n");
    src.push('\n');
    marks.sort();
    (src, marks)
}

fn config_only(rule_id: &str, base: &Config) -> Config {
    let mut config = base.clone();
    for m in crate::catalog::all_metas() {
        config.rules.insert(m.id.to_string(), RuleLevel::Off);
    }
    config.rules.insert(rule_id.to_string(), RuleLevel::Enabled);
    config
}

/// Runs only `rule_id` over `source` (with suppressions applied), as the engine would, with
/// deferred fixes resolved ([`Analyzer::analyze_with_fixes`]).
pub fn run(rule_id: &str, source: &str, config: &Config, path: Option<&str>) -> Vec<Finding> {
    let rule = rules::by_id(rule_id).unwrap_or_else(|| panic!("no rule {rule_id}"));
    let lang = rule.meta().language;
    let mut doc = Document::new(lang, source, 0);
    if let Some(p) = path {
        doc = doc.with_path(p);
    }
    let analyzer = Analyzer::new(config_only(rule_id, config));
    let found = analyzer
        .clone()
        .with_prefilter(true)
        .analyze_with_fixes(&doc);
    // Every fixture also proves the facts collected on first read (`LazyFacts`, the
    // from-scratch engine) equal the facts collected up front (the incremental engine).
    let on = analyzer.clone().with_prefilter(true);
    assert_eq!(
        **on.analyze_incremental(&doc, None).findings(),
        on.analyze(&doc),
        "the incremental engine (facts collected up front) and the full engine (facts collected on first read) disagree on {rule_id}"
    );
    // Every fixture also proves the literal prefilter exact: without it, the same findings.
    let unfiltered = analyzer.with_prefilter(false).analyze_with_fixes(&doc);
    assert_eq!(
        found, unfiltered,
        "the literal prefilter changed the findings of {rule_id} (its `literals` are not a necessary condition)"
    );
    found
}

fn marks_of(source: &str, findings: &[Finding]) -> Vec<Mark> {
    let index = crate::text::LineIndex::new(source);
    let mut out: Vec<Mark> = findings
        .iter()
        .map(|f| {
            let line = index.line_of(f.range.start);
            let ls = index.line_start(line).unwrap();
            let lr = index.line_range(line, source).unwrap();
            let end = f.range.end.min(lr.end);
            Mark {
                line: line as usize,
                start: source[ls..f.range.start].chars().count(),
                end: source[ls..end.max(f.range.start)].chars().count(),
                rule: f.rule.to_string(),
            }
        })
        .collect();
    out.sort();
    out
}

fn render(source: &str, marks: &[Mark]) -> String {
    let mut out = String::new();
    for (i, line) in source.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        for m in marks.iter().filter(|m| m.line == i) {
            let pad = m.start.saturating_sub(2);
            out.push_str(&" ".repeat(pad));
            out.push_str("//");
            out.push_str(&"^".repeat(m.end - m.start));
            out.push(' ');
            out.push_str(&m.rule);
            out.push('\n');
        }
    }
    out
}

/// Asserts that `rule_id` finds exactly the marked spans in `fixture`.
pub fn check(rule_id: &str, fixture: &str) {
    check_with(rule_id, fixture, &Config::default(), None)
}

/// [`check`] with a configuration and a file path.
pub fn check_with(rule_id: &str, fixture: &str, config: &Config, path: Option<&str>) {
    let (source, expected) = parse_fixture(fixture);
    let findings = run(rule_id, &source, config, path);
    let actual = marks_of(&source, &findings);
    if actual != expected {
        panic!(
            "findings differ from the fixture's marks.\n--- expected ---\n{}\n--- actual ---\n{}\nmessages: {:#?}",
            render(&source, &expected),
            render(&source, &actual),
            findings.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }
}

/// Applies non-overlapping byte edits to `source`.
pub fn apply_fix(source: &str, fix: &Fix) -> String {
    let mut out = source.to_string();
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    let mut last_start = usize::MAX;
    for e in edits {
        assert!(
            e.range.end <= last_start,
            "fix {:?} has overlapping edits",
            fix.title
        );
        last_start = e.range.start;
        out.replace_range(e.range.clone(), &e.replacement);
    }
    out
}

fn error_count(doc: &Document) -> usize {
    Walk::new(doc.tree().root_node())
        .filter(|n| n.is_error() || n.is_missing())
        .count()
}

/// Applies the fix titled `title_contains` of the first finding of `rule_id` in `before` that
/// offers one, and asserts issue 5's three verifications:
///
/// 1. **applies**: the result equals `after` (edits within the fix never overlap);
/// 2. **re-parses**: the result has no more syntax errors (ERROR/MISSING nodes) than `before`;
/// 3. **re-analyses**: with every default rule plus `rule_id` enabled, no finding starts inside
///    an edited region of the result unless a finding of the same rule started inside that
///    region before (the fixed finding itself excluded), and `rule_id` reports fewer findings;
/// 4. **idempotent**: re-analysing the result offers no fix of `rule_id` whose edits touch an
///    edited region (applying again changes nothing there).
///
/// Regions: each edit's range in `before`, and `[start, start + replacement.len()]` in the result
/// (both inclusive of their end, so an insertion point counts).
pub fn check_fix(rule_id: &str, title_contains: &str, before: &str, after: &str) {
    check_fix_with(rule_id, title_contains, before, after, &Config::default())
}

/// [`check_fix`] with a configuration.
pub fn check_fix_with(
    rule_id: &str,
    title_contains: &str,
    before: &str,
    after: &str,
    config: &Config,
) {
    let (before, _) = parse_fixture(before);
    let lang = rules::by_id(rule_id).unwrap().meta().language;
    let findings = run(rule_id, &before, config, None);
    let (finding, fix) = findings
        .iter()
        .find_map(|f| {
            f.fixes
                .iter()
                .find(|x| x.title.contains(title_contains))
                .map(|x| (f, x))
        })
        .unwrap_or_else(|| panic!("no fix containing {title_contains:?} among {findings:#?}"));
    assert!(!fix.is_deferred(), "the harness resolves deferred fixes");
    let fixed = apply_fix(&before, fix);
    assert_eq!(fixed.trim_end(), after.trim_end(), "fixed text differs");
    let b = Document::new(lang, before.as_str(), 0);
    let a = Document::new(lang, fixed.as_str(), 0);
    assert!(
        error_count(&a) <= error_count(&b),
        "fix introduced syntax errors:\n{fixed}"
    );
    let again = run(rule_id, &fixed, config, None);
    assert!(
        again.len() < findings.len(),
        "finding {:?} still reported after the fix:\n{fixed}\n{again:#?}",
        finding.message
    );

    // Edited regions before and after (edits are sorted and do not overlap).
    let mut regions_before = Vec::new();
    let mut regions_after = Vec::new();
    let mut shift: isize = 0;
    for e in &fix.edits {
        regions_before.push(e.range.start..=e.range.end);
        let s = (e.range.start as isize + shift) as usize;
        regions_after.push(s..=s + e.replacement.len());
        shift += e.replacement.len() as isize - (e.range.end - e.range.start) as isize;
    }
    let at_site = |regions: &[std::ops::RangeInclusive<usize>], f: &Finding| {
        regions.iter().position(|r| r.contains(&f.range.start))
    };
    let mut all_config = config.clone();
    all_config
        .rules
        .insert(rule_id.to_string(), RuleLevel::Enabled);
    let analyzer = Analyzer::new(all_config);
    let all_before = analyzer.analyze_with_fixes(&b);
    let all_after = analyzer.analyze_with_fixes(&a);
    for f in &all_after {
        let Some(region) = at_site(&regions_after, f) else {
            continue;
        };
        let existed = all_before.iter().any(|g| {
            g.rule == f.rule
                && !(g.rule == finding.rule && g.range == finding.range)
                && regions_before[region].contains(&g.range.start)
        });
        assert!(
            existed,
            "the fix introduced a finding at the edited site: {f:#?}\n--- fixed ---\n{fixed}"
        );
    }
    let touches = |x: &Fix| {
        x.edits.iter().any(|e| {
            regions_after
                .iter()
                .any(|r| e.range.start <= *r.end() && *r.start() <= e.range.end)
        })
    };
    for f in again.iter().filter(|f| f.rule == rule_id) {
        if let Some(x) = f.fixes.iter().find(|x| touches(x)) {
            panic!(
                "applying fixes again would change the fixed site: {:?} {:#?}\n--- fixed ---\n{fixed}",
                x.title, x.edits
            );
        }
    }
}

/// Runs one rule's check directly on every unit, without the engine (for unit tests of helpers).
#[allow(dead_code)]
pub fn raw(rule_id: &str, source: &str) -> Vec<Finding> {
    let rule = rules::by_id(rule_id).unwrap();
    let lang = rule.meta().language;
    let doc = Document::new(lang, source, 0);
    let root = doc.tree().root_node();
    let imports = Imports::collect(lang, source, root);
    let config = Config::default();
    let facts = crate::facts::FileFacts::collect(lang, source, root).with_text(lang, source);
    let ctx = Context::for_document(&doc, &imports, &facts, &config);
    let units = analysis_units(lang, source, root, true);
    Analyzer::default().run_rule(rule, &ctx, &units)
}

/// Metadata for a Rust unit rule that exists only in these tests.
pub(crate) const fn test_meta(id: &'static str) -> crate::rule::RuleMeta {
    crate::rule::RuleMeta {
        id,
        language: crate::language::Language::Rust,
        category: "unbounded-queue",
        severity: crate::rule::Severity::Minor,
        title: "test",
        docs: crate::rule::RuleDocs {
            what: "",
            why: "",
            known_problems: "",
            example: "",
            use_instead: "",
            fix: "",
        },
        scope: crate::rule::Scope::Unit,
        default_enabled: true,
    }
}
