//! `distlint check`: walk, analyse in parallel, report, pick the exit code.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use distlint_analysis::config_file::ConfigResolver;
use distlint_analysis::input::{classify, InputDecision, InputLimits};
use distlint_analysis::roles::{self, Role};
use distlint_analysis::{Analyzer, Document, Language, Severity};
use rayon::prelude::*;

use crate::cli::CheckArgs;
use crate::diff::ChangedLines;
use crate::fix;
use crate::output::{self, Notice, Report};
use crate::progress::Progress;
use crate::report::FileReport;
use crate::walk;

/// What happened to one file.
enum Outcome {
    Analysed(FileReport, Option<String>, FixInfo),
    /// The path as shown and the reason.
    Skipped(String, String),
    /// Not analysed because of its role (not included by the configuration).
    RoleSkipped(Role),
    Error(String),
}

/// What `--fix` / `--fix-diff` did to one file.
#[derive(Debug, Default)]
struct FixInfo {
    applied: usize,
    diff: Option<String>,
}

/// Fix options of one run.
#[derive(Debug, Clone, Copy)]
struct FixMode {
    write: bool,
    diff: bool,
    unsafe_fixes: bool,
}

/// Runs `check` and returns the process exit code.
pub fn run(args: CheckArgs) -> ExitCode {
    match run_inner(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run_inner(args: &CheckArgs) -> Result<ExitCode, String> {
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut walked = walk::walk(&paths);
    let mut errors = walked.errors;
    for p in &walked.not_source {
        if !args.quiet {
            eprintln!(
                "warning: {}: not a .rs or .go file; skipped",
                walk::display(p)
            );
        }
    }

    // Diff mode: only files with changed lines are analysed at all.
    let changed = match &args.diff {
        Some(base) => {
            let cwd = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
            let c = ChangedLines::compute(&cwd, base)?;
            if !args.quiet {
                eprintln!(
                    "diff mode: {} changed file(s) since merge-base {} of {} and HEAD",
                    c_count(&c, &walked.files),
                    &c.merge_base[..c.merge_base.len().min(12)],
                    c.base
                );
            }
            Some(c)
        }
        None => None,
    };
    if let Some(c) = &changed {
        walked.files.retain(|f| c.contains_file(f));
    }

    // Configuration: `--config`, or the nearest distlint.toml per file. An invalid file stops the
    // run before any analysis (exit 2): never a silent fallback to defaults.
    let resolver = ConfigResolver::new(args.config.as_deref()).map_err(|mut e| {
        e.path = relative_to_cwd(&e.path);
        e.to_string()
    })?;
    // `--include-role` adds to every configuration's `include-roles`.
    let with_cli_roles = |mut config: distlint_analysis::Config| {
        for r in args.include_roles.iter().flat_map(|r| r.roles()) {
            config.include_role(r);
        }
        config
    };
    let default_analyzer = Arc::new(Analyzer::new(with_cli_roles(Default::default())));
    let mut analyzers: HashMap<PathBuf, Arc<Analyzer>> = HashMap::new();
    let mut config_errors: Vec<String> = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    for file in walked.files {
        let base = walked.bases.get(&file).cloned();
        match resolver.for_file(&file) {
            Ok(None) => jobs.push((file, base, default_analyzer.clone())),
            Ok(Some(cfg)) => {
                if cfg.is_excluded(&file) {
                    continue;
                }
                let a = analyzers
                    .entry(cfg.path.clone())
                    .or_insert_with(|| Arc::new(Analyzer::new(with_cli_roles(cfg.config.clone()))))
                    .clone();
                jobs.push((file, base, a));
            }
            Err(mut e) => {
                e.path = relative_to_cwd(&e.path);
                let msg = e.to_string();
                if !config_errors.contains(&msg) {
                    config_errors.push(msg);
                }
            }
        }
    }
    if !config_errors.is_empty() {
        return Err(config_errors.join("\nerror: "));
    }

    let limits = InputLimits::default();
    let mode = FixMode {
        write: args.fix && !args.fix_diff,
        diff: args.fix_diff,
        unsafe_fixes: args.unsafe_fixes,
    };
    let progress = Progress::new(jobs.len(), !args.quiet && !args.no_progress);
    let analyse = |(p, base, analyzer): &Job| {
        let o = analyse_file(p, base.as_deref(), analyzer, &limits, mode);
        progress.tick();
        o
    };
    let outcomes: Vec<Outcome> = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| format!("cannot start {n} threads: {e}"))?
            .install(|| jobs.par_iter().map(analyse).collect()),
        None => jobs.par_iter().map(analyse).collect(),
    };

    progress.finish();
    let mut files = Vec::new();
    let mut skipped = 0usize;
    let mut skipped_by_role: BTreeMap<Role, usize> = BTreeMap::new();
    let mut notices: Vec<Notice> = Vec::new();
    let mut diffs = String::new();
    let (mut fixed, mut fixed_files) = (0usize, 0usize);
    for o in outcomes {
        match o {
            Outcome::Analysed(r, warning, fix) => {
                if let Some(w) = warning {
                    if !args.quiet {
                        eprintln!("warning: {}: {w}", r.path);
                    }
                    notices.push(Notice::warning(Some(r.path.clone()), w));
                }
                if fix.applied > 0 {
                    fixed += fix.applied;
                    fixed_files += 1;
                }
                if let Some(d) = fix.diff {
                    diffs.push_str(&d);
                }
                files.push(r);
            }
            Outcome::Skipped(path, reason) => {
                skipped += 1;
                if !args.quiet {
                    eprintln!("warning: {path}: {reason}");
                }
                notices.push(Notice::warning(Some(path), format!("skipped: {reason}")));
            }
            Outcome::RoleSkipped(role) => *skipped_by_role.entry(role).or_default() += 1,
            Outcome::Error(msg) => errors.push(msg),
        }
    }
    if let Some(note) = role_note(&skipped_by_role) {
        if !args.quiet && !mode.diff {
            eprintln!("note: {note}");
        }
        notices.push(Notice::note(note));
    }
    for e in &errors {
        eprintln!("error: {e}");
    }

    if mode.diff {
        // `--fix-diff`: the diff is the output; exit 1 when there is something to apply.
        print!("{diffs}");
        if !args.quiet {
            eprintln!("{fixed} fix(es) available in {fixed_files} file(s).");
        }
        return Ok(if !errors.is_empty() {
            ExitCode::from(2)
        } else if diffs.is_empty() || args.exit_zero {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    if mode.write && !args.quiet {
        eprintln!("Fixed {fixed} finding(s) in {fixed_files} file(s).");
    }

    if let Some(c) = &changed {
        for r in &mut files {
            let path = PathBuf::from(&r.path);
            let (index, src) = (&r.index, &r.source);
            r.findings.retain(|f| {
                let first = index.line_of(f.range.start) + 1;
                let end = f.range.end.max(f.range.start + 1).min(src.len().max(1)) - 1;
                let last = index.line_of(end.max(f.range.start)) + 1;
                c.touches(&path, first, last)
            });
        }
    }

    notices.extend(errors.iter().map(|e| Notice::error(e.clone())));
    let report = Report {
        files,
        skipped,
        skipped_by_role,
        errors: errors.len(),
        notices,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // A closed pipe (`distlint check | head`) is not an error: the reader has what it wanted.
    match output::write(&mut out, &report, args).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(format!("writing the report: {e}"))
        }
        _ => {}
    }

    if !errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let threshold = args.fail_on.map(Severity::from).unwrap_or(Severity::Nit);
    let failing = report.findings().any(|(_, f)| f.severity >= threshold);
    Ok(if failing && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A file to analyse: its path, the directory it was found under (see [`walk::Walked::bases`]),
/// and the analyzer of its configuration.
type Job = (PathBuf, Option<PathBuf>, Arc<Analyzer>);

/// The note on files skipped by role, e.g. `skipped 212 test-support, 38 generated and 14 example
/// files (not production code); `--include-role test` to analyse them` (the flag names the role
/// that skipped the most files). `None` when no file was skipped by role.
pub fn role_note(counts: &BTreeMap<Role, usize>) -> Option<String> {
    let mut rows: Vec<(Role, usize)> = Role::OPTIONAL
        .iter()
        .filter_map(|r| counts.get(r).filter(|n| **n > 0).map(|n| (*r, *n)))
        .collect();
    if rows.is_empty() {
        return None;
    }
    rows.sort_by(|a, b| b.1.cmp(&a.1));
    let parts: Vec<String> = rows.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let list = match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let total: usize = rows.iter().map(|r| r.1).sum();
    Some(format!(
        "skipped {list} file{} (not production code); `--include-role {}` to analyse them, `distlint explain-path FILE` says why",
        if total == 1 { "" } else { "s" },
        rows[0].0.name()
    ))
}

/// Reads, classifies (size, binary, UTF-8) and analyses one file.
///
/// Non-UTF-8 files are analysed lossily (invalid sequences become U+FFFD, so line numbers and the
/// character columns of the rest of the file stay right) with a warning; binary files (NUL in the
/// first 8 KiB) and files over the size limit are skipped with a warning; unreadable files are
/// errors (exit 2) and the scan continues.
/// Files whose role (judged below `base`, or the working directory when `None`) the analyzer's
/// configuration does not include are not parsed: [`Outcome::RoleSkipped`].
fn analyse_file(
    path: &Path,
    base: Option<&Path>,
    analyzer: &Analyzer,
    limits: &InputLimits,
    mode: FixMode,
) -> Outcome {
    let shown = walk::display(path);
    let language = match Language::from_path(path) {
        Some(l) => l,
        None => return Outcome::Skipped(shown, "not a .rs or .go file".into()),
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Outcome::Error(format!("{shown}: cannot read: {e}")),
    };
    let (text, decision) = classify(&bytes, limits);
    let warning = match &decision {
        InputDecision::Analyse => None,
        InputDecision::AnalyseLossy { invalid_sequences } => Some(format!(
            "not valid UTF-8 ({invalid_sequences} invalid sequence(s) replaced with U+FFFD); analysed the rest"
        )),
        InputDecision::Skip(reason) => return Outcome::Skipped(shown, reason.to_string()),
    };
    let text = text.expect("analysed input has text").into_owned();
    let judged = roles::judged_path(path, Some(base.unwrap_or(Path::new("."))));
    let role = roles::classify(language, &judged, &text).role;
    if !analyzer.config().includes_role(role) {
        return Outcome::RoleSkipped(role);
    }
    let lossy = warning.is_some();
    let mut doc = Document::with_limits(language, text, 0, *limits).with_path(path);
    if let Some(reason) = doc.skipped() {
        return Outcome::Skipped(shown, reason.to_string());
    }
    let mut info = FixInfo::default();
    if (mode.write || mode.diff) && !lossy {
        let fixed = fix::fix_document(&doc, analyzer, mode.unsafe_fixes);
        if fixed.text != doc.text() {
            info.applied = fixed.applied;
            if mode.diff {
                info.diff = Some(fix::unified_diff(&shown, doc.text(), &fixed.text));
            } else {
                if let Err(e) = std::fs::write(path, &fixed.text) {
                    return Outcome::Error(format!("{shown}: cannot write fixes: {e}"));
                }
                doc = Document::with_limits(language, fixed.text, 0, *limits).with_path(path);
            }
        }
    }
    // Files that were not valid UTF-8 are never rewritten: the lossy text would replace bytes.
    let mut analysis = analyzer.analyze_document(&doc);
    // Every output format lists fixes with their edits: resolve deferred ones.
    analyzer.resolve_fixes(&doc, &mut analysis.findings);
    // Items nested too deeply to analyse: the file is reported as analysed partially.
    let warning = warning
        .into_iter()
        .chain(analysis.too_deep.iter().map(|d| d.to_string()))
        .reduce(|a, b| format!("{a}; {b}"));
    Outcome::Analysed(
        FileReport::new(shown, &doc, analysis.findings),
        warning,
        info,
    )
}

/// `path` relative to the working directory when it is below it (for messages).
pub fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

fn c_count(c: &ChangedLines, files: &[PathBuf]) -> usize {
    files.iter().filter(|f| c.contains_file(f)).count()
}
