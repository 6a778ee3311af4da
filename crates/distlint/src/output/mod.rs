//! Report formats. Every format reads the same [`Report`]; positions are converted here from the
//! engine's byte offsets to **1-based lines and 1-based columns counted in characters** (Unicode
//! scalar values, i.e. LSP's UTF-32 encoding), with end positions exclusive: `end_column` is the
//! column of the first character after the span (as SARIF's `endColumn`).

use std::io::{self, Write};

use distlint_analysis::rule::RuleMeta;
use distlint_analysis::{Finding, PositionEncoding, Severity};

use crate::cli::{CheckArgs, Format};
use crate::report::FileReport;

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

#[cfg(test)]
mod tests;

/// Everything a format needs.
#[derive(Debug, Default)]
pub struct Report {
    /// Analysed files, sorted by path, each with findings sorted by position.
    pub files: Vec<FileReport>,
    /// Files skipped (binary, too large, parse over budget).
    pub skipped: usize,
    /// Files not analysed because the configuration does not include their role (not in
    /// `skipped`), per role.
    pub skipped_by_role: std::collections::BTreeMap<distlint_analysis::roles::Role, usize>,
    /// Files or paths that could not be read.
    pub errors: usize,
    /// Conditions of the run that are not findings, in output order: files analysed partially
    /// (items nested over `max-nesting-depth`, bytes that are not UTF-8), skipped files and
    /// errors. The human format prints them on stderr as they happen; JSON lists them under
    /// `notices` and SARIF as the invocation's `toolExecutionNotifications`.
    pub notices: Vec<Notice>,
}

/// Level of a [`Notice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoticeLevel {
    /// Information about the run (files skipped by role).
    Note,
    /// The file was analysed partially or skipped; the run went on.
    Warning,
    /// A path or file could not be read or written (exit code 2).
    Error,
}

impl NoticeLevel {
    /// `note`, `warning` or `error`: the JSON value and the SARIF notification level (§3.58.6);
    /// the GitHub workflow command for `note` is `notice`.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeLevel::Note => "note",
            NoticeLevel::Warning => "warning",
            NoticeLevel::Error => "error",
        }
    }
}

/// One condition of the run that is not a finding (see [`Report::notices`]).
#[derive(Debug, Clone)]
pub struct Notice {
    /// Warning or error.
    pub level: NoticeLevel,
    /// The file it concerns, as shown in findings (`None` when the message names it itself).
    pub path: Option<String>,
    /// One line, without the path when `path` is set: `analysed partially: the item at line 1
    /// nests 10003 levels deep, over the limit of 1000 (...)`, `skipped: binary file`.
    pub message: String,
}

impl Notice {
    /// A warning about `path`.
    pub fn warning(path: Option<String>, message: impl Into<String>) -> Notice {
        Notice {
            level: NoticeLevel::Warning,
            path,
            message: message.into(),
        }
    }

    /// A note about the whole run.
    pub fn note(message: impl Into<String>) -> Notice {
        Notice {
            level: NoticeLevel::Note,
            path: None,
            message: message.into(),
        }
    }

    /// An error whose message names its path.
    pub fn error(message: impl Into<String>) -> Notice {
        Notice {
            level: NoticeLevel::Error,
            path: None,
            message: message.into(),
        }
    }
}

impl Report {
    /// Every finding with its file, in output order (path, then position).
    pub fn findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files
            .iter()
            .flat_map(|f| f.findings.iter().map(move |x| (f, x)))
    }

    /// Counts per severity, most severe first: `[blocker, major, minor, nit]`.
    pub fn counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for (_, f) in self.findings() {
            c[severity_rank(f.severity)] += 1;
        }
        c
    }

    /// Number of findings.
    pub fn total(&self) -> usize {
        self.files.iter().map(|f| f.findings.len()).sum()
    }
}

/// Index into [`Report::counts`]: blocker 0, major 1, minor 2, nit 3.
pub fn severity_rank(s: Severity) -> usize {
    match s {
        Severity::Blocker => 0,
        Severity::Major => 1,
        Severity::Minor => 2,
        Severity::Nit => 3,
    }
}

/// A 1-based line and 1-based character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters (Unicode scalar values).
    pub column: u32,
}

/// The 1-based line/character-column of byte `offset` in `file`.
pub fn line_col(file: &FileReport, offset: usize) -> LineCol {
    let p = file
        .index
        .position(&file.source, offset, PositionEncoding::Utf32);
    LineCol {
        line: p.line + 1,
        column: p.character + 1,
    }
}

/// The rule metadata of a finding (every finding's rule is in the catalog).
pub fn meta(f: &Finding) -> Option<&'static RuleMeta> {
    distlint_analysis::catalog::meta_by_id(f.rule)
}

/// The failure scenario in one line: the first paragraph of the rule's "why" section, with
/// whitespace collapsed and a trailing colon dropped.
pub fn scenario_line(meta: &RuleMeta) -> String {
    let first = meta.docs.why.trim().split("\n\n").next().unwrap_or("");
    let s = first.split_whitespace().collect::<Vec<_>>().join(" ");
    s.trim_end_matches(':').to_string()
}

/// Writes the report in the format `args` asks for.
pub fn write(out: &mut dyn Write, report: &Report, args: &CheckArgs) -> io::Result<()> {
    match args.format {
        Format::Human => human::write(out, report, args),
        Format::Json => json::write(out, report),
        Format::Github => github::write(out, report),
        Format::Sarif => sarif::write(out, report),
        Format::Markdown => markdown::write(out, report),
    }?;
    if args.statistics {
        write_statistics(out, report, args.format)?;
    }
    Ok(())
}

/// `--statistics`: findings per rule, most frequent first (to stderr for machine formats, so
/// their stdout stays one parseable document).
fn write_statistics(out: &mut dyn Write, report: &Report, format: Format) -> io::Result<()> {
    let mut counts: std::collections::BTreeMap<&str, (usize, Severity)> = Default::default();
    for (_, f) in report.findings() {
        let e = counts.entry(f.rule).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let mut text = String::new();
    for (rule, (n, sev)) in rows {
        text.push_str(&format!("{n:>6}  {rule:<32} {sev}\n"));
    }
    match format {
        Format::Human | Format::Markdown => out.write_all(text.as_bytes()),
        _ => io::stderr().write_all(text.as_bytes()),
    }
}
