//! `--format github`: GitHub Actions workflow commands, one per finding
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`). blocker and major
//! findings are `error`s, minor ones `warning`s, nits `notice`s. Files analysed partially or
//! skipped are `warning`s on the file, read errors `error`s.

use std::io::{self, Write};

use distlint_analysis::Severity;

use super::{line_col, Report};

/// Writes one annotation line per finding.
pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    for (file, f) in report.findings() {
        let s = line_col(file, f.range.start);
        let e = line_col(file, f.range.end);
        let level = match f.severity {
            Severity::Blocker | Severity::Major => "error",
            Severity::Minor => "warning",
            Severity::Nit => "notice",
        };
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file.path),
            s.line,
            s.column,
            e.line,
            e.column,
            escape_property(&format!("distlint {} ({})", f.rule, f.severity)),
            escape_data(&format!("{}[{}] {}", f.severity, f.rule, f.message)),
        )?;
    }
    // Files analysed partially or skipped, and read errors, as annotations on the file.
    for n in &report.notices {
        let level = match n.level {
            super::NoticeLevel::Note => "notice",
            l => l.as_str(),
        };
        match &n.path {
            Some(p) => writeln!(
                out,
                "::{level} file={},title=distlint::{}",
                escape_property(p),
                escape_data(&n.message)
            )?,
            None => writeln!(out, "::{level} title=distlint::{}", escape_data(&n.message))?,
        }
    }
    Ok(())
}

/// Escapes a message as the Actions runner expects (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
