//! SARIF output validated against the official SARIF 2.1.0 JSON schema (vendored in
//! `tests/fixtures`, see its README), plus fingerprint stability across unrelated edits.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn sarif(dir: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_distlint"))
        .args(["check", "--format", "sarif"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run distlint");
    assert!(out.status.code() == Some(1), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("SARIF is JSON")
}

const SRC: &str = "use tokio::sync::mpsc;\n\nfn main() {\n    let (tx, rx) = mpsc::unbounded_channel::<u32>();\n    let (a, b) = std::sync::mpsc::channel::<u8>();\n    // distlint:ignore unbounded-channel\n    let (c, d) = std::sync::mpsc::channel::<u8>();\n    // distlint:ignore unbounded-chanel typo\n    let x = 1;\n}\n";

fn project() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("src/with space")).unwrap();
    std::fs::write(t.path().join("src/main.rs"), SRC).unwrap();
    std::fs::write(t.path().join("src/with space/é.rs"), SRC).unwrap();
    t
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let t = project();
    let log = sarif(t.path(), &[]);
    let schema: Value = serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json"))
        .expect("schema parses");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );

    // A broken log must fail (guards against a validator that accepts anything).
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));

    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let uc = rules
        .iter()
        .find(|r| r["id"] == "unbounded-channel")
        .unwrap();
    assert_eq!(uc["properties"]["category"], "unbounded-queue");
    assert_eq!(uc["defaultConfiguration"]["level"], "error");
    assert!(uc["shortDescription"]["text"].is_string());
    assert!(uc["fullDescription"]["text"].is_string());
    assert!(uc["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("## Why is this bad"));

    let results = run["results"].as_array().unwrap();
    let rule_ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(
        rule_ids,
        [
            "unbounded-channel",
            "unbounded-channel",
            "suppression-missing-reason",
            "unused-suppression"
        ]
        .repeat(2)
    );
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
    }
    // The file name with a space and a non-ASCII letter is a percent-encoded relative URI.
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/main.rs"
    );
    assert_eq!(
        results[4]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/with%20space/%C3%A9.rs"
    );
    // `std::sync::mpsc::channel` gets "Bound this channel" as a SARIF fix.
    let fix = &results[1]["fixes"][0];
    assert!(fix["description"]["text"]
        .as_str()
        .unwrap()
        .contains("Bound this channel"));
    let reps = fix["artifactChanges"][0]["replacements"]
        .as_array()
        .unwrap();
    assert!(reps
        .iter()
        .any(|r| r["insertedContent"]["text"] == "sync_channel"));
    assert_eq!(reps[0]["deletedRegion"]["startLine"], 5);
}

fn fingerprints(log: &Value) -> Vec<(String, u64, String)> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
                r["partialFingerprints"]["distlint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn partial_fingerprints_survive_unrelated_edits_and_distinguish_duplicates() {
    let t = tempfile::tempdir().unwrap();
    let body = "fn f() {\n    let (a, b) = std::sync::mpsc::channel::<u8>();\n    let (a, b) = std::sync::mpsc::channel::<u8>();\n}\n";
    std::fs::write(t.path().join("a.rs"), body).unwrap();
    let before = fingerprints(&sarif(t.path(), &[]));
    assert_eq!(before.len(), 2);
    assert_ne!(
        before[0].2, before[1].2,
        "identical lines get distinct fingerprints"
    );

    // Unrelated edit: lines inserted above, indentation changed.
    let edited = format!(
        "// a new header comment\nuse std::fmt;\n\n{}",
        body.replace("    let", "        let")
    );
    std::fs::write(t.path().join("a.rs"), edited).unwrap();
    let after = fingerprints(&sarif(t.path(), &[]));
    assert_eq!(after[0].1, before[0].1 + 3, "the line moved");
    assert_eq!(
        after.iter().map(|x| &x.2).collect::<Vec<_>>(),
        before.iter().map(|x| &x.2).collect::<Vec<_>>(),
        "fingerprints unchanged"
    );

    // A change to the flagged line itself changes its fingerprint.
    std::fs::write(
        t.path().join("a.rs"),
        body.replacen("channel::<u8>", "channel::<u16>", 1),
    )
    .unwrap();
    let changed = fingerprints(&sarif(t.path(), &[]));
    assert_ne!(changed[0].2, before[0].2);
}

/// Files analysed partially or skipped are the invocation's `toolExecutionNotifications`, and the
/// log still validates.
#[test]
fn partially_analysed_and_skipped_files_are_tool_execution_notifications() {
    let t = project();
    std::fs::write(
        t.path().join("src/deep.rs"),
        format!(
            "fn deep() {{\n{}{}\n}}\n",
            "{".repeat(5000),
            "}".repeat(5000)
        ),
    )
    .unwrap();
    std::fs::write(t.path().join("src/bin.rs"), b"fn main() {\0}\n").unwrap();
    let log = sarif(t.path(), &[]);
    let schema: Value = serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json"))
        .expect("schema parses");
    let validator = jsonschema::options()
        .build(&schema)
        .expect("schema compiles");
    assert!(validator.is_valid(&log));
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    let at = |uri: &str| {
        notes
            .iter()
            .find(|n| n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri)
            .unwrap_or_else(|| panic!("no notification for {uri}: {notes:?}"))
    };
    let deep = at("src/deep.rs");
    assert_eq!(deep["level"], "warning");
    assert!(deep["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("analysed partially"));
    assert!(at("src/bin.rs")["message"]["text"]
        .as_str()
        .unwrap()
        .contains("binary"));
    // A clean run has an invocation without notifications.
    let clean = sarif(project().path(), &[]);
    assert!(clean["runs"][0]["invocations"][0]
        .get("toolExecutionNotifications")
        .is_none());
}

/// Files skipped by role are one `note` notification (without a location) naming the counts and
/// the flag, and the log still validates.
#[test]
fn files_skipped_by_role_are_a_note_notification() {
    let t = project();
    std::fs::create_dir_all(t.path().join("tests")).unwrap();
    std::fs::create_dir_all(t.path().join("examples")).unwrap();
    std::fs::write(t.path().join("tests/it.rs"), SRC).unwrap();
    std::fs::write(t.path().join("examples/a.rs"), SRC).unwrap();
    std::fs::write(t.path().join("examples/b.rs"), SRC).unwrap();
    let log = sarif(t.path(), &[]);
    let schema: Value = serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json"))
        .expect("schema parses");
    let validator = jsonschema::options()
        .build(&schema)
        .expect("schema compiles");
    assert!(validator.is_valid(&log));
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["level"], "note");
    assert_eq!(
        notes[0]["message"]["text"],
        "skipped 2 example and 1 test-support files (not production code); `--include-role example` to analyse them, `distlint explain-path FILE` says why"
    );
    assert!(notes[0].get("locations").is_none());
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.iter().all(|u| u.starts_with("src/")), "{uris:?}");
}
