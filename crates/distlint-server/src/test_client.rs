//! A minimal LSP client for tests (feature `test-client`): frames JSON-RPC over any
//! `AsyncRead`/`AsyncWrite` pair — an in-memory [`tokio::io::duplex`] to the real server, or a
//! spawned `distlint lsp`'s stdio — the way an editor does.
//!
//! A reader task routes responses to their requests, answers the server's own requests
//! (`client/registerCapability`, `workspace/configuration`, `workspace/diagnostic/refresh`) so the
//! server never waits on the test, and queues everything the server sent for inspection.
//! Position helpers re-implement LSP column counting independently of the analysis crate, so tests
//! compare the server against a second implementation rather than against itself.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

type Writer = Arc<tokio::sync::Mutex<Box<dyn AsyncWrite + Unpin + Send>>>;
type Pending = Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>;

/// How long a test waits for any one message before failing.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// An LSP client connected to a server.
pub struct TestClient {
    writer: Writer,
    pending: Pending,
    incoming: mpsc::UnboundedReceiver<Value>,
    backlog: VecDeque<Value>,
    next_id: i64,
    /// What `workspace/configuration` requests are answered with (one copy per item).
    pub configuration: Arc<Mutex<Value>>,
}

async fn write_frame(writer: &Writer, msg: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(msg).expect("serialisable");
    let mut w = writer.lock().await;
    w.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    w.write_all(&body).await?;
    w.flush().await
}

async fn read_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        } else if !line.starts_with("Content-Type:") {
            // Anything else on the server's output is a bug: stdout carries only protocol.
            panic!("server wrote a non-protocol line to its output: {line:?}");
        }
    }
    let mut body = vec![0; len?];
    reader.read_exact(&mut body).await.ok()?;
    Some(serde_json::from_slice(&body).expect("server sent invalid JSON"))
}

