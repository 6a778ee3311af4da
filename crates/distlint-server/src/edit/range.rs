//! Byte offsets ⇄ LSP `Position`/`Range`, and LSP content changes → [`TextChange`].

use std::ops::Range as ByteRange;

use distlint_analysis::text::PositionError;
use distlint_analysis::{Document, PositionEncoding, TextChange, TextPosition};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// The LSP position of byte `offset` in `doc` (0-based line; column in `encoding` code units).
/// Offsets past the end clamp to the end; offsets inside a character round down to its start.
pub fn to_lsp_position(doc: &Document, offset: usize, encoding: PositionEncoding) -> Position {
    let p = doc.line_index().position(doc.text(), offset, encoding);
    Position::new(p.line, p.character)
}

/// The LSP range of the byte range `range` in `doc`, in `encoding` code units.
pub fn to_lsp_range(doc: &Document, range: ByteRange<usize>, encoding: PositionEncoding) -> Range {
    Range::new(
        to_lsp_position(doc, range.start, encoding),
        to_lsp_position(doc, range.end, encoding),
    )
}

/// The byte offset of LSP `position` in `doc`. A column past its line's end clamps to the end of
/// the line (LSP 3.17 § "Position"); a line past the last line is an error.
pub fn offset_of(
    doc: &Document,
    position: Position,
    encoding: PositionEncoding,
) -> Result<usize, PositionError> {
    doc.line_index().offset(
        doc.text(),
        TextPosition::new(position.line, position.character),
        encoding,
    )
}

/// Converts an LSP `TextDocumentContentChangeEvent` (incremental when `range` is set, full text
/// otherwise) to the analysis crate's [`TextChange`]. Positions stay in the session's encoding;
/// the document applies them with that encoding.
pub fn to_text_change(event: TextDocumentContentChangeEvent) -> TextChange {
    TextChange {
        range: event.range.map(|r| {
            (
                TextPosition::new(r.start.line, r.start.character),
                TextPosition::new(r.end.line, r.end.character),
            )
        }),
        text: event.text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use distlint_analysis::Language;

    #[test]
    fn columns_after_emoji_and_cjk_depend_on_the_encoding() {
        // `😀` is 4 bytes / 2 UTF-16 units, `漢` 3 bytes / 1 unit.
        let doc = Document::new(Language::Rust, "let s = \"😀漢\"; x\n", 1);
        let x = doc.text().find(" x").unwrap() + 1;
        let utf8 = to_lsp_position(&doc, x, PositionEncoding::Utf8);
        let utf16 = to_lsp_position(&doc, x, PositionEncoding::Utf16);
        assert_eq!(utf8, Position::new(0, x as u32));
        assert_eq!(utf16, Position::new(0, 9 + 2 + 1 + 3));
        assert_eq!(offset_of(&doc, utf8, PositionEncoding::Utf8).unwrap(), x);
        assert_eq!(offset_of(&doc, utf16, PositionEncoding::Utf16).unwrap(), x);
        assert!(offset_of(&doc, Position::new(5, 0), PositionEncoding::Utf16).is_err());
    }
}
