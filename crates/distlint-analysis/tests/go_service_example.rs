//! The bundled Go example service (`tests/examples/go-service/`) shows each coordination, cache,
//! consumer and write rule firing on realistic code. This test analyses every file there with the
//! default configuration and checks, per rule, the exact file and 1-based line of each finding,
//! so the examples cannot silently drift away from what the rules report.

use std::path::{Path, PathBuf};

use distlint_analysis::{Analyzer, Config, Language, LineIndex};

const RULES: &[&str] = &[
    "quorum-math-go",
    "clock-ordering-go",
    "replication-lag-go",
    "dual-write-go",
    "lock-fencing-go",
    "cache-stampede-go",
    "poison-message-go",
    "graceful-shutdown-go",
    "discarded-network-error-go",
    "hot-partition-key-go",
    "strict-decode-go",
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
fn every_rule_fires_where_the_example_says() {
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
        ("cache-stampede-go", "internal/cache/products.go", 23),
        ("cache-stampede-go", "internal/cache/products.go", 27),
        ("cache-stampede-go", "internal/cache/products.go", 33),
        ("clock-ordering-go", "internal/billing/invoices.go", 39),
        ("discarded-network-error-go", "internal/store/orders.go", 55),
        ("dual-write-go", "internal/store/orders.go", 51),
        ("dual-write-go", "internal/store/orders.go", 55),
        ("graceful-shutdown-go", "cmd/orders/main.go", 35),
        ("hot-partition-key-go", "internal/store/orders.go", 55),
        ("lock-fencing-go", "internal/billing/invoices.go", 30),
        ("poison-message-go", "internal/consumer/orders.go", 25),
        ("quorum-math-go", "internal/cluster/quorum.go", 17),
        ("replication-lag-go", "internal/store/orders.go", 59),
        ("strict-decode-go", "internal/inventory/client.go", 36),
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
