//! Applies every fix distlint offers (safe and unsafe) to the `.rs`/`.go` files under the
//! directory named by `DISTLINT_FIX_DIR`, in place. Used by `tests/fixcheck-rust/run.sh` until
//! `distlint check --fix --unsafe-fixes` exists; ignored in normal test runs.
//!
//! One fix is applied per pass and the file is re-analysed before the next, so fixes whose
//! edits touch the same place (two `use` insertions) never apply together; at most 50 passes
//! per file.

use std::path::{Path, PathBuf};

use distlint_analysis::{Analyzer, Config, Document, Language};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "target") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs" || x == "go") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Applies `edits` (non-overlapping byte ranges) to `text`.
fn apply(text: &str, fix: &distlint_analysis::Fix) -> String {
    let mut out = text.to_string();
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    for e in edits {
        out.replace_range(e.range.clone(), &e.replacement);
    }
    out
}

#[test]
#[ignore = "run by tests/fixcheck-rust/run.sh with DISTLINT_FIX_DIR set"]
fn apply_all_fixes_in_place() {
    let dir = std::env::var("DISTLINT_FIX_DIR").expect("DISTLINT_FIX_DIR");
    let analyzer = Analyzer::new(Config::default());
    let mut applied = 0;
    for path in files(Path::new(&dir)) {
        let lang = if path.extension().is_some_and(|x| x == "go") {
            Language::Go
        } else {
            Language::Rust
        };
        let mut text = std::fs::read_to_string(&path).expect("read");
        for _ in 0..50 {
            let doc = Document::new(lang, text.as_str(), 0).with_path(&path);
            let findings = analyzer.analyze_with_fixes(&doc);
            // Skip suppression-insertion fixes (Manual): they are not rewrites.
            let fix = findings
                .iter()
                .flat_map(|f| f.fixes.iter())
                .find(|x| x.applicability != distlint_analysis::Applicability::Manual);
            let Some(fix) = fix else { break };
            let next = apply(&text, fix);
            if next == text {
                break;
            }
            eprintln!("{}: {}", path.display(), fix.title);
            text = next;
            applied += 1;
        }
        std::fs::write(&path, &text).expect("write");
    }
    eprintln!("applied {applied} fixes");
    assert!(applied > 0, "no fix applied under {dir}");
}
