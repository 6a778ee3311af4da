//! Every fix has compile fixtures, and docs/cli.md's fix table matches the registry (issue 5).
//!
//! `tests/fixcheck-rust/src/*.rs` (compiled before and after the fixes by
//! `tests/fixcheck-rust/run.sh`) and `tests/fixcheck-go/*.go` (`go vet` before and after, in
//! `fixcheck_go.rs`) are run through the same fix loop as `distlint check --fix --unsafe-fixes`:
//! apply the first non-manual fix offered, re-analyse, repeat. This test (no compiler needed)
//! asserts that
//!
//! - every rule whose docs describe a fix (`RuleDocs::fix` non-empty) offers one in those
//!   fixtures, so a rule change that silences a fixture (or a new fixer without a fixture) fails
//!   here instead of quietly shrinking what the compile checks cover;
//! - each fixture file gets the fixes listed in [`EXPECTED`], and none of them is a partial
//!   "constructor only" fix (those need hand edits and are not expected to compile);
//! - each rule's `fix` docs name the safety of the fixes it offers ("safe"/"unsafe");
//! - the table between `<!-- fix-table:start -->` and `<!-- fix-table:end -->` in docs/cli.md is
//!   exactly the one rendered from the registry and the observed fixes. Regenerate it with
//!   `DISTLINT_BLESS=1 cargo test -p distlint-analysis --test fix_coverage`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use distlint_analysis::catalog::{all_metas, is_pseudo_rule, language_label};
use distlint_analysis::{Analyzer, Applicability, Config, Document, Fix, Language};

