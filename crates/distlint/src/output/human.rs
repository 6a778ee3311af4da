//! `--format human` (default): a `path:line:col: severity[rule] message` headline per finding, a
//! code frame (annotate-snippets, rustc's renderer) with the span underlined and the failure
//! scenario in one line, and a summary line. Colours only when `--color` says so (by default
//! when stdout is a terminal and `NO_COLOR` is unset).

use std::io::{self, IsTerminal, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Effects, Style};
use distlint_analysis::{Finding, Severity};

use super::{line_col, meta, scenario_line, Report};
use crate::cli::{CheckArgs, ColorChoice};
use crate::report::FileReport;

/// Whether to colour output written to stdout.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Blocker => AnsiColor::BrightRed.on_default().effects(Effects::BOLD),
        Severity::Major => AnsiColor::Red.on_default().effects(Effects::BOLD),
        Severity::Minor => AnsiColor::Yellow.on_default().effects(Effects::BOLD),
        Severity::Nit => AnsiColor::Cyan.on_default().effects(Effects::BOLD),
    }
}

/// Writes every finding and the summary line (unless `--quiet`).
pub fn write(out: &mut dyn Write, report: &Report, args: &CheckArgs) -> io::Result<()> {
    let color = use_color(args.color);
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for (file, f) in report.findings() {
        write_finding(out, &renderer, color, file, f)?;
    }
    if !args.quiet {
        writeln!(out, "{}", summary_line(report))?;
    }
    Ok(())
}

fn write_finding(
    out: &mut dyn Write,
    renderer: &Renderer,
    color: bool,
    file: &FileReport,
    f: &Finding,
) -> io::Result<()> {
    let pos = line_col(file, f.range.start);
    let sev = if color {
        let st = severity_style(f.severity);
        format!("{st}{}{st:#}", f.severity)
    } else {
        f.severity.to_string()
    };
    let bold = Style::new().effects(Effects::BOLD);
    let (b0, b1) = if color {
        (format!("{bold}"), format!("{bold:#}"))
    } else {
        (String::new(), String::new())
    };
    writeln!(
        out,
        "{b0}{}:{}:{}{b1}: {sev}[{}] {}",
        file.path, pos.line, pos.column, f.rule, f.message
    )?;

    // The frame shows only the lines the span covers (at most 6, folded by the renderer).
    let first_line = file.index.line_of(f.range.start);
    let last_line = file.index.line_of(f.range.end.max(f.range.start));
    let frame_start = file.index.line_start(first_line).unwrap_or(0);
    let frame_end = file
        .index
        .line_range(last_line, &file.source)
        .map(|r| r.end)
        .unwrap_or(file.source.len());
    let frame = &file.source[frame_start..frame_end];
    let span = (f.range.start - frame_start)..(f.range.end.min(frame_end) - frame_start);
    let label = meta(f).map(scenario_line).unwrap_or_default();
    let level = match f.severity {
        Severity::Blocker | Severity::Major => Level::ERROR,
        Severity::Minor => Level::WARNING,
        Severity::Nit => Level::NOTE,
    };
    let group = Group::with_level(level).element(
        Snippet::source(frame)
            .line_start(first_line as usize + 1)
            .fold(true)
            .annotation(AnnotationKind::Primary.span(span).label(label)),
    );
    writeln!(out, "{}", renderer.render(&[group]))?;
    writeln!(out)
}

/// `Found 3 findings (1 major, 2 minor) in 12 files.` or `No findings in 12 files.`, plus skipped
/// files and errors when there were any.
pub fn summary_line(report: &Report) -> String {
    let files = report.files.len();
    let files_s = if files == 1 { "file" } else { "files" };
    let mut s = match report.total() {
        0 => format!("No findings in {files} {files_s}"),
        n => {
            let c = report.counts();
            let parts: Vec<String> = ["blocker", "major", "minor", "nit"]
                .iter()
                .zip(c)
                .filter(|(_, n)| *n > 0)
                .map(|(name, n)| format!("{n} {name}"))
                .collect();
            format!(
                "Found {n} finding{} ({}) in {files} {files_s}",
                if n == 1 { "" } else { "s" },
                parts.join(", ")
            )
        }
    };
    if report.skipped > 0 {
        s.push_str(&format!("; {} skipped", report.skipped));
    }
    if report.errors > 0 {
        s.push_str(&format!(
            "; {} error{}",
            report.errors,
            if report.errors == 1 { "" } else { "s" }
        ));
    }
    s.push('.');
    s
}
