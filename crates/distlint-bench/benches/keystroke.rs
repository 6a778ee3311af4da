//! Per-keystroke latency (issue 8, benchmark 1): from a `didChange` arriving at the
//! [`AnalysisHost`] to the findings of the new version being ready, for single-character edits
//! inside function bodies, on a ~200 KB and a ~5 MB Rust file and a ~1 MB Go file concatenated
//! from the corpus. In the same run: the reparse floor (`Document::apply_changes` alone: text
//! splice, `Tree::edit`, incremental reparse) and a from-scratch analysis for comparison.
//!
//! First a percentile pass (every keystroke timed on its own: p50/p99/max), then divan's
//! statistics over the same operations. `DISTLINT_BENCH_KEYSTROKES` sets the keystrokes per
//! file in the percentile pass (default 400; a fifth of it for the 5 MB file);
//! `DISTLINT_BENCH_INPUTS` (comma-separated input names, e.g. `rust-200KB,go-1MB`) limits the
//! percentile pass to those inputs.
//!
//! `DISTLINT_BENCH_NESTED_CONFIG=1` measures the percentile pass for a document under a nested
//! `distlint.toml` (a configuration other than the host's: one rule at another severity), which
//! the host analyses with the document's own analyzer; `=scratch` measures what the language
//! server did for such a document before the host knew per-document configurations (the edit
//! applied through the host, then a from-scratch analysis by a new `Analyzer` of that
//! configuration on every keystroke).

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use distlint_analysis::document::TextChange;
use distlint_analysis::host::{AnalysisHost, DocumentConfig};
use distlint_analysis::{Analyzer, Document, Language, PositionEncoding};
use distlint_bench::{big_file, body_positions, ms, percentile};

struct Input {
    name: &'static str,
    language: Language,
    text: String,
}

static INPUTS: LazyLock<Vec<Input>> = LazyLock::new(|| {
    vec![
        Input {
            name: "rust-200KB",
            language: Language::Rust,
            text: big_file(Language::Rust, 200 * 1024),
        },
        Input {
            name: "rust-5MB",
            language: Language::Rust,
            text: big_file(Language::Rust, 5 * 1024 * 1024),
        },
        Input {
            name: "go-1MB",
            language: Language::Go,
            text: big_file(Language::Go, 1024 * 1024),
        },
    ]
});

fn input(name: &str) -> &'static Input {
    INPUTS.iter().find(|i| i.name == name).expect("input")
}

/// The two keystrokes at byte `at` of the original text: type `x`, then delete it again.
fn keystrokes(doc: &Document, at: usize) -> [Vec<TextChange>; 2] {
    let p = doc
        .line_index()
        .position(doc.text(), at, PositionEncoding::Utf16);
    let p1 = distlint_analysis::TextPosition::new(p.line, p.character + 1);
    [
        vec![TextChange {
            range: Some((p, p)),
            text: "x".into(),
        }],
        vec![TextChange {
            range: Some((p, p1)),
            text: String::new(),
        }],
    ]
}

/// A typing session on one input: an open, analysed document and the positions typed at.
/// How the percentile pass analyses (see the module docs, `DISTLINT_BENCH_NESTED_CONFIG`).
#[derive(Clone, Copy, PartialEq)]
enum Nested {
    /// The host's configuration.
    No,
    /// Its own configuration, through the host.
    Host,
    /// Its own configuration, a new analyzer from scratch per keystroke (the old server path).
    Scratch,
}

fn nested_mode() -> Nested {
    match std::env::var("DISTLINT_BENCH_NESTED_CONFIG").as_deref() {
        Ok("scratch") => Nested::Scratch,
        Ok("1") => Nested::Host,
        _ => Nested::No,
    }
}

/// The nested `distlint.toml`'s configuration: the defaults with one rule at another severity.
fn nested_config() -> distlint_analysis::Config {
    let mut config = distlint_analysis::Config::default();
    config.rules.insert(
        "unbounded-channel".into(),
        distlint_analysis::config::RuleLevel::On(distlint_analysis::Severity::Blocker),
    );
    config
}

struct Session {
    host: AnalysisHost,
    nested: Nested,
    floor: Document,
    positions: Vec<usize>,
    version: i32,
    next: usize,
}

const KEY: &str = "file:///bench";

impl Session {
    fn new(input: &Input, positions: usize) -> Self {
        Self::with_nested(input, positions, Nested::No)
    }

