//! The literal prefilter: which rules can possibly fire on a piece of text, found in one pass.
//!
//! Every rule may declare literals ([`Rule::literals`]): groups of strings such that a unit's
//! text (the whole file's, for [`crate::rule::Scope::File`] rules) must contain at least one
//! literal of *every* group for the rule to possibly report anything there. The declaration is a
//! *necessary* condition, never a heuristic: a rule skipped by the prefilter would have returned
//! no findings. The engine ([`crate::engine`]) and the incremental engine
//! ([`crate::engine::incremental`]) scan each unit once with one automaton over the literals of every
//! rule of the language that the configuration enables (one [`Prefilter`] per analyzer and
//! language), and call only the rules whose groups are all satisfied.
//!
//! # Matching
//!
//! Literals match ASCII case-insensitively (`"lock"` also matches `Lock`, `RLock`, `LOCK`). That
//! makes the condition weaker than each rule's own (case-sensitive) test, so it stays necessary
//! and a declaration never has to spell every capitalisation. Literals should not contain `::`
//! or `.` when they stand for a path segment (see below).
//!
//! # Imports rename callees
//!
//! A rule that recognises `tokio::sync::mpsc::unbounded_channel` through the file's imports also
//! fires on `uc()` after `use tokio::sync::mpsc::unbounded_channel as uc;`, whose text contains
//! none of the rule's literals. So for each file the literal set of a group is extended with
//! every imported local name whose import path contains one of the group's literals
//! ([`Imports::names`]: Rust `use` names and aliases, Go package names and aliases), and a group
//! counts as satisfied everywhere in the file when a glob import (Rust `use a::b::*`, Go dot
//! import) has a path containing one of its literals (a bare name may then resolve through it).
//! This is exact for how [`Imports::resolve_rust`] and the Go helpers resolve names: a resolved
//! path is an import path with the remaining segments of the text appended, so a literal in the
//! resolved path is in the text, in the import path of the text's first segment, or in a glob.
//!
//! # Why `aho-corasick`
//!
//! A unit is scanned for ~100 literals at once; BurntSushi's `aho-corasick` crate (also the
//! engine behind `regex`'s literal optimisations, already in our dependency tree through
//! `globset`) builds one automaton (with SIMD prefilters for rare bytes) that reports every
//! literal occurrence, overlapping ones included, in a single pass over the text. A hand-written
//! loop of `str::contains` would scan each unit once per literal.
//!
//! Debugging aid: `DISTLINT_NO_PREFILTER=1` in the environment turns the prefilter off (every
//! rule runs on every unit), so a suspected prefilter bug shows up as a difference in
//! `distlint check` output with and without it ([`prefilter_enabled_by_env`]).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::resolve::Imports;
use crate::rule::Rule;

/// The environment variable that turns the prefilter off when set to anything but `0` or
/// the empty string (a debugging aid; results must not change).
pub const DISABLE_ENV: &str = "DISTLINT_NO_PREFILTER";

/// Whether the prefilter is on according to [`DISABLE_ENV`] (read once per process).
pub fn prefilter_enabled_by_env() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os(DISABLE_ENV).is_none_or(|v| v.is_empty() || v == "0"))
}

/// The literals of every rule of one language, compiled into one automaton. Built once per
/// language and process ([`Prefilter::for_language`]); rule indices are positions in the
/// language's slice of [`crate::rules::all`], in registry order.
#[derive(Debug)]
pub struct Prefilter {
    /// Rule ids, by rule index.
    ids: Vec<&'static str>,
    /// Per rule: its groups, as a range of flat group indices (empty: no prefilter).
    groups: Vec<std::ops::Range<usize>>,
    /// Total number of groups.
    group_count: usize,
    /// Per literal (automaton pattern id): the flat groups it satisfies.
    satisfies: Vec<Vec<usize>>,
    /// `None` when no rule of the language declares literals.
    automaton: Option<AhoCorasick>,
}

fn build_automaton(patterns: &[String]) -> Option<AhoCorasick> {
    if patterns.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(patterns)
        .ok()
}

