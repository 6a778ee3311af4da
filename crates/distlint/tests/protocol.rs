//! Protocol conformance: the built `distlint lsp` binary over stdio, fed each kind of bad message
//! an editor or a broken proxy can send. After each one the server must answer as JSON-RPC 2.0 and
//! LSP 3.17 say, and still answer a normal request afterwards.
//!
//! Error codes (JSON-RPC 2.0 § 5.1, LSP 3.17 "ErrorCodes"): -32700 parse error, -32600 invalid
//! request, -32601 method not found, -32602 invalid params, -32002 server not initialized.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::Raw;
use serde_json::{json, Value};

#[test]
fn request_before_initialize_is_server_not_initialized() {
    let mut s = Raw::spawn();
    let id = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///a.rs"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(Raw::error_code(&s.response(json!(id))), -32002);
    s.initialize();
    s.assert_alive();
}

#[test]
fn invalid_json_is_a_parse_error_and_the_server_goes_on() {
    let mut s = Raw::spawn();
    s.initialize();
    s.send_body("{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": ");
    let r = s.response(Value::Null);
    assert_eq!(Raw::error_code(&r), -32700, "{r}");
    s.assert_alive();
}

#[test]
fn bad_content_length_headers_do_not_kill_the_server() {
    let mut s = Raw::spawn();
    s.initialize();
    // A header that is not a number, then a missing header: the framing layer must resynchronise.
    s.send_bytes(b"Content-Length: banana\r\n\r\n{}");
    assert_eq!(Raw::error_code(&s.response(Value::Null)), -32700);
    s.send_bytes(b"X-Nothing: 1\r\n\r\n");
    assert_eq!(Raw::error_code(&s.response(Value::Null)), -32700);
    s.assert_alive();
    // JSON that is not JSON-RPC 2.0: Invalid Request, echoing a usable id.
    s.send_body(r#"{"jsonrpc": "1.0", "id": 41, "method": "textDocument/hover"}"#);
    assert_eq!(Raw::error_code(&s.response(json!(41))), -32600);
    s.send_body("[1, 2, 3]");
    assert_eq!(Raw::error_code(&s.response(Value::Null)), -32600);
    s.assert_alive();
}

#[test]
fn unknown_methods_and_wrong_param_shapes() {
    let mut s = Raw::spawn();
    s.initialize();
    let id = s.request("distlint/noSuchMethod", json!({}));
    assert_eq!(Raw::error_code(&s.response(json!(id))), -32601);
    // Unknown notifications (with or without `$/`) are ignored, no response.
    s.send(json!({"jsonrpc": "2.0", "method": "$/somethingNew", "params": {}}));
    s.send(json!({"jsonrpc": "2.0", "method": "custom/notification", "params": [1, 2]}));
    let id = s.request("textDocument/hover", json!({"textDocument": 42}));
    assert_eq!(Raw::error_code(&s.response(json!(id))), -32602);
    let id = s.request("textDocument/codeAction", json!("not an object"));
    assert_eq!(Raw::error_code(&s.response(json!(id))), -32602);
    // Notifications with wrong shapes get no response and change nothing.
    s.send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": "x"}}));
    s.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": null}));
    s.assert_alive();
}

#[test]
fn cancel_request_is_accepted_for_any_id() {
    let mut s = Raw::spawn();
    s.initialize();
    s.send(json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 99999}}));
    // Cancel a request in flight: it completes or is answered with RequestCancelled (-32800);
    // either way exactly one response arrives.
    let id = s.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": "file:///nowhere.rs"}}),
    );
    s.send(json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": id}}));
    let r = s.response(json!(id));
    assert!(r.get("result").is_some() || r.get("error").is_some(), "{r}");
    s.assert_alive();
}

#[test]
fn requests_after_shutdown_are_invalid_and_exit_then_ends_with_code_0_quickly() {
    let mut s = Raw::spawn();
    s.initialize();
    let id = s.request("shutdown", Value::Null);
    let r = s.response(json!(id));
    assert!(r.get("error").is_none(), "{r}");
    let id = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///a.rs"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(Raw::error_code(&s.response(json!(id))), -32600);
    s.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    let (code, took) = s.wait_exit();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(1), "exit took {took:?}");
}

#[test]
fn exit_without_shutdown_ends_with_code_1() {
    let mut s = Raw::spawn();
    s.initialize();
    s.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(s.wait_exit().0, Some(1));
}

#[test]
fn closed_input_ends_the_server() {
    let mut s = Raw::spawn();
    s.initialize();
    // Dropping stdin (editor crashed): the server must not spin or hang.
    let (_, stdin) = (
        0,
        std::mem::replace(
            &mut s.stdin,
            Command::new("true")
                .stdin(Stdio::piped())
                .spawn()
                .unwrap()
                .stdin
                .take()
                .unwrap(),
        ),
    );
    drop(stdin);
    let (code, _) = s.wait_exit();
    // No `shutdown` was received: exit code 1, as after `exit` without `shutdown`.
    assert_eq!(code, Some(1));
}
