//! Editor-visible latency of the real server over the in-memory transport (divan):
//! `didChange` → the `publishDiagnostics` for that version, hover, and code actions, on a small
//! and a large Rust document.
//!
//! Run: `cargo bench -p distlint-server --bench lsp_latency`.

use distlint_server::test_client::{range, TestClient};
use serde_json::{json, Value};
use tokio::runtime::Runtime;

fn main() {
    divan::main();
}

/// A Rust file of `fns` functions (6 lines each); every 25th creates an unbounded channel and
/// sends to it in a loop over a caller-given count (a single send, or a loop over a constant
/// range, is a visibly bounded producer, which `unbounded-channel` does not report) (channels are rare in real code; `unbounded-channel`'s fix search is linear in the file per
/// finding, so a channel in every function measures that rule rather than the server).
fn source(fns: usize) -> String {
    let mut s = String::from("use std::sync::mpsc;\n\n");
    for i in 0..fns {
        if i % 25 == 0 {
            s.push_str(&format!(
                "fn worker_{i}(n: u64) {{\n    let (tx, rx) = mpsc::channel::<u64>();\n    for v in 0..n {{ tx.send(v + {i}).unwrap(); }}\n    drop(rx.recv());\n}}\n\n"
            ));
        } else {
            s.push_str(&format!(
                "fn step_{i}(x: u64) -> u64 {{\n    let y = x.wrapping_mul({i});\n    let z = y ^ (y >> 7);\n    z + 1\n}}\n\n"
            ));
        }
    }
    s
}

struct Session {
    rt: Runtime,
    client: TestClient,
    uri: String,
    version: i64,
    lines: u32,
}

fn session(fns: usize) -> Session {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let uri = "file:///bench/src/lib.rs".to_string();
    let text = source(fns);
    let lines = text.lines().count() as u32;
    let client = rt.block_on(async {
        let mut client = TestClient::in_memory();
        client.initialize(json!({}), Value::Null).await;
        client.open(&uri, "rust", 1, &text).await;
        let (v, d) = client.next_diagnostics(&uri).await;
        assert_eq!(v, Some(1));
        assert_eq!(d.len(), fns.div_ceil(25));
        client
    });
    Session {
        rt,
        client,
        uri,
        version: 1,
        lines,
    }
}

const SIZES: [usize; 2] = [50, 2000];

/// One keystroke inside a function body in the middle of the document, until its diagnostics
/// arrive (incremental reparse + re-analysis of the touched unit + conversion + JSON).
#[divan::bench(args = SIZES, sample_count = 60)]
fn keystroke_to_diagnostics(bencher: divan::Bencher, fns: usize) {
    let mut s = session(fns);
    // Line 1 of the body of `step_{fns/2 + 1}` (2 header lines, 6 lines per function).
    let line = (2 + 6 * (fns / 2 + 1) + 1) as u32;
    assert!(line < s.lines);
    bencher.bench_local(|| {
        s.version += 1;
        let v = s.version;
        let (client, uri) = (&mut s.client, &s.uri);
        s.rt.block_on(async {
            client.change(uri, v, range(line, 4, line, 4), " ").await;
            loop {
                let (got, _) = client.next_diagnostics(uri).await;
                if got == Some(v) {
                    break;
                }
            }
        });
    });
}

/// Hover over a finding (analysis cached).
#[divan::bench(args = SIZES, sample_count = 60)]
fn hover_on_finding(bencher: divan::Bencher, fns: usize) {
    let mut s = session(fns);
    let (client, uri) = (&mut s.client, &s.uri);
    bencher.bench_local(|| {
        s.rt.block_on(async {
            let h = client
                .request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 22}}),
                )
                .await
                .unwrap();
            assert!(!h.is_null());
        })
    });
}

/// Code actions for a finding's line (fix + suppression as workspace edits).
#[divan::bench(args = SIZES, sample_count = 60)]
fn code_actions_on_finding(bencher: divan::Bencher, fns: usize) {
    let mut s = session(fns);
    let (client, uri) = (&mut s.client, &s.uri);
    bencher.bench_local(|| {
        s.rt.block_on(async {
            let a = client
                .request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": uri}, "range": range(3, 20, 3, 20), "context": {"diagnostics": []}}),
                )
                .await
                .unwrap();
            assert!(a.as_array().is_some_and(|a| a.len() >= 2));
        })
    });
}