impl Prefilter {
    /// The prefilter for `language`'s rules (built on first use).
    #[cfg(test)]
    pub fn for_language(language: crate::language::Language) -> &'static Prefilter {
        use crate::language::Language;
        use crate::rules;
        static RUST: OnceLock<Prefilter> = OnceLock::new();
        static GO: OnceLock<Prefilter> = OnceLock::new();
        let cell = match language {
            Language::Rust => &RUST,
            Language::Go => &GO,
        };
        cell.get_or_init(|| {
            Prefilter::new(
                rules::all()
                    .iter()
                    .copied()
                    .filter(|r| r.meta().language == language),
            )
        })
    }

    /// A prefilter over `rules` (rule index = position in the iterator).
    pub fn new(rules: impl IntoIterator<Item = &'static dyn Rule>) -> Prefilter {
        let mut ids = Vec::new();
        let mut groups = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut satisfies: Vec<Vec<usize>> = Vec::new();
        let mut flat = 0;
        for rule in rules {
            ids.push(rule.meta().id);
            let start = flat;
            for group in rule.literals() {
                for lit in group.iter() {
                    let lower = lit.to_ascii_lowercase();
                    let id = match patterns.iter().position(|p| *p == lower) {
                        Some(i) => i,
                        None => {
                            patterns.push(lower);
                            satisfies.push(Vec::new());
                            patterns.len() - 1
                        }
                    };
                    if !satisfies[id].contains(&flat) {
                        satisfies[id].push(flat);
                    }
                }
                flat += 1;
            }
            groups.push(start..flat);
        }
        Prefilter {
            ids,
            groups,
            group_count: flat,
            satisfies,
            automaton: build_automaton(&patterns),
        }
    }

    /// The index of the rule with `id`, if it is one of this prefilter's rules.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|i| *i == id)
    }

    /// Indices of `rules` in this prefilter (`None` for a rule it does not know: always runs).
    pub fn indices<'r>(&self, rules: impl IntoIterator<Item = &'r dyn Rule>) -> Vec<Option<usize>> {
        rules
            .into_iter()
            .map(|r| self.index_of(r.meta().id))
            .collect()
    }

    /// Flat groups satisfied by the literals occurring in `text` (appended to `sat`).
    fn mark(&self, text: &str, sat: &mut [bool]) {
        let Some(ac) = &self.automaton else { return };
        for m in ac.find_overlapping_iter(text) {
            for &g in &self.satisfies[m.pattern().as_usize()] {
                sat[g] = true;
            }
        }
    }

    /// The per-file filter: this prefilter extended with `imports` (see the module docs).
    pub fn for_file(&self, imports: &Imports) -> FileFilter<'_> {
        let mut always = vec![false; self.group_count];
        for glob in &imports.globs {
            self.mark(glob, &mut always);
        }
        let mut extra: Vec<String> = Vec::new();
        let mut extra_groups: Vec<Vec<usize>> = Vec::new();
        for (name, path) in &imports.names {
            let mut sat = vec![false; self.group_count];
            self.mark(path, &mut sat);
            let hit: Vec<usize> = (0..self.group_count).filter(|&g| sat[g]).collect();
            if hit.is_empty() {
                continue;
            }
            extra.push(name.to_ascii_lowercase());
            extra_groups.push(hit);
        }
        FileFilter {
            prefilter: self,
            always,
            extra: build_automaton(&extra).map(|ac| (ac, extra_groups)),
        }
    }
}

/// A [`Prefilter`] extended with one file's imports. Cheap to build; scan each unit with
/// [`FileFilter::scan`].
#[derive(Debug)]
pub struct FileFilter<'p> {
    prefilter: &'p Prefilter,
    /// Groups satisfied everywhere in the file (through a glob import).
    always: Vec<bool>,
    /// Imported names that stand for a literal, with the groups each satisfies.
    extra: Option<(AhoCorasick, Vec<Vec<usize>>)>,
}

impl FileFilter<'_> {
    /// Which rules may fire on `text` (a unit's text, or the whole file for file-scope rules).
    pub fn scan(&self, text: &str) -> Verdict {
        let mut sat = self.always.clone();
        self.prefilter.mark(text, &mut sat);
        if let Some((ac, groups)) = &self.extra {
            for m in ac.find_overlapping_iter(text) {
                for &g in &groups[m.pattern().as_usize()] {
                    sat[g] = true;
                }
            }
        }
        let may_fire = self
            .prefilter
            .groups
            .iter()
            .map(|r| sat[r.clone()].iter().all(|s| *s))
            .collect();
        Verdict { may_fire }
    }
}

/// The rules that may fire on one piece of text, by rule index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    may_fire: Vec<bool>,
}

impl Verdict {
    /// Whether the rule at `index` may report something (`None`: an unknown rule, always true).
    pub fn may_fire(&self, index: Option<usize>) -> bool {
        index.is_none_or(|i| self.may_fire.get(i).copied().unwrap_or(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::language::Language;

    fn verdict(language: Language, src: &str, rule: &str) -> bool {
        let doc = Document::new(language, src, 0);
        let imports = Imports::collect(language, src, doc.tree().root_node());
        let pf = Prefilter::for_language(language);
        pf.for_file(&imports).scan(src).may_fire(pf.index_of(rule))
    }

    #[test]
    fn a_unit_without_the_literals_is_skipped() {
        assert!(!verdict(
            Language::Rust,
            "fn a() { let x = 1; }",
            "unbounded-channel"
        ));
        assert!(verdict(
            Language::Rust,
            "fn a() { let (t, r) = mpsc::unbounded_channel::<u8>(); }",
            "unbounded-channel"
        ));
        // Case-insensitive: `LOCK` satisfies `lock`.
        assert!(verdict(
            Language::Go,
            "package p\nfunc f() { mu.LOCK() }",
            "mutex-held-across-io"
        ));
    }

    #[test]
    fn use_aliases_extend_the_literals() {
        let src = "use tokio::sync::mpsc::unbounded_channel as uc;\nfn a() { let (t, r) = uc(); }";
        let doc = Document::new(Language::Rust, src, 0);
        let imports = Imports::collect(Language::Rust, src, doc.tree().root_node());
        let pf = Prefilter::for_language(Language::Rust);
        let unit = &src[src.find("fn a").unwrap()..];
        let idx = pf.index_of("unbounded-channel");
        assert!(pf.for_file(&imports).scan(unit).may_fire(idx));
        assert!(!pf.for_file(&Imports::default()).scan(unit).may_fire(idx));
    }

    #[test]
    fn a_glob_whose_path_has_a_literal_satisfies_the_group() {
        let src = "use reqwest::Client::*;\nfn a() { let c = new(); }";
        let doc = Document::new(Language::Rust, src, 0);
        let imports = Imports::collect(Language::Rust, src, doc.tree().root_node());
        let pf = Prefilter::for_language(Language::Rust);
        let unit = &src[src.find("fn a").unwrap()..];
        let idx = pf.index_of("reqwest-client-without-timeout");
        assert!(pf.for_file(&imports).scan(unit).may_fire(idx));
        assert!(!pf.for_file(&Imports::default()).scan(unit).may_fire(idx));
    }
}
