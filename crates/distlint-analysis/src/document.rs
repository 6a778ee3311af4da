//! A source document: text, language, version and its tree-sitter tree, kept in step under edits.
//!
//! Edits use the editor's coordinates ([`TextPosition`] in a [`PositionEncoding`]). Each edit is
//! applied to the text, described to the old tree with [`tree_sitter::Tree::edit`] (byte offsets
//! and byte-column points), and the document is then reparsed *with the old tree* so tree-sitter
//! reuses every subtree outside the changed region (incremental parsing).

use std::cell::RefCell;
use std::ops::Range;
use std::path::PathBuf;

use tree_sitter::{InputEdit, Parser, Point, Tree};

use crate::input::{InputLimits, SkipReason};
use crate::language::Language;
use crate::text::{LineIndex, PositionEncoding, PositionError, TextPosition};

thread_local! {
    static PARSERS: RefCell<Vec<(Language, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Parses `text` as `language`, reusing `old` (already `edit`ed) when given, with no time limit.
///
/// Syntax errors yield a tree with `ERROR`/`MISSING` nodes, never `None`.
pub fn parse(language: Language, text: &str, old: Option<&Tree>) -> Option<Tree> {
    parse_within(language, text, old, None)
}

/// Like [`parse`], but cancels the parse once `budget` has elapsed and returns `None`.
pub fn parse_within(
    language: Language,
    text: &str,
    old: Option<&Tree>,
    budget: Option<std::time::Duration>,
) -> Option<Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let idx = match parsers.iter().position(|(l, _)| *l == language) {
            Some(i) => i,
            None => {
                let mut p = Parser::new();
                p.set_language(&language.grammar())
                    .expect("grammar ABI matches tree-sitter");
                parsers.push((language, p));
                parsers.len() - 1
            }
        };
        let parser = &mut parsers[idx].1;
        let bytes = text.as_bytes();
        let mut read = |offset: usize, _: Point| -> &[u8] { bytes.get(offset..).unwrap_or(&[]) };
        let tree = match budget {
            None => parser.parse_with_options(&mut read, old, None),
            Some(budget) => {
                let start = std::time::Instant::now();
                let mut cancel = |_: &tree_sitter::ParseState| start.elapsed() > budget;
                let options = tree_sitter::ParseOptions::new().progress_callback(&mut cancel);
                parser.parse_with_options(&mut read, old, Some(options))
            }
        };
        if tree.is_none() {
            // A cancelled parse would otherwise resume on the next call.
            parser.reset();
        }
        tree
    })
}

fn empty_tree(language: Language) -> Tree {
    parse(language, "", None).expect("the empty document parses")
}

/// One text change, as an editor sends it (LSP `TextDocumentContentChangeEvent`): replace `range`
/// (start and end positions, end exclusive) with `text`, or the whole document when `range` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextChange {
    /// The replaced range in editor coordinates, or `None` for a full-text replacement.
    pub range: Option<(TextPosition, TextPosition)>,
    /// The new text.
    pub text: String,
}

/// Why a [`TextChange`] was rejected. The document is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// A position is outside the document.
    Position(PositionError),
    /// The range's end is before its start.
    InvertedRange { start: usize, end: usize },
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::Position(e) => write!(f, "{e}"),
            EditError::InvertedRange { start, end } => {
                write!(
                    f,
                    "range end (byte {end}) is before its start (byte {start})"
                )
            }
        }
    }
}

impl std::error::Error for EditError {}

/// A parsed source file.
///
/// The tree may be released ([`Document::drop_tree`]) to save memory while the document is idle
/// (it is ~30× the text's size); [`Document::tree`] then parses the text again on first use, and
/// the next [`Document::apply_changes`] parses from scratch instead of incrementally.
#[derive(Debug, Clone)]
pub struct Document {
    language: Language,
    version: i32,
    text: String,
    /// Empty only after [`Document::drop_tree`] (and never for a skipped document).
    tree: std::sync::OnceLock<Tree>,
    line_index: LineIndex,
    path: Option<PathBuf>,
    limits: InputLimits,
    skipped: Option<SkipReason>,
}

/// A byte-level edit that was applied: `old_range` (bytes, before) became `new_len` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedEdit {
    /// Replaced byte range in the text before the edit.
    pub old_range: Range<usize>,
    /// Length in bytes of the inserted text.
    pub new_len: usize,
}

impl Document {
    /// Parses `text` as a new document at `version`, with the default [`InputLimits`].
    pub fn new(language: Language, text: impl Into<String>, version: i32) -> Self {
        Self::with_limits(language, text, version, InputLimits::default())
    }

    /// Parses `text` as a new document at `version` within `limits`. A text over the size limit,
    /// or whose parse exceeds the budget, is kept (so edits stay in sync) but not parsed: its tree
    /// is empty and [`Document::skipped`] says why.
    pub fn with_limits(
        language: Language,
        text: impl Into<String>,
        version: i32,
        limits: InputLimits,
    ) -> Self {
        let text = text.into();
        let line_index = LineIndex::new(&text);
        let mut doc = Self {
            language,
            version,
            tree: std::sync::OnceLock::new(),
            text,
            line_index,
            path: None,
            limits,
            skipped: None,
        };
        doc.reparse(false);
        doc
    }

