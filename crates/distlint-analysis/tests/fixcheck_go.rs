//! Go fixes compile (issue 5): every Go file under `tests/fixcheck-go/` is type-checked with
//! `go vet` in GOPATH mode before and after applying, one at a time with re-analysis in between,
//! every fix any rule offers (safe and unsafe); `fix_coverage.rs` checks which fixes each file
//! gets. Third-party imports (github.com/google/uuid, go-retryablehttp, grpc) come from Debian's
//! `golang-*-dev` packages under /usr/share/gocode.
//!
//! Needs `go` (Debian `golang-go`, installed by `.ci/run`). Without it the test prints why and
//! passes, except under `DISTLINT_CI=1`, where a missing toolchain is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use distlint_analysis::config::Config;
use distlint_analysis::document::Document;
use distlint_analysis::language::Language;
use distlint_analysis::rule::{Applicability, Fix};
use distlint_analysis::Analyzer;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixcheck-go")
}

fn go_available() -> bool {
    Command::new("go")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// `go vet fixcheck/<pkg>` in GOPATH mode; `Err(output)` when it fails.
fn go_vet(gopath: &Path, pkg: &str) -> Result<(), String> {
    let out = Command::new("go")
        .args(["vet", &format!("fixcheck/{pkg}")])
        .env("GO111MODULE", "off")
        .env("GOPATH", format!("{}:/usr/share/gocode", gopath.display()))
        .env("GOCACHE", gopath.join("cache"))
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn apply(source: &str, fix: &Fix) -> String {
    let mut out = source.to_string();
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    for e in edits {
        out.replace_range(e.range.clone(), &e.replacement);
    }
    out
}

/// Applies the first fix offered (any rule, safe or unsafe; suppression insertions are not
/// fixes), re-analyses, repeats (at most 50 passes), as `check --fix --unsafe-fixes` does but one
/// fix per pass. Returns the fixed text and the titles applied.
fn fix_all(source: &str) -> (String, Vec<String>) {
    let analyzer = Analyzer::new(Config::default());
    let mut text = source.to_string();
    let mut applied = Vec::new();
    for _ in 0..50 {
        let doc = Document::new(Language::Go, text.as_str(), 0);
        let findings = analyzer.analyze_with_fixes(&doc);
        let Some(fix) = findings.iter().find_map(|f| {
            f.fixes
                .iter()
                .find(|x| x.applicability != Applicability::Manual)
        }) else {
            return (text, applied);
        };
        applied.push(fix.title.clone());
        text = apply(&text, fix);
    }
    panic!("fixes did not converge after 50 passes:\n{text}");
}

#[test]
fn go_fixes_keep_fixtures_compiling() {
    if !go_available() {
        assert!(
            std::env::var("DISTLINT_CI").is_err(),
            "`go` not found: .ci/run installs golang-go"
        );
        eprintln!("skipping: `go` not found (apt-get install golang-go)");
        return;
    }
    let tmp = tempdir();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixcheck-go exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "go"))
        .collect();
    entries.sort();
    for path in entries {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let source = std::fs::read_to_string(&path).unwrap();
        let dir = tmp.join("src/fixcheck").join(&stem);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("main.go");
        std::fs::write(&file, &source).unwrap();
        if let Err(e) = go_vet(&tmp, &stem) {
            panic!("{stem}.go does not vet before the fixes:\n{e}");
        }
        let (fixed, applied) = fix_all(&source);
        assert!(!applied.is_empty(), "{stem}.go: no fix was offered");
        assert_ne!(fixed, source, "{stem}.go: fixes changed nothing");
        std::fs::write(&file, &fixed).unwrap();
        if let Err(e) = go_vet(&tmp, &stem) {
            panic!(
                "{stem}.go does not vet after the fixes {applied:?}:\n{e}\n--- fixed ---\n{fixed}"
            );
        }
        eprintln!("{stem}.go: vets before and after {applied:?}");
        // Applying again changes nothing.
        let (again, more) = fix_all(&fixed);
        assert!(
            more.is_empty() && again == fixed,
            "{stem}.go: fixes are not idempotent: {more:?}"
        );
        checked += 1;
    }
    assert!(checked >= 5, "expected the fixture files, found {checked}");
    let _ = std::fs::remove_dir_all(&tmp);
}

fn tempdir() -> PathBuf {
    let p = std::env::temp_dir().join(format!(
        "distlint-fixcheck-go-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&p).unwrap();
    p
}
