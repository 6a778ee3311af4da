//! The literal prefilter (`src/prefilter.rs`) must never change a finding: each rule's
//! `literals` are a necessary condition. This test analyses every Rust and Go source it can
//! reach in the repository — the real-code fixtures (`tests/fixtures/real/`), the example
//! services (`tests/examples/`), the fix-check sources, and distlint's own crates — with every
//! rule enabled (experimental ones too), with and without test code, once with the prefilter on
//! and once off, through the full engine and through the incremental engine, and asserts
//! identical findings. (Every rule fixture string is checked the same way by the fixture harness,
//! `src/testing.rs::run`.) The corpus counterpart is `tests/corpus/prefilter.sh`.

use std::path::{Path, PathBuf};

use distlint_analysis::config::RuleLevel;
use distlint_analysis::{Analyzer, Config, Document, Language};

fn sources(dir: &Path, out: &mut Vec<(PathBuf, Language)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                sources(&path, out);
            }
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("rs") => out.push((path, Language::Rust)),
            Some("go") => out.push((path, Language::Go)),
            _ => {}
        }
    }
}

fn every_rule(include_tests: bool) -> Config {
    let mut config = Config {
        include_tests,
        ..Config::default()
    };
    for rule in distlint_analysis::rules::all() {
        config
            .rules
            .insert(rule.meta().id.to_string(), RuleLevel::Enabled);
    }
    config
}

/// Findings of `doc` with the prefilter on, asserting they equal the findings without it (full
/// and incremental engine).
fn same_both_ways(config: &Config, doc: &Document, what: &str) -> usize {
    let on = Analyzer::new(config.clone()).with_prefilter(true);
    let off = Analyzer::new(config.clone()).with_prefilter(false);
    let with = on.analyze(doc);
    let without = off.analyze(doc);
    assert_eq!(with, without, "prefilter changed the findings of {what}");
    let incremental = on.analyze_incremental(doc, None);
    assert_eq!(
        **incremental.findings(),
        without,
        "prefilter changed the incremental findings of {what}"
    );
    with.len()
}

#[test]
fn every_reachable_source_gets_the_same_findings_with_and_without_the_prefilter() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in [
        "crates/distlint-analysis/tests/fixtures/real",
        "tests/examples",
        "tests/fixcheck-go",
        "tests/fixcheck-rust/src",
        "crates",
    ] {
        sources(&repo.join(dir), &mut files);
    }
    files.sort();
    files.dedup();
    assert!(files.len() > 100, "found only {} sources", files.len());
    let configs = [every_rule(false), every_rule(true)];
    let mut findings = 0;
    for (path, language) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let doc = Document::new(*language, text, 0).with_path(path);
        for config in &configs {
            findings += same_both_ways(config, &doc, &path.display().to_string());
        }
    }
    // The comparison is only meaningful if rules fire: the examples alone have dozens.
    assert!(
        findings > 50,
        "only {findings} findings over {} files",
        files.len()
    );
}

/// Names that reach a rule's target through an import and do not contain its literals: the
/// per-file extension of the literal sets must let these units through.
#[test]
fn findings_through_renaming_imports_survive_the_prefilter() {
    let cases: &[(Language, &str, &str)] = &[
        (
            Language::Rust,
            "use tokio::sync::mpsc::unbounded_channel as uc;\nfn f() { let (tx, rx) = uc::<u8>(); }\n",
            "unbounded-channel",
        ),
        (
            Language::Rust,
            "use std::sync::mpsc::{channel as make};\nfn f() { let (tx, rx) = make::<u8>(); }\n",
            "unbounded-channel",
        ),
        (
            Language::Rust,
            "use reqwest::Client as Http;\nasync fn f() { let c = Http::new(); }\n",
            "reqwest-client-without-timeout",
        ),
        (
            Language::Rust,
            "use std::time::SystemTime as Clock;\nfn f() { let t = Clock::now(); let d = Clock::now().duration_since(t); }\n",
            "wall-clock-elapsed",
        ),
        (
            Language::Go,
            "package p\n\nimport h \"net/http\"\n\nfunc f() { h.Get(\"http://x\") }\n",
            "http-client-without-timeout",
        ),
    ];
    for (language, src, rule) in cases {
        let doc = Document::new(*language, *src, 0);
        let mut config = Config::default();
        config.rules.insert(rule.to_string(), RuleLevel::Enabled);
        let found = Analyzer::new(config.clone())
            .with_prefilter(true)
            .analyze(&doc);
        assert!(
            found.iter().any(|f| f.rule == *rule),
            "{rule} did not fire through the import in:\n{src}\n{found:#?}"
        );
        same_both_ways(&config, &doc, src);
    }
}
