//! The server honours `distlint.toml` like the CLI (nearest file wins, `exclude`), editor settings
//! override it key by key, and a changed file (watched) re-analyses open documents.

use std::path::Path;

use distlint_server::test_client::TestClient;
use serde_json::{json, Value};

const SRC: &str =
    "fn main() {\n    let (tx, rx) = std::sync::mpsc::channel::<u8>();\n    drop((tx, rx));\n}\n";

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn severities(diags: &[Value]) -> Vec<i64> {
    diags
        .iter()
        .map(|d| d["severity"].as_i64().unwrap())
        .collect()
}

async fn watched_change(client: &mut TestClient, file: &Path) {
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri(file), "type": 2}]}),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distlint_toml_nearest_wins_settings_override_and_changes_are_watched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for sub in ["src", "gen", "sub"] {
        std::fs::create_dir(root.join(sub)).unwrap();
    }
    let root_toml = root.join("distlint.toml");
    std::fs::write(
        &root_toml,
        "exclude = [\"gen/**\"]\n\n[rules]\nunbounded-channel = \"blocker\"\n\n[fix]\nchannel-capacity = 7\n",
    )
    .unwrap();
    let sub_toml = root.join("sub/distlint.toml");
    std::fs::write(&sub_toml, "[rules]\nunbounded-channel = \"off\"\n").unwrap();

    let mut client = TestClient::in_memory();
    client
        .initialize_in(
            json!(uri(&root)),
            json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
            Value::Null,
        )
        .await;
    let reg = client
        .recv_matching("client/registerCapability", |m| {
            m["method"] == "client/registerCapability"
        })
        .await;
    assert_eq!(
        reg["params"]["registrations"][0]["registerOptions"]["watchers"][0]["globPattern"],
        "**/distlint.toml"
    );

    let main = uri(&root.join("src/main.rs"));
    let generated = uri(&root.join("gen/x.rs"));
    let nested = uri(&root.join("sub/y.rs"));
    client.open(&main, "rust", 1, SRC).await;
    client.open(&generated, "rust", 1, SRC).await;
    client.open(&nested, "rust", 1, SRC).await;
    let (_, d) = client.next_diagnostics(&main).await;
    assert_eq!(severities(&d), vec![1], "root distlint.toml: blocker");
    let (_, d) = client.next_diagnostics(&generated).await;
    assert!(d.is_empty(), "gen/** is excluded");
    let (_, d) = client.next_diagnostics(&nested).await;
    assert!(d.is_empty(), "sub/distlint.toml turns the rule off");

    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": main}, "range": {"start": {"line": 1, "character": 20}, "end": {"line": 1, "character": 20}}, "context": {"diagnostics": []}}),
        )
        .await
        .unwrap();
    assert!(
        actions
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["title"] == "Bound this channel (capacity 7)"),
        "[fix] channel-capacity from the file: {actions:#}"
    );

    // The root file changes: re-analysed and republished.
    std::fs::write(&root_toml, "[rules]\nunbounded-channel = \"minor\"\n").unwrap();
    watched_change(&mut client, &root_toml).await;
    loop {
        let (_, d) = client.next_diagnostics(&main).await;
        if severities(&d) == vec![3] {
            break;
        }
    }
    // gen/ is no longer excluded.
    loop {
        let (_, d) = client.next_diagnostics(&generated).await;
        if severities(&d) == vec![3] {
            break;
        }
    }

    // Editor settings override the files, nested ones included.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"distlint": {"rules": {"unbounded-channel": "major"}}}}),
        )
        .await;
    loop {
        let (_, d) = client.next_diagnostics(&nested).await;
        if severities(&d) == vec![2] {
            break;
        }
    }

    // An invalid file is shown to the user with its line and the nearest key; analysis goes on.
    std::fs::write(&sub_toml, "[rules]\nunbounded-chanel = \"off\"\n").unwrap();
    watched_change(&mut client, &sub_toml).await;
    let shown = client
        .recv_matching("window/showMessage", |m| {
            m["method"] == "window/showMessage"
        })
        .await;
    let message = shown["params"]["message"].as_str().unwrap();
    assert_eq!(shown["params"]["type"], 1, "error");
    assert!(message.contains("sub/distlint.toml:2"), "{message}");
    assert!(message.contains("unbounded-channel"), "{message}");
    loop {
        let (_, d) = client.next_diagnostics(&nested).await;
        if severities(&d) == vec![2] {
            break;
        }
    }
    client.shutdown_and_exit().await;
}
