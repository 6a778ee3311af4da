//! `--format json`: one JSON document, schema version 1 (documented in docs/cli.md). Field order
//! is fixed by the structs below; lines and columns are 1-based, columns count characters, end
//! positions are exclusive.

use std::io::{self, Write};

use distlint_analysis::rule::RuleMeta;
use distlint_analysis::Applicability;
use serde::Serialize;

use super::{line_col, meta, Report};

/// The whole document.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Schema version: 1. Fields are only ever added.
    pub version: u32,
    /// Findings sorted by path, then position.
    pub findings: Vec<JsonFinding<'a>>,
    /// Counts.
    pub summary: JsonSummary,
    /// Conditions of the run that are not findings — files analysed partially or skipped, read
    /// errors — in output order. Omitted when there are none (added within schema version 1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<JsonNotice<'a>>,
}

/// A condition of the run that is not a finding (see [`super::Notice`]).
#[derive(Debug, Serialize)]
pub struct JsonNotice<'a> {
    /// `note` (files skipped by role), `warning` (the file was analysed partially or skipped) or
    /// `error` (exit code 2).
    pub level: super::NoticeLevel,
    /// The file, as in findings; omitted when the message names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'a str>,
    /// One line.
    pub message: &'a str,
}

/// One finding.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    /// As given on the command line or joined onto it (relative paths stay relative).
    pub path: &'a str,
    /// 1-based line of the span start.
    pub line: u32,
    /// 1-based column of the span start, in characters.
    pub column: u32,
    /// 1-based line of the span end.
    pub end_line: u32,
    /// 1-based column of the first character after the span.
    pub end_column: u32,
    /// Rule id.
    pub rule: &'a str,
    /// Taxonomy slug.
    pub category: &'a str,
    /// `blocker | major | minor | nit` (after configuration).
    pub severity: &'static str,
    /// One line naming the failure.
    pub message: &'a str,
    /// `rust | go`.
    pub language: &'static str,
    /// The category's impact from the taxonomy: `data-loss | silent-corruption | consistency |
    /// availability | operability`.
    pub impact: &'a str,
    /// `high` (rule on by default, precision measured) or `medium` (experimental rule).
    pub confidence: &'static str,
    /// How to read the rule's docs: the `distlint explain <rule>` command.
    pub help: String,
    /// Fixes, most preferred first.
    pub fixes: Vec<JsonFix<'a>>,
}

/// A fix: a title, its safety, and text edits.
#[derive(Debug, Serialize)]
pub struct JsonFix<'a> {
    /// Imperative title.
    pub title: &'a str,
    /// `safe | unsafe | manual`.
    pub applicability: Applicability,
    /// Non-overlapping edits, sorted.
    pub edits: Vec<JsonEdit<'a>>,
}

/// Replace the text between (line, column) and (end_line, end_column) with `replacement`.
#[derive(Debug, Serialize)]
pub struct JsonEdit<'a> {
    /// 1-based start line.
    pub line: u32,
    /// 1-based start column (characters).
    pub column: u32,
    /// 1-based end line.
    pub end_line: u32,
    /// 1-based end column (exclusive, characters).
    pub end_column: u32,
    /// The new text.
    pub replacement: &'a str,
}

/// Counts over the run.
#[derive(Debug, Serialize)]
pub struct JsonSummary {
    /// Files analysed.
    pub files: usize,
    /// Findings reported.
    pub findings: usize,
    /// Findings per severity.
    pub blocker: usize,
    /// Findings per severity.
    pub major: usize,
    /// Findings per severity.
    pub minor: usize,
    /// Findings per severity.
    pub nit: usize,
    /// Files skipped (binary, too large, parse over budget).
    pub skipped: usize,
    /// Paths or files that could not be read.
    pub errors: usize,
    /// Files not analysed because of their role, per role (`test`, `example`, `generated`,
    /// `vendored`; roles with none are omitted, and the field when no file was skipped by role).
    /// Added within schema version 1.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub skipped_by_role: std::collections::BTreeMap<&'static str, usize>,
}

/// Writes the document followed by a newline.
pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build(report))?;
    writeln!(out)
}

/// Builds the document.
pub fn build(report: &Report) -> JsonReport<'_> {
    let findings = report
        .findings()
        .map(|(file, f)| {
            let start = line_col(file, f.range.start);
            let end = line_col(file, f.range.end);
            let m = meta(f);
            let category = m.map(|m| m.category).unwrap_or("");
            let impact = distlint_analysis::taxonomy::category(category)
                .map(|c| c.impact.as_str())
                .unwrap_or("");
            JsonFinding {
                path: &file.path,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                rule: f.rule,
                category,
                severity: f.severity.as_str(),
                message: &f.message,
                language: file.language.name(),
                impact,
                confidence: confidence(m),
                help: format!("distlint explain {}", f.rule),
                fixes: f
                    .fixes
                    .iter()
                    .map(|fix| JsonFix {
                        title: &fix.title,
                        applicability: fix.applicability,
                        edits: fix
                            .edits
                            .iter()
                            .map(|e| {
                                let s = line_col(file, e.range.start);
                                let t = line_col(file, e.range.end);
                                JsonEdit {
                                    line: s.line,
                                    column: s.column,
                                    end_line: t.line,
                                    end_column: t.column,
                                    replacement: &e.replacement,
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    let c = report.counts();
    JsonReport {
        version: 1,
        findings,
        summary: JsonSummary {
            files: report.files.len(),
            findings: report.total(),
            blocker: c[0],
            major: c[1],
            minor: c[2],
            nit: c[3],
            skipped: report.skipped,
            errors: report.errors,
            skipped_by_role: report
                .skipped_by_role
                .iter()
                .map(|(r, n)| (r.name(), *n))
                .collect(),
        },
        notices: report
            .notices
            .iter()
            .map(|n| JsonNotice {
                level: n.level,
                path: n.path.as_deref(),
                message: &n.message,
            })
            .collect(),
    }
}

/// `"high"` for rules on by default (their precision was measured on real code, see
/// docs/precision.md), `"medium"` for experimental rules that must be selected explicitly.
pub fn confidence(m: Option<&RuleMeta>) -> &'static str {
    match m {
        Some(m) if m.default_enabled => "high",
        _ => "medium",
    }
}
