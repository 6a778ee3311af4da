//! Drives the real server the way an editor does, over an in-memory duplex pipe
//! (`distlint_server::test_client`): initialize, open, edit, hover, code actions applied to the
//! client's copy of the text, close, shutdown.

use distlint_server::test_client::{
    apply_text_edits, offset_at, position_at, range, workspace_edits_for, TestClient,
};
use serde_json::{json, Value};

const URI: &str = "file:///work/svc/src/main.rs";

const SRC: &str = "use std::sync::mpsc;\n\nfn main() {\n    let (tx, rx) = std::sync::mpsc::channel::<u8>();\n    drop((tx, rx));\n}\n";

fn caps(utf8: bool, pull: bool) -> Value {
    let mut c = json!({
        "workspace": {"workspaceEdit": {"documentChanges": true}, "configuration": true},
        "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}},
    });
    if utf8 {
        c["general"] = json!({"positionEncodings": ["utf-8", "utf-16"]});
    }
    if pull {
        c["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
        c["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    }
    c
}

fn code(d: &Value) -> &str {
    d["code"].as_str().unwrap_or("")
}

async fn code_actions(
    client: &mut TestClient,
    uri: &str,
    r: Value,
    only: Option<&str>,
) -> Vec<Value> {
    code_actions_with(client, uri, r, only, json!([])).await
}

/// `textDocument/codeAction` with `diagnostics` in the context, as editors send the ones under the cursor.
async fn code_actions_with(
    client: &mut TestClient,
    uri: &str,
    r: Value,
    only: Option<&str>,
    diagnostics: Value,
) -> Vec<Value> {
    let mut context = json!({"diagnostics": diagnostics});
    if let Some(k) = only {
        context["only"] = json!([k]);
    }
    client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": r, "context": context}),
        )
        .await
        .expect("codeAction failed")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_session_open_edit_hover_fix_close() {
    let mut client = TestClient::in_memory();
    let init = client.initialize(caps(false, false), Value::Null).await;
    let server_caps = &init["capabilities"];
    assert_eq!(server_caps["positionEncoding"], "utf-16");
    assert_eq!(
        server_caps["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(server_caps["hoverProvider"], true);
    assert!(server_caps["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .unwrap()
        .contains(&json!("source.fixAll.distlint")));
    assert!(
        server_caps.get("diagnosticProvider").is_none(),
        "push client: no pull provider"
    );

    // Open: versioned diagnostics.
    client.open(URI, "rust", 1, SRC).await;
    let (version, diags) = client.next_diagnostics(URI).await;
    assert_eq!(version, Some(1));
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(code(d), "unbounded-channel");
    assert_eq!(d["source"], "distlint");
    assert_eq!(d["severity"], 2, "major → Warning");
    assert_eq!(d["data"]["rule"], "unbounded-channel");
    let call = SRC.find("std::sync::mpsc::channel").unwrap();
    assert_eq!(d["range"]["start"], json!({"line": 3, "character": 19}));
    assert_eq!(position_at(SRC, call, false), (3, 19));

    // Edit: two lines inserted at the top; the finding moves down, with the new version.
    let mut text = SRC.to_string();
    let inserted = "// worker pool\n// (bounded soon)\n";
    client.change(URI, 2, range(0, 0, 0, 0), inserted).await;
    text.insert_str(0, inserted);
    let (version, diags) = client.next_diagnostics(URI).await;
    assert_eq!(version, Some(2));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["range"]["start"]["line"], 5);

    // Hover over the finding: title, failure scenario, use instead.
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 5, "character": 25}}),
        )
        .await
        .unwrap();
    let md = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(md.contains("Unbounded channel"), "{md}");
    assert!(md.contains("OOM-killed"), "failure scenario missing: {md}");
    assert!(md.contains("Use instead"), "{md}");
    assert_eq!(hover["range"]["start"], json!({"line": 5, "character": 19}));
    // Away from the finding: no hover.
    let none = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 3}}),
        )
        .await
        .unwrap();
    assert!(none.is_null());

    // Code actions with the cursor at the start of the line: nothing unless the editor passes the
    // line's diagnostics in the context (as VS Code and Neovim do).
    let actions = code_actions(&mut client, URI, range(5, 0, 5, 0), Some("quickfix")).await;
    assert!(actions.is_empty(), "{actions:#?}");
    let actions =
        code_actions_with(&mut client, URI, range(5, 0, 5, 0), None, json!([diags[0]])).await;
    let bound = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Bound this channel")
        })
        .unwrap_or_else(|| panic!("no Bound action in {actions:#?}"));
    assert_eq!(bound["kind"], "quickfix");
    assert_eq!(bound["isPreferred"], true);
    assert_eq!(code(&bound["diagnostics"][0]), "unbounded-channel");
    assert_eq!(
        bound["edit"]["documentChanges"][0]["textDocument"]["version"],
        2
    );
    let suppress = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Suppress"))
        .expect("suppression action");
    assert_eq!(suppress["isPreferred"], false);
    // Only unsafe fixes exist: no fix-all.
    assert!(actions
        .iter()
        .all(|a| a["kind"] != "source.fixAll.distlint"));

    // Apply "Bound this channel" on the client side and send it as the editor would (full text).
    let fixed = apply_text_edits(&text, &workspace_edits_for(&bound["edit"], URI), false);
    assert!(
        fixed.contains("let (tx, rx) = std::sync::mpsc::sync_channel::<u8>(1024);"),
        "{fixed}"
    );
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": fixed}]}),
        )
        .await;
    let (version, diags) = client.next_diagnostics(URI).await;
    assert_eq!(version, Some(3));
    assert!(diags.is_empty(), "the fix resolves the finding: {diags:#?}");

    // Back to the unbounded text, then apply the suppression action incrementally.
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 4}, "contentChanges": [{"text": text}]}),
        )
        .await;
    let (version, diags) = client.next_diagnostics(URI).await;
    assert_eq!((version, diags.len()), (Some(4), 1));
    let actions = code_actions(
        &mut client,
        URI,
        diags[0]["range"].clone(),
        Some("quickfix"),
    )
    .await;
    let suppress = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Suppress"))
        .unwrap();
    let edits = workspace_edits_for(&suppress["edit"], URI);
    assert_eq!(edits.len(), 1);
    let suppressed = apply_text_edits(&text, &edits, false);
    assert!(
        suppressed.contains("\n    // distlint:ignore unbounded-channel TODO: explain why this is safe here\n    let (tx, rx)"),
        "{suppressed}"
    );
    let e = &edits[0];
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 5},
                   "contentChanges": [{"range": e["range"], "text": e["newText"]}]}),
        )
        .await;
    let (version, diags) = client.next_diagnostics(URI).await;
    assert_eq!(version, Some(5));
    assert!(
        diags.is_empty(),
        "the engine honours the inserted suppression: {diags:#?}"
    );

    // Close: empty list.
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let (_, diags) = client.next_diagnostics(URI).await;
    assert!(diags.is_empty());
    client.shutdown_and_exit().await;
}

