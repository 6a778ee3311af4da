//! Cold `check` over the corpus (issue 8, benchmarks 2 and 4), per language, all in one run:
//!
//! 1. parse-only: every file parsed with tree-sitter in parallel (rayon, all cores), sources
//!    already in memory — the floor;
//! 2. analysis: `Analyzer::analyze_source` (parse + every enabled rule + suppressions) over the
//!    same in-memory sources, same pool;
//! 3. the real `distlint check --format json --exit-zero` binary on the corpus directories
//!    (directory walk, file reads, output included; page cache warm);
//! 4. `ast-grep scan` with the YAML rules in `tests/bench/ast-grep/` (equivalents of distlint's
//!    purely syntactic rules) on the same directories, and `distlint check` restricted to the
//!    equivalent rules (`tests/bench/ast-grep-equivalent.toml`), when `ast-grep` is on `PATH`.
//!
//! Usage: `cold [PATH_TO_DISTLINT_BINARY]` (default `target/release/distlint`). Best of
//! `DISTLINT_BENCH_RUNS` (default 3) runs each.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use distlint_analysis::{Analyzer, Language};
use distlint_bench::{corpus_dirs, repo_root, source_files};
use rayon::prelude::*;

fn best<F: FnMut() -> Duration>(runs: usize, mut f: F) -> Duration {
    (0..runs).map(|_| f()).min().unwrap_or_default()
}

fn time_cmd(cmd: &mut Command) -> Option<Duration> {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let took = start.elapsed();
    // distlint: 0/1 (findings); ast-grep: 0/1 (error-severity matches).
    (status.code().is_some_and(|c| c <= 1)).then_some(took)
}

