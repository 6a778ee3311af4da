//! Shared by the example-service tests: analyse every file of an example directory with the
//! default configuration and list `(rule, path relative to the directory, 1-based line)` for
//! the rules a test pins, sorted.

use std::path::{Path, PathBuf};

use distlint_analysis::{Analyzer, Config, Language, LineIndex};

fn files_with_extension(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_with_extension(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// Findings of `rules` in `tests/examples/<example>` (Go files), sorted.
pub fn go_example_findings(example: &str, rules: &[&str]) -> Vec<(String, String, u32)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/examples")
        .join(example);
    let mut files = Vec::new();
    files_with_extension(&root, "go", &mut files);
    let analyzer = Analyzer::new(Config::default());
    let mut found = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let index = LineIndex::new(&src);
        for finding in analyzer.analyze_source(Language::Go, &src, Some(f)) {
            if !rules.contains(&finding.rule) {
                continue;
            }
            let rel = f
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            found.push((
                finding.rule.to_string(),
                rel,
                index.line_of(finding.range.start) + 1,
            ));
        }
    }
    found.sort();
    found
}
