//! The bundled Go example service (`tests/examples/go-service/`) shows each Go timeout, retry,
//! fan-out, queue and lock rule firing on realistic code. This test analyses every file there with the
//! default configuration and checks, per rule, the exact file and 1-based line of each finding,
//! so the examples cannot silently drift away from what the rules report.

mod support;

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

#[test]
fn every_timeout_retry_fanout_queue_lock_rule_fires_where_the_example_says() {
    let found = support::go_example_findings("go-service", RULES);
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
