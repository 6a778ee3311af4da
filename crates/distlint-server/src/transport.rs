//! A tolerant framing layer in front of tower-lsp-server's transport.
//!
//! tower-lsp-server 0.23 reads stdin through `tokio_util::codec::FramedRead`, which ends the
//! stream after the first decode error (tokio-rs/tokio#3976): one frame with invalid JSON, a
//! `Content-Length: banana` header, or a body that is JSON but not a JSON-RPC message would make
//! the server stop reading and exit. An editor then restarts it a few times and gives up.
//!
//! This layer reads the client's bytes itself (LSP 3.17 "Base Protocol": `Content-Length` header,
//! `\r\n\r\n`, body), forwards only well-formed JSON-RPC messages to tower-lsp-server through an
//! in-memory pipe, and answers bad frames itself, as JSON-RPC 2.0 § 5.1 says:
//! - a body that is not JSON, or a header block without a valid `Content-Length`:
//!   `-32700 Parse error`, `id: null`; the reader then resynchronises on the next `Content-Length`;
//! - JSON that is not a request, notification or response (wrong `jsonrpc`, no `method`, an
//!   array batch): `-32600 Invalid Request`, with the message's `id` when it has a usable one.
//!
//! Server output and these error responses are merged frame by frame into the real output, so
//! they never interleave inside a frame.

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest header block accepted, in bytes.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Largest message body accepted, in bytes (a 50 MB file opened in the editor still fits).
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// How a session over [`serve_tolerant`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServeOutcome {
    /// The client sent `shutdown` before the session ended. LSP 3.17 "Exit Notification": the
    /// server exits with code 0 if it had received `shutdown`, otherwise with code 1.
    pub shutdown_requested: bool,
    /// The session ended because the client sent `exit` (not because its output closed).
    pub exit_received: bool,
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_frame(id: Value, code: i64, message: &str) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    frame(body.to_string().as_bytes())
}

/// What one client frame turned out to be.
#[derive(Debug, PartialEq)]
enum Checked {
    /// Forward as is. `method` is set for requests and notifications.
    Forward { method: Option<String> },
    /// Answer with this error frame instead.
    Reject(Vec<u8>),
}

fn check_body(body: &[u8]) -> Checked {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!("dropping a frame whose body is not JSON: {e}");
            return Checked::Reject(error_frame(Value::Null, -32700, "Parse error"));
        }
    };
    if value.get("method").is_some() {
        if serde_json::from_value::<Request>(value.clone()).is_ok() {
            let method = value["method"].as_str().map(str::to_string);
            return Checked::Forward { method };
        }
    } else if serde_json::from_value::<Response>(value.clone()).is_ok() {
        return Checked::Forward { method: None };
    }
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    tracing::warn!("dropping a frame that is not a JSON-RPC 2.0 message");
    Checked::Reject(error_frame(id, -32600, "Invalid Request"))
}

