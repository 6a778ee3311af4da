//! Opening, analysing and closing 10,000 documents — with analyses racing the closes on other
//! threads — leaves the host holding nothing: no document, no cached result.

use std::sync::Arc;

use distlint_analysis::{AnalysisHost, Analyzer, Document, Language};

#[test]
fn ten_thousand_open_close_cycles_leave_nothing_behind() {
    let host = Arc::new(AnalysisHost::new(Analyzer::default()));
    let src = "fn f() { let (tx, rx) = std::sync::mpsc::channel::<u8>(); }\n";
    std::thread::scope(|scope| {
        for t in 0..4 {
            let host = host.clone();
            scope.spawn(move || {
                for i in 0..2_500 {
                    let key = format!("file:///churn/{t}/{i}.rs");
                    host.open(&key, Document::new(Language::Rust, src, 1));
                    // An analysis on another thread races the close.
                    let h = host.clone();
                    let k = key.clone();
                    let racer = std::thread::spawn(move || h.analyze(&k).map(|r| r.findings.len()));
                    if i % 2 == 0 {
                        assert_eq!(host.analyze(&key).map(|r| r.findings.len()), Some(1));
                    }
                    assert!(host.close(&key));
                    let _ = racer.join().unwrap();
                }
            });
        }
    });
    assert!(host.open_documents().is_empty());
    assert_eq!(
        host.cached_results(),
        0,
        "cached results leaked after close"
    );
}
