//! Target 1: arbitrary bytes analysed as Rust and as Go, through the same input decision the CLI
//! makes (size limit, binary, lossy UTF-8). Must never panic, hang or overflow the stack.
#![no_main]

use distlint_analysis::input::{classify, InputLimits};
use distlint_analysis::{Analyzer, Config, Document, Language};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = InputLimits { max_file_bytes: 1 << 20, parse_budget_ms: 2_000 };
    let (text, _decision) = classify(data, &limits);
    let Some(text) = text else { return };
    let config = Config { include_tests: true, ..Config::default() };
    let analyzer = Analyzer::new(config);
    for lang in [Language::Rust, Language::Go] {
        let doc = Document::with_limits(lang, text.as_ref(), 0, limits);
        for f in analyzer.analyze(&doc) {
            assert!(f.range.start <= f.range.end && f.range.end <= text.len(), "finding out of bounds");
            assert!(text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end));
            for fix in &f.fixes {
                for e in &fix.edits {
                    assert!(e.range.end <= text.len() && text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end));
                }
            }
        }
    }
});
