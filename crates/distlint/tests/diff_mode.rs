//! `check --diff` on a temporary git repository with commits on a base branch and a feature
//! branch, plus uncommitted and untracked changes.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=distlint test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn check(dir: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_distlint"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CHAN: &str = "    let (a, b) = std::sync::mpsc::channel::<u8>();\n";

fn findings(v: &Value) -> Vec<(String, u64)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn diff_mode_reports_only_changed_lines_since_the_merge_base() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    git(d, &["init", "-q"]);
    // main: old findings everywhere.
    write(d, "src/a.rs", &format!("fn a() {{\n{CHAN}}}\n"));
    write(d, "src/b.rs", &format!("fn b() {{\n{CHAN}}}\n"));
    write(d, "src/d.rs", "fn d() {\n}\n");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    // feature: a new finding appended to a.rs (committed).
    write(
        d,
        "src/a.rs",
        &format!("fn a() {{\n{CHAN}}}\nfn a2() {{\n{CHAN}}}\n"),
    );
    git(d, &["commit", "-q", "-am", "feature work"]);
    // main moves on after the branch point: its changes are not ours.
    git(d, &["checkout", "-q", "main"]);
    write(d, "src/b.rs", &format!("fn b() {{\n{CHAN}{CHAN}}}\n"));
    git(d, &["commit", "-q", "-am", "main work"]);
    git(d, &["checkout", "-q", "feature"]);
    // Uncommitted: a tracked file edited, and an untracked file.
    write(d, "src/d.rs", &format!("fn d() {{\n{CHAN}}}\n"));
    write(d, "src/new.rs", &format!("fn n() {{\n{CHAN}}}\n"));

    let (code, v, err) = check(d, &["--format", "json", "--diff"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        findings(&v),
        vec![
            ("src/a.rs".into(), 5),
            ("src/d.rs".into(), 2),
            ("src/new.rs".into(), 2),
        ],
        "{err}"
    );
    // b.rs is outside the diff (main's change is after the merge-base): not analysed at all.
    assert_eq!(v["summary"]["files"], 3, "{v}");

    // Explicit base, and paths restrict further.
    let (_, v, _) = check(d, &["src/a.rs", "--format", "json", "--diff=main"]);
    assert_eq!(findings(&v), vec![("src/a.rs".into(), 5)]);

    // Without --diff everything is reported.
    let (_, v, _) = check(d, &["--format", "json"]);
    assert_eq!(findings(&v).len(), 5);

    // After committing and diffing against the feature branch itself: nothing changed.
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "rest"]);
    let (code, v, err) = check(d, &["--format", "json", "--diff=feature"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(v["summary"]["files"], 0);
}

#[test]
fn diff_mode_errors_are_usage_errors() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "a.rs", "fn main() {}\n");
    let (code, _, err) = check(t.path(), &["--diff"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("git repository"), "{err}");
    git(t.path(), &["init", "-q"]);
    git(t.path(), &["add", "."]);
    git(t.path(), &["commit", "-q", "-m", "x"]);
    let (code, _, err) = check(t.path(), &["--diff=no-such-branch"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no-such-branch"), "{err}");
}