/// Emoji (2 UTF-16 units, 4 bytes) and CJK (1 unit, 3 bytes) before the finding on its line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_are_correct_in_utf8_and_utf16_after_emoji_and_cjk() {
    let src = "fn main() {\n    let s = \"😀漢字\"; let (tx, rx) = std::sync::mpsc::channel::<u8>();\n    drop((s, tx, rx));\n}\n";
    let call = src.find("std::sync").unwrap();
    let call_end = src.find("();").unwrap() + 2;
    let mut results = Vec::new();
    for utf8 in [false, true] {
        let mut client = TestClient::in_memory();
        let init = client.initialize(caps(utf8, false), Value::Null).await;
        assert_eq!(
            init["capabilities"]["positionEncoding"],
            if utf8 { "utf-8" } else { "utf-16" }
        );
        client.open(URI, "rust", 1, src).await;
        let (_, diags) = client.next_diagnostics(URI).await;
        assert_eq!(diags.len(), 1);
        let start = &diags[0]["range"]["start"];
        let end = &diags[0]["range"]["end"];
        assert_eq!(
            (
                start["line"].as_u64().unwrap(),
                start["character"].as_u64().unwrap()
            ),
            position_at(src, call, utf8)
        );
        assert_eq!(
            (
                end["line"].as_u64().unwrap(),
                end["character"].as_u64().unwrap()
            ),
            position_at(src, call_end, utf8)
        );
        assert_eq!(
            offset_at(src, 1, start["character"].as_u64().unwrap(), utf8),
            call
        );
        // Hover at the start of the finding lands on it in both encodings.
        let hover = client
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": URI}, "position": start}),
            )
            .await
            .unwrap();
        assert!(hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("unbounded-channel"));
        // The fix, applied by the client in its own encoding, produces the same text.
        let actions = code_actions(&mut client, URI, diags[0]["range"].clone(), None).await;
        let bound = actions
            .iter()
            .find(|a| a["title"].as_str().unwrap().starts_with("Bound"))
            .unwrap();
        let fixed = apply_text_edits(src, &workspace_edits_for(&bound["edit"], URI), utf8);
        // An edit after the emoji, expressed in this encoding, lands on the right byte.
        let (l, c) = position_at(src, call, utf8);
        client
            .change(
                URI,
                2,
                range(l as u32, c as u32, l as u32, c as u32),
                "/*x*/",
            )
            .await;
        let (v, diags) = client.next_diagnostics(URI).await;
        assert_eq!(v, Some(2));
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0]["range"]["start"]["character"].as_u64().unwrap(),
            c + 5
        );
        client.shutdown_and_exit().await;
        results.push((start["character"].as_u64().unwrap(), fixed));
    }
    assert_ne!(
        results[0].0, results[1].0,
        "UTF-16 and UTF-8 columns differ"
    );
    // 😀: 2 UTF-16 units / 4 bytes (+2); 漢, 字: 1 unit / 3 bytes each (+2 +2).
    assert_eq!(results[0].0 + 6, results[1].0);
    assert_eq!(results[0].1, results[1].1);
    assert!(results[0]
        .1
        .contains("\"😀漢字\"; let (tx, rx) = std::sync::mpsc::sync_channel::<u8>(1024);"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_and_out_of_range_edits_are_rejected_and_the_server_goes_on() {
    let mut client = TestClient::in_memory();
    client.initialize(caps(false, false), Value::Null).await;
    client.open(URI, "rust", 5, SRC).await;
    let (v, diags) = client.next_diagnostics(URI).await;
    assert_eq!((v, diags.len()), (Some(5), 1));

    // A change carrying the current version (stale) that would delete the whole channel line.
    client.change(URI, 5, range(3, 0, 4, 0), "").await;
    // A valid change: a comment at the top.
    client.change(URI, 6, range(0, 0, 0, 0), "// hi\n").await;
    let (v, diags) = client.next_diagnostics(URI).await;
    assert_eq!(v, Some(6), "the stale change published nothing");
    assert_eq!(diags.len(), 1, "the stale change was not applied");
    assert_eq!(diags[0]["range"]["start"]["line"], 4);

    // A range past the end of the document: rejected; diagnostics cleared (the server lost sync).
    client.change(URI, 7, range(100, 0, 100, 1), "boom").await;
    let (v, diags) = client.next_diagnostics(URI).await;
    assert_eq!(v, Some(7));
    assert!(diags.is_empty());
    // Further incremental edits are ignored until a full-text change resynchronises.
    client.change(URI, 8, range(0, 0, 0, 0), "// more\n").await;
    let mut text = SRC.to_string();
    text.insert_str(0, "// a\n// b\n// c\n");
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 9}, "contentChanges": [{"text": text}]}),
        )
        .await;
    let (v, diags) = client.next_diagnostics(URI).await;
    assert_eq!(
        v,
        Some(9),
        "nothing was published for the ignored version 8"
    );
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["range"]["start"]["line"], 6);

    // An unknown document: ignored; requests on it answer null.
    client
        .change("file:///nope.rs", 2, range(0, 0, 0, 0), "x")
        .await;
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///nope.rs"}, "position": {"line": 0, "character": 0}}),
        )
        .await
        .unwrap();
    assert!(hover.is_null());
    client.shutdown_and_exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rapid_edits_publish_only_current_versions_in_order() {
    let mut client = TestClient::in_memory();
    client.initialize(caps(false, false), Value::Null).await;
    client.open(URI, "rust", 1, SRC).await;
    let last = 40;
    for v in 2..=last {
        client.change(URI, v, range(0, 0, 0, 0), "\n").await;
    }
    let mut seen = Vec::new();
    loop {
        let (v, diags) = client.next_diagnostics(URI).await;
        let v = v.unwrap();
        // Each published list matches its version: the finding sits `v - 1` lines lower.
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0]["range"]["start"]["line"].as_i64().unwrap(),
            3 + v - 1
        );
        seen.push(v);
        if v == last {
            break;
        }
    }
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "versions out of order: {seen:?}"
    );
    client.shutdown_and_exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_client_gets_reports_and_no_pushes() {
    let mut client = TestClient::in_memory();
    let init = client.initialize(caps(true, true), Value::Null).await;
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "distlint"
    );
    client.open(URI, "rust", 1, SRC).await;
    let pull = |prev: Value| json!({"textDocument": {"uri": URI}, "previousResultId": prev});
    let report = client
        .request("textDocument/diagnostic", pull(Value::Null))
        .await
        .unwrap();
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"].as_array().unwrap().len(), 1);
    assert_eq!(code(&report["items"][0]), "unbounded-channel");
    let id = report["resultId"].clone();
    let again = client
        .request("textDocument/diagnostic", pull(id.clone()))
        .await
        .unwrap();
    assert_eq!(again["kind"], "unchanged");
    assert_eq!(again["resultId"], id);

    // Comment the channel out: a new full report, now empty.
    client.change(URI, 2, range(3, 4, 3, 4), "// ").await;
    let report = client
        .request("textDocument/diagnostic", pull(id.clone()))
        .await
        .unwrap();
    assert_eq!(report["kind"], "full");
    assert!(report["items"].as_array().unwrap().is_empty());

    // A configuration change asks the client to re-pull.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"distlint": {"includeTests": true}}}),
        )
        .await;
    client
        .recv_matching("workspace/diagnostic/refresh", |m| {
            m["method"] == "workspace/diagnostic/refresh"
        })
        .await;
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    client.shutdown_and_exit().await;
    let pushed: Vec<_> = client
        .drain_received()
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(pushed.is_empty(), "pull client got pushes: {pushed:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_from_initialization_options_and_did_change_configuration() {
    let mut client = TestClient::in_memory();
    client
        .initialize(
            caps(false, false),
            json!({"rules": {"unbounded-channel": "blocker"}, "fix": {"channelCapacity": 64}}),
        )
        .await;
    client.open(URI, "rust", 1, SRC).await;
    let (_, diags) = client.next_diagnostics(URI).await;
    assert_eq!(diags[0]["severity"], 1, "blocker → Error");
    let actions = code_actions(&mut client, URI, diags[0]["range"].clone(), None).await;
    assert!(
        actions
            .iter()
            .any(|a| a["title"] == "Bound this channel (capacity 64)"),
        "{actions:#?}"
    );

    // Turn the rule off: republished for the same version, empty.
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"distlint": {"rules": {"unbounded-channel": "off"}}}}),
        )
        .await;
    let (v, diags) = client.next_diagnostics(URI).await;
    assert_eq!(v, Some(1));
    assert!(diags.is_empty());

    // Pull-style configuration: `settings: null` makes the server ask workspace/configuration.
    *client.configuration.lock().unwrap() = json!({"rules": {"unbounded-channel": "minor"}});
    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": null}),
        )
        .await;
    let (v, diags) = client.next_diagnostics(URI).await;
    assert_eq!(v, Some(1));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["severity"], 3, "minor → Information");
    client.shutdown_and_exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_document_fix_with_two_edits_after_cjk_and_emoji() {
    let go_uri = "file:///w/client.go";
    let src =
        "package svc\n\nimport (\n\t\"net/http\"\n)\n\nvar c = /* 客户端 😀 */ &http.Client{}\n";
    let mut client = TestClient::in_memory();
    client.initialize(caps(false, false), Value::Null).await;
    client.open(go_uri, "go", 1, src).await;
    let (v, diags) = client.next_diagnostics(go_uri).await;
    assert_eq!(v, Some(1));
    let d = diags
        .iter()
        .find(|d| code(d) == "http-client-without-timeout")
        .unwrap_or_else(|| panic!("{diags:#?}"));
    let lit = src.find("http.Client").unwrap();
    assert_eq!(
        (
            d["range"]["start"]["line"].as_u64().unwrap(),
            d["range"]["start"]["character"].as_u64().unwrap()
        ),
        position_at(src, lit, false)
    );
    let actions =
        code_actions_with(&mut client, go_uri, d["range"].clone(), None, json!([d])).await;
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Add a timeout"))
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(fix["isPreferred"], true);
    let fixed = apply_text_edits(src, &workspace_edits_for(&fix["edit"], go_uri), false);
    assert_eq!(
        fixed,
        "package svc\n\nimport (\n\t\"net/http\"\n\t\"time\"\n)\n\nvar c = /* 客户端 😀 */ &http.Client{Timeout: 30 * time.Second}\n"
    );
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": go_uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
        )
        .await;
    let (v, diags) = client.next_diagnostics(go_uri).await;
    assert_eq!(v, Some(2));
    assert!(
        diags
            .iter()
            .all(|d| code(d) != "http-client-without-timeout"),
        "{diags:#?}"
    );

    // A document in another language is ignored without error.
    client
        .open("file:///w/notes.md", "markdown", 1, "# hi\n")
        .await;
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///w/notes.md"}, "position": {"line": 0, "character": 0}}),
        )
        .await
        .unwrap();
    assert!(hover.is_null());
    client.shutdown_and_exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_are_shown_by_key_and_the_rest_applies() {
    let mut client = TestClient::in_memory();
    client
        .initialize(
            caps(false, false),
            json!({"rules": {"unbounded-channel": "loud"}, "fix": {"channelCapacity": 8}}),
        )
        .await;
    let shown = client
        .recv_matching("window/showMessage", |m| {
            m["method"] == "window/showMessage"
        })
        .await;
    let text = shown["params"]["message"].as_str().unwrap();
    assert!(text.contains("distlint.rules.unbounded-channel"), "{text}");
    assert_eq!(shown["params"]["type"], 2, "warning");
    client.open(URI, "rust", 1, SRC).await;
    let (_, diags) = client.next_diagnostics(URI).await;
    assert_eq!(
        diags[0]["severity"], 2,
        "bad severity skipped: default applies"
    );
    let actions = code_actions(&mut client, URI, diags[0]["range"].clone(), None).await;
    assert!(actions
        .iter()
        .any(|a| a["title"] == "Bound this channel (capacity 8)"));
    client.shutdown_and_exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_applies_only_safe_fixes() {
    let src = "use std::sync::Mutex;\n\nasync fn f(m: &Mutex<u8>) {\n    let mut g = m.lock().unwrap();\n    *g += 1;\n    io().await;\n}\n\nasync fn h(m: &Mutex<u8>) {\n    let mut g = m.lock().unwrap();\n    *g += 2;\n    io().await;\n}\n\nfn c() {\n    let (tx, rx) = std::sync::mpsc::channel::<u8>();\n    drop((tx, rx));\n}\n\nasync fn io() {}\n";
    let mut client = TestClient::in_memory();
    client.initialize(caps(false, false), Value::Null).await;
    client.open(URI, "rust", 1, src).await;
    let (_, diags) = client.next_diagnostics(URI).await;
    let mut codes: Vec<&str> = diags.iter().map(code).collect();
    codes.sort();
    assert_eq!(
        codes,
        vec![
            "lock-held-across-await",
            "lock-held-across-await",
            "unbounded-channel"
        ]
    );
    let actions = code_actions(&mut client, URI, range(0, 0, 0, 0), Some("source.fixAll")).await;
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.distlint");
    let fixed = apply_text_edits(src, &workspace_edits_for(&actions[0]["edit"], URI), false);
    assert_eq!(
        fixed.matches("    drop(g);\n    io().await;").count(),
        2,
        "{fixed}"
    );
    assert!(
        fixed.contains("std::sync::mpsc::channel::<u8>()"),
        "unsafe fix not applied"
    );
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": fixed}]}),
        )
        .await;
    let (v, diags) = client.next_diagnostics(URI).await;
    assert_eq!(v, Some(2));
    assert_eq!(
        diags.iter().map(code).collect::<Vec<_>>(),
        vec!["unbounded-channel"]
    );
    client.shutdown_and_exit().await;
}

