//! Suppression comments: `// distlint:ignore <rule-id>[,<rule-id>...] <reason>` at the end of the
//! finding's line or alone on the line above it, and `// distlint:ignore-file <rule-id> <reason>`
//! anywhere in the file (conventionally at the top). `all` matches every rule.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Finding, RuleDocs, RuleMeta, Scope, Severity};
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

/// `suppression-missing-reason`: a suppression comment with no reason after the rule ids.
pub static MISSING_REASON: RuleMeta = RuleMeta {
    id: "suppression-missing-reason",
    // RuleMeta holds one language; this pseudo-rule applies to Rust and Go alike.
    language: Language::Rust,
    // No taxonomy category is about the linter's own comments; `observability` (impact:
    // operability) is the closest existing slug: an unexplained suppression hides a known risk
    // from the people who operate the service.
    category: "observability",
    severity: Severity::Nit,
    title: "Suppression without a reason",
    scope: Scope::File,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `// distlint:ignore <rule-id>` and `// distlint:ignore-file <rule-id>` \
comments that give no reason after the rule ids. Applies to Rust and Go files alike. (Category \
`observability` is the closest slug in the taxonomy for a finding about the linter's own \
comments.)",
        why: "A suppression records a decision that a known failure mode does not apply here. \
Without the reason:\n\n\
1. Someone silences `unbounded-channel` on a queue because \"the producer is bounded\".\n\
2. Months later the producer changes to one message per HTTP request; nobody re-checks the \
suppression because nothing says what it relied on.\n\
3. The queue grows without bound during a downstream slowdown and the process is OOM-killed.\n\n\
With the reason in the comment, a reviewer of step 2 sees the assumption that just broke.",
        known_problems: "- Any text counts as a reason; `// distlint:ignore unbounded-channel x` \
satisfies the rule.\n\
- The suppression still works when the reason is missing; this finding only asks for it.",
        example: "// distlint:ignore unbounded-channel\nlet (tx, rx) = mpsc::unbounded_channel();",
        use_instead: "// distlint:ignore unbounded-channel one message per worker at startup, at most 16\nlet (tx, rx) = mpsc::unbounded_channel();",
        fix: "",
    },
};

/// `unused-suppression`: a suppression comment that suppressed nothing (ruff's RUF100).
pub static UNUSED: RuleMeta = RuleMeta {
    id: "unused-suppression",
    // RuleMeta holds one language; this pseudo-rule applies to Rust and Go alike.
    language: Language::Rust,
    // Closest existing taxonomy slug; see `suppression-missing-reason`.
    category: "observability",
    severity: Severity::Nit,
    title: "Unused suppression",
    scope: Scope::File,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `// distlint:ignore` and `// distlint:ignore-file` comments that suppressed \
no finding in this run: the code they covered was fixed or moved, or the rule id is misspelt \
(then the message names the nearest known id). Like ruff's `RUF100` (unused `noqa`). Applies \
to Rust and Go files alike. (Category `observability` is the closest slug in the taxonomy.)\n\n\
Only rules that actually ran are judged: a suppression naming a rule that is disabled in \
configuration (or experimental and not selected), a rule for the other language, or a finding \
in skipped test code is not reported, because the rule did not get the chance to fire.",
        why: "A dead suppression is a trap:\n\n\
1. A `// distlint:ignore lock-held-across-await` stays above a line after the lock moved away.\n\
2. Later someone adds an `.await` while holding a `std::sync::Mutex` guard on that same line.\n\
3. The new, real finding is silenced by the stale comment; the task blocks an executor thread \
under contention and p99 latency climbs during the next incident.\n\n\
Reporting unused suppressions keeps every remaining one deliberate.",
        known_problems: "- A suppression for a rule id that only exists in a newer distlint is \
reported as unknown.\n\
- `all` is unused only when nothing at all was suppressed on its line(s).",
        example: "// distlint:ignore unbounded-chanel typo: never matches\nlet (tx, rx) = mpsc::channel(64);",
        use_instead: "let (tx, rx) = mpsc::channel(64);",
        fix: "**Remove unused suppression** (safe): deletes the comment (the whole line when the \
comment stands alone on it).",
    },
};

/// The engine's pseudo-rules, in id order.
pub static PSEUDO_RULES: &[&RuleMeta] = &[&MISSING_REASON, &UNUSED];
