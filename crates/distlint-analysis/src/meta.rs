//! A rule's static description: its [`RuleMeta`] (id, language, category, default
//! [`Severity`], [`Scope`], [`RuleDocs`]). Data only, below both the configuration
//! ([`crate::config`], which enables rules and sets their severities by their metadata) and the
//! rule trait ([`crate::rule`], which re-exports these types), so neither imports the other's
//! layer.

use serde::{Deserialize, Serialize};

use crate::language::Language;
/// How bad a finding is. Ordered from least to most severe; the names follow
/// `../shared/taxonomy.toml` (`severity = "blocker" | "major" | "minor" | "nit"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Style or hygiene; worth fixing when nearby.
    Nit,
    /// Degrades availability under unusual conditions.
    Minor,
    /// Causes an outage, data loss or inconsistency under plausible conditions.
    Major,
    /// Silently corrupts or loses data; fix before merging.
    Blocker,
}

impl Severity {
    /// Lower-case name as in the taxonomy and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Nit => "nit",
            Severity::Minor => "minor",
            Severity::Major => "major",
            Severity::Blocker => "blocker",
        }
    }

    /// Parses `"nit" | "minor" | "major" | "blocker"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "nit" => Some(Severity::Nit),
            "minor" => Some(Severity::Minor),
            "major" => Some(Severity::Major),
            "blocker" => Some(Severity::Blocker),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Documentation in clippy's sections. Each field is Markdown; `example` and `use_instead` are
/// code in the rule's language (without fences).
#[derive(Debug, Clone, Copy)]
pub struct RuleDocs {
    /// What it finds.
    pub what: &'static str,
    /// Why it is bad: the failure scenario, step by step.
    pub why: &'static str,
    /// Known problems: false positives and negatives, honestly.
    pub known_problems: &'static str,
    /// Code that triggers the rule.
    pub example: &'static str,
    /// The corrected code.
    pub use_instead: &'static str,
    /// Which fix the rule offers and whether it is safe; `""` when it only offers a suppression.
    pub fix: &'static str,
}

/// Where a rule's check is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per analysis unit (top-level item: function, method inside an impl, Go func/method,
    /// file-level declaration). Preferred: lets the engine re-run only the units an edit touched.
    Unit,
    /// Once per file, with the root node. For rules that relate several items (a struct and its impl).
    File,
}

/// A rule's static description.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// Stable kebab-case id. Public contract: never renamed.
    pub id: &'static str,
    /// The language the rule analyses.
    pub language: Language,
    /// A category slug from `taxonomy.toml` (e.g. `unbounded-queue`). Public contract.
    pub category: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Short title ("Unbounded channel").
    pub title: &'static str,
    /// Documentation shown by hover and `distlint explain`.
    pub docs: RuleDocs,
    /// Where the check runs.
    pub scope: Scope,
    /// `false` for experimental rules that are off unless selected in configuration.
    pub default_enabled: bool,
}

impl RuleMeta {
    /// The rule's documentation as one Markdown document (used by `explain` and hover).
    pub fn markdown(&self) -> String {
        let lang = self.language.name();
        let mut s = format!(
            "# {} (`{}`)\n\ncategory: `{}` · default severity: {} · language: {}{}\n\n## What it does\n{}\n\n## Why is this bad\n{}\n\n## Known problems\n{}\n\n## Example\n```{lang}\n{}\n```\n\n## Use instead\n```{lang}\n{}\n```\n",
            self.title,
            self.id,
            self.category,
            self.severity,
            lang,
            if self.default_enabled { "" } else { " · experimental (off by default)" },
            self.docs.what.trim(),
            self.docs.why.trim(),
            self.docs.known_problems.trim(),
            self.docs.example.trim_matches('\n'),
            self.docs.use_instead.trim_matches('\n'),
        );
        s.push_str("\n## Fix\n");
        if self.docs.fix.trim().is_empty() {
            s.push_str("No automatic rewrite; a suppression comment (`// distlint:ignore ");
            s.push_str(self.id);
            s.push_str(" <reason>`) is offered.\n");
        } else {
            s.push_str(self.docs.fix.trim());
            s.push('\n');
        }
        s
    }
}
