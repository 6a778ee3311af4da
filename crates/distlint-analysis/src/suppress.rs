//! Suppression comments: `// distlint:ignore <rule-id>[,<rule-id>...] <reason>` at the end of the
//! finding's line or alone on the line above it, and `// distlint:ignore-file <rule-id> <reason>`
//! anywhere in the file (conventionally at the top). `all` matches every rule.

use tree_sitter::Node;

use crate::rule::Finding;
use crate::syntax::Walk;
use crate::text::LineIndex;

/// One parsed suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Byte range of the comment.
    pub range: std::ops::Range<usize>,
    /// 0-based line the comment is on.
    pub line: u32,
    /// True for `ignore-file`.
    pub file_level: bool,
    /// True when the comment is the only thing on its line (then it covers the next line).
    pub own_line: bool,
    /// Rule ids (or `all`).
    pub rules: Vec<String>,
    /// The reason text, trimmed; empty when missing.
    pub reason: String,
}

impl Suppression {
    /// Whether this suppression covers a finding of `rule` starting on 0-based `line`.
    pub fn covers(&self, rule: &str, line: u32) -> bool {
        let rule_ok = self.rules.iter().any(|r| r == rule || r == "all");
        rule_ok
            && (self.file_level || line == self.line || (self.own_line && line == self.line + 1))
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
            reason: reason.to_string(),
        });
    }
    out
}

/// Removes the findings that a suppression covers. Returns, per suppression, whether it
/// suppressed anything (for "unused suppression" reporting).
pub fn apply(
    findings: &mut Vec<Finding>,
    suppressions: &[Suppression],
    index: &LineIndex,
) -> Vec<bool> {
    let mut used = vec![false; suppressions.len()];
    if suppressions.is_empty() {
        return used;
    }
    findings.retain(|f| {
        let line = index.line_of(f.range.start);
        let mut keep = true;
        for (i, s) in suppressions.iter().enumerate() {
            if s.covers(f.rule, line) {
                used[i] = true;
                keep = false;
            }
        }
        keep
    });
    used
}
