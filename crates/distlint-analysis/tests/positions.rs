//! Property tests: position conversion (UTF-8 bytes ↔ UTF-16 / UTF-32 columns ↔ byte offsets)
//! and edit application, each against a naive reference implementation, over arbitrary Unicode
//! text with `\n`, `\r\n` and lone `\r` line breaks (LSP 3.17 "Text Documents").

use distlint_analysis::document::{Document, TextChange};
use distlint_analysis::{Language, LineIndex, PositionEncoding, TextPosition};
use proptest::prelude::*;

const ENCODINGS: [PositionEncoding; 3] = [
    PositionEncoding::Utf8,
    PositionEncoding::Utf16,
    PositionEncoding::Utf32,
];

fn width(c: char, enc: PositionEncoding) -> u32 {
    match enc {
        PositionEncoding::Utf8 => c.len_utf8() as u32,
        PositionEncoding::Utf16 => c.len_utf16() as u32,
        PositionEncoding::Utf32 => 1,
    }
}

/// Reference: for every char boundary, its (line, column) in `enc`, by a linear scan.
fn reference_positions(text: &str, enc: PositionEncoding) -> Vec<(usize, TextPosition)> {
    let mut out = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        out.push((i, TextPosition::new(line, col)));
        match c {
            '\n' => {
                line += 1;
                col = 0;
            }
            '\r' => {
                if let Some(&(j, '\n')) = chars.peek() {
                    // The `\n` of a `\r\n` sits on the same line as the `\r`.
                    out.push((j, TextPosition::new(line, col + 1)));
                    chars.next();
                }
                line += 1;
                col = 0;
            }
            _ => col += width(c, enc),
        }
    }
    out.push((text.len(), TextPosition::new(line, col)));
    out
}

fn text_strategy() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("a".to_string()),
        Just("fn x() {}".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("é".to_string()),
        Just("漢字".to_string()),
        Just("😀".to_string()),
        Just("\u{10FFFF}".to_string()),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn offset_to_position_matches_reference(text in text_strategy()) {
        let index = LineIndex::new(&text);
        for enc in ENCODINGS {
            for (offset, pos) in reference_positions(&text, enc) {
                // The `\n` of a `\r\n` is not a position an editor can name; skip it.
                if offset > 0 && text.as_bytes()[offset - 1] == b'\r' && text.as_bytes().get(offset) == Some(&b'\n') {
                    continue;
                }
                prop_assert_eq!(index.position(&text, offset, enc), pos, "offset {} enc {:?}", offset, enc);
                prop_assert_eq!(index.offset(&text, pos, enc).unwrap(), offset, "pos {:?} enc {:?}", pos, enc);
            }
        }
    }

    #[test]
    fn columns_past_line_end_clamp_and_lines_past_end_error(text in text_strategy(), extra in 1u32..50) {
        let index = LineIndex::new(&text);
        for enc in ENCODINGS {
            for line in 0..index.line_count() {
                let range = index.line_range(line, &text).unwrap();
                let len = distlint_analysis::text::encoded_len(&text[range.clone()], enc);
                prop_assert_eq!(index.offset(&text, TextPosition::new(line, len + extra), enc).unwrap(), range.end);
            }
            prop_assert!(index.offset(&text, TextPosition::new(index.line_count(), 0), enc).is_err());
        }
    }

    #[test]
    fn edits_match_reference_splice_and_fresh_parse(
        text in text_strategy(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), text_strategy()), 1..6),
        go in any::<bool>(),
    ) {
        let lang = if go { Language::Go } else { Language::Rust };
        let mut doc = Document::new(lang, text.clone(), 0);
        let mut reference = text;
        for (version, (a, b, insert)) in edits.into_iter().enumerate() {
            // Pick two char boundaries of the reference text and name them in UTF-16.
            let positions = reference_positions(&reference, PositionEncoding::Utf16);
            let (mut s, mut e) = (positions[a.index(positions.len())], positions[b.index(positions.len())]);
            if e.0 < s.0 { std::mem::swap(&mut s, &mut e); }
            let change = TextChange { range: Some((s.1, e.1)), text: insert.clone() };
            doc.apply_changes(&[change], version as i32 + 1, PositionEncoding::Utf16).unwrap();
            // Reference: the byte range the editor meant. A position on the `\n` of `\r\n` maps
            // to the start of that line break's `\r` + 1 column — i.e. the same byte offset —
            // so resolve through the naive table rather than the LineIndex under test.
            let index = LineIndex::new(&reference);
            let sb = index.offset(&reference, s.1, PositionEncoding::Utf16).unwrap();
            let eb = index.offset(&reference, e.1, PositionEncoding::Utf16).unwrap();
            reference.replace_range(sb..eb, &insert);
            prop_assert_eq!(doc.text(), reference.as_str());
            prop_assert_eq!(doc.line_index(), &LineIndex::new(&reference));
            let fresh = Document::new(lang, reference.clone(), 0);
            // tree-sitter's error recovery may build a different (equally valid) tree
            // incrementally than from scratch on text that does not parse (tree-sitter #1444,
            // #1645); the trees must be equal whenever the text parses cleanly.
            if !fresh.tree().root_node().has_error() {
                prop_assert_eq!(doc.tree().root_node().to_sexp(), fresh.tree().root_node().to_sexp());
            }
        }
    }
}
