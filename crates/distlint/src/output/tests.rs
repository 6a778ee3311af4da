//! Snapshot tests (insta) of every report format on the same two files. Only `unbounded-channel`
//! and the suppression pseudo-rules run, so the snapshots change only when those do.

use std::path::PathBuf;

use distlint_analysis::config::{Config, RuleLevel};
use distlint_analysis::{Analyzer, Document, Language};

use super::Report;
use crate::cli::{CheckArgs, ColorChoice, Format};
use crate::report::report_for;

const RUST: &str = r#"use tokio::sync::mpsc;

pub fn start() {
    // Jobs arrive per HTTP request.
    let (tx, rx) = mpsc::unbounded_channel::<String>();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    // distlint:ignore unbounded-channel
    let (a, b) = crossbeam_channel::unbounded::<u8>();
    let s = "日本語"; let (c, d) = flume::unbounded::<u8>(); // distlint:ignore unbounded-channel one per worker, 4 workers
}
"#;

const GO: &str = r#"package main

// distlint:ignore-file http-client-without-timeuot vendored client
func main() {}
"#;

fn report() -> Report {
    let mut config = Config::default();
    for m in distlint_analysis::catalog::all_metas() {
        if !distlint_analysis::catalog::is_pseudo_rule(m.id) {
            config.rules.insert(m.id.to_string(), RuleLevel::Off);
        }
    }
    config
        .rules
        .insert("unbounded-channel".into(), RuleLevel::Enabled);
    let analyzer = Analyzer::new(config);
    let files = vec![
        report_for(
            "cmd/api/main.go".into(),
            &Document::new(Language::Go, GO, 0).with_path("cmd/api/main.go"),
            &analyzer,
        ),
        report_for(
            "src/queue.rs".into(),
            &Document::new(Language::Rust, RUST, 0).with_path("src/queue.rs"),
            &analyzer,
        ),
    ];
    Report {
        files,
        skipped: 0,
        skipped_by_role: Default::default(),
        errors: 0,
        notices: Vec::new(),
    }
}

fn render(format: Format) -> String {
    let args = CheckArgs {
        paths: vec![PathBuf::from(".")],
        format,
        color: ColorChoice::Never,
        config: None,
        diff: None,
        exit_zero: false,
        fail_on: None,
        statistics: false,
        quiet: false,
        threads: None,
        fix: false,
        unsafe_fixes: false,
        fix_diff: false,
        no_progress: true,
        include_roles: Vec::new(),
    };
    let mut out = Vec::new();
    super::write(&mut out, &report(), &args).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn human() {
    insta::assert_snapshot!(render(Format::Human));
}

#[test]
fn json() {
    insta::assert_snapshot!(render(Format::Json));
}

#[test]
fn sarif() {
    // The rules array is long (every rule's docs); snapshot the results and one descriptor.
    let v: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    let run = &v["runs"][0];
    let uc = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "unused-suppression")
        .unwrap()
        .clone();
    // ruleIndex moves whenever a rule is added: check it points at the result's rule, then
    // leave it out of the snapshot.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let mut results = run["results"].clone();
    for r in results.as_array_mut().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        r.as_object_mut().unwrap().remove("ruleIndex");
    }
    let summary = serde_json::json!({
        "version": v["version"],
        "$schema": v["$schema"],
        "columnKind": run["columnKind"],
        "driver.name": run["tool"]["driver"]["name"],
        "rule unused-suppression": uc,
        "results": results,
    });
    insta::assert_snapshot!(serde_json::to_string_pretty(&summary).unwrap());
}

#[test]
fn github() {
    insta::assert_snapshot!(render(Format::Github));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(render(Format::Markdown));
}
