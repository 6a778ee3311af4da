//! The bundled example service (`tests/examples/rust-service`) shows every rust-b rule firing:
//! this test pins which rule fires in which module, so a rule change that silences the README
//! demo fails here.

use std::collections::BTreeSet;
use std::path::Path;

use distlint_analysis::{Analyzer, Language};

#[test]
fn every_rule_fires_in_its_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let expected: &[(&str, &str)] = &[
        ("main.rs", "graceful-shutdown"),
        ("orders.rs", "dual-write"),
        ("orders.rs", "read-after-write-replica"),
        ("orders.rs", "hot-partition-key"),
        ("orders.rs", "swallowed-send-error"),
        ("catalog.rs", "cache-stampede"),
        ("jobs.rs", "lock-without-fencing-token"),
        ("jobs.rs", "unbounded-channel"),
        ("jobs.rs", "unbounded-work-queue"),
        ("consumer.rs", "poison-message"),
        ("cluster.rs", "quorum-math"),
        ("events.rs", "strict-wire-decoding"),
    ];
    let analyzer = Analyzer::default();
    let mut seen = BTreeSet::new();
    for file in [
        "main.rs",
        "orders.rs",
        "catalog.rs",
        "jobs.rs",
        "consumer.rs",
        "cluster.rs",
        "events.rs",
    ] {
        let rel = format!("tests/examples/rust-service/src/{file}");
        let src = std::fs::read_to_string(root.join(&rel)).expect("example file");
        for f in analyzer.analyze_source(Language::Rust, &src, Some(Path::new(&rel))) {
            seen.insert((file, f.rule));
        }
    }
    for (file, rule) in expected {
        assert!(
            seen.contains(&(*file, *rule)),
            "{rule} does not fire in {file}; seen: {seen:?}"
        );
    }
}