fn main() {
    let root = repo_root();
    let distlint = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/distlint"));
    let runs: usize = std::env::var("DISTLINT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let threads = rayon::current_num_threads();
    let ast_grep = Command::new("ast-grep").arg("--version").output().is_ok();
    println!("# cold check over the corpus ({threads} threads, best of {runs})");
    println!("| language | files | lines | MB | parse-only s | analysis s | analysis / parse | files/s | MB/s | `distlint check` s | `check` / parse | ast-grep scan s | `check` (same rules) s | ast-grep / `check` |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for language in [Language::Rust, Language::Go] {
        let dirs = corpus_dirs(language);
        let files = source_files(&dirs, language);
        let sources: Vec<(PathBuf, String)> = files
            .iter()
            .filter_map(|p| Some((p.clone(), std::fs::read_to_string(p).ok()?)))
            .collect();
        let bytes: usize = sources.iter().map(|(_, s)| s.len()).sum();
        let lines: usize = sources.iter().map(|(_, s)| s.lines().count()).sum();
        let parse = best(runs, || {
            let t = Instant::now();
            sources.par_iter().for_each(|(_, s)| {
                let tree = distlint_analysis::document::parse(language, s, None);
                std::hint::black_box(tree);
            });
            t.elapsed()
        });
        let analyzer = Analyzer::default();
        let mut findings = 0;
        let analysis = best(runs, || {
            let t = Instant::now();
            findings = sources
                .par_iter()
                .map(|(p, s)| analyzer.analyze_source(language, s, Some(p)).len())
                .sum::<usize>();
            t.elapsed()
        });
        let check = distlint.exists().then(|| {
            best(runs, || {
                time_cmd(
                    Command::new(&distlint)
                        .args(["check", "--format", "json", "--exit-zero"])
                        .args(&dirs),
                )
                .unwrap_or(Duration::MAX)
            })
        });
        let (sg, check_same) = if ast_grep {
            let cfg = root.join("tests/bench/ast-grep/sgconfig.yml");
            let sg = best(runs, || {
                time_cmd(
                    Command::new("ast-grep")
                        .arg("scan")
                        .arg("--config")
                        .arg(&cfg)
                        .args(["--json=compact"])
                        .args(&dirs),
                )
                .unwrap_or(Duration::MAX)
            });
            let same = distlint.exists().then(|| {
                best(runs, || {
                    time_cmd(
                        Command::new(&distlint)
                            .args(["check", "--format", "json", "--exit-zero", "--config"])
                            .arg(root.join("tests/bench/ast-grep-equivalent.toml"))
                            .args(&dirs),
                    )
                    .unwrap_or(Duration::MAX)
                })
            });
            (Some(sg), same)
        } else {
            (None, None)
        };
        let s = |d: Option<Duration>| {
            d.map(|d| format!("{:.3}", d.as_secs_f64()))
                .unwrap_or_else(|| "n/a".into())
        };
        let mb = bytes as f64 / 1e6;
        println!(
            "| {} | {} | {} | {:.1} | {:.3} | {:.3} | {:.2}× | {:.0} | {:.1} | {} | {} | {} | {} | {} |",
            language.name(),
            sources.len(),
            lines,
            mb,
            parse.as_secs_f64(),
            analysis.as_secs_f64(),
            analysis.as_secs_f64() / parse.as_secs_f64(),
            sources.len() as f64 / analysis.as_secs_f64(),
            mb / analysis.as_secs_f64(),
            s(check),
            check
                .map(|c| format!("{:.2}×", c.as_secs_f64() / parse.as_secs_f64()))
                .unwrap_or_else(|| "n/a".into()),
            s(sg),
            s(check_same),
            match (sg, check_same) {
                (Some(a), Some(c)) => format!("{:.2}×", a.as_secs_f64() / c.as_secs_f64()),
                _ => "n/a".into(),
            },
        );
        eprintln!("{}: {findings} findings", language.name());
        if std::env::var("DISTLINT_BENCH_PROFILE").is_ok() {
            profile(language, &sources);
        }
    }
}

/// Where analysis time goes: each phase of `Analyzer::analyze_tree` and each rule, timed
/// separately over the whole corpus on one thread (trees parsed once beforehand).
fn profile(language: Language, sources: &[(PathBuf, String)]) {
    use distlint_analysis::internals::analysis_units;
    use distlint_analysis::internals::Imports;
    use distlint_analysis::rule::Context;
    let analyzer = Analyzer::default();
    let docs: Vec<(&PathBuf, &String, distlint_analysis::Document)> = sources
        .iter()
        .map(|(p, s)| {
            (
                p,
                s,
                distlint_analysis::Document::new(language, s.as_str(), 0),
            )
        })
        .collect();
    let mut rows: Vec<(String, Duration)> = Vec::new();
    let t = Instant::now();
    for (_, s, _) in &docs {
        std::hint::black_box(distlint_analysis::document::parse(language, s, None));
    }
    rows.push(("parse (tree-sitter)".into(), t.elapsed()));
    let t = Instant::now();
    let imports: Vec<Imports> = docs
        .iter()
        .map(|(_, s, d)| Imports::collect(language, s, d.tree().root_node()))
        .collect();
    rows.push(("Imports::collect".into(), t.elapsed()));
    // File facts as the engine has them: each kind collected when a check first reads it (that
    // time is inside the first reading rule's row; the kinds read are collected again below to
    // show their cost on their own).
    let file_facts: Vec<distlint_analysis::internals::LazyFacts<'_>> = docs
        .iter()
        .map(|(_, s, d)| {
            distlint_analysis::internals::LazyFacts::new(language, s, d.tree().root_node())
        })
        .collect();
    let t = Instant::now();
    let units: Vec<_> = docs
        .iter()
        .map(|(_, s, d)| analysis_units(language, s, d.tree().root_node(), false))
        .collect();
    rows.push(("analysis_units".into(), t.elapsed()));
    // What the engine does with them first: the nesting-depth limit (`split_too_deep`).
    let t = Instant::now();
    for ((_, _, d), u) in docs.iter().zip(&units) {
        std::hint::black_box(distlint_analysis::internals::split_too_deep(
            d.tree().root_node(),
            u,
            d.line_index(),
            analyzer.config().nesting_limit(),
        ));
    }
    rows.push(("split_too_deep (nesting limit)".into(), t.elapsed()));
    let t = Instant::now();
    for (_, s, _) in &docs {
        std::hint::black_box(distlint_analysis::text::LineIndex::new(s));
    }
    rows.push(("LineIndex::new".into(), t.elapsed()));
    // The literal prefilter, as the engine runs it: one scan per unit and one of the file.
    let prefilter = distlint_analysis::internals::Prefilter::new(analyzer.rules_for(language));
    let t = Instant::now();
    let verdicts: Vec<_> = docs
        .iter()
        .zip(&imports)
        .zip(&units)
        .map(|(((_, s, _), imp), u)| {
            let filter = prefilter.for_file(imp);
            let per_unit: Vec<_> = u.iter().map(|n| filter.scan(&s[n.byte_range()])).collect();
            (per_unit, filter.scan(s))
        })
        .collect();
    rows.push(("literal prefilter".into(), t.elapsed()));
    let on = analyzer.prefilter_on();
    for rule in analyzer.rules_for(language) {
        let idx = prefilter.index_of(rule.meta().id);
        let t = Instant::now();
        for (((((p, s, d), imp), u), (per_unit, whole)), facts) in docs
            .iter()
            .zip(&imports)
            .zip(&units)
            .zip(&verdicts)
            .zip(&file_facts)
        {
            let ctx = Context::new(
                s,
                language,
                d.tree().root_node(),
                imp,
                facts,
                analyzer.config(),
                Some(p.as_path()),
            );
            let kept: Vec<_> = match rule.meta().scope {
                _ if !on => u.clone(),
                distlint_analysis::rule::Scope::File if whole.may_fire(idx) => u.clone(),
                distlint_analysis::rule::Scope::File => continue,
                distlint_analysis::rule::Scope::Unit => u
                    .iter()
                    .zip(per_unit)
                    .filter(|(_, v)| v.may_fire(idx))
                    .map(|(n, _)| *n)
                    .collect(),
            };
            if !kept.is_empty() {
                std::hint::black_box(analyzer.run_rule(rule, &ctx, &kept));
            }
        }
        rows.push((format!("rule `{}`", rule.meta().id), t.elapsed()));
    }
    let t = Instant::now();
    let mut files_read = 0;
    for ((_, s, d), lazy) in docs.iter().zip(&file_facts) {
        let read = lazy.collected();
        files_read += usize::from(read != distlint_analysis::internals::FactKinds::NONE);
        for bit in 0..32 {
            let kind = distlint_analysis::internals::FactKinds(1 << bit);
            if read.intersects(kind) {
                std::hint::black_box(distlint_analysis::internals::FileFacts::collect_kinds(
                    language,
                    s,
                    d.tree().root_node(),
                    kind,
                ));
            }
        }
    }
    rows.push((
        format!(
            "file facts read ({files_read} of {} files; also in the rows of the rules reading them)",
            docs.len()
        ),
        t.elapsed(),
    ));
    let t = Instant::now();
    for (_, s, d) in &docs {
        std::hint::black_box(distlint_analysis::internals::collect_suppressions(
            s,
            d.tree().root_node(),
            d.line_index(),
        ));
    }
    rows.push(("suppress::collect".into(), t.elapsed()));
    let parse = rows[0].1.as_secs_f64();
    println!();
    println!("## {} — where the time goes (one thread)", language.name());
    println!("| phase | s | × parse |");
    println!("|---|---|---|");
    rows.sort_by(|a, b| b.1.cmp(&a.1));
    for (name, d) in rows {
        println!(
            "| {name} | {:.3} | {:.2} |",
            d.as_secs_f64(),
            d.as_secs_f64() / parse
        );
    }
    println!();
}
