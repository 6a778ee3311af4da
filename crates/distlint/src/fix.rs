//! `check --fix` / `--fix-diff`: apply fixes, re-analyse, repeat (at most [`MAX_PASSES`]).
//!
//! Which fixes: the first fix of each finding whose applicability is `safe`, or `unsafe` with
//! `--unsafe-fixes`; `manual` fixes (suppression comments) never. In one pass, fixes whose edits
//! overlap an already chosen fix's edits (or insert at the same offset) wait for the next pass,
//! which runs on the re-parsed result, so no two edits are ever applied against stale offsets.
//! Deferred fixes are resolved with `Analyzer::analyze_with_fixes` (the same `Rule::resolve_fix`
//! the language server's `codeAction/resolve` calls).

use std::ops::Range;

use distlint_analysis::{Analyzer, Applicability, Document, Finding, Fix, TextEdit};

/// Upper bound on apply/re-analyse rounds (fixes that keep producing new fixable findings stop).
pub const MAX_PASSES: usize = 10;

/// The outcome for one file.
#[derive(Debug, Clone)]
pub struct Fixed {
    /// The text after all passes (equal to the input when nothing applied).
    pub text: String,
    /// Number of fixes applied.
    pub applied: usize,
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    a.start < b.end && b.start < a.end
        || (a.is_empty() && b.contains(&a.start))
        || (b.is_empty() && a.contains(&b.start))
}

/// The fixes one pass applies: first eligible fix per finding, skipping overlaps.
pub fn select<'f>(findings: &'f [Finding], unsafe_fixes: bool) -> Vec<&'f Fix> {
    let mut chosen: Vec<&Fix> = Vec::new();
    let mut taken: Vec<Range<usize>> = Vec::new();
    for f in findings {
        let Some(fix) = f.fixes.iter().find(|x| match x.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => unsafe_fixes,
            Applicability::Manual => false,
        }) else {
            continue;
        };
        if fix.edits.is_empty() {
            continue;
        }
        let clash = fix
            .edits
            .iter()
            .any(|e| taken.iter().any(|t| overlaps(&e.range, t)));
        // Edits within one fix must not overlap each other either.
        let internal = fix
            .edits
            .windows(2)
            .any(|w| overlaps(&w[0].range, &w[1].range));
        if clash || internal {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| e.range.clone()));
        chosen.push(fix);
    }
    chosen
}

/// Applies non-overlapping `edits` (byte ranges into `text`) from the end backwards.
pub fn apply_edits(text: &str, edits: &mut [&TextEdit]) -> String {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = text.to_string();
    for e in edits.iter().rev() {
        out.replace_range(e.range.clone(), &e.replacement);
    }
    out
}

/// Runs the fix loop on `doc`.
pub fn fix_document(doc: &Document, analyzer: &Analyzer, unsafe_fixes: bool) -> Fixed {
    let mut text = doc.text().to_string();
    let mut applied = 0;
    let mut current = doc.clone();
    for _ in 0..MAX_PASSES {
        let findings = analyzer.analyze_with_fixes(&current);
        let fixes = select(&findings, unsafe_fixes);
        if fixes.is_empty() {
            break;
        }
        let mut edits: Vec<&TextEdit> = fixes.iter().flat_map(|f| f.edits.iter()).collect();
        let next = apply_edits(&text, &mut edits);
        if next == text {
            break;
        }
        applied += fixes.len();
        text = next;
        current = Document::with_limits(current.language(), text.clone(), 0, *doc.limits());
        if let Some(p) = doc.path() {
            current = current.with_path(p);
        }
    }
    Fixed { text, applied }
}

/// A unified diff of `old` → `new` for `path` (`a/path`, `b/path` headers, 3 lines of context).
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use distlint_analysis::Language;

    #[test]
    fn applies_safe_fixes_and_unsafe_only_when_asked() {
        // One unused suppression (safe fix) and one std channel (unsafe "Bound this channel").
        let src = "fn f() {\n    // distlint:ignore unbounded-channel stale\n    let x = 1;\n    let (a, b) = std::sync::mpsc::channel::<u8>();\n}\n";
        let doc = Document::new(Language::Rust, src, 0);
        let a = Analyzer::default();
        let safe = fix_document(&doc, &a, false);
        assert_eq!(safe.applied, 1);
        assert_eq!(
            safe.text,
            "fn f() {\n    let x = 1;\n    let (a, b) = std::sync::mpsc::channel::<u8>();\n}\n"
        );
        let all = fix_document(&doc, &a, true);
        assert_eq!(all.applied, 2);
        assert!(all.text.contains("sync_channel"), "{}", all.text);
        assert!(!all.text.contains("distlint:ignore"));
        // The result re-analyses clean.
        let after = Document::new(Language::Rust, all.text.clone(), 0);
        assert!(a.analyze(&after).is_empty(), "{:?}", a.analyze(&after));
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let e = |r: Range<usize>| TextEdit::replace(r, "x");
        let fix = |r: Range<usize>| Fix::new("t", Applicability::Safe, vec![e(r)]);
        let finding = |r: Range<usize>| Finding {
            rule: "r",
            range: r.clone(),
            message: String::new(),
            severity: distlint_analysis::Severity::Nit,
            fixes: vec![fix(r)],
        };
        let fs = vec![
            finding(0..5),
            finding(3..8),
            finding(8..9),
            finding(9..9),
            finding(9..9),
        ];
        let chosen = select(&fs, false);
        let ranges: Vec<_> = chosen.iter().map(|f| f.edits[0].range.clone()).collect();
        // 3..8 overlaps 0..5; the second insertion at 9 clashes with the first.
        assert_eq!(ranges, vec![0..5, 8..9, 9..9]);
    }

    #[test]
    fn diff_has_headers_and_hunks() {
        let d = unified_diff("src/a.rs", "a\nb\n", "a\nc\n");
        assert!(d.starts_with("--- a/src/a.rs\n+++ b/src/a.rs\n"), "{d}");
        assert!(d.contains("-b\n+c\n"), "{d}");
    }
}
