//! Suppression comments: `// distlint:ignore <rule-id>[,<rule-id>...] <reason>` at the end of the
//! finding's line or alone on the line above it, and `// distlint:ignore-file <rule-id> <reason>`
//! anywhere in the file (conventionally at the top). `all` matches every rule (but not the
//! pseudo-rules below, which must be named).
//!
//! The engine also judges the comments themselves ([`report`]): a suppression with no reason is a
//! [`MISSING_REASON`] finding; one that suppressed nothing is an [`UNUSED`] finding (ruff's
//! RUF100), but only for rules that actually ran on the file (see [`Judge`]).

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::Node;

use crate::catalog::{MISSING_REASON, PSEUDO_RULES, UNUSED};
use crate::config::Config;
use crate::rule::{Applicability, Finding, Fix, TextEdit};
use crate::syntax::Walk;
use crate::text::LineIndex;

/// One parsed suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Byte range of the comment.
    pub range: Range<usize>,
    /// 0-based line the comment is on.
    pub line: u32,
    /// True for `ignore-file`.
    pub file_level: bool,
    /// True when the comment is the only thing on its line (then it covers the next line).
    pub own_line: bool,
    /// Rule ids (or `all`).
    pub rules: Vec<String>,
    /// Byte range of the comma-separated id list in the source (empty range when there is none).
    pub ids_range: Range<usize>,
    /// The reason text, trimmed; empty when missing.
    pub reason: String,
}

impl Suppression {
    /// Index into [`Suppression::rules`] of the id that covers `rule` on `line`.
    fn covering_id(&self, rule: &str, line: u32) -> Option<usize> {
        if !(self.file_level || line == self.line || (self.own_line && line == self.line + 1)) {
            return None;
        }
        let pseudo = PSEUDO_RULES.iter().any(|m| m.id == rule);
        self.rules
            .iter()
            .position(|r| r == rule || (r == "all" && !pseudo))
    }
}

/// Collects suppression comments from a tree (comment nodes of either grammar).
pub fn collect(source: &str, root: Node<'_>, index: &LineIndex) -> Vec<Suppression> {
    let mut out = Vec::new();
    if !source.contains("distlint:ignore") {
        return out;
    }
    for node in Walk::new(root) {
        if !matches!(node.kind(), "line_comment" | "comment" | "block_comment") {
            continue;
        }
        let text = &source[node.byte_range()];
        let body = text
            .trim_start_matches("//")
            .trim_start_matches("/*")
            .trim_end_matches("*/")
            .trim_start_matches(['/', '!'])
            .trim();
        let (file_level, rest) = if let Some(r) = body.strip_prefix("distlint:ignore-file") {
            (true, r)
        } else if let Some(r) = body.strip_prefix("distlint:ignore") {
            (false, r)
        } else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            continue;
        }
        let rest = rest.trim();
        let (ids, reason) = match rest.split_once(char::is_whitespace) {
            Some((ids, reason)) => (ids, reason.trim()),
            None => (rest, ""),
        };
        // `ids` and `rest` are sub-slices of `text`: recover their byte offsets.
        let ids_start = node.start_byte() + (ids.as_ptr() as usize - text.as_ptr() as usize);
        let line = index.line_of(node.start_byte());
        let line_start = index.line_start(line).unwrap_or(0);
        let own_line = source[line_start..node.start_byte()].trim().is_empty();
        out.push(Suppression {
            range: node.byte_range(),
            line,
            file_level,
            own_line,
            rules: ids
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            ids_range: ids_start..ids_start + ids.len(),
            reason: reason.to_string(),
        });
    }
    out
}

/// Removes the findings that a suppression covers. Returns, per suppression and per rule id in
/// [`Suppression::rules`], whether that id suppressed anything.
pub fn apply_tracked(
    findings: &mut Vec<Finding>,
    suppressions: &[Suppression],
    index: &LineIndex,
) -> Vec<Vec<bool>> {
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.rules.len()])
        .collect();
    if suppressions.is_empty() {
        return used;
    }
    findings.retain(|f| {
        let line = index.line_of(f.range.start);
        let mut keep = true;
        for (i, s) in suppressions.iter().enumerate() {
            if let Some(k) = s.covering_id(f.rule, line) {
                used[i][k] = true;
                keep = false;
            }
        }
        keep
    });
    used
}

