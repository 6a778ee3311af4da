//! Effective analysis configuration: which rules run, at what severity, and fix parameters.
//!
//! This is the in-memory form. Loading it from `distlint.toml` files and editor settings lives in
//! [`crate::config_file`]; both the CLI and the language server build a [`Config`] and hand it to
//! the [`crate::engine::Analyzer`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::meta::{RuleMeta, Severity};
use crate::roles::Role;

/// A per-rule override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleLevel {
    /// The rule does not run.
    Off,
    /// The rule runs (even if experimental) with this severity.
    On(Severity),
    /// The rule runs (even if experimental) at its default severity.
    Enabled,
}

/// Parameters that fixes use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixConfig {
    /// Capacity used by "Bound this channel" (number of messages). Default 1024.
    pub channel_capacity: u32,
    /// Timeout used by "Add a timeout", in seconds. Default 30.
    pub timeout_seconds: u64,
    /// Header name used by "Add an idempotency key". Default `Idempotency-Key`.
    pub idempotency_header: String,
}

impl Default for FixConfig {
    fn default() -> Self {
        Self {
            channel_capacity: 1024,
            timeout_seconds: 30,
            idempotency_header: "Idempotency-Key".into(),
        }
    }
}

/// Effective configuration for one analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Rule id → override. Rules not listed run when `default_enabled` at their default severity.
    pub rules: BTreeMap<String, RuleLevel>,
    /// Analyse test code too (`#[test]` fns, `#[cfg(test)]` modules, Go `_test.go` files, and
    /// files whose [`crate::roles::Role`] is test support). Default `false`: test code is
    /// skipped. Rules read it directly; [`Config::include_role`] keeps it in step with
    /// [`Config::include_roles`].
    pub include_tests: bool,
    /// File roles analysed besides production code (`include-roles` in `distlint.toml`,
    /// `--include-role`, the editor setting `includeRoles`). Default empty: only production
    /// code is reported. Test support is included when this holds it *or* `include_tests` is
    /// set (`include-tests = true` is an alias).
    #[serde(default)]
    pub include_roles: BTreeSet<Role>,
    /// Fix parameters.
    pub fix: FixConfig,
    /// Deepest syntax tree an analysis unit may reach (levels from the file's root node) and
    /// still be analysed; `None` means [`DEFAULT_MAX_NESTING_DEPTH`]. Deeper units are skipped
    /// with a logged [`crate::input::TooDeep`] decision (docs/reliability.md).
    #[serde(default)]
    pub max_nesting_depth: Option<usize>,
}

/// Default for [`Config::max_nesting_depth`]: 1,000 syntax-tree levels. The deepest analysis
/// unit in 1.17 million units of the Rust corpus (`tests/corpus/rust.sh --all`) reaches 149
/// levels (generated `typenum` types, long `else if` chains), 99.9 % stay within 23; the Go
/// corpus (`tests/corpus/go.sh`) peaks at 37. Rules look upward from nodes in O(depth) per
/// step, so the limit also bounds their cost.
pub const DEFAULT_MAX_NESTING_DEPTH: usize = 1_000;

impl Config {
    /// Whether files of `role` are analysed: production always; test support when
    /// `include_tests` is set or `include_roles` holds it; other roles when `include_roles`
    /// holds them.
    pub fn includes_role(&self, role: Role) -> bool {
        match role {
            Role::Production => true,
            Role::TestSupport => self.include_tests || self.include_roles.contains(&role),
            r => self.include_roles.contains(&r),
        }
    }

    /// Opts `role` in (test support also sets `include_tests`, so the rules' own test-code
    /// checks agree). Including [`Role::Production`] changes nothing.
    pub fn include_role(&mut self, role: Role) {
        if role == Role::Production {
            return;
        }
        if role == Role::TestSupport {
            self.include_tests = true;
        }
        self.include_roles.insert(role);
    }

    /// Whether `meta`'s rule runs under this configuration.
    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        match self.rules.get(meta.id) {
            Some(RuleLevel::Off) => false,
            Some(_) => true,
            None => meta.default_enabled,
        }
    }

    /// The effective [`Config::max_nesting_depth`].
    pub fn nesting_limit(&self) -> usize {
        self.max_nesting_depth.unwrap_or(DEFAULT_MAX_NESTING_DEPTH)
    }

    /// The severity `meta`'s findings get.
    pub fn severity(&self, meta: &RuleMeta) -> Severity {
        match self.rules.get(meta.id) {
            Some(RuleLevel::On(s)) => *s,
            _ => meta.severity,
        }
    }
}
