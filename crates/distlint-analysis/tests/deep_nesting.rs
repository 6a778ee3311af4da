//! Hostile nesting (issue 9): files whose syntax tree is 20,000 levels deep, in the shapes real
//! generators and fuzzers produce — nested blocks, parentheses, closures, modules; Go function
//! literals, composite literals, parentheses, `if` blocks.
//!
//! For each: the item that nests too deeply is left out with a [`TooDeep`] decision naming its
//! line, depth and the limit; a finding in a shallow item of the same file is still reported;
//! a suppression inside the left-out item is not reported as unused; the incremental engine
//! (through [`AnalysisHost`]) makes the same decisions, keeps them across an edit elsewhere and
//! drops them when the nesting is removed. Everything runs on a 256 KiB stack, so recursion over
//! the tree anywhere in our code would overflow. Times are not asserted (they are measured and
//! recorded in docs/reliability.md).

use distlint_analysis::config::Config;
use distlint_analysis::host::AnalysisHost;
use distlint_analysis::input::TooDeep;
use distlint_analysis::{Analyzer, Document, Language, LineIndex, PositionEncoding, TextChange};
use distlint_analysis::{Finding, TextPosition};

const DEPTH: usize = 20_000;

/// A shallow Rust item with an unbounded channel (finding `unbounded-channel` on its line 2).
const SHALLOW_RS: &str =
    "fn shallow() {\n    let (tx, rx) = std::sync::mpsc::channel::<u8>();\n}\n";
/// A shallow Go function with an `http.Client` without timeout (finding on its line 2).
const SHALLOW_GO: &str = "func shallow() {\n\tc := &http.Client{}\n\t_ = c\n}\n";

/// A hostile file: the deep item first (from line 1 of the file for Rust, after the package
/// clause and import for Go), then the shallow item.
struct Shape {
    name: &'static str,
    language: Language,
    /// The text before the shallow item.
    deep: String,
    /// 0-based line on which the left-out item starts.
    deep_line: u32,
}

fn rust(name: &'static str, deep: String) -> Shape {
    Shape {
        name,
        language: Language::Rust,
        deep,
        deep_line: 0,
    }
}

fn go(name: &'static str, deep: String) -> Shape {
    Shape {
        name,
        language: Language::Go,
        deep: format!("package main\n\nimport \"net/http\"\n\n{deep}"),
        deep_line: 4,
    }
}

fn shapes() -> Vec<Shape> {
    let n = DEPTH;
    // A suppression inside the deep item: it cannot be judged unused, since no rule ran there.
    let sup = "// distlint:ignore unbounded-channel capacity bounded by the caller\n";
    vec![
        rust(
            "rust nested blocks",
            format!(
                "fn deep() {{\n{}\n{sup}let (a, b) = std::sync::mpsc::channel::<u8>();\n{}\n}}\n",
                "{".repeat(n),
                "}".repeat(n)
            ),
        ),
        rust(
            "rust parentheses",
            format!(
                "fn deep() {{\n    let x = {}1{};\n}}\n",
                "(".repeat(n),
                ")".repeat(n)
            ),
        ),
        rust(
            "rust closures",
            format!("fn deep() {{\n    let f = {}1;\n}}\n", "|| ".repeat(n)),
        ),
        rust(
            "rust modules",
            format!(
                "{}fn inner() {{ let (a, b) = std::sync::mpsc::channel::<u8>(); }}{}\n",
                "mod m { ".repeat(n),
                " }".repeat(n)
            ),
        ),
        go(
            "go function literals",
            format!(
                "func deep() {{\n{}x := 1\n_ = x\n{}}}\n\n",
                "func() {\n".repeat(n),
                "}()\n".repeat(n)
            ),
        ),
        go(
            "go composite literals",
            format!(
                "var deep = {}1{}\n\n",
                "[]interface{}{".repeat(n),
                "}".repeat(n)
            ),
        ),
        go(
            "go parentheses",
            format!("var deep = {}1{}\n\n", "(".repeat(n), ")".repeat(n)),
        ),
        go(
            "go if blocks",
            format!(
                "func deep() {{\n{}resp, _ := http.Get(\"http://x\")\n_ = resp\n{}}}\n\n",
                "if true {\n".repeat(n),
                "}\n".repeat(n)
            ),
        ),
    ]
}

fn shallow_of(language: Language) -> (&'static str, &'static str) {
    match language {
        Language::Rust => (SHALLOW_RS, "unbounded-channel"),
        Language::Go => (SHALLOW_GO, "http-client-without-timeout"),
    }
}

fn line_of(text: &str, f: &Finding) -> u32 {
    LineIndex::new(text).line_of(f.range.start)
}

/// Checks one file's analysis: one decision, for the deep item; the shallow finding reported;
/// no finding inside the deep item (in particular no `unused-suppression`).
fn check_analysis(
    shape: &Shape,
    text: &str,
    findings: &[Finding],
    too_deep: &[TooDeep],
    limit: usize,
) {
    let (_, rule) = shallow_of(shape.language);
    assert_eq!(too_deep.len(), 1, "{}: {too_deep:?}", shape.name);
    let d = &too_deep[0];
    assert_eq!(d.line, shape.deep_line, "{}: {d:?}", shape.name);
    assert!(
        d.depth > DEPTH,
        "{}: depth {} too small",
        shape.name,
        d.depth
    );
    assert_eq!(d.limit, limit, "{}", shape.name);
    assert!(
        d.range.end <= shape.deep.len(),
        "{}: the decision's range must lie in the deep item",
        shape.name
    );
    let message = d.to_string();
    assert!(
        message.starts_with(&format!(
            "analysed partially: the item at line {} nests {} levels deep, over the limit of {limit}",
            shape.deep_line + 1,
            d.depth
        )),
        "{message}"
    );
    // The shallow item starts on the line after the deep part; its finding is on its line 2.
    let shallow_line = shape.deep.lines().count() as u32 + 1;
    let got: Vec<(&str, u32)> = findings
        .iter()
        .map(|f| (f.rule, line_of(text, f)))
        .collect();
    assert_eq!(
        got,
        vec![(rule, shallow_line)],
        "{}: only the shallow finding is expected",
        shape.name
    );
}

