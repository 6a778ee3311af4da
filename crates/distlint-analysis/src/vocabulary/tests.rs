//! The vocabulary's own invariants: no two constants hold the same entries (a list two rules share
//! is one constant), and the rules and facts declare no word lists of their own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `(name, entries)` of every `pub const NAME: &[&str] = &[...]` in `source`.
fn constants(source: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for part in source.split("pub const ").skip(1) {
        let name = part.split(':').next().unwrap_or("").trim().to_string();
        let body = part
            .split_once('=')
            .and_then(|(_, value)| value.split_once("&["))
            .and_then(|(_, b)| b.split("];").next());
        let Some(body) = body else { continue };
        let entries = body
            .split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        out.push((name, entries));
    }
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_two_constants_hold_the_same_entries() {
    let mut all = Vec::new();
    for file in ["mod.rs", "rust.rs", "go.rs"] {
        let text = std::fs::read_to_string(src().join("vocabulary").join(file)).unwrap();
        for (name, entries) in constants(&text) {
            all.push((format!("{file}: {name}"), entries));
        }
    }
    assert!(all.len() > 90, "only {} constants found", all.len());
    for (i, (a, ea)) in all.iter().enumerate() {
        assert!(!ea.is_empty(), "{a} has no entries");
        let sa: BTreeSet<&String> = ea.iter().collect();
        for (b, eb) in &all[i + 1..] {
            let sb: BTreeSet<&String> = eb.iter().collect();
            assert_ne!(
                sa, sb,
                "{a} and {b} hold the same entries: make them one constant"
            );
        }
    }
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn rules_and_facts_declare_no_word_lists_of_their_own() {
    // Not vocabulary: tree-sitter node kinds, and a rule's prefilter literals.
    const NOT_WORDS: &[&str] = &["FUNCTION_KINDS", "NAME_PARTS"];
    let mut files = Vec::new();
    rust_files(&src().join("rules"), &mut files);
    rust_files(&src().join("facts"), &mut files);
    assert!(files.len() > 50, "only {} files", files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for line in text.lines() {
            let decl = line
                .strip_prefix("pub const ")
                .or_else(|| line.strip_prefix("const "))
                .or_else(|| line.strip_prefix("pub(crate) const "));
            let Some(decl) = decl else { continue };
            if !decl.contains(": &[&str] =") {
                continue;
            }
            let name = decl.split(':').next().unwrap_or("");
            assert!(
                NOT_WORDS.contains(&name),
                "{}: `{name}` is a word list; move it to crate::vocabulary",
                f.display()
            );
        }
    }
}