    /// Why this version is not analysed (too large, parse over budget), or `None` when it is.
    pub fn skipped(&self) -> Option<&SkipReason> {
        self.skipped.as_ref()
    }

    /// The limits this document was opened with.
    pub fn limits(&self) -> &InputLimits {
        &self.limits
    }

    /// Parses the current text: incrementally from `self.tree` when `incremental` (the tree must
    /// already be `edit`ed), from scratch otherwise; applies the size limit and parse budget.
    fn reparse(&mut self, incremental: bool) {
        if self.text.len() > self.limits.max_file_bytes {
            self.skipped = Some(SkipReason::TooLarge {
                bytes: self.text.len(),
                limit: self.limits.max_file_bytes,
            });
            self.tree = std::sync::OnceLock::from(empty_tree(self.language));
            return;
        }
        let old = if incremental && self.skipped.is_none() {
            self.tree.take()
        } else {
            None
        };
        match parse_within(
            self.language,
            &self.text,
            old.as_ref(),
            Some(self.limits.parse_budget()),
        ) {
            Some(tree) => {
                self.tree = std::sync::OnceLock::from(tree);
                self.skipped = None;
            }
            None => {
                tracing::warn!(
                    budget_ms = self.limits.parse_budget_ms,
                    bytes = self.text.len(),
                    "parse exceeded its budget; document not analysed"
                );
                self.skipped = Some(SkipReason::ParseBudgetExceeded {
                    budget_ms: self.limits.parse_budget_ms,
                });
                self.tree = std::sync::OnceLock::from(empty_tree(self.language));
            }
        }
    }