/// Client capabilities of an editor that resolves code actions lazily (VS Code, Neovim 0.10+).
fn resolving_caps() -> Value {
    let mut c = caps(false, false);
    c["textDocument"]["codeAction"] = json!({
        "dataSupport": true,
        "resolveSupport": {"properties": ["edit"]},
        "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source.fixAll"]}}
    });
    c
}

const TOKIO_SRC: &str = "use tokio::sync::mpsc;\n\nasync fn run() {\n    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();\n    tokio::spawn(async move {\n        loop {\n            tx.send(1).unwrap();\n        }\n    });\n    while let Some(v) = rx.recv().await {}\n}\n";

fn bound_action(actions: &[Value]) -> Value {
    actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap_or("")
                .starts_with("Bound this channel")
        })
        .cloned()
        .unwrap_or_else(|| panic!("no Bound action in {actions:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolving_client_gets_edits_from_code_action_resolve() {
    let mut client = TestClient::in_memory();
    let init = client.initialize(resolving_caps(), Value::Null).await;
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["resolveProvider"],
        true
    );
    client.open(URI, "rust", 1, TOKIO_SRC).await;
    let (_, diags) = client.next_diagnostics(URI).await;
    assert_eq!(
        diags.iter().map(code).collect::<Vec<_>>(),
        vec!["unbounded-channel"]
    );

    let actions = code_actions(&mut client, URI, diags[0]["range"].clone(), None).await;
    let bound = bound_action(&actions);
    assert!(
        bound.get("edit").is_none(),
        "edit must wait for resolve: {bound:#}"
    );
    assert_eq!(bound["data"]["version"], 1);
    assert_eq!(bound["data"]["rule"], "unbounded-channel");
    assert_eq!(bound["isPreferred"], true);
    assert_eq!(code(&bound["diagnostics"][0]), "unbounded-channel");
    // The suppression is one cheap insertion: always inline.
    let suppress = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Suppress"))
        .unwrap();
    assert!(suppress["edit"].is_object() && suppress.get("data").is_none());

    // Resolve, apply what came back, and the diagnostic goes away.
    let resolved = client
        .request("codeAction/resolve", bound.clone())
        .await
        .expect("resolve failed");
    assert_eq!(resolved["data"], bound["data"], "data is kept");
    assert_eq!(
        resolved["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    let edits = workspace_edits_for(&resolved["edit"], URI);
    assert!(
        edits.len() >= 3,
        "constructor name, capacity, await: {edits:#?}"
    );
    let fixed = apply_text_edits(TOKIO_SRC, &edits, false);
    assert!(fixed.contains("mpsc::channel::<u64>(1024);"), "{fixed}");
    assert!(fixed.contains("tx.send(1).await.unwrap();"), "{fixed}");
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": fixed}]}),
        )
        .await;
    let (version, diags) = client.next_diagnostics(URI).await;
    assert_eq!(version, Some(2));
    assert!(
        diags.is_empty(),
        "the resolved fix resolves the finding: {diags:#?}"
    );

    // An action without data (or already carrying its edit) comes back unchanged.
    let same = client
        .request("codeAction/resolve", suppress.clone())
        .await
        .unwrap();
    assert_eq!(&same, suppress);
    // Malformed data is a bad request, not a crash.
    let mut bad = bound.clone();
    bad["data"] = json!({"uri": 7});
    let err = client.request("codeAction/resolve", bad).await.unwrap_err();
    assert_eq!(err["code"], -32602, "{err:#}");
    client.shutdown_and_exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolving_a_stale_action_is_content_modified() {
    let mut client = TestClient::in_memory();
    client.initialize(resolving_caps(), Value::Null).await;
    client.open(URI, "rust", 1, TOKIO_SRC).await;
    let (_, diags) = client.next_diagnostics(URI).await;
    let stale =
        bound_action(&code_actions(&mut client, URI, diags[0]["range"].clone(), None).await);

    // The user types before picking the action: the action's offsets are for version 1.
    client.change(URI, 2, range(0, 0, 0, 0), "// moved\n").await;
    let (version, diags) = client.next_diagnostics(URI).await;
    assert_eq!(version, Some(2));
    let err = client
        .request("codeAction/resolve", stale.clone())
        .await
        .expect_err("a stale action must not resolve");
    assert_eq!(err["code"], -32801, "ContentModified: {err:#}");

    // Asking again gives an action for version 2 that resolves against the new text.
    let fresh =
        bound_action(&code_actions(&mut client, URI, diags[0]["range"].clone(), None).await);
    assert_eq!(fresh["data"]["version"], 2);
    let resolved = client.request("codeAction/resolve", fresh).await.unwrap();
    let text = format!("// moved\n{TOKIO_SRC}");
    let fixed = apply_text_edits(&text, &workspace_edits_for(&resolved["edit"], URI), false);
    assert!(
        fixed.starts_with("// moved\nuse tokio::sync::mpsc;"),
        "{fixed}"
    );
    assert!(fixed.contains("mpsc::channel::<u64>(1024);"), "{fixed}");

    // A closed document: nothing to resolve against.
    client
        .notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let err = client
        .request("codeAction/resolve", stale)
        .await
        .expect_err("closed document");
    assert_eq!(err["code"], -32801, "{err:#}");
    client.shutdown_and_exit().await;
}

/// The Go timeout rules' fixes insert an import, so they are deferred (computed on
/// `codeAction/resolve`, or for `source.fixAll` when safe): the edits must still arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_timeout_fixes_resolve_and_apply_with_fix_all() {
    let go_uri = "file:///w/serve.go";
    let src = "package main\n\nimport (\n\t\"net\"\n\t\"net/http\"\n)\n\nfunc main() {\n\tc, _ := net.Dial(\"tcp\", \"db:5432\")\n\t_ = c\n\t_ = http.ListenAndServe(\":80\", nil)\n}\n";
    let mut client = TestClient::in_memory();
    client.initialize(resolving_caps(), Value::Null).await;
    client.open(go_uri, "go", 1, src).await;
    let (_, diags) = client.next_diagnostics(go_uri).await;
    let d = diags
        .iter()
        .find(|d| code(d) == "dial-without-timeout")
        .unwrap_or_else(|| panic!("{diags:#?}"));
    let actions =
        code_actions_with(&mut client, go_uri, d["range"].clone(), None, json!([d])).await;
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Add a timeout (30 s)")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert!(fix.get("edit").is_none(), "edit waits for resolve: {fix:#}");
    let resolved = client
        .request("codeAction/resolve", fix.clone())
        .await
        .expect("resolve failed");
    let fixed = apply_text_edits(src, &workspace_edits_for(&resolved["edit"], go_uri), false);
    assert_eq!(
        fixed,
        src.replace("\t\"net/http\"\n", "\t\"net/http\"\n\t\"time\"\n")
            .replace(
                "net.Dial(\"tcp\", \"db:5432\")",
                "net.DialTimeout(\"tcp\", \"db:5432\", 30 * time.Second)"
            )
    );
    // Both fixes are safe: fix-all resolves them. Both insert the `time` import at the same
    // place, so it applies the first and skips the overlapping second; the next round (after
    // the import exists) applies that one.
    let actions = code_actions(
        &mut client,
        go_uri,
        range(0, 0, 0, 0),
        Some("source.fixAll"),
    )
    .await;
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let once = apply_text_edits(
        src,
        &workspace_edits_for(&actions[0]["edit"], go_uri),
        false,
    );
    assert_eq!(once, fixed);
    client
        .notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": go_uri, "version": 2}, "contentChanges": [{"text": once}]}),
        )
        .await;
    let (v, diags) = client.next_diagnostics(go_uri).await;
    assert_eq!(v, Some(2));
    let codes: Vec<&str> = diags.iter().map(code).collect();
    assert!(
        codes.contains(&"http-server-without-timeouts") && !codes.contains(&"dial-without-timeout"),
        "{codes:?}"
    );
    let actions = code_actions(
        &mut client,
        go_uri,
        range(0, 0, 0, 0),
        Some("source.fixAll"),
    )
    .await;
    let twice = apply_text_edits(
        &once,
        &workspace_edits_for(&actions[0]["edit"], go_uri),
        false,
    );
    assert!(
        twice.contains("(&http.Server{Addr: \":80\", Handler: nil, ReadHeaderTimeout: 30 * time.Second}).ListenAndServe()"),
        "{twice}"
    );
    assert_eq!(twice.matches("\"time\"").count(), 1, "{twice}");
    client.shutdown_and_exit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_without_resolve_support_gets_edits_inline() {
    // Resolve support without `dataSupport` is not enough: the data could be dropped.
    let mut c = caps(false, false);
    c["textDocument"]["codeAction"] = json!({"resolveSupport": {"properties": ["edit"]}});
    let mut client = TestClient::in_memory();
    let init = client.initialize(c, Value::Null).await;
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["resolveProvider"],
        false
    );
    client.open(URI, "rust", 1, TOKIO_SRC).await;
    let (_, diags) = client.next_diagnostics(URI).await;
    let actions = code_actions(&mut client, URI, diags[0]["range"].clone(), None).await;
    assert!(
        actions
            .iter()
            .all(|a| a["edit"].is_object() && a.get("data").is_none()),
        "{actions:#?}"
    );
    let bound = bound_action(&actions);
    let fixed = apply_text_edits(TOKIO_SRC, &workspace_edits_for(&bound["edit"], URI), false);
    assert!(fixed.contains("tx.send(1).await.unwrap();"), "{fixed}");
    client.shutdown_and_exit().await;
}

/// A function nested deeper than `max-nesting-depth` is left out; the editor shows an
/// Information diagnostic on its first line saying the document was analysed partially, next to
/// the findings of the rest, and the note goes away once the nesting is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_deeply_nested_item_is_shown_as_analysed_partially() {
    let mut client = TestClient::in_memory();
    client.initialize(caps(false, false), Value::Null).await;
    let deep = format!(
        "fn deep() {{\n{}{}\n}}\n",
        "{".repeat(5000),
        "}".repeat(5000)
    );
    let text = format!("{deep}{SRC}");
    client.open(URI, "rust", 1, &text).await;
    let (version, diags) = client.next_diagnostics(URI).await;
    assert_eq!(version, Some(1));
    let codes: Vec<&str> = diags.iter().map(code).collect();
    assert_eq!(codes, ["unbounded-channel", ""], "{diags:#?}");
    let note = &diags[1];
    assert_eq!(note["severity"], 3, "Information");
    assert_eq!(note["source"], "distlint");
    assert!(note.get("code").is_none_or(Value::is_null));
    assert!(
        note["message"]
            .as_str()
            .unwrap()
            .starts_with("analysed partially: the item at line 1 nests"),
        "{note:#?}"
    );
    assert_eq!(note["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(note["range"]["end"], json!({"line": 0, "character": 11}));

    // Delete the nested braces (line 1): the whole document is analysed again.
    client.change(URI, 2, range(1, 0, 1, 10000), "").await;
    let (version, diags) = client.next_diagnostics(URI).await;
    assert_eq!(version, Some(2));
    let codes: Vec<&str> = diags.iter().map(code).collect();
    assert_eq!(codes, ["unbounded-channel"], "{diags:#?}");
    client.shutdown_and_exit().await;
}

/// A generated file and a test-support file opened in the editor get no diagnostics by default
/// (their roles are judged below the workspace folder); `includeRoles` brings them in, and a
/// production file with the same code is reported throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_and_test_support_documents_are_silent_until_their_role_is_included() {
    const GO: &str = "package svc\n\nimport \"net/http\"\n\nvar c = &http.Client{}\n";
    let generated = "file:///proj/api/v1/svc.pb.go";
    let harness = "file:///proj/tests/e2e/client.go";
    let prod = "file:///proj/pkg/svc/client.go";
    let mut client = TestClient::in_memory();
    client
        .initialize_in(json!("file:///proj"), caps(false, false), Value::Null)
        .await;
    let gen_src = format!("// Code generated by protoc-gen-go. DO NOT EDIT.\n\n{GO}");
    client.open(generated, "go", 1, &gen_src).await;
    client.open(harness, "go", 1, GO).await;
    client.open(prod, "go", 1, GO).await;
    let (_, d) = client.next_diagnostics(prod).await;
    assert!(!d.is_empty(), "the production file is reported");
    let (v, d) = client.next_diagnostics(generated).await;
    assert_eq!(v, Some(1));
    assert!(d.is_empty(), "generated: {d:?}");
    let (_, d) = client.next_diagnostics(harness).await;
    assert!(d.is_empty(), "test support: {d:?}");

    client
        .notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"distlint": {"includeRoles": ["generated", "test"]}}}),
        )
        .await;
    let (v, d) = client.next_diagnostics(generated).await;
    assert_eq!(v, Some(1));
    assert!(
        d.iter().any(|d| code(d) == "http-client-without-timeout"),
        "generated included: {d:?}"
    );
    let (_, d) = client.next_diagnostics(harness).await;
    assert!(
        d.iter().any(|d| code(d) == "http-client-without-timeout"),
        "test support included: {d:?}"
    );
    client.shutdown_and_exit().await;
}
