//! `distlint lsp` as an editor runs it: the built binary, spoken to over its stdin/stdout.
//! Debug logging is on (to stderr); the test client fails on any non-protocol byte on stdout.

use std::process::Stdio;

use distlint_server::test_client::{
    apply_text_edits, position_at, range, workspace_edits_for, TestClient,
};
use serde_json::{json, Value};

const URI: &str = "file:///tmp/distlint-stdio/src/worker.rs";
const SRC: &str = "fn spawn() {\n    let s = \"数据😀\"; let (tx, rx) = std::sync::mpsc::channel::<u8>();\n    drop((s, tx, rx));\n}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lsp_over_stdio_like_an_editor() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_distlint"))
        .arg("lsp")
        .env("DISTLINT_LOG", "debug")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn distlint lsp");
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut client = TestClient::new(stdout, stdin);

    let init = client
        .initialize(
            json!({"general": {"positionEncodings": ["utf-8", "utf-16"]},
                   "workspace": {"workspaceEdit": {"documentChanges": true}}}),
            json!({"fix": {"channelCapacity": 16}}),
        )
        .await;
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(init["serverInfo"]["name"], "distlint");

    client.open(URI, "rust", 1, SRC).await;
    let (v, diags) = client.next_diagnostics(URI).await;
    assert_eq!(v, Some(1));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "unbounded-channel");
    // UTF-8 columns: 数据 is 6 bytes, 😀 4.
    let call = SRC.find("std::sync").unwrap();
    assert_eq!(position_at(SRC, call, true), (1, 41));
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 1, "character": 41})
    );

    // Type a character right after the emoji, on the finding's line.
    let after_emoji = SRC.find("😀").unwrap() + 4;
    let (l, c) = position_at(SRC, after_emoji, true);
    assert_eq!((l, c), (1, 23));
    client.change(URI, 2, range(1, 23, 1, 23), "!").await;
    let mut text = SRC.to_string();
    text.insert(after_emoji, '!');
    let (v, diags) = client.next_diagnostics(URI).await;
    assert_eq!((v, diags.len()), (Some(2), 1));
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 1, "character": 42}),
        "the edit landed after the emoji"
    );

    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 50}}),
        )
        .await
        .unwrap();
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("Why is this bad"));

    let actions: Vec<Value> = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": diags[0]["range"],
                   "context": {"diagnostics": [diags[0]]}}),
        )
        .await
        .unwrap()
        .as_array()
        .cloned()
        .unwrap();
    let bound = actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("a preferred fix");
    let fixed = apply_text_edits(&text, &workspace_edits_for(&bound["edit"], URI), true);
    assert!(
        fixed.contains("std::sync::mpsc::sync_channel::<u8>(16);"),
        "{fixed}"
    );
    assert!(
        fixed.contains(
            "let s = \"数据😀!\"; let (tx, rx) = std::sync::mpsc::sync_channel::<u8>(16);"
        ),
        "{fixed}"
    );

    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let (_, diags) = client.next_diagnostics(URI).await;
    assert!(diags.is_empty());
    client.shutdown_and_exit().await;

    let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait())
        .await
        .expect("distlint lsp exits after `exit`")
        .unwrap();
    assert!(status.success(), "{status:?}");
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(
        stderr.contains("initialized"),
        "logs go to stderr: {stderr}"
    );
}