/// Runs `f` on a thread with a 256 KiB stack: recursion over a 20,000-deep tree would overflow.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow, no panic")
}

#[test]
fn deep_items_are_left_out_with_a_decision_and_shallow_ones_still_analysed() {
    on_small_stack(|| {
        let analyzer = Analyzer::default();
        let limit = analyzer.config().nesting_limit();
        for shape in shapes() {
            let (shallow, _) = shallow_of(shape.language);
            let text = format!("{}{shallow}", shape.deep);
            let doc = Document::new(shape.language, text.clone(), 0);
            assert!(doc.skipped().is_none(), "{}: parsed", shape.name);
            let analysis = analyzer.analyze_document(&doc);
            check_analysis(&shape, &text, &analysis.findings, &analysis.too_deep, limit);
        }
    });
}

#[test]
fn incremental_analysis_makes_the_same_decisions_across_edits() {
    on_small_stack(|| {
        let analyzer = Analyzer::default();
        let limit = analyzer.config().nesting_limit();
        for shape in shapes() {
            let (shallow, _) = shallow_of(shape.language);
            let text = format!("{}{shallow}", shape.deep);
            let host = AnalysisHost::new(analyzer.clone());
            host.open("k", Document::new(shape.language, text.clone(), 0));
            let first = host.analyze("k").unwrap();
            check_analysis(
                &shape,
                &text,
                &first.findings,
                &host.last_too_deep("k").unwrap(),
                limit,
            );

            // Edit the shallow item (a blank line inside it): the deep item's decision is
            // reused, not re-measured, and still equals a full analysis.
            let at = TextPosition::new(shape.deep.lines().count() as u32 + 1, 0);
            let edit = TextChange {
                range: Some((at, at)),
                text: "\n".into(),
            };
            host.change("k", &[edit], 1, PositionEncoding::Utf16)
                .unwrap();
            let second = host.analyze("k").unwrap();
            let doc = host.snapshot("k").unwrap();
            let full = analyzer.analyze_document(&doc);
            assert_eq!(*second.findings, full.findings, "{}", shape.name);
            assert_eq!(
                host.last_too_deep("k").unwrap(),
                full.too_deep,
                "{}",
                shape.name
            );
            assert_eq!(full.too_deep.len(), 1, "{}", shape.name);
            let stats = host.last_stats("k").unwrap();
            assert!(
                stats.units_analysed < stats.units,
                "{}: the deep item was re-analysed after an edit elsewhere: {stats:?}",
                shape.name
            );

            // Replace the whole deep item by a shallow one: no decision remains.
            let flat = match shape.language {
                Language::Rust => "fn deep() {}\n".to_string(),
                Language::Go => "package main\n\nimport \"net/http\"\n\nfunc deep() {}\n\n".into(),
            };
            let end_line = shape.deep.lines().count() as u32;
            let edit = TextChange {
                range: Some((TextPosition::new(0, 0), TextPosition::new(end_line, 0))),
                text: flat,
            };
            host.change("k", &[edit], 2, PositionEncoding::Utf16)
                .unwrap();
            let third = host.analyze("k").unwrap();
            let doc = host.snapshot("k").unwrap();
            assert_eq!(*third.findings, analyzer.analyze(&doc), "{}", shape.name);
            assert_eq!(host.last_too_deep("k").unwrap(), vec![], "{}", shape.name);
            assert_eq!(
                third.findings.len(),
                1,
                "{}: {:?}",
                shape.name,
                third.findings
            );
        }
    });
}

#[test]
fn the_limit_is_configurable_and_items_within_it_are_analysed() {
    // 100 nested blocks ≈ 200 levels: analysed by default, left out under a limit of 150.
    let text = format!(
        "fn deep() {{\n{}\nlet (a, b) = std::sync::mpsc::channel::<u8>();\n{}\n}}\n{SHALLOW_RS}",
        "{".repeat(100),
        "}".repeat(100)
    );
    let doc = Document::new(Language::Rust, text.clone(), 0);
    let by_default = Analyzer::default().analyze_document(&doc);
    assert!(by_default.too_deep.is_empty());
    let lines: Vec<u32> = by_default
        .findings
        .iter()
        .map(|f| line_of(&text, f))
        .collect();
    assert_eq!(lines, vec![2, 6], "{:?}", by_default.findings);

    let strict = Analyzer::new(Config {
        max_nesting_depth: Some(150),
        ..Config::default()
    });
    let limited = strict.analyze_document(&doc);
    assert_eq!(limited.too_deep.len(), 1);
    assert!(limited.too_deep[0].depth > 150 && limited.too_deep[0].depth < 250);
    let lines: Vec<u32> = limited.findings.iter().map(|f| line_of(&text, f)).collect();
    assert_eq!(lines, vec![6]);
}
