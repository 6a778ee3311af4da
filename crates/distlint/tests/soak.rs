//! Soak test: one `distlint lsp` process, many documents opened, edited with thousands of random
//! incremental edits (UTF-16 positions, multi-byte text, edits that break and repair syntax) and
//! closed, over several rounds. Checks after every document: the server's text equals the
//! client's (`distlint/documentState`), diagnostics arrive for the latest version, closing
//! publishes an empty list; at the end, peak RSS (VmHWM) stays under a generous bound that only
//! unbounded growth would cross. Scale with DISTLINT_SOAK_DOCS / DISTLINT_SOAK_EDITS; the
//! measured numbers are in docs/reliability.md.

mod common;

use std::time::Instant;

use common::Raw;
use serde_json::{json, Value};

/// xorshift64*: a deterministic generator, so a failure replays exactly.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const RUST: &str = "use std::sync::mpsc;\n\nfn worker() {\n    let (tx, rx) = mpsc::channel::<u8>(); // 数据 😀\n    drop((tx, rx));\n}\n\nasync fn handler(state: std::sync::Arc<std::sync::Mutex<u8>>) {\n    let g = state.lock().unwrap();\n    tokio::task::yield_now().await;\n    drop(g);\n}\n";
const GO: &str = "package main\n\nimport \"net/http\"\n\n// 数据 😀\nfunc main() {\n\tclient := &http.Client{}\n\t_ = client\n\thttp.ListenAndServe(\":8080\", nil)\n}\n";
const SNIPPETS: &[&str] = &[
    "x",
    "",
    "\n",
    "{",
    "}",
    "(",
    "é",
    "漢",
    "😀",
    "mpsc::channel::<u8>()",
    " let a = 1;",
    "\r\n",
    "fn q() {}\n",
    "&http.Client{}",
];

/// (line, UTF-16 column) of byte `offset`, computed naively (independent of the server's code).
fn utf16_position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].encode_utf16().count() as u32)
}

fn char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Waits for publishDiagnostics for `uri` with `version` (or, for `None`, an empty unversioned
/// list as sent on close); older versions may arrive first and are skipped.
fn wait_diagnostics(s: &mut Raw, uri: &str, version: Option<i64>) -> Vec<Value> {
    let deadline = Instant::now() + common::WAIT;
    loop {
        let msg = s
            .next_message(deadline)
            .unwrap_or_else(|| panic!("no diagnostics for {uri} version {version:?}"));
        if msg["method"] != "textDocument/publishDiagnostics" || msg["params"]["uri"] != uri {
            continue;
        }
        let v = msg["params"]["version"].as_i64();
        let diags = msg["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        match version {
            Some(want) => {
                if let Some(got) = v {
                    assert!(got <= want, "diagnostics for version {got} after {want}");
                }
                if v == Some(want) {
                    return diags;
                }
            }
            None if diags.is_empty() => return diags,
            None => continue,
        }
    }
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn open_edit_close_many_documents() {
    let docs: usize = std::env::var("DISTLINT_SOAK_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let edits: usize = std::env::var("DISTLINT_SOAK_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250);
    let mut s = Raw::spawn();
    s.initialize();
    let mut rng = Rng(0x5EED_D15E_A5E5);
    let started = Instant::now();
    for d in 0..docs {
        let go = d % 2 == 1;
        let uri = format!("file:///soak/doc{d}.{}", if go { "go" } else { "rs" });
        let mut text = if go { GO } else { RUST }.repeat(1 + d % 3);
        s.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": if go { "go" } else { "rust" }, "version": 1, "text": text}}}));
        let mut version = 1;
        for _ in 0..edits {
            let a = char_boundary(&text, rng.below(text.len() + 1));
            let b = char_boundary(&text, a + rng.below(8));
            let insert = SNIPPETS[rng.below(SNIPPETS.len())];
            let (sl, sc) = utf16_position(&text, a);
            let (el, ec) = utf16_position(&text, b);
            // Never split a `\r\n`: editors don't.
            if text[..a].ends_with('\r') || text[..b].ends_with('\r') {
                continue;
            }
            text.replace_range(a..b, insert);
            version += 1;
            s.send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}, "text": insert}]}}));
        }
        let id = s.request(
            "distlint/documentState",
            json!({"textDocument": {"uri": uri}}),
        );
        let state = s.response(json!(id));
        assert_eq!(state["result"]["version"], json!(version), "{uri}");
        assert_eq!(
            state["result"]["text"].as_str(),
            Some(text.as_str()),
            "server text diverged for {uri}"
        );
        wait_diagnostics(&mut s, &uri, Some(version));
        s.send(json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}}));
        wait_diagnostics(&mut s, &uri, None);
        let id = s.request(
            "distlint/documentState",
            json!({"textDocument": {"uri": uri}}),
        );
        assert_eq!(
            s.response(json!(id))["result"],
            Value::Null,
            "closed document still held"
        );
    }
    let hwm = vm_hwm_kib(s.child.id());
    eprintln!(
        "soak: {docs} documents x {edits} edits in {:.1} s; server peak RSS {} KiB",
        started.elapsed().as_secs_f64(),
        hwm.map(|h| h.to_string()).unwrap_or_else(|| "?".into())
    );
    if let Some(h) = hwm {
        assert!(
            h < 1024 * 1024,
            "server peak RSS {h} KiB: unbounded growth?"
        );
    }
    let id = s.request("shutdown", Value::Null);
    s.response(json!(id));
    s.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(s.wait_exit().0, Some(0));
}
