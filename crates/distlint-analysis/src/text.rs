//! Text positions: byte offsets, 0-based lines, and columns in a chosen [`PositionEncoding`].
//!
//! Everything inside the engine is a **byte offset** into the UTF-8 source. Editors speak in
//! `(line, character)` pairs whose `character` unit is negotiated (LSP 3.17, "Position Encoding
//! Kind"): UTF-8 code units (bytes), UTF-16 code units (the LSP default), or UTF-32 code units
//! (Unicode scalar values). [`LineIndex`] converts between the two in O(log lines + line length).
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, as LSP 3.17 ("Text Documents") defines them.

use std::ops::Range;

/// The unit of the `character` half of a [`TextPosition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PositionEncoding {
    /// UTF-8 code units, i.e. bytes (LSP `"utf-8"`).
    Utf8,
    /// UTF-16 code units (LSP `"utf-16"`, the protocol's mandatory default).
    #[default]
    Utf16,
    /// Unicode scalar values (LSP `"utf-32"`); also what the CLI prints as a column.
    Utf32,
}

/// A position in a text: a 0-based line and a 0-based column counted in some [`PositionEncoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TextPosition {
    /// 0-based line number.
    pub line: u32,
    /// 0-based column, in the units of the encoding it was produced with.
    pub character: u32,
}

impl TextPosition {
    /// Builds a position from a 0-based line and column.
    pub fn new(line: u32, character: u32) -> Self {
        Self { line, character }
    }
}

/// Why a [`TextPosition`] could not be turned into a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PositionError {
    /// The line is past the last line of the text (`line` is 0-based, `line_count` is a count).
    LineOutOfRange { line: u32, line_count: u32 },
}

impl std::fmt::Display for PositionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PositionError::LineOutOfRange { line, line_count } => write!(
                f,
                "line {line} (0-based) is past the end of a document with {line_count} lines"
            ),
        }
    }
}

impl std::error::Error for PositionError {}

/// Byte offsets of the start of every line of a text. Line 0 always starts at byte 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

fn line_breaks(bytes: &[u8], base: usize, out: &mut Vec<usize>) {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => out.push(base + i + 1),
            b'\r' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                out.push(base + i + 1);
            }
            _ => {}
        }
        i += 1;
    }
}

impl LineIndex {
    /// Indexes `text` in O(len).
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_breaks(text.as_bytes(), 0, &mut line_starts);
        Self {
            line_starts,
            len: text.len(),
        }
    }

    /// Number of lines (a text with no line break has one line; a trailing break opens an empty last line).
    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// Byte offset at which 0-based `line` starts, or `None` past the end.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts.get(line as usize).copied()
    }

    /// Byte range of 0-based `line` without its line break.
    pub fn line_range(&self, line: u32, text: &str) -> Option<Range<usize>> {
        let start = self.line_start(line)?;
        let mut end = self.line_start(line + 1).unwrap_or(self.len);
        let b = text.as_bytes();
        if end > start && b[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && b[end - 1] == b'\r' {
            end -= 1;
        }
        Some(start..end)
    }

    /// 0-based line containing byte `offset` (offsets past the end map to the last line).
    pub fn line_of(&self, offset: usize) -> u32 {
        (self.line_starts.partition_point(|&s| s <= offset) - 1) as u32
    }

    /// Converts a byte offset to a position with the column in `encoding` units.
    /// Offsets past the end clamp to the end; offsets inside a multi-byte character round down.
    pub fn position(&self, text: &str, offset: usize, encoding: PositionEncoding) -> TextPosition {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_starts[line as usize];
        let character = encoded_len(&text[start..offset], encoding);
        TextPosition { line, character }
    }

    /// Converts a position to a byte offset. A column past the end of its line clamps to the
    /// line's end (LSP 3.17: "If the character value is greater than the line length it defaults
    /// back to the line length"); a column inside a multi-byte character rounds down.
    ///
    /// Errors when the line is past the last line.
    pub fn offset(
        &self,
        text: &str,
        pos: TextPosition,
        encoding: PositionEncoding,
    ) -> Result<usize, PositionError> {
        let Some(range) = self.line_range(pos.line, text) else {
            return Err(PositionError::LineOutOfRange {
                line: pos.line,
                line_count: self.line_count(),
            });
        };
        let line = &text[range.clone()];
        let want = pos.character as usize;
        let col = match encoding {
            PositionEncoding::Utf8 => {
                let mut c = want.min(line.len());
                while !line.is_char_boundary(c) {
                    c -= 1;
                }
                c
            }
            PositionEncoding::Utf16 | PositionEncoding::Utf32 => {
                let mut units = 0usize;
                let mut col = line.len();
                for (i, ch) in line.char_indices() {
                    let w = if encoding == PositionEncoding::Utf16 {
                        ch.len_utf16()
                    } else {
                        1
                    };
                    if units + w > want {
                        col = i;
                        break;
                    }
                    units += w;
                }
                col
            }
        };
        Ok(range.start + col)
    }

    /// Updates the index after `text[range]` was replaced by `new_text`; `text` is the text
    /// *after* the replacement. O(lines) for the shift, O(edit) for the scan.
    pub fn apply_edit(&mut self, text: &str, range: Range<usize>, new_text: &str) {
        // Re-scan from the start of the line holding the edit (a `\r` before it may join a `\n`).
        let first_line = self.line_of(range.start.saturating_sub(1)) as usize;
        let scan_from = self.line_starts[first_line];
        let delta = new_text.len() as isize - (range.end - range.start) as isize;
        let new_end = range.start + new_text.len();
        // Old line starts strictly after the edit's old end (+1 to catch a `\r\n` split) survive, shifted.
        let keep_from = self.line_starts.partition_point(|&s| s <= range.end + 1);
        let tail: Vec<usize> = self.line_starts[keep_from..]
            .iter()
            .map(|&s| (s as isize + delta) as usize)
            .collect();
        self.line_starts.truncate(first_line + 1);
        let scan_to = (new_end + 1).min(text.len());
        let mut fresh = Vec::new();
        line_breaks(&text.as_bytes()[scan_from..scan_to], scan_from, &mut fresh);
        // A break found at the very end of the scan window may be a `\r` whose `\n` lies beyond it.
        for s in fresh {
            if s < scan_to
                || s == text.len()
                || !text[..s].ends_with('\r')
                || text.as_bytes().get(s) != Some(&b'\n')
            {
                self.line_starts.push(s);
            }
        }
        for s in tail {
            if s > *self.line_starts.last().unwrap() {
                self.line_starts.push(s);
            }
        }
        self.len = text.len();
        debug_assert_eq!(
            *self,
            LineIndex::new(text),
            "incremental line index diverged"
        );
    }
}

