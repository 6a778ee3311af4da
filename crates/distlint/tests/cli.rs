//! End-to-end tests of the `distlint` binary: JSON output, exit codes, walking, hostile files.

use serde_json::Value;

mod cli_common;
use cli_common::{distlint, json, write};

const UNBOUNDED: &str = "use tokio::sync::mpsc;\n\nfn main() {\n    let (tx, rx) = mpsc::unbounded_channel::<u32>();\n}\n";
const BOUNDED: &str =
    "use tokio::sync::mpsc;\n\nfn main() {\n    let (tx, rx) = mpsc::channel::<u32>(8);\n}\n";

fn project() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "src/a.rs", UNBOUNDED);
    write(t.path(), "src/b.rs", BOUNDED);
    // Non-ASCII before the finding on the same line: columns count characters.
    write(
        t.path(),
        "src/c.rs",
        "fn f() { let s = \"日本語🎉\"; let (a, b) = std::sync::mpsc::channel::<u8>(); }\n",
    );
    // Ignored by .gitignore (outside a git repo too): never analysed.
    write(t.path(), ".gitignore", "generated/\n");
    write(t.path(), "generated/g.rs", UNBOUNDED);
    // Not Rust or Go: ignored by the walk.
    write(t.path(), "notes.txt", "mpsc::unbounded_channel()");
    t
}

#[test]
fn json_output_and_exit_code_one_on_findings() {
    let t = project();
    let out = distlint(t.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v = json(&out);
    assert_eq!(v["version"], 1);
    let findings = v["findings"].as_array().unwrap();
    let got: Vec<(String, u64, u64, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["end_line"].as_u64().unwrap(),
                f["end_column"].as_u64().unwrap(),
            )
        })
        .collect();
    // `mpsc::unbounded_channel::<u32>()` starts at character 20 of line 4 (1-based).
    // In c.rs the call starts after `fn f() { let s = "日本語🎉"; let (a, b) = `: 38 characters
    // (47 bytes, 39 UTF-16 code units), so at column 39.
    assert_eq!(
        got,
        vec![
            ("src/a.rs".into(), 4, 20, 4, 52),
            ("src/c.rs".into(), 1, 39, 1, 71),
        ]
    );
    for f in findings {
        assert_eq!(f["rule"], "unbounded-channel");
        assert_eq!(f["category"], "unbounded-queue");
        assert_eq!(f["severity"], "major");
        assert_eq!(f["impact"], "availability");
        assert!(f["message"].as_str().unwrap().contains("unbounded"));
    }
    assert_eq!(v["summary"]["files"], 3);
    assert_eq!(v["summary"]["findings"], 2);
    assert_eq!(v["summary"]["major"], 2);
}

