//! The bundled Go example service (`tests/examples/go-service/`) shows each Go timeout, retry,
//! fan-out, queue and lock rule firing on realistic code. This test analyses every file there with the
//! default configuration and checks, per rule, the exact file and 1-based line of each finding,
//! so the examples cannot silently drift away from what the rules report.

use std::path::{Path, PathBuf};

use distlint_analysis::{Analyzer, Config, Language, LineIndex};

const RULES: &[&str] = &[
    "http-client-without-timeout",
    "http-server-without-timeouts",
    "context-not-propagated",
    "request-without-context",
    "retry-idempotency-go",
    "unbounded-retry-go",
    "retry-backoff-go",
    "mutex-held-across-io",
    "unbounded-fanout-go",
    "unbounded-queue-go",
    "dial-without-timeout",
    "select-without-cancel",
];

fn go_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            go_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "go") {
            out.push(p);
        }
    }
}

#[test]
fn every_timeout_retry_fanout_queue_lock_rule_fires_where_the_example_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/examples/go-service");
    let mut files = Vec::new();
    go_files(&root, &mut files);
    let analyzer = Analyzer::new(Config::default());
    let mut found: Vec<(String, String, u32)> = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        let index = LineIndex::new(&src);
        for finding in analyzer.analyze_source(Language::Go, &src, Some(f)) {
            if !RULES.contains(&finding.rule) {
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
    let expected: Vec<(String, String, u32)> = [
        ("context-not-propagated", "cmd/api/main.go", 41),
        ("dial-without-timeout", "internal/notify/fanout.go", 41),
        (
            "http-client-without-timeout",
            "internal/payments/client.go",
            23,
        ),
        ("http-server-without-timeouts", "cmd/api/main.go", 61),
        ("mutex-held-across-io", "internal/stock/store.go", 28),
        ("request-without-context", "internal/payments/client.go", 55),
        ("retry-backoff-go", "internal/payments/client.go", 72),
        ("retry-backoff-go", "internal/stock/store.go", 56),
        ("retry-idempotency-go", "internal/payments/client.go", 35),
        ("select-without-cancel", "internal/payments/client.go", 91),
        ("unbounded-fanout-go", "internal/notify/fanout.go", 26),
        ("unbounded-queue-go", "internal/notify/fanout.go", 16),
        ("unbounded-queue-go", "internal/stock/store.go", 44),
        ("unbounded-retry-go", "internal/payments/client.go", 69),
        ("unbounded-retry-go", "internal/stock/store.go", 50),
    ]
    .iter()
    .map(|(r, f, l)| (r.to_string(), f.to_string(), *l))
    .collect();
    assert_eq!(found, expected);
    for rule in RULES {
        assert!(
            found.iter().any(|(r, _, _)| r == rule),
            "{rule} does not fire anywhere in the example service"
        );
    }
}