/// Parses the `Content-Length` of a header block (without the terminating blank line).
fn content_length(headers: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(headers).ok()?;
    let mut len = None;
    for line in text.split("\r\n") {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            len = Some(value.trim().parse::<usize>().ok()?);
        }
    }
    len
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads client frames from `input`, forwards good ones to `to_server`, sends error frames for
/// bad ones to `replies`. Returns when the input ends, the server side closes, or after `exit`.
async fn filter_input<I: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    mut input: I,
    mut to_server: W,
    replies: mpsc::Sender<Vec<u8>>,
    outcome: &mut ServeOutcome,
) {
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut eof = false;
    // Reads more input into `buf`; false at end of input.
    macro_rules! fill {
        () => {{
            if eof {
                false
            } else {
                match input.read(&mut chunk).await {
                    Ok(0) | Err(_) => {
                        eof = true;
                        false
                    }
                    Ok(n) => {
                        buf.extend_from_slice(&chunk[..n]);
                        true
                    }
                }
            }
        }};
    }
    loop {
        // 1. The header block.
        let header_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break Some(i);
            }
            if buf.len() > MAX_HEADER_BYTES || !fill!() {
                break None;
            }
        };
        let Some(header_end) = header_end else {
            if buf.iter().all(|b| b.is_ascii_whitespace()) && eof {
                return;
            }
            if eof {
                tracing::warn!(bytes = buf.len(), "input ended inside a header block");
                return;
            }
            // Oversized header block: drop it and resynchronise.
            let _ = replies
                .send(error_frame(
                    Value::Null,
                    -32700,
                    "Parse error: header block too large",
                ))
                .await;
            let skip = find(&buf[1..], b"Content-Length")
                .map(|i| i + 1)
                .unwrap_or(buf.len());
            buf.drain(..skip);
            continue;
        };
        let len = content_length(&buf[..header_end]);
        let Some(len) = len.filter(|&l| l <= MAX_BODY_BYTES) else {
            tracing::warn!(header = %String::from_utf8_lossy(&buf[..header_end.min(200)]), "bad or missing Content-Length; resynchronising");
            let _ = replies
                .send(error_frame(
                    Value::Null,
                    -32700,
                    "Parse error: bad or missing Content-Length header",
                ))
                .await;
            // Skip to the next thing that looks like a header.
            let from = header_end + 4;
            let skip = find(&buf[from..], b"Content-Length")
                .map(|i| i + from)
                .unwrap_or(buf.len());
            buf.drain(..skip);
            continue;
        };
        // 2. The body.
        let start = header_end + 4;
        while buf.len() < start + len {
            if !fill!() {
                tracing::warn!("input ended inside a message body");
                return;
            }
        }
        let body: Vec<u8> = buf[start..start + len].to_vec();
        buf.drain(..start + len);
        match check_body(&body) {
            Checked::Forward { method } => {
                match method.as_deref() {
                    Some("shutdown") => outcome.shutdown_requested = true,
                    Some("exit") => outcome.exit_received = true,
                    _ => {}
                }
                let framed = frame(&body);
                if to_server.write_all(&framed).await.is_err() || to_server.flush().await.is_err() {
                    return;
                }
                if outcome.exit_received {
                    return;
                }
            }
            Checked::Reject(reply) => {
                if replies.send(reply).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Splits tower-lsp-server's output (well-formed frames) into frames and sends each to `frames`.
async fn frame_output<R: AsyncRead + Unpin>(mut from_server: R, frames: mpsc::Sender<Vec<u8>>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        while let Some(h) = find(&buf, b"\r\n\r\n") {
            let Some(len) = content_length(&buf[..h]) else {
                tracing::error!("server wrote a frame without Content-Length; dropping its output");
                return;
            };
            if buf.len() < h + 4 + len {
                break;
            }
            let f: Vec<u8> = buf.drain(..h + 4 + len).collect();
            if frames.send(f).await.is_err() {
                return;
            }
        }
        match from_server.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Serves `service` like `tower_lsp_server::Server::serve`, but behind the tolerant framing
/// layer described in the module docs.
pub async fn serve_tolerant<I, O>(input: I, mut output: O) -> ServeOutcome
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let (service, socket) = crate::service();
    let (to_server_w, to_server_r) = tokio::io::duplex(256 * 1024);
    let (from_server_w, from_server_r) = tokio::io::duplex(256 * 1024);
    let (frames_tx, mut frames_rx) = mpsc::channel::<Vec<u8>>(64);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let mut outcome = ServeOutcome::default();

    let errors_tx = frames_tx.clone();
    let reader = async {
        tokio::select! {
            _ = filter_input(input, to_server_w, errors_tx, &mut outcome) => {}
            _ = done_rx => {}
        }
    };
    let server = async move {
        tower_lsp_server::Server::new(to_server_r, from_server_w, socket)
            .serve(service)
            .await;
        let _ = done_tx.send(());
    };
    let splitter = frame_output(from_server_r, frames_tx);
    let writer = async {
        while let Some(f) = frames_rx.recv().await {
            if output.write_all(&f).await.is_err() || output.flush().await.is_err() {
                break;
            }
        }
    };
    tokio::join!(reader, server, splitter, writer);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_bodies_as_json_rpc_does() {
        assert_eq!(
            check_body(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#),
            Checked::Forward {
                method: Some("shutdown".into())
            }
        );
        assert_eq!(
            check_body(br#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            Checked::Forward { method: None }
        );
        let Checked::Reject(r) = check_body(b"{nope") else {
            panic!()
        };
        assert!(String::from_utf8(r).unwrap().contains("-32700"));
        let Checked::Reject(r) = check_body(br#"{"jsonrpc":"1.0","id":5,"method":"x"}"#) else {
            panic!()
        };
        let r = String::from_utf8(r).unwrap();
        assert!(r.contains("-32600") && r.contains("\"id\":5"), "{r}");
        let Checked::Reject(r) = check_body(b"[1,2]") else {
            panic!()
        };
        assert!(String::from_utf8(r).unwrap().contains("\"id\":null"));
    }

    #[test]
    fn content_length_parsing() {
        assert_eq!(content_length(b"Content-Length: 12"), Some(12));
        assert_eq!(
            content_length(
                b"content-length:3\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8"
            ),
            Some(3)
        );
        assert_eq!(content_length(b"Content-Length: banana"), None);
        assert_eq!(content_length(b"X-Other: 1"), None);
    }
}
