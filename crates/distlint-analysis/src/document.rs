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

use crate::language::Language;
use crate::text::{LineIndex, PositionEncoding, PositionError, TextPosition};

thread_local! {
    static PARSERS: RefCell<Vec<(Language, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Parses `text` as `language`, reusing `old` (already `edit`ed) when given.
///
/// Returns `None` only if tree-sitter gives up (it does not without a timeout or cancellation);
/// syntax errors yield a tree with `ERROR`/`MISSING` nodes, never `None`.
pub fn parse(language: Language, text: &str, old: Option<&Tree>) -> Option<Tree> {
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
        parsers[idx].1.parse(text, old)
    })
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
#[derive(Debug, Clone)]
pub struct Document {
    language: Language,
    version: i32,
    text: String,
    tree: Tree,
    line_index: LineIndex,
    path: Option<PathBuf>,
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
    /// Parses `text` as a new document at `version`.
    pub fn new(language: Language, text: impl Into<String>, version: i32) -> Self {
        let text = text.into();
        let tree = parse(language, &text, None).expect("tree-sitter parse without timeout");
        let line_index = LineIndex::new(&text);
        Self {
            language,
            version,
            text,
            tree,
            line_index,
            path: None,
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

    /// The current syntax tree (always up to date with [`Document::text`]).
    pub fn tree(&self) -> &Tree {
        &self.tree
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
        let mut tree = self.tree.clone();
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
                    if !full_replace {
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
        let old = if full_replace { None } else { Some(&tree) };
        let new_tree = parse(self.language, &text, old).expect("tree-sitter parse without timeout");
        self.text = text;
        self.line_index = index;
        self.tree = new_tree;
        self.version = version;
        Ok(applied)
    }

    /// Replaces the whole text (a full-document sync) and reparses from scratch.
    pub fn replace_text(&mut self, text: impl Into<String>, version: i32) {
        let text = text.into();
        self.tree = parse(self.language, &text, None).expect("tree-sitter parse without timeout");
        self.line_index = LineIndex::new(&text);
        self.text = text;
        self.version = version;
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
    fn utf16_edit_after_emoji_lands_on_the_right_byte() {
        let mut doc = Document::new(Language::Rust, "// 😀x\n", 1);
        // 😀 occupies UTF-16 columns 3..5; `x` is column 5.
        doc.apply_changes(&[change(0, 5, 0, 6, "y")], 2, PositionEncoding::Utf16)
            .unwrap();
        assert_eq!(doc.text(), "// 😀y\n");
    }
}