    fn with_nested(input: &Input, positions: usize, nested: Nested) -> Self {
        let doc = Document::new(input.language, input.text.clone(), 0);
        let host = AnalysisHost::new(Analyzer::default());
        let config = match nested {
            Nested::Host => DocumentConfig::Own(nested_config()),
            Nested::No | Nested::Scratch => DocumentConfig::Shared,
        };
        host.open_with_config(KEY, doc.clone(), config, None);
        host.analyze(KEY);
        Session {
            host,
            nested,
            floor: doc,
            positions: body_positions(input.language, &input.text, positions),
            version: 0,
            next: 0,
        }
    }

    /// One keystroke through the host (apply + incremental reparse + incremental analysis).
    fn keystroke(&mut self) -> Duration {
        let at = self.positions[(self.next / 2) % self.positions.len()];
        let doc = self.host.snapshot(KEY).unwrap();
        let change = keystrokes(&doc, at)[self.next % 2].clone();
        self.next += 1;
        self.version += 1;
        let start = Instant::now();
        self.host
            .change(KEY, &change, self.version, PositionEncoding::Utf16)
            .unwrap();
        let version = if self.nested == Nested::Scratch {
            let doc = self.host.snapshot(KEY).unwrap();
            let _ = Analyzer::new(nested_config()).analyze_document(&doc);
            doc.version()
        } else {
            self.host.analyze(KEY).unwrap().version
        };
        let took = start.elapsed();
        assert_eq!(version, self.version);
        took
    }

    /// The same keystroke on a bare document: the reparse floor.
    fn reparse(&mut self) -> Duration {
        let at = self.positions[(self.next / 2) % self.positions.len()];
        let change = keystrokes(&self.floor, at)[self.next % 2].clone();
        self.next += 1;
        self.version += 1;
        let start = Instant::now();
        self.floor
            .apply_changes(&change, self.version, PositionEncoding::Utf16)
            .unwrap();
        start.elapsed()
    }
}

fn percentile_pass() {
    let per_file: usize = std::env::var("DISTLINT_BENCH_KEYSTROKES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    println!("# per-keystroke latency, didChange -> findings ready (percentile pass)");
    println!("| input | bytes | units | keystrokes | keystroke p50 ms | p99 ms | max ms | reparse floor p50 ms | p99 ms | units re-analysed (mean) | from-scratch analysis ms |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    // `DISTLINT_BENCH_INPUTS=rust-200KB,go-1MB` measures only the named inputs.
    let only: Option<Vec<String>> = std::env::var("DISTLINT_BENCH_INPUTS")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    for input in INPUTS.iter() {
        if only
            .as_ref()
            .is_some_and(|o| !o.iter().any(|n| n == input.name))
        {
            continue;
        }
        let n = if input.text.len() > 2 * 1024 * 1024 {
            (per_file / 5).max(20)
        } else {
            per_file
        };
        let mut s = Session::with_nested(input, n / 2, nested_mode());
        let units = s.host.last_stats(KEY).unwrap().units;
        let full = {
            let doc = s.host.snapshot(KEY).unwrap();
            let t = Instant::now();
            let _ = Analyzer::default().analyze(&doc);
            t.elapsed()
        };
        let mut key = Vec::with_capacity(n);
        let mut analysed = 0usize;
        for _ in 0..n {
            key.push(s.keystroke());
            if s.nested != Nested::Scratch {
                analysed += s.host.last_stats(KEY).unwrap().units_analysed;
            } else {
                analysed += units;
            }
        }
        s.next = 0;
        let mut floor: Vec<Duration> = (0..n).map(|_| s.reparse()).collect();
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} | {} |",
            input.name,
            input.text.len(),
            units,
            n,
            ms(percentile(&mut key, 50.0)),
            ms(percentile(&mut key, 99.0)),
            ms(*key.iter().max().unwrap()),
            ms(percentile(&mut floor, 50.0)),
            ms(percentile(&mut floor, 99.0)),
            analysed as f64 / n as f64,
            ms(full),
        );
    }
    println!();
}

fn main() {
    percentile_pass();
    divan::main();
}

const NAMES: &[&str] = &["rust-200KB", "rust-5MB", "go-1MB"];

/// One keystroke, didChange to findings ready.
#[divan::bench(args = NAMES, sample_count = 30, sample_size = 2)]
fn keystroke(bencher: divan::Bencher, name: &str) {
    let mut s = Session::new(input(name), 64);
    bencher.bench_local(move || s.keystroke());
}

/// The floor: apply the same keystroke to a document (incremental reparse), no analysis.
#[divan::bench(args = NAMES, sample_count = 30, sample_size = 2)]
fn reparse_floor(bencher: divan::Bencher, name: &str) {
    let mut s = Session::new(input(name), 64);
    bencher.bench_local(move || s.reparse());
}
