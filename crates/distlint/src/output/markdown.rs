//! `--format markdown`: a code-review report for posting as a pull-request comment.
//!
//! ```text
//! Reviewed 12 files, 3 findings (0 blockers, 2 major, 1 minor, 0 nits).
//!
//! ### Major
//!
//! **[major]** `src/queue.rs:41` -- unbounded channel: a slow consumer lets the queue grow ...
//!
//! *Failure scenario:* An unbounded channel turns a slow consumer into unbounded memory growth ...
//!
//! *Fix:* Bound this channel (capacity 1024) — unsafe fix, review before applying.
//! ```
//!
//! The first line keeps that exact shape (plural nouns even for 1) so tools can parse it.

use std::io::{self, Write};

use distlint_analysis::{Applicability, Severity};

use super::{line_col, meta, scenario_line, severity_rank, Report};

/// Writes the report.
pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let c = report.counts();
    writeln!(
        out,
        "Reviewed {} files, {} findings ({} blockers, {} major, {} minor, {} nits).",
        report.files.len(),
        report.total(),
        c[0],
        c[1],
        c[2],
        c[3]
    )?;
    for sev in [
        Severity::Blocker,
        Severity::Major,
        Severity::Minor,
        Severity::Nit,
    ] {
        let group: Vec<_> = report
            .findings()
            .filter(|(_, f)| f.severity == sev)
            .collect();
        if group.is_empty() {
            continue;
        }
        let heading = ["Blockers", "Major", "Minor", "Nits"][severity_rank(sev)];
        writeln!(out, "\n### {heading}")?;
        for (file, f) in group {
            let pos = line_col(file, f.range.start);
            writeln!(
                out,
                "\n**[{}]** `{}:{}` -- {}",
                f.severity,
                file.path.replace('`', "'"),
                pos.line,
                one_line(&f.message)
            )?;
            if let Some(m) = meta(f) {
                writeln!(
                    out,
                    "\n*Failure scenario:* {}.",
                    scenario_line(m).trim_end_matches('.')
                )?;
            }
            match f.fixes.first() {
                Some(fix) => {
                    let safety = match fix.applicability {
                        Applicability::Safe => "safe fix, `distlint check --fix` applies it",
                        Applicability::Unsafe => {
                            "unsafe fix, review it; `distlint check --fix --unsafe-fixes` applies it"
                        }
                        Applicability::Manual => "offered in the editor",
                    };
                    writeln!(out, "\n*Fix:* {} ({safety}).", one_line(&fix.title))?;
                }
                None => {
                    if let Some(m) = meta(f) {
                        let lang = distlint_analysis::catalog::language_label(m);
                        let lang = if lang == "any" {
                            file.language.name()
                        } else {
                            lang
                        };
                        writeln!(
                            out,
                            "\n*Fix:* no automatic rewrite; use instead:\n\n```{lang}\n{}\n```",
                            m.docs.use_instead.trim_matches('\n')
                        )?;
                    }
                }
            }
        }
    }
    if !report.notices.is_empty() {
        writeln!(out, "\n### Not fully analysed")?;
        for n in &report.notices {
            match &n.path {
                Some(p) => writeln!(
                    out,
                    "\n- `{}`: {}",
                    p.replace('`', "'"),
                    one_line(&n.message)
                )?,
                None => writeln!(out, "\n- {}", one_line(&n.message))?,
            }
        }
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
