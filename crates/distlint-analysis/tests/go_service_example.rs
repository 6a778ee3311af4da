//! The bundled Go example service (`tests/examples/go-service/`) shows each coordination, cache,
//! consumer and write rule firing on realistic code. This test analyses every file there with the
//! default configuration and checks, per rule, the exact file and 1-based line of each finding,
//! so the examples cannot silently drift away from what the rules report.

mod support;

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

#[test]
fn every_rule_fires_where_the_example_says() {
    let found = support::go_example_findings("go-service", RULES);
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