/// Per fixture file: `(rule id, title prefix, times applied)` that the fix loop must apply.
const EXPECTED: &[(&str, &[(&str, &str, usize)])] = &[
    (
        "fixcheck-rust/src/channels.rs",
        &[("unbounded-channel", "Bound this channel", 4)],
    ),
    (
        "fixcheck-rust/src/tokio_worker.rs",
        &[("unbounded-channel", "Bound this channel (capacity", 1)],
    ),
    (
        "fixcheck-rust/src/tokio_pump.rs",
        &[("unbounded-channel", "Bound this channel (capacity", 1)],
    ),
    (
        "fixcheck-rust/src/futures_channels.rs",
        &[("unbounded-channel", "Bound this channel (capacity", 1)],
    ),
    (
        "fixcheck-rust/src/clocks.rs",
        &[("wall-clock-elapsed", "Use a monotonic clock", 2)],
    ),
    (
        "fixcheck-rust/src/fanout.rs",
        &[("unbounded-fanout", "Cap the fan-out", 2)],
    ),
    (
        "fixcheck-rust/src/grpc.rs",
        &[("connect-without-timeout", "Add a timeout", 2)],
    ),
    (
        "fixcheck-rust/src/locks.rs",
        &[(
            "lock-held-across-await",
            "Release the lock before awaiting",
            1,
        )],
    ),
    (
        "fixcheck-rust/src/quorum.rs",
        &[("quorum-math", "Majority", 2)],
    ),
    (
        "fixcheck-rust/src/retries.rs",
        &[
            ("retry-backoff", "Add jitter (`.with_jitter()`)", 1),
            (
                "retry-backoff",
                "Add jitter (`.map(tokio_retry::strategy::jitter)`)",
                1,
            ),
            ("retry-idempotency", "Add an idempotency key", 1),
            (
                "retry-idempotency",
                "Add an idempotency key (create it once",
                1,
            ),
        ],
    ),
    (
        "fixcheck-rust/src/suppressions.rs",
        &[("unused-suppression", "Remove unused", 2)],
    ),
    (
        "fixcheck-rust/src/timeouts.rs",
        &[
            ("reqwest-client-without-timeout", "Add a timeout", 3),
            ("connect-without-timeout", "Bound the wait", 1),
        ],
    ),
    (
        "fixcheck-go/client.go",
        &[("http-client-without-timeout", "Add a timeout", 2)],
    ),
    (
        "fixcheck-go/context.go",
        &[
            ("request-without-context", "Pass the caller's context", 1),
            ("context-not-propagated", "Pass the caller's context", 1),
        ],
    ),
    (
        "fixcheck-go/dial.go",
        &[("dial-without-timeout", "Add a timeout", 1)],
    ),
    (
        "fixcheck-go/dial_net.go",
        &[("dial-without-timeout", "Add a timeout", 1)],
    ),
    (
        "fixcheck-go/grpc_call.go",
        &[("grpc-call-without-deadline", "Add a deadline", 1)],
    ),
    (
        "fixcheck-go/handler.go",
        &[("context-not-propagated", "Pass the caller's context", 1)],
    ),
    (
        "fixcheck-go/idempotency_move.go",
        &[("retry-idempotency-go", "Add an idempotency key (move", 1)],
    ),
    (
        "fixcheck-go/idempotency_retryablehttp.go",
        &[("retry-idempotency-go", "Add an idempotency key", 1)],
    ),
    (
        "fixcheck-go/idempotency_rand.go",
        &[(
            "retry-idempotency-go",
            "Add an idempotency key (created once",
            1,
        )],
    ),
    (
        "fixcheck-go/idempotency_uuid.go",
        &[(
            "retry-idempotency-go",
            "Add an idempotency key (created once",
            1,
        )],
    ),
    (
        "fixcheck-go/quorum.go",
        &[("quorum-math-go", "Majority", 3)],
    ),
    (
        "fixcheck-go/server.go",
        &[
            (
                "http-server-without-timeouts",
                "Add a timeout (ReadHeaderTimeout",
                1,
            ),
            (
                "http-server-without-timeouts",
                "Add a timeout (use an http.Server",
                2,
            ),
        ],
    ),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One fix the loop saw offered.
#[derive(Debug, Clone)]
struct Offered {
    rule: &'static str,
    title: String,
    applicability: Applicability,
}

/// The fix loop of `check --fix --unsafe-fixes`, one fix per pass: returns every non-manual fix
/// offered in any pass and the `(rule, title)` of those applied.
fn fix_loop(language: Language, source: &str) -> (Vec<Offered>, Vec<(&'static str, String)>) {
    let analyzer = Analyzer::new(Config::default());
    let mut text = source.to_string();
    let (mut offered, mut applied) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        let doc = Document::new(language, text.as_str(), 0);
        let findings = analyzer.analyze_with_fixes(&doc);
        for f in &findings {
            for x in f
                .fixes
                .iter()
                .filter(|x| x.applicability != Applicability::Manual)
            {
                offered.push(Offered {
                    rule: f.rule,
                    title: x.title.clone(),
                    applicability: x.applicability,
                });
            }
        }
        let Some((rule, fix)) = findings.iter().find_map(|f| {
            f.fixes
                .iter()
                .find(|x| x.applicability != Applicability::Manual)
                .map(|x| (f.rule, x))
        }) else {
            return (offered, applied);
        };
        applied.push((rule, fix.title.clone()));
        text = apply(&text, fix);
    }
    panic!("fixes did not converge after 50 passes:\n{text}");
}

fn apply(source: &str, fix: &Fix) -> String {
    let mut out = source.to_string();
    for e in fix.edits.iter().rev() {
        out.replace_range(e.range.clone(), &e.replacement);
    }
    out
}

/// Every fixture file under `tests/`, relative to it (`fixcheck-rust/src/x.rs`).
fn fixture_files() -> Vec<(String, Language)> {
    let mut out = Vec::new();
    for (dir, ext, lang) in [
        ("fixcheck-rust/src", "rs", Language::Rust),
        ("fixcheck-go", "go", Language::Go),
    ] {
        for e in std::fs::read_dir(repo().join("tests").join(dir)).expect("fixture dir") {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.extension().is_some_and(|x| x == ext) && name != "lib.rs" {
                out.push((format!("{dir}/{name}"), lang));
            }
        }
    }
    out.sort();
    out
}

/// Runs the loop over every fixture file: offered fixes overall, applied fixes per file.
fn observe() -> (Vec<Offered>, BTreeMap<String, Vec<(&'static str, String)>>) {
    let mut offered = Vec::new();
    let mut applied = BTreeMap::new();
    for (file, lang) in fixture_files() {
        let src = std::fs::read_to_string(repo().join("tests").join(&file)).unwrap();
        let (o, a) = fix_loop(lang, &src);
        offered.extend(o);
        applied.insert(file, a);
    }
    (offered, applied)
}

#[test]
fn every_fixture_file_gets_its_expected_fixes() {
    let (_, applied) = observe();
    let listed: BTreeSet<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    for file in applied.keys() {
        assert!(
            listed.contains(file.as_str()),
            "{file}: add its expected fixes to EXPECTED"
        );
    }
    for (file, want) in EXPECTED {
        let got = applied
            .get(*file)
            .unwrap_or_else(|| panic!("fixture {file} is missing"));
        // Each applied fix counts for the entry with the longest matching title prefix.
        let mut counts = vec![0usize; want.len()];
        for (rule, title) in got {
            let best = want
                .iter()
                .enumerate()
                .filter(|(_, (r, t, _))| r == rule && title.starts_with(t))
                .max_by_key(|(_, (_, t, _))| t.len())
                .map(|(k, _)| k);
            match best {
                Some(k) => counts[k] += 1,
                None => panic!("{file}: `{rule}` applied {title:?}, which EXPECTED does not list"),
            }
        }
        let wanted: Vec<usize> = want.iter().map(|(_, _, n)| *n).collect();
        assert_eq!(
            counts, wanted,
            "{file}: applied fixes per EXPECTED entry {want:?} differ; applied: {got:#?}"
        );
        for (rule, title) in got {
            assert!(
                !title.contains("constructor only"),
                "{file}: `{rule}` offered only a partial fix: {title}"
            );
        }
    }
}

#[test]
fn every_rule_with_a_documented_fix_offers_it_in_the_fixtures() {
    let (offered, _) = observe();
    for meta in all_metas() {
        let has_docs = !meta.docs.fix.trim().is_empty();
        let seen: Vec<&Offered> = offered.iter().filter(|o| o.rule == meta.id).collect();
        if has_docs {
            assert!(
                !seen.is_empty(),
                "`{}` documents a fix but offers none in tests/fixcheck-*: add a fixture",
                meta.id
            );
        }
        if !has_docs {
            assert!(
                seen.is_empty(),
                "`{}` offers {:?} but its docs say it only offers a suppression",
                meta.id,
                seen.iter().map(|o| &o.title).collect::<Vec<_>>()
            );
        }
        let docs = meta.docs.fix.to_ascii_lowercase();
        let says_unsafe = docs.contains("unsafe");
        let says_safe = docs
            .match_indices("safe")
            .any(|(i, _)| i < 2 || &docs[i - 2..i] != "un");
        for o in &seen {
            let ok = match o.applicability {
                Applicability::Safe => says_safe,
                Applicability::Unsafe => says_unsafe,
                Applicability::Manual => true,
            };
            assert!(
                ok,
                "`{}` offers {:?} ({:?}) but its fix docs do not say so: {:?}",
                meta.id, o.title, o.applicability, meta.docs.fix
            );
        }
    }
}

#[test]
fn every_rule_file_with_a_fix_tests_it_with_check_fix() {
    // `testing::check_fix` is the harness that applies a fix and checks re-parse, re-analysis and
    // idempotence; a rule that builds fixes without calling it skips those checks.
    let dir = repo().join("crates/distlint-analysis/src/rules");
    let mut checked = 0;
    for lang in ["rust", "go"] {
        for e in std::fs::read_dir(dir.join(lang)).unwrap() {
            let p = e.unwrap().path();
            // A rule is a file or, split the way clippy splits its large lints, a folder
            // (`unbounded_channel/{mod.rs, bounds.rs, follow.rs, tests.rs}`): read all of it.
            let src = if p.is_dir() {
                let mut files: Vec<_> = std::fs::read_dir(&p)
                    .unwrap()
                    .map(|f| f.unwrap().path())
                    .filter(|f| f.extension().is_some_and(|x| x == "rs"))
                    .collect();
                files.sort();
                files
                    .iter()
                    .map(|f| std::fs::read_to_string(f).unwrap())
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                std::fs::read_to_string(&p).unwrap()
            };
            if src.contains("Fix::new(") || src.contains("Fix::deferred(") {
                checked += 1;
                assert!(
                    src.contains("check_fix(") || src.contains("check_fix_with("),
                    "{}: builds fixes but no test calls testing::check_fix",
                    p.display()
                );
            }
        }
    }
    assert!(checked >= 15, "found only {checked} rule files with fixes");
}

/// A fix title without its parameters: "Add a timeout (30 s)" → "Add a timeout".
fn family(title: &str) -> &str {
    title.split(" (").next().unwrap_or(title).trim()
}

/// The fix table, one row per rule in registry order (pseudo-rules last).
fn render_table(offered: &[Offered]) -> String {
    let mut s = String::from(
        "| rule | language | safe fix (fix-all, `--fix`) | unsafe fix (quick fix, `--unsafe-fixes`) |\n|---|---|---|---|\n",
    );
    for meta in all_metas() {
        let names = |a: Applicability| -> String {
            let set: BTreeSet<&str> = offered
                .iter()
                .filter(|o| o.rule == meta.id && o.applicability == a)
                .map(|o| family(&o.title))
                .collect();
            set.into_iter().collect::<Vec<_>>().join("; ")
        };
        let (safe, unsafe_) = (names(Applicability::Safe), names(Applicability::Unsafe));
        let (safe, unsafe_) = if safe.is_empty() && unsafe_.is_empty() {
            ("*suppression only*".to_string(), String::new())
        } else {
            (safe, unsafe_)
        };
        let lang = if is_pseudo_rule(meta.id) {
            "any"
        } else {
            language_label(meta)
        };
        s.push_str(&format!(
            "| `{}` | {lang} | {safe} | {unsafe_} |\n",
            meta.id
        ));
    }
    s
}

#[test]
fn docs_fix_table_matches_the_registry() {
    let (offered, _) = observe();
    let table = render_table(&offered);
    let path = repo().join("docs/cli.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- fix-table:start -->\n", "<!-- fix-table:end -->");
    let i = doc
        .find(start)
        .expect("docs/cli.md has the fix-table start marker")
        + start.len();
    let j = doc
        .find(end)
        .expect("docs/cli.md has the fix-table end marker");
    if doc[i..j] != table {
        if std::env::var("DISTLINT_BLESS").is_ok() {
            let mut new = doc.clone();
            new.replace_range(i..j, &table);
            std::fs::write(&path, new).unwrap();
            return;
        }
        panic!(
            "docs/cli.md's fix table is out of date; run `DISTLINT_BLESS=1 cargo test -p distlint-analysis --test fix_coverage`.\n--- expected ---\n{table}"
        );
    }
}
