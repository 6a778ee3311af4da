//! Effective analysis configuration: which rules run, at what severity, and fix parameters.
//!
//! This is the in-memory form. Loading it from `distlint.toml` files and editor settings lives in
//! [`crate::config_file`]; both the CLI and the language server build a [`Config`] and hand it to
//! the [`crate::engine::Analyzer`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rule::{RuleMeta, Severity};

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
    /// Analyse test code too (`#[test]` fns, `#[cfg(test)]` modules, Go `_test.go` files).
    /// Default `false`: test code is skipped.
    pub include_tests: bool,
    /// Fix parameters.
    pub fix: FixConfig,
}

impl Config {
    /// Whether `meta`'s rule runs under this configuration.
    pub fn is_enabled(&self, meta: &RuleMeta) -> bool {
        match self.rules.get(meta.id) {
            Some(RuleLevel::Off) => false,
            Some(_) => true,
            None => meta.default_enabled,
        }
    }

    /// The severity `meta`'s findings get.
    pub fn severity(&self, meta: &RuleMeta) -> Severity {
        match self.rules.get(meta.id) {
            Some(RuleLevel::On(s)) => *s,
            _ => meta.severity,
        }
    }
}