/// Length of `s` in `encoding` units.
pub fn encoded_len(s: &str, encoding: PositionEncoding) -> u32 {
    match encoding {
        PositionEncoding::Utf8 => s.len() as u32,
        PositionEncoding::Utf16 => s.encode_utf16().count() as u32,
        PositionEncoding::Utf32 => s.chars().count() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns_differ_after_emoji_and_cjk() {
        let text = "let s = \"😀漢\"; x\nnext";
        let idx = LineIndex::new(text);
        let x = text.find(" x").unwrap() + 1;
        assert_eq!(
            idx.position(text, x, PositionEncoding::Utf8).character,
            x as u32
        );
        // 😀 is 2 UTF-16 units, 漢 is 1.
        assert_eq!(
            idx.position(text, x, PositionEncoding::Utf16).character,
            9 + 2 + 1 + 3
        );
        assert_eq!(
            idx.position(text, x, PositionEncoding::Utf32).character,
            9 + 1 + 1 + 3
        );
        for enc in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Utf32,
        ] {
            let p = idx.position(text, x, enc);
            assert_eq!(idx.offset(text, p, enc).unwrap(), x);
        }
    }

    #[test]
    fn column_past_line_end_clamps_and_line_past_end_errors() {
        let text = "ab\r\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 2);
        assert_eq!(
            idx.offset(text, TextPosition::new(0, 99), PositionEncoding::Utf16)
                .unwrap(),
            2
        );
        assert!(idx
            .offset(text, TextPosition::new(2, 0), PositionEncoding::Utf16)
            .is_err());
    }

    #[test]
    fn incremental_index_matches_fresh_index() {
        let cases: &[(&str, Range<usize>, &str)] = &[
            ("a\nb\nc", 1..3, ""),
            ("a\nb\nc", 0..0, "x\ny\n"),
            ("a\r\nb", 1..2, ""),
            ("a\rb", 2..2, "\n"),
            ("a\r", 2..2, "\n"),
            ("", 0..0, "\n\n"),
            ("abc\ndef\n", 2..6, "Z\r\nQ"),
            // Regression (found by proptest): the scan window used to end inside `😀` and panic.
            ("a😀", 1..1, "x"),
            ("\r😀\n", 1..1, ""),
        ];
        for (before, range, ins) in cases {
            let mut idx = LineIndex::new(before);
            let mut after = before.to_string();
            after.replace_range(range.clone(), ins);
            idx.apply_edit(&after, range.clone(), ins);
            assert_eq!(idx, LineIndex::new(&after), "{before:?} {range:?} {ins:?}");
        }
    }
}
