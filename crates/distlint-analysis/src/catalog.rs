//! Every rule's metadata in one list: the registered rules ([`crate::rules::all`]) followed by the
//! engine's pseudo-rules about suppression comments ([`PSEUDO_RULES`], defined here and reported
//! by the engine's suppression module rather than by a [`crate::rule::Rule`] check). `distlint rules`,
//! `distlint explain`, configuration validation and report formats (SARIF `tool.driver.rules`)
//! all read this list.

use crate::language::Language;
use crate::meta::{RuleDocs, RuleMeta, Scope, Severity};

/// Every rule's metadata: registered rules first (registry order), then the pseudo-rules.
pub fn all_metas() -> Vec<&'static RuleMeta> {
    crate::rules::all()
        .iter()
        .map(|r| r.meta())
        .chain(PSEUDO_RULES.iter().copied())
        .collect()
}

/// The metadata of the rule or pseudo-rule with `id`.
pub fn meta_by_id(id: &str) -> Option<&'static RuleMeta> {
    all_metas().into_iter().find(|m| m.id == id)
}

/// Whether `id` names an engine pseudo-rule (it applies to both languages).
pub fn is_pseudo_rule(id: &str) -> bool {
    PSEUDO_RULES.iter().any(|m| m.id == id)
}

/// The language column for listings: `rust`, `go`, or `any` for pseudo-rules.
pub fn language_label(meta: &RuleMeta) -> &'static str {
    if is_pseudo_rule(meta.id) {
        "any"
    } else {
        meta.language.name()
    }
}

/// [`RuleMeta::markdown`], with the language line corrected for pseudo-rules (which
/// [`RuleMeta`] can only tag with one language).
pub fn markdown(meta: &RuleMeta) -> String {
    let md = meta.markdown();
    if is_pseudo_rule(meta.id) {
        md.replacen(
            &format!("language: {}", meta.language.name()),
            "language: rust and go",
            1,
        )
    } else {
        md
    }
}

/// The candidate closest to `word` by Jaro-Winkler similarity (≥ 0.8), for "did you mean"
/// suggestions in error messages.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
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
        why: "An unexplained suppression hides a known risk from the next person who changes the \
code, because nothing says what assumption made it safe:\n\n\
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
        why: "A dead suppression silently swallows the next real finding on the line it covers:\n\n\
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
