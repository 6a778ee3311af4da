//! Target 2: an arbitrary starting text and sequence of editor edits (positions in any encoding,
//! possibly out of range or inverted), applied with `Document::apply_changes`, then analysed.
//! Invariants: no panic; a rejected change leaves the document untouched; an accepted one gives
//! the same text as a reference splice and the same tree as a fresh parse.
#![no_main]

use arbitrary::Arbitrary;
use distlint_analysis::document::TextChange;
use distlint_analysis::{Analyzer, Document, Language, LineIndex, PositionEncoding, TextPosition};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Edit {
    start: (u8, u8),
    end: (u8, u8),
    text: String,
    encoding: u8,
}

#[derive(Arbitrary, Debug)]
struct Input {
    go: bool,
    initial: String,
    edits: Vec<Edit>,
}

fuzz_target!(|input: Input| {
    let lang = if input.go { Language::Go } else { Language::Rust };
    let mut doc = Document::new(lang, input.initial.clone(), 0);
    let analyzer = Analyzer::default();
    for (i, e) in input.edits.iter().take(32).enumerate() {
        let enc = match e.encoding % 3 {
            0 => PositionEncoding::Utf8,
            1 => PositionEncoding::Utf16,
            _ => PositionEncoding::Utf32,
        };
        let s = TextPosition::new(e.start.0 as u32, e.start.1 as u32);
        let en = TextPosition::new(e.end.0 as u32, e.end.1 as u32);
        let before = doc.text().to_string();
        let index = LineIndex::new(&before);
        let expected = match (index.offset(&before, s, enc), index.offset(&before, en, enc)) {
            (Ok(a), Ok(b)) if a <= b => {
                let mut t = before.clone();
                t.replace_range(a..b, &e.text);
                Some(t)
            }
            _ => None,
        };
        let change = TextChange { range: Some((s, en)), text: e.text.clone() };
        match doc.apply_changes(&[change], i as i32 + 1, enc) {
            Ok(_) => assert_eq!(Some(doc.text()), expected.as_deref(), "accepted edit differs from reference"),
            Err(_) => {
                assert!(expected.is_none(), "valid edit rejected");
                assert_eq!(doc.text(), before, "rejected edit changed the text");
            }
        }
        let fresh = Document::new(lang, doc.text(), 0);
        // Error recovery may differ between incremental and fresh parses of broken text
        // (tree-sitter #1444, #1645): compare trees only when the text parses cleanly.
        if !fresh.tree().root_node().has_error() {
            assert_eq!(doc.tree().root_node().to_sexp(), fresh.tree().root_node().to_sexp());
        }
        let _ = analyzer.analyze(&doc);
    }
});