impl TestClient {
    /// A client talking to a server that reads `to_server` and writes `from_server`.
    pub fn new<R, W>(from_server: R, to_server: W) -> Self
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let writer: Writer = Arc::new(tokio::sync::Mutex::new(Box::new(to_server)));
        let pending: Pending = Arc::default();
        let configuration = Arc::new(Mutex::new(Value::Null));
        let (tx, incoming) = mpsc::unbounded_channel();
        let (w, p, c) = (writer.clone(), pending.clone(), configuration.clone());
        tokio::spawn(async move {
            let mut reader = BufReader::new(from_server);
            while let Some(msg) = read_frame(&mut reader).await {
                let is_response = msg.get("method").is_none();
                if is_response {
                    let id = msg["id"].as_i64().unwrap_or(-1);
                    if let Some(waiter) = p.lock().unwrap().remove(&id) {
                        let _ = waiter.send(msg);
                    }
                    continue;
                }
                if let Some(id) = msg.get("id").cloned() {
                    let result = match msg["method"].as_str() {
                        Some("workspace/configuration") => {
                            let n = msg["params"]["items"].as_array().map_or(1, |a| a.len());
                            let v = c.lock().unwrap().clone();
                            Value::Array(vec![v; n])
                        }
                        _ => Value::Null,
                    };
                    let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
                    if write_frame(&w, &reply).await.is_err() {
                        break;
                    }
                }
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Self {
            writer,
            pending,
            incoming,
            backlog: VecDeque::new(),
            next_id: 1,
            configuration,
        }
    }

    /// A client connected to a fresh in-process server over an in-memory duplex pipe.
    pub fn in_memory() -> Self {
        let (client_io, server_io) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_io);
        tokio::spawn(crate::serve(server_read, server_write));
        let (client_read, client_write) = tokio::io::split(client_io);
        Self::new(client_read, client_write)
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error object)`.
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        write_frame(&self.writer, &msg)
            .await
            .expect("server closed its input");
        let resp = tokio::time::timeout(TIMEOUT, rx)
            .await
            .unwrap_or_else(|_| panic!("no response to {method} within {TIMEOUT:?}"))
            .expect("connection closed before the response");
        match resp.get("error") {
            Some(e) => Err(e.clone()),
            None => Ok(resp["result"].clone()),
        }
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &str, params: Value) {
        let msg = json!({"jsonrpc": "2.0", "method": method, "params": params});
        write_frame(&self.writer, &msg)
            .await
            .expect("server closed its input");
    }

    /// The next message from the server (notification or server request) satisfying `pred`;
    /// others are kept for later calls. Panics after [`TIMEOUT`].
    pub async fn recv_matching(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.incoming.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "timed out waiting for {what}; received meanwhile: {:#?}",
                        self.backlog
                    )
                })
                .unwrap_or_else(|| panic!("server went away while waiting for {what}"));
            if pred(&msg) {
                return msg;
            }
            self.backlog.push_back(msg);
        }
    }

    /// Everything received so far that no `recv_*` call consumed (drains the queue).
    pub fn drain_received(&mut self) -> Vec<Value> {
        while let Ok(m) = self.incoming.try_recv() {
            self.backlog.push_back(m);
        }
        self.backlog.drain(..).collect()
    }

    /// The next `textDocument/publishDiagnostics` for `uri`: `(version, diagnostics)`.
    pub async fn next_diagnostics(&mut self, uri: &str) -> (Option<i64>, Vec<Value>) {
        let msg = self
            .recv_matching(&format!("publishDiagnostics for {uri}"), |m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
            })
            .await;
        (
            msg["params"]["version"].as_i64(),
            msg["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        )
    }

    /// Sends `initialize` with `capabilities` (and `initializationOptions`, if not null), then
    /// `initialized`. Returns the `InitializeResult`.
    pub async fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        self.initialize_in(Value::Null, capabilities, options).await
    }

    /// Like [`TestClient::initialize`], with `rootUri` and one workspace folder at `root_uri`
    /// (unless null).
    pub async fn initialize_in(
        &mut self,
        root_uri: Value,
        capabilities: Value,
        options: Value,
    ) -> Value {
        let mut params = json!({
            "processId": null,
            "rootUri": root_uri,
            "capabilities": capabilities,
            "clientInfo": {"name": "distlint-test-client"},
        });
        if !root_uri.is_null() {
            params["workspaceFolders"] = json!([{"uri": root_uri, "name": "root"}]);
        }
        if !options.is_null() {
            params["initializationOptions"] = options;
        }
        let result = self
            .request("initialize", params)
            .await
            .expect("initialize failed");
        self.notify("initialized", json!({})).await;
        result
    }

    /// `textDocument/didOpen`.
    pub async fn open(&mut self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}}),
        )
        .await;
    }

    /// `textDocument/didChange` with one incremental change.
    pub async fn change(&mut self, uri: &str, version: i64, range: Value, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": range, "text": text}]}),
        )
        .await;
    }

    /// `shutdown` then `exit`.
    pub async fn shutdown_and_exit(&mut self) {
        self.request("shutdown", Value::Null)
            .await
            .expect("shutdown failed");
        self.notify("exit", Value::Null).await;
    }
}

/// An LSP range as JSON.
pub fn range(sl: u32, sc: u32, el: u32, ec: u32) -> Value {
    json!({"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}})
}

/// Byte offset of an LSP position in `text`, counting columns in UTF-8 bytes when `utf8`, else in
/// UTF-16 code units. Independent of the analysis crate on purpose. Lines split at `\n` only.
pub fn offset_at(text: &str, line: u64, character: u64, utf8: bool) -> usize {
    let mut start = 0;
    for _ in 0..line {
        start += text[start..].find('\n').expect("line past the end") + 1;
    }
    let line_text = &text[start..start + text[start..].find('\n').unwrap_or(text.len() - start)];
    let mut units = 0u64;
    for (i, ch) in line_text.char_indices() {
        if units >= character {
            return start + i;
        }
        units += if utf8 {
            ch.len_utf8() as u64
        } else {
            ch.len_utf16() as u64
        };
    }
    start + line_text.len()
}

/// The LSP position of byte `offset`, in UTF-8 or UTF-16 units (see [`offset_at`]).
pub fn position_at(text: &str, offset: usize, utf8: bool) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = &text[line_start..offset];
    let character = if utf8 {
        col.len()
    } else {
        col.encode_utf16().count()
    };
    (line, character as u64)
}

/// Applies LSP `TextEdit`s (JSON) to `text` as a client would (all ranges refer to the original
/// text; applied from the last to the first).
pub fn apply_text_edits(text: &str, edits: &[Value], utf8: bool) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            let s = offset_at(
                text,
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["character"].as_u64().unwrap(),
                utf8,
            );
            let en = offset_at(
                text,
                r["end"]["line"].as_u64().unwrap(),
                r["end"]["character"].as_u64().unwrap(),
                utf8,
            );
            (s, en, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    spans.sort_by_key(|(s, e, _)| (*s, *e));
    let mut out = text.to_string();
    for (s, e, t) in spans.into_iter().rev() {
        out.replace_range(s..e, &t);
    }
    out
}

/// The text edits a `WorkspaceEdit` (JSON) makes to `uri`, from `documentChanges` or `changes`.
pub fn workspace_edits_for(edit: &Value, uri: &str) -> Vec<Value> {
    if let Some(dc) = edit["documentChanges"].as_array() {
        return dc
            .iter()
            .filter(|d| d["textDocument"]["uri"] == uri)
            .flat_map(|d| d["edits"].as_array().cloned().unwrap_or_default())
            .collect();
    }
    edit["changes"][uri].as_array().cloned().unwrap_or_default()
}
