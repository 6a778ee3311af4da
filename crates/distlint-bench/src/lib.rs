//! Inputs and measurement helpers for distlint's benchmarks (issue 8; method and numbers in
//! `docs/performance.md`). Every input is real code: the published crates of the Rust corpus
//! (`tests/corpus/rust.sh`) and Debian's Go sources (`tests/corpus/go.sh`), concatenated when a
//! benchmark needs one large file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use distlint_analysis::Language;

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// Source directories of the corpus for `language`, as printed by `tests/corpus/{rust,go}.sh`
/// (the scripts fetch or install the sources when missing). `DISTLINT_BENCH_RUST_DIRS` /
/// `DISTLINT_BENCH_GO_DIRS` (colon-separated) override them.
pub fn corpus_dirs(language: Language) -> Vec<PathBuf> {
    let (var, script) = match language {
        Language::Rust => ("DISTLINT_BENCH_RUST_DIRS", "tests/corpus/rust.sh"),
        Language::Go => ("DISTLINT_BENCH_GO_DIRS", "tests/corpus/go.sh"),
    };
    if let Ok(v) = std::env::var(var) {
        return v
            .split(':')
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
    }
    let out = Command::new(repo_root().join(script))
        .output()
        .unwrap_or_else(|e| panic!("running {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(PathBuf::from)
        .collect()
}

/// Every `.rs` / `.go` file under `dirs`, sorted, skipping `target/`, `vendor/` and hidden dirs.
pub fn source_files(dirs: &[PathBuf], language: Language) -> Vec<PathBuf> {
    let ext = match language {
        Language::Rust => "rs",
        Language::Go => "go",
    };
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "vendor" {
                    stack.push(p);
                }
            } else if ft.is_file() && p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Concatenates files (sorted order, each followed by a newline) until the text reaches
/// `bytes`. Non-UTF-8 files are skipped.
pub fn concat(files: &[PathBuf], bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 64 * 1024);
    for f in files.iter().cycle().take(files.len() * 64) {
        if text.len() >= bytes {
            break;
        }
        if let Ok(s) = std::fs::read_to_string(f) {
            text.push_str(&s);
            text.push('\n');
        }
    }
    text
}

/// A large file for `language` of about `bytes`, concatenated from the corpus.
pub fn big_file(language: Language, bytes: usize) -> String {
    let files = source_files(&corpus_dirs(language), language);
    concat(&files, bytes)
}

/// Byte offsets just inside function bodies (after the `{` of `fn ... {` / `func ... {` and its
/// line break), where a keystroke lands "inside a function body". Deterministic: every
/// `step`-th candidate.
pub fn body_positions(language: Language, text: &str, want: usize) -> Vec<usize> {
    let needle = match language {
        Language::Rust => "\n    fn ",
        Language::Go => "\nfunc ",
    };
    let mut cands = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(needle) {
        let at = from + i + needle.len();
        // The body's first line: after the first "{\n" following the signature.
        if let Some(b) = text[at..].find("{\n") {
            let pos = at + b + 2;
            if b < 400 && text.is_char_boundary(pos) {
                cands.push(pos);
            }
        }
        from = at;
    }
    if cands.is_empty() {
        return vec![text.len() / 2];
    }
    let step = (cands.len() / want.max(1)).max(1);
    cands.into_iter().step_by(step).take(want).collect()
}

/// p-th percentile (0..=100) of `samples` (sorted in place), nearest-rank.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// Milliseconds with three decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// Peak and current resident set size of this process in KiB (`VmHWM`, `VmRSS` from
/// `/proc/self/status`; Linux only).
pub fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}