#[test]
fn exit_zero_when_clean_and_paths_as_given() {
    let t = project();
    let out = distlint(t.path(), &["check", "--format", "json", "src/b.rs"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v = json(&out);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert_eq!(v["summary"]["files"], 1);

    // A file named explicitly is analysed even when .gitignore covers it.
    let out = distlint(t.path(), &["check", "--format", "json", "generated/g.rs"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["findings"][0]["path"], "generated/g.rs");
}

#[test]
fn human_output_has_headline_frame_and_summary() {
    let t = project();
    let out = distlint(t.path(), &["check", "--color", "never", "src"]);
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("src/a.rs:4:20: major[unbounded-channel] "),
        "{s}"
    );
    assert!(s.contains("mpsc::unbounded_channel::<u32>()"), "{s}");
    assert!(s.contains("^^^^^"), "{s}");
    assert!(!s.contains('\x1b'), "no colour with --color never: {s}");
    assert!(
        s.trim_end()
            .ends_with("Found 2 findings (2 major) in 3 files."),
        "{s}"
    );
    let out = distlint(t.path(), &["check", "--color", "always", "src/a.rs"]);
    assert!(String::from_utf8(out.stdout).unwrap().contains('\x1b'));
}

#[test]
fn usage_and_io_errors_exit_two() {
    let t = project();
    let out = distlint(t.path(), &["check", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does-not-exist"));
    let out = distlint(t.path(), &["check", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = distlint(t.path(), &["check", "--fail-on", "catastrophic"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn exit_zero_and_fail_on() {
    let t = project();
    let out = distlint(t.path(), &["check", "--exit-zero"]);
    assert_eq!(out.status.code(), Some(0));
    let out = distlint(t.path(), &["check", "--fail-on", "blocker"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "major findings do not fail --fail-on blocker"
    );
    let out = distlint(t.path(), &["check", "--fail-on", "major"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn hostile_files_are_reported_and_the_scan_continues() {
    let t = project();
    // Invalid UTF-8 in a comment: analysed lossily, finding still reported, warning on stderr.
    let mut bytes = b"// caf\xe9\n".to_vec();
    bytes.extend_from_slice(UNBOUNDED.as_bytes());
    write(t.path(), "src/latin1.rs", bytes);
    // Binary: skipped with a reason.
    write(t.path(), "src/bin.rs", b"fn main() {\0}\n");
    // 5,000 nested blocks (10,000 tree levels) in one function: that function is left out with
    // a warning ("analysed partially"); the function after it is analysed.
    write(
        t.path(),
        "src/deep.rs",
        format!(
            "fn deep() {{\n{}{}\n}}\n{}",
            "{".repeat(5000),
            "}".repeat(5000),
            UNBOUNDED
        ),
    );
    let out = distlint(t.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("src/latin1.rs") && err.contains("UTF-8"),
        "{err}"
    );
    assert!(
        err.contains("src/bin.rs") && err.contains("binary"),
        "{err}"
    );
    let v = json(&out);
    let lat: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "src/latin1.rs")
        .collect();
    assert_eq!(lat.len(), 1);
    assert_eq!(lat[0]["line"], 5);
    assert_eq!(v["summary"]["skipped"], 1);
    assert!(
        err.contains("warning: src/deep.rs: analysed partially: the item at line 1 nests 10003 levels deep, over the limit of 1000"),
        "{err}"
    );
    let deep: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == "src/deep.rs")
        .map(|f| f["line"].clone())
        .collect();
    assert_eq!(deep, vec![7]);
    // The same conditions are in the JSON document, not only on stderr.
    let notices: Vec<(String, String, String)> = v["notices"]
        .as_array()
        .expect("notices listed")
        .iter()
        .map(|n| {
            (
                n["level"].as_str().unwrap().to_string(),
                n["path"].as_str().unwrap_or("").to_string(),
                n["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        notices.iter().any(|(l, p, m)| l == "warning"
            && p == "src/deep.rs"
            && m.starts_with("analysed partially: the item at line 1 nests 10003 levels deep")),
        "{notices:?}"
    );
    assert!(
        notices
            .iter()
            .any(|(l, p, m)| l == "warning" && p == "src/bin.rs" && m.contains("binary")),
        "{notices:?}"
    );
    assert!(
        notices
            .iter()
            .any(|(l, p, m)| l == "warning" && p == "src/latin1.rs" && m.contains("UTF-8")),
        "{notices:?}"
    );
    // A clean run has no `notices` key at all.
    let clean = project();
    let out = distlint(clean.path(), &["check", "--format", "json"]);
    assert!(json(&out).get("notices").is_none());
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_error_but_others_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let t = project();
    write(t.path(), "src/secret.rs", UNBOUNDED);
    let p = t.path().join("src/secret.rs");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        // Running as root: permissions do not stop reads; nothing to test here.
        return;
    }
    let out = distlint(t.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("src/secret.rs"));
    assert_eq!(json(&out)["summary"]["findings"], 2);
}

#[test]
fn output_order_does_not_depend_on_thread_count() {
    let t = tempfile::tempdir().unwrap();
    for i in 0..40 {
        let body = if i % 3 == 0 { BOUNDED } else { UNBOUNDED };
        write(t.path(), &format!("m{}/f{i}.rs", i % 7), body);
    }
    let one = distlint(t.path(), &["check", "--format", "json", "-j", "1"]);
    let four = distlint(t.path(), &["check", "--format", "json", "-j", "4"]);
    assert_eq!(one.stdout, four.stdout);
    let v = json(&one);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 26);
}

#[test]
fn rules_and_explain() {
    let t = tempfile::tempdir().unwrap();
    let out = distlint(t.path(), &["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("unbounded-channel") && s.contains("unbounded-queue"),
        "{s}"
    );
    assert!(s.contains("unused-suppression"), "{s}");

    let out = distlint(t.path(), &["explain", "unbounded-channel"]);
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("## Why is this bad") && s.contains("## Use instead"),
        "{s}"
    );

    let out = distlint(t.path(), &["explain", "unbounded-chanel"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean `unbounded-channel`"),
        "{out:?}"
    );
}

#[test]
fn config_file_nearest_wins_severity_exclude_and_fix_parameters() {
    let t = project();
    write(
        t.path(),
        "distlint.toml",
        "exclude = [\"src/c.rs\"]\n\n[rules]\nunbounded-channel = \"blocker\"\n",
    );
    write(t.path(), "svc/x.rs", UNBOUNDED);
    write(
        t.path(),
        "svc/distlint.toml",
        "[rules]\nunbounded-channel = \"nit\"\n",
    );
    write(
        t.path(),
        "svc/y.rs",
        "fn f() { let (a, b) = std::sync::mpsc::channel::<u8>(); }\n",
    );
    write(
        t.path(),
        "off/distlint.toml",
        "ignore = [\"unbounded-queue\"]\n",
    );
    write(t.path(), "off/z.rs", UNBOUNDED);
    write(
        t.path(),
        "fixcfg/distlint.toml",
        "[fix]\nchannel-capacity = 16\n",
    );
    write(
        t.path(),
        "fixcfg/w.rs",
        "fn f() { let (a, b) = std::sync::mpsc::channel::<u8>(); }\n",
    );
    let out = distlint(t.path(), &["check", "--format", "json"]);
    let v = json(&out);
    let got: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("fixcfg/w.rs", "major"),
            ("src/a.rs", "blocker"),
            ("svc/x.rs", "nit"),
            ("svc/y.rs", "nit"),
        ],
        "{v}"
    );
    let fix = &v["findings"][0]["fixes"][0]["edits"];
    assert!(fix.to_string().contains("(16)"), "{fix}");

    // --config replaces discovery for every file.
    write(
        t.path(),
        "alt.toml",
        "[rules]\nunbounded-channel = \"minor\"\n",
    );
    let out = distlint(
        t.path(),
        &["check", "--format", "json", "--config", "alt.toml", "svc"],
    );
    let v = json(&out);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] == "minor"));
    assert_eq!(v["summary"]["findings"], 2);
}

#[test]
fn invalid_config_exits_two_naming_file_line_key_and_suggestion() {
    let t = project();
    write(
        t.path(),
        "distlint.toml",
        "include-tests = true\n[fix]\ntimeout-secs = 5\n",
    );
    let out = distlint(t.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no report from an invalid config");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("distlint.toml:3:1: `timeout-secs`: unknown key")
            && err.contains("did you mean `timeout-seconds`?"),
        "{err}"
    );
    let out = distlint(t.path(), &["check", "--config", "missing.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}

#[test]
fn fix_diff_prints_a_diff_and_fix_writes_safe_fixes_only() {
    let t = tempfile::tempdir().unwrap();
    let src = "fn f() {\n    // distlint:ignore unbounded-channel stale\n    let x = 1;\n    let (a, b) = std::sync::mpsc::channel::<u8>();\n}\n";
    write(t.path(), "a.rs", src);
    let out = distlint(t.path(), &["check", "--fix-diff", "--unsafe-fixes"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.starts_with("--- a/a.rs\n+++ b/a.rs\n"), "{diff}");
    assert!(
        diff.contains("-    // distlint:ignore unbounded-channel stale\n"),
        "{diff}"
    );
    assert!(
        diff.contains("+    let (a, b) = std::sync::mpsc::sync_channel::<u8>(1024);"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("a.rs")).unwrap(),
        src,
        "--fix-diff writes nothing"
    );

    // --fix without --unsafe-fixes: only the safe removal of the stale suppression.
    let out = distlint(t.path(), &["check", "--fix", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "the channel finding remains");
    let after = std::fs::read_to_string(t.path().join("a.rs")).unwrap();
    assert_eq!(
        after,
        src.replace("    // distlint:ignore unbounded-channel stale\n", "")
    );
    let v = json(&out);
    assert_eq!(v["summary"]["findings"], 1);
    assert_eq!(
        v["findings"][0]["line"], 3,
        "reported against the fixed text"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Fixed 1 finding(s) in 1 file(s)."));
}

#[test]
fn statistics_and_quiet() {
    let t = project();
    let out = distlint(t.path(), &["check", "--statistics", "--color", "never"]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.trim_end()
            .ends_with("2  unbounded-channel                major"),
        "{s}"
    );
    let out = distlint(t.path(), &["check", "--quiet", "--color", "never"]);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(!s.contains("Found"), "{s}");
    assert!(s.contains("src/a.rs:4:20"), "{s}");
    // JSON stays one document with --statistics (the table goes to stderr).
    let out = distlint(t.path(), &["check", "--statistics", "--format", "json"]);
    json(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unbounded-channel"));
}

/// Go's `testdata` directories and `_`-prefixed names are not walked (the go tool ignores them);
/// named explicitly they are analysed once test support is included (`testdata/` is test support
/// by golangci-lint's convention, see tests/roles.rs), and Rust files under `testdata/` are still
/// walked (and counted as test support).
#[test]
fn go_testdata_is_skipped_by_the_walk_but_not_when_named() {
    let t = tempfile::tempdir().unwrap();
    let go = "package main\n\nimport \"net/http\"\n\nfunc main() {\n\thttp.ListenAndServe(\":8080\", nil)\n}\n";
    write(t.path(), "cmd/server/main.go", go);
    write(t.path(), "pkg/testdata/bad.go", go);
    write(t.path(), "pkg/_scratch/old.go", go);
    write(t.path(), "pkg/testdata/lib.rs", UNBOUNDED);
    let paths = |v: &Value| {
        let mut paths: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    };
    let v = json(&distlint(t.path(), &["check", "--format", "json"]));
    assert_eq!(paths(&v), ["cmd/server/main.go"], "{v}");
    assert_eq!(v["summary"]["skipped_by_role"]["test"], 1, "{v}");
    let v = json(&distlint(
        t.path(),
        &["check", "--format", "json", "--include-role", "test"],
    ));
    assert_eq!(
        paths(&v),
        ["cmd/server/main.go", "pkg/testdata/lib.rs"],
        "{v}"
    );

    let out = distlint(
        t.path(),
        &[
            "check",
            "--format",
            "json",
            "--include-role",
            "test",
            "pkg/testdata/bad.go",
        ],
    );
    assert_eq!(paths(&json(&out)), ["pkg/testdata/bad.go"]);
}

#[test]
fn rules_and_explain_list_the_deadline_rules() {
    let t = tempfile::tempdir().unwrap();
    let out = distlint(t.path(), &["rules"]);
    let s = String::from_utf8(out.stdout).unwrap();
    for (id, lang, bound) in [
        ("grpc-call-without-deadline", "go", "WithTimeout"),
        ("reply-without-timeout", "rust", "tokio::time::timeout"),
    ] {
        let line = s
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} not listed:\n{s}"));
        assert!(
            line.contains("timeouts-deadlines") && line.contains(lang),
            "{line}"
        );
        let out = distlint(t.path(), &["explain", id]);
        assert_eq!(out.status.code(), Some(0));
        let doc = String::from_utf8(out.stdout).unwrap();
        assert!(
            doc.contains("## Known problems") && doc.contains(bound),
            "{doc}"
        );
    }
}
