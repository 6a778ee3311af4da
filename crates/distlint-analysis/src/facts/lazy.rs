//! Facts collected on first read ([`LazyFacts`]) and where a [`super::FactsView`] reads from
//! ([`FactsSource`]).

use std::sync::OnceLock;

use tree_sitter::Node;

use super::{FactKinds, FileFacts};
use crate::language::Language;

/// A file's facts collected on first read, one kind at a time: what the from-scratch engine
/// (`distlint check`, [`crate::engine::Analyzer::analyze`]) gives its rules. Most files are
/// never asked for most kinds (a rule reads a fact only at a candidate finding), so collecting
/// every kind up front walked every node of every file for nothing (0.25–0.40× the parse time
/// of the cold-check corpus). A kind asked for is collected by [`FileFacts::collect_kinds`]
/// over the whole root, once, so every read sees exactly what [`FileFacts::collect`] (plus
/// [`FileFacts::with_text`]) would have found. The incremental engine keeps collecting every
/// kind per segment (it must compare them after each edit).
pub struct LazyFacts<'t> {
    language: Language,
    source: &'t str,
    root: Node<'t>,
    /// Per kind bit (index = bit position): that kind's facts once collected.
    kinds: [OnceLock<FileFacts>; 32],
}

impl<'t> LazyFacts<'t> {
    /// Nothing collected yet: `root` is the root of the parsed `source`.
    pub fn new(language: Language, source: &'t str, root: Node<'t>) -> Self {
        Self {
            language,
            source,
            root,
            kinds: std::array::from_fn(|_| OnceLock::new()),
        }
    }

    /// The facts with `kind` (a single bit) collected over the whole file (other kinds may be
    /// empty). Collected on the first call for that kind.
    pub fn get(&self, kind: FactKinds) -> &FileFacts {
        debug_assert_eq!(kind.0.count_ones(), 1, "one kind at a time");
        let i = kind.0.trailing_zeros() as usize;
        self.kinds[i].get_or_init(|| {
            FileFacts::collect_kinds(self.language, self.source, self.root, kind)
                .with_text(self.language, self.source)
        })
    }

    /// The kinds collected so far (for tests and the benchmark's profile).
    pub fn collected(&self) -> FactKinds {
        FactKinds(
            (0..32)
                .filter(|&i| self.kinds[i].get().is_some())
                .fold(0, |acc, i| acc | (1 << i)),
        )
    }
}

/// Where a [`FactsView`] reads from: facts collected up front (the incremental engine, the
/// fixture harness) or collected per kind on first read ([`LazyFacts`]).
#[derive(Clone, Copy)]
pub enum FactsSource<'a> {
    /// Every kind collected ([`FileFacts::collect`] or a merge of segments).
    Eager(&'a FileFacts),
    /// Kinds collected when first read.
    Lazy(&'a LazyFacts<'a>),
}

impl<'a> From<&'a FileFacts> for FactsSource<'a> {
    fn from(f: &'a FileFacts) -> Self {
        FactsSource::Eager(f)
    }
}

impl<'a> From<&'a std::sync::Arc<FileFacts>> for FactsSource<'a> {
    fn from(f: &'a std::sync::Arc<FileFacts>) -> Self {
        FactsSource::Eager(f)
    }
}

impl<'a> From<&'a LazyFacts<'a>> for FactsSource<'a> {
    fn from(f: &'a LazyFacts<'a>) -> Self {
        FactsSource::Lazy(f)
    }
}