    /// Sets the file path (used by rules that look at file names, e.g. Go `_test.go`).
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The file path, when known.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// The document's language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The document version (LSP `VersionedTextDocumentIdentifier.version`; 0 for files on disk).
    pub fn version(&self) -> i32 {
        self.version
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The current syntax tree (always up to date with [`Document::text`]). After
    /// [`Document::drop_tree`] the first call parses the text from scratch (no time budget: this
    /// text was parsed within it before) and keeps the tree.
    pub fn tree(&self) -> &Tree {
        self.tree.get_or_init(|| {
            parse(self.language, &self.text, None).unwrap_or_else(|| empty_tree(self.language))
        })
    }

    /// Whether the tree is held (false after [`Document::drop_tree`] until the next use).
    pub fn has_tree(&self) -> bool {
        self.tree.get().is_some()
    }

    /// Releases the syntax tree to save memory (text, line index and version stay). The next
    /// [`Document::tree`] call parses again; the next edit parses from scratch. A skipped
    /// document keeps its (empty) tree.
    pub fn drop_tree(&mut self) {
        if self.skipped.is_none() {
            self.tree.take();
        }
    }

    /// Line starts of the current text.
    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// Applies `changes` in order (as LSP `didChange` does), reparses once incrementally, and sets
    /// `version`. On error the document is left exactly as it was (all or nothing).
    pub fn apply_changes(
        &mut self,
        changes: &[TextChange],
        version: i32,
        encoding: PositionEncoding,
    ) -> Result<Vec<AppliedEdit>, EditError> {
        // Validate every change against a scratch copy first, so a bad change in the middle of a
        // batch leaves nothing half-applied.
        let mut text = self.text.clone();
        let mut index = self.line_index.clone();
        // A dropped tree is not re-parsed just to be edited: the new text is parsed from scratch.
        let mut tree = self.tree.get().cloned();
        let parsed = self.skipped.is_none() && tree.is_some();
        let mut applied = Vec::with_capacity(changes.len());
        let mut full_replace = false;
        for change in changes {
            match change.range {
                None => {
                    text = change.text.clone();
                    index = LineIndex::new(&text);
                    full_replace = true;
                    applied.push(AppliedEdit {
                        old_range: 0..usize::MAX,
                        new_len: text.len(),
                    });
                }
                Some((start, end)) => {
                    let s = index
                        .offset(&text, start, encoding)
                        .map_err(EditError::Position)?;
                    let e = index
                        .offset(&text, end, encoding)
                        .map_err(EditError::Position)?;
                    if e < s {
                        return Err(EditError::InvertedRange { start: s, end: e });
                    }
                    let start_position = point(&index, &text, s);
                    let old_end_position = point(&index, &text, e);
                    text.replace_range(s..e, &change.text);
                    index.apply_edit(&text, s..e, &change.text);
                    let new_end = s + change.text.len();
                    let new_end_position = point(&index, &text, new_end);
                    if let (false, true, Some(tree)) = (full_replace, parsed, tree.as_mut()) {
                        tree.edit(&InputEdit {
                            start_byte: s,
                            old_end_byte: e,
                            new_end_byte: new_end,
                            start_position,
                            old_end_position,
                            new_end_position,
                        });
                    }
                    applied.push(AppliedEdit {
                        old_range: s..e,
                        new_len: change.text.len(),
                    });
                }
            }
        }
        self.text = text;
        self.line_index = index;
        self.tree = match tree {
            Some(t) => std::sync::OnceLock::from(t),
            None => std::sync::OnceLock::new(),
        };
        self.version = version;
        self.reparse(!full_replace && parsed);
        Ok(applied)
    }

    /// Replaces the whole text (a full-document sync) and reparses from scratch.
    pub fn replace_text(&mut self, text: impl Into<String>, version: i32) {
        let text = text.into();
        self.line_index = LineIndex::new(&text);
        self.text = text;
        self.version = version;
        self.reparse(false);
    }
}

fn point(index: &LineIndex, text: &str, offset: usize) -> Point {
    let line = index.line_of(offset);
    let start = index.line_start(line).unwrap_or(0);
    let _ = text;
    Point {
        row: line as usize,
        column: offset - start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> TextChange {
        TextChange {
            range: Some((TextPosition::new(sl, sc), TextPosition::new(el, ec))),
            text: text.into(),
        }
    }

    #[test]
    fn incremental_reparse_equals_fresh_parse() {
        let mut doc = Document::new(Language::Rust, "fn main() {\n    let x = 1;\n}\n", 1);
        doc.apply_changes(
            &[change(1, 12, 1, 13, "2 + 3"), change(0, 3, 0, 7, "start")],
            2,
            PositionEncoding::Utf16,
        )
        .unwrap();
        assert_eq!(doc.text(), "fn start() {\n    let x = 2 + 3;\n}\n");
        let fresh = Document::new(Language::Rust, doc.text(), 2);
        assert_eq!(
            doc.tree().root_node().to_sexp(),
            fresh.tree().root_node().to_sexp()
        );
        assert_eq!(doc.version(), 2);
    }

    #[test]
    fn bad_change_in_batch_leaves_document_untouched() {
        let mut doc = Document::new(Language::Go, "package main\n", 1);
        let err = doc
            .apply_changes(
                &[change(0, 0, 0, 0, "// x\n"), change(9, 0, 9, 0, "boom")],
                2,
                PositionEncoding::Utf16,
            )
            .unwrap_err();
        assert!(matches!(err, EditError::Position(_)));
        assert_eq!(doc.text(), "package main\n");
        assert_eq!(doc.version(), 1);
    }

    #[test]
    fn oversized_document_is_kept_in_sync_but_not_parsed_until_it_shrinks() {
        let limits = InputLimits {
            max_file_bytes: 20,
            parse_budget_ms: 1000,
        };
        let mut doc = Document::with_limits(
            Language::Rust,
            "fn a() {}\nfn b() {}\nfn c() {}\n",
            1,
            limits,
        );
        assert!(matches!(
            doc.skipped(),
            Some(SkipReason::TooLarge {
                bytes: 30,
                limit: 20
            })
        ));
        assert_eq!(doc.tree().root_node().named_child_count(), 0);
        // Delete the last two functions: back under the limit, parsed from scratch.
        doc.apply_changes(&[change(1, 0, 3, 0, "")], 2, PositionEncoding::Utf16)
            .unwrap();
        assert_eq!(doc.text(), "fn a() {}\n");
        assert_eq!(doc.skipped(), None);
        assert_eq!(doc.tree().root_node().named_child_count(), 1);
    }

    #[test]
    fn deep_nesting_parses_and_walks_without_recursion() {
        // 20 000 nested blocks: our code walks with cursors, never recursion. With the nesting
        // limit lifted, every rule runs on the deep item (tests/deep_nesting.rs covers the limit).
        let depth = 20_000;
        let src = format!(
            "fn f() {{ {} let (a, b) = std::sync::mpsc::channel::<u8>(); {} }}",
            "{".repeat(depth),
            "}".repeat(depth)
        );
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let doc = Document::new(Language::Rust, src, 0);
                let unlimited = crate::engine::Analyzer::new(crate::Config {
                    max_nesting_depth: Some(usize::MAX),
                    ..crate::Config::default()
                });
                let limited = crate::engine::Analyzer::default().analyze_document(&doc);
                (
                    unlimited.analyze(&doc).len(),
                    limited.findings.len(),
                    limited.too_deep.len(),
                )
            })
            .unwrap();
        assert_eq!(handle.join().expect("no stack overflow"), (1, 0, 1));
    }

    #[test]
    fn utf16_edit_after_emoji_lands_on_the_right_byte() {
        let mut doc = Document::new(Language::Rust, "// 😀x\n", 1);
        // 😀 occupies UTF-16 columns 3..5; `x` is column 5.
        doc.apply_changes(&[change(0, 5, 0, 6, "y")], 2, PositionEncoding::Utf16)
            .unwrap();
        assert_eq!(doc.text(), "// 😀y\n");
    }
}