/// What the engine knows about a run, to decide which suppressions may be judged unused.
#[derive(Debug, Clone, Default)]
pub struct Judge<'a> {
    /// Ids of the rules that ran on this file to completion (enabled for its language, did not
    /// panic). A suppression naming any other rule is never reported as unused: the rule did not
    /// get the chance to fire (disabled in configuration, experimental and not selected, written
    /// for the other language, or crashed).
    pub ran: HashSet<&'a str>,
    /// Byte ranges of code the engine skipped (test code when `include_tests` is off). A
    /// line suppression inside, or covering a line inside, one of them is not judged.
    pub skipped: Vec<Range<usize>>,
}

/// Reports [`MISSING_REASON`] and [`UNUSED`] findings for `suppressions`, given the per-id usage
/// from [`apply_tracked`]. Findings get the configured severity; a pseudo-rule turned `off` in
/// `config` reports nothing. The returned findings are not yet filtered by suppressions.
pub fn report(
    source: &str,
    index: &LineIndex,
    suppressions: &[Suppression],
    used: &[Vec<bool>],
    judge: &Judge<'_>,
    config: &Config,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let missing_on = config.is_enabled(&MISSING_REASON);
    let unused_on = config.is_enabled(&UNUSED);
    let known: Vec<&'static str> = crate::catalog::all_metas().iter().map(|m| m.id).collect();
    for (s, used) in suppressions.iter().zip(used) {
        let form = if s.file_level {
            "distlint:ignore-file"
        } else {
            "distlint:ignore"
        };
        if missing_on && s.reason.is_empty() && !s.rules.is_empty() {
            let mut f = Finding::new(
                &MISSING_REASON,
                s.range.clone(),
                format!(
                    "`{form} {}` gives no reason: say after the rule id why the finding does not apply here",
                    s.rules.join(",")
                ),
            );
            f.severity = config.severity(&MISSING_REASON);
            out.push(f);
        }
        if !unused_on || (!s.file_level && in_skipped(s, source, index, judge)) {
            continue;
        }
        if s.rules.is_empty() {
            let mut f = Finding::new(
                &UNUSED,
                s.range.clone(),
                format!("`{form}` names no rule id, so it suppresses nothing"),
            );
            f.severity = config.severity(&UNUSED);
            out.push(f);
            continue;
        }
        let mut unused_ids: Vec<(usize, String)> = Vec::new();
        for (k, id) in s.rules.iter().enumerate() {
            if used[k] {
                continue;
            }
            let is_pseudo = PSEUDO_RULES.iter().any(|m| m.id == id.as_str());
            if is_pseudo {
                continue;
            }
            if id == "all" {
                if !judge.ran.is_empty() {
                    unused_ids.push((k, "`all` suppressed nothing".to_string()));
                }
            } else if !known.contains(&id.as_str()) {
                let hint = crate::catalog::nearest(id, known.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                unused_ids.push((k, format!("unknown rule `{id}`{hint}")));
            } else if judge.ran.contains(id.as_str()) {
                unused_ids.push((k, format!("`{id}` suppressed nothing")));
            }
        }
        if unused_ids.is_empty() {
            continue;
        }
        let all_unused = unused_ids.len() == s.rules.len();
        let fix = if all_unused {
            Fix::new(
                "Remove unused suppression",
                Applicability::Safe,
                vec![TextEdit::replace(removal_range(s, source, index), "")],
            )
        } else {
            let keep: Vec<&str> = s
                .rules
                .iter()
                .enumerate()
                .filter(|(k, _)| !unused_ids.iter().any(|(u, _)| u == k))
                .map(|(_, r)| r.as_str())
                .collect();
            Fix::new(
                "Remove unused rule ids from the suppression",
                Applicability::Safe,
                vec![TextEdit::replace(s.ids_range.clone(), keep.join(","))],
            )
        };
        let why: Vec<String> = unused_ids.into_iter().map(|(_, w)| w).collect();
        let mut f = Finding::new(
            &UNUSED,
            s.range.clone(),
            format!("unused suppression: {}", why.join(", ")),
        )
        .with_fix(fix);
        f.severity = config.severity(&UNUSED);
        out.push(f);
    }
    out
}

/// Whether a line suppression sits in, or covers a line in, code the engine skipped.
fn in_skipped(s: &Suppression, source: &str, index: &LineIndex, judge: &Judge<'_>) -> bool {
    let inside = |offset: usize| judge.skipped.iter().any(|r| r.contains(&offset));
    if inside(s.range.start) {
        return true;
    }
    if s.own_line {
        if let Some(r) = index.line_range(s.line + 1, source) {
            let first_code =
                r.start + (source[r.clone()].len() - source[r.clone()].trim_start().len());
            return inside(first_code);
        }
    }
    false
}

/// What "Remove unused suppression" deletes: the whole line when the comment stands alone on it,
/// otherwise the comment and the blanks before it.
fn removal_range(s: &Suppression, source: &str, index: &LineIndex) -> Range<usize> {
    if s.own_line {
        let start = index.line_start(s.line).unwrap_or(s.range.start);
        let end = index
            .line_start(s.line + 1)
            .unwrap_or(source.len())
            .max(s.range.end);
        return start..end;
    }
    let before = &source[..s.range.start];
    let trimmed = before.trim_end_matches([' ', '\t']);
    trimmed.len()..s.range.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RuleLevel;
    use crate::engine::Analyzer;
    use crate::language::Language;
    use crate::meta::Severity;
    use crate::testing::apply_fix;

    fn analyze(src: &str) -> Vec<Finding> {
        Analyzer::default().analyze_source(Language::Rust, src, None)
    }

    fn rules_lines(src: &str, fs: &[Finding]) -> Vec<(&'static str, u32)> {
        let idx = LineIndex::new(src);
        fs.iter()
            .map(|f| (f.rule, idx.line_of(f.range.start)))
            .collect()
    }

    const HEAD: &str = "use tokio::sync::mpsc;\nfn f() {\n";

    #[test]
    fn line_above_and_end_of_line_suppress_with_reason_silently() {
        let src = format!(
            "{HEAD}    // distlint:ignore unbounded-channel one message per worker\n    let a = mpsc::unbounded_channel::<u8>();\n    let b = mpsc::unbounded_channel::<u8>(); // distlint:ignore unbounded-channel bounded producer\n    let c = mpsc::unbounded_channel::<u8>();\n}}\n"
        );
        let fs = analyze(&src);
        assert_eq!(rules_lines(&src, &fs), vec![("unbounded-channel", 5)]);
    }

    #[test]
    fn missing_reason_is_a_nit_and_the_suppression_still_works() {
        let src = format!(
            "{HEAD}    // distlint:ignore unbounded-channel\n    let a = mpsc::unbounded_channel::<u8>();\n}}\n"
        );
        let fs = analyze(&src);
        assert_eq!(
            rules_lines(&src, &fs),
            vec![("suppression-missing-reason", 2)]
        );
        assert_eq!(fs[0].severity, Severity::Nit);
        assert!(
            fs[0].message.contains("gives no reason"),
            "{}",
            fs[0].message
        );
    }

    #[test]
    fn unused_suppression_is_reported_with_a_fix_that_removes_the_line() {
        let src = format!(
            "{HEAD}    // distlint:ignore unbounded-channel queue is tiny\n    let a = mpsc::channel::<u8>(8);\n}}\n"
        );
        let fs = analyze(&src);
        assert_eq!(rules_lines(&src, &fs), vec![("unused-suppression", 2)]);
        assert_eq!(fs[0].severity, Severity::Nit);
        assert!(fs[0]
            .message
            .contains("`unbounded-channel` suppressed nothing"));
        let fixed = apply_fix(&src, &fs[0].fixes[0]);
        assert_eq!(
            fixed,
            format!("{HEAD}    let a = mpsc::channel::<u8>(8);\n}}\n")
        );
        assert!(analyze(&fixed).is_empty());
    }

    #[test]
    fn unused_end_of_line_suppression_fix_keeps_the_code() {
        let src = format!("{HEAD}    let a = 1; // distlint:ignore unbounded-channel old\n}}\n");
        let fs = analyze(&src);
        assert_eq!(rules_lines(&src, &fs), vec![("unused-suppression", 2)]);
        let fixed = apply_fix(&src, &fs[0].fixes[0]);
        assert_eq!(fixed, format!("{HEAD}    let a = 1;\n}}\n"));
    }

    #[test]
    fn suppression_for_a_disabled_rule_is_not_unused() {
        let src = format!(
            "{HEAD}    // distlint:ignore unbounded-channel measured: at most 4 messages\n    let a = mpsc::channel::<u8>(8);\n}}\n"
        );
        let mut config = Config::default();
        config
            .rules
            .insert("unbounded-channel".into(), RuleLevel::Off);
        let fs = Analyzer::new(config).analyze_source(Language::Rust, &src, None);
        assert!(fs.is_empty(), "{fs:?}");
    }

    #[test]
    fn pseudo_rules_can_be_turned_off() {
        let src = format!(
            "{HEAD}    // distlint:ignore unbounded-channel\n    let a = mpsc::channel::<u8>(8);\n}}\n"
        );
        let mut config = Config::default();
        config
            .rules
            .insert("unused-suppression".into(), RuleLevel::Off);
        let fs = Analyzer::new(config.clone()).analyze_source(Language::Rust, &src, None);
        assert_eq!(
            rules_lines(&src, &fs),
            vec![("suppression-missing-reason", 2)]
        );
        config.rules.insert(
            "suppression-missing-reason".into(),
            RuleLevel::On(Severity::Minor),
        );
        let fs = Analyzer::new(config).analyze_source(Language::Rust, &src, None);
        assert_eq!(fs[0].severity, Severity::Minor);
    }

    #[test]
    fn unknown_rule_id_suggests_the_nearest_and_partial_fix_keeps_used_ids() {
        let src = format!(
            "{HEAD}    let a = mpsc::unbounded_channel::<u8>(); // distlint:ignore unbounded-channel,unbounded-chanel startup only\n}}\n"
        );
        let fs = analyze(&src);
        assert_eq!(rules_lines(&src, &fs), vec![("unused-suppression", 2)]);
        assert!(
            fs[0]
                .message
                .contains("unknown rule `unbounded-chanel`; did you mean `unbounded-channel`?"),
            "{}",
            fs[0].message
        );
        let fixed = apply_fix(&src, &fs[0].fixes[0]);
        assert!(fixed.contains("// distlint:ignore unbounded-channel startup only"));
        assert!(analyze(&fixed).is_empty());
    }

    #[test]
    fn ignore_file_covers_every_line_and_is_reported_when_unused() {
        let src = format!(
            "// distlint:ignore-file unbounded-channel generated code, reviewed\n{HEAD}    let a = mpsc::unbounded_channel::<u8>();\n    let b = mpsc::unbounded_channel::<u8>();\n}}\n"
        );
        assert!(analyze(&src).is_empty());
        let src = format!(
            "// distlint:ignore-file unbounded-channel generated code\n{HEAD}    let a = 1;\n}}\n"
        );
        let fs = analyze(&src);
        assert_eq!(rules_lines(&src, &fs), vec![("unused-suppression", 0)]);
        // ignore-file without a reason
        let src = format!("// distlint:ignore-file unbounded-channel\n{HEAD}    let a = mpsc::unbounded_channel::<u8>();\n}}\n");
        let fs = analyze(&src);
        assert_eq!(
            rules_lines(&src, &fs),
            vec![("suppression-missing-reason", 0)]
        );
    }

    #[test]
    fn all_does_not_hide_its_own_missing_reason_but_naming_the_pseudo_rule_does() {
        let src = format!(
            "{HEAD}    let a = mpsc::unbounded_channel::<u8>(); // distlint:ignore all\n}}\n"
        );
        let fs = analyze(&src);
        assert_eq!(
            rules_lines(&src, &fs),
            vec![("suppression-missing-reason", 2)]
        );
        let src = format!(
            "// distlint:ignore-file suppression-missing-reason legacy module, reasons tracked in JIRA-12\n{HEAD}    let a = mpsc::unbounded_channel::<u8>(); // distlint:ignore all\n}}\n"
        );
        assert!(analyze(&src).is_empty(), "{:?}", analyze(&src));
    }

    #[test]
    fn suppressions_in_skipped_test_code_are_not_judged() {
        let src = format!(
            "{HEAD}}}\n#[cfg(test)]\nmod tests {{\n    #[test]\n    fn t() {{\n        // distlint:ignore unbounded-channel test harness\n        let a = tokio::sync::mpsc::unbounded_channel::<u8>();\n    }}\n}}\n"
        );
        assert!(analyze(&src).is_empty(), "{:?}", analyze(&src));
        // With tests included, the suppression is used (and so still silent).
        let config = Config {
            include_tests: true,
            ..Config::default()
        };
        let fs = Analyzer::new(config).analyze_source(Language::Rust, &src, None);
        assert!(fs.is_empty(), "{fs:?}");
    }

    #[test]
    fn go_comments_work_the_same() {
        let src = "package main\n\n// distlint:ignore unbounded-channel wrong language, but unknown rules are judged\nfunc main() {}\n";
        let fs = Analyzer::default().analyze_source(Language::Go, src, None);
        // `unbounded-channel` is a Rust rule: it did not run on Go, so it is not judged unused.
        assert!(fs.is_empty(), "{fs:?}");
        let src = "package main\n\n// distlint:ignore no-such-rule because\nfunc main() {}\n";
        let fs = Analyzer::default().analyze_source(Language::Go, src, None);
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].rule, "unused-suppression");
    }
}
