//! Memory per open document (issue 8, benchmark 3): opens 100 large documents in one
//! [`AnalysisHost`] (each ~200 KB, concatenated from the corpus with a different starting file,
//! so no two are the same text), analyses every one, and reports the peak resident set size
//! (`VmHWM`) minus the baseline before opening, against the bytes of source held.
//!
//! Usage: `memory [DOCS] [BYTES_PER_DOC]` (defaults 100 and 204800). Run in its own process.

use distlint_analysis::host::AnalysisHost;
use distlint_analysis::{Analyzer, Document, Language};
use distlint_bench::{concat, corpus_dirs, rss_kib, source_files};

fn main() {
    let mut args = std::env::args().skip(1);
    let docs: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(100);
    let size: usize = args
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200 * 1024);
    let mut inputs = Vec::new();
    for (language, share) in [(Language::Rust, docs / 2), (Language::Go, docs - docs / 2)] {
        let files = source_files(&corpus_dirs(language), language);
        for i in 0..share {
            let start = (i * files.len() / share.max(1)) % files.len().max(1);
            let mut rotated = files[start..].to_vec();
            rotated.extend_from_slice(&files[..start]);
            inputs.push((language, concat(&rotated, size)));
        }
    }
    let source_bytes: usize = inputs.iter().map(|(_, t)| t.len()).sum();
    let (_, base_rss) = rss_kib();
    let host = AnalysisHost::new(Analyzer::default());
    // `DISTLINT_BENCH_TREES=N`: keep the trees of N documents (default: the host's default,
    // `distlint_analysis::host::DEFAULT_TREE_CACHE`); `DISTLINT_BENCH_TREES=100` keeps them all.
    if let Some(n) = std::env::var("DISTLINT_BENCH_TREES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        host.set_tree_cache_limit(n);
    }
    let mut findings = 0;
    // `DISTLINT_BENCH_MEMORY=open`: documents only (text + tree + line index), no analysis.
    let analyse = std::env::var("DISTLINT_BENCH_MEMORY").as_deref() != Ok("open");
    for (i, (language, text)) in inputs.into_iter().enumerate() {
        let key = format!("file:///doc{i}");
        host.open(&key, Document::new(language, text, 1));
        if analyse {
            findings += host.analyze(&key).map(|f| f.findings.len()).unwrap_or(0);
        }
    }
    let (peak, now) = rss_kib();
    if !analyse {
        println!("(documents only, not analysed)");
    }
    let held = (now.saturating_sub(base_rss)) as f64 * 1024.0;
    let peak_held = (peak.saturating_sub(base_rss)) as f64 * 1024.0;
    println!("# memory: {docs} open documents in one AnalysisHost");
    println!("| documents | source MB | baseline RSS MB | RSS after open+analyse MB | peak RSS MB | held / source | peak above baseline / source | findings |");
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2}× | {:.2}× | {} |",
        docs,
        source_bytes as f64 / 1e6,
        base_rss as f64 / 1024.0,
        now as f64 / 1024.0,
        peak as f64 / 1024.0,
        held / source_bytes as f64,
        peak_held / source_bytes as f64,
        findings
    );
    drop(host);
}
