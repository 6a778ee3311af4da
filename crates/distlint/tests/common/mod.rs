//! A raw stdio LSP client for the protocol and soak tests: spawns `distlint lsp`, writes frames
//! byte for byte, and reads the server's frames on a thread (failing on any non-protocol byte).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const WAIT: Duration = Duration::from_secs(20);

pub struct Raw {
    pub child: Child,
    pub stdin: ChildStdin,
    pub rx: Receiver<Value>,
    /// Messages read while waiting for something else, oldest first.
    pub backlog: std::collections::VecDeque<Value>,
    next_id: i64,
}

impl Raw {
    pub fn spawn() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_distlint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // DISTLINT_TEST_SERVER_LOG=path keeps the server's log (DISTLINT_LOG filters it).
            .stderr(match std::env::var_os("DISTLINT_TEST_SERVER_LOG") {
                Some(p) => Stdio::from(std::fs::File::create(p).expect("create server log")),
                None => Stdio::null(),
            })
            .spawn()
            .expect("spawn distlint lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    let (k, v) = line
                        .split_once(':')
                        .expect("header line has a colon: stdout carries only protocol");
                    if k.eq_ignore_ascii_case("content-length") {
                        len = Some(v.trim().parse::<usize>().unwrap());
                    }
                }
                let mut body = vec![0; len.expect("Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("server writes valid JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            stdin,
            rx,
            backlog: Default::default(),
            next_id: 100,
        }
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn send_body(&mut self, body: &str) {
        self.send_bytes(format!("Content-Length: {}\r\n\r\n{}", body.len(), body).as_bytes());
    }

    pub fn send(&mut self, msg: Value) {
        self.send_body(&msg.to_string());
    }

    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The next message from the server (backlog first), or `None` after `deadline`.
    pub fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        if let Some(v) = self.backlog.pop_front() {
            return Some(v);
        }
        self.rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()
    }

    /// The response with `id`; other messages read meanwhile are kept in the backlog.
    pub fn response(&mut self, id: Value) -> Value {
        let deadline = Instant::now() + WAIT;
        let mut skipped = Vec::new();
        let found = loop {
            match self.next_message(deadline) {
                Some(v) if v.get("id") == Some(&id) && v.get("method").is_none() => break v,
                Some(v) => skipped.push(v),
                None => panic!("no response with id {id} within {WAIT:?}"),
            }
        };
        self.backlog.extend(skipped);
        found
    }

    pub fn initialize(&mut self) {
        let id = self.request("initialize", json!({"capabilities": {}, "processId": null}));
        let r = self.response(json!(id));
        assert!(r["result"]["capabilities"].is_object(), "{r}");
        self.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    }

    /// A normal request still gets a normal answer.
    pub fn assert_alive(&mut self) {
        let id = self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///nowhere.rs"}, "position": {"line": 0, "character": 0}}),
        );
        let r = self.response(json!(id));
        assert!(
            r.get("error").is_none() && r.get("result").is_some(),
            "server no longer answers normally: {r}"
        );
    }

    pub fn error_code(r: &Value) -> i64 {
        r["error"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("expected an error response, got {r}"))
    }

    /// Waits for the process to end; returns its exit code and how long it took.
    pub fn wait_exit(&mut self) -> (Option<i32>, Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), start.elapsed());
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("server did not exit within 10 s");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
