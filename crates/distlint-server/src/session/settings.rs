//! Editor settings: `initializationOptions` and `workspace/didChangeConfiguration`, mapped onto
//! [`distlint_analysis::Config`].
//!
//! Shape (JSON; every key optional; the object may also be wrapped as `{"distlint": {...}}`, which
//! is what VS Code sends for a settings section):
//!
//! ```json
//! {
//!   "rules": { "unbounded-channel": "minor", "lock-held-across-await": "off", "some-rule": true },
//!   "includeTests": false,
//!   "includeRoles": ["test", "example"],
//!   "fix": { "channelCapacity": 1024, "timeoutSeconds": 30, "idempotencyHeader": "Idempotency-Key" },
//!   "docsBaseUrl": "https://example.com/distlint/rules/"
//! }
//! ```
//!
//! A rule value is `"off"`/`false` (disabled), `"on"`/`true` (enabled at its default severity,
//! even when experimental), or a severity `"blocker" | "major" | "minor" | "nit"` (enabled at that
//! severity). `includeRoles` lists the file roles analysed besides production code (`test`,
//! `example`, `generated`, `vendored`, `all`; see `distlint_analysis::roles`) and replaces
//! `include-roles` of `distlint.toml`; `includeTests: true` still adds test support, as the
//! alias `include-tests` does. Snake-case and kebab-case spellings of the keys are accepted too. A bad value is
//! reported by key and skipped; the rest still applies. Editor settings override `distlint.toml`.

use std::collections::{BTreeMap, BTreeSet};

use distlint_analysis::config::RuleLevel;
use distlint_analysis::roles::Role;
use distlint_analysis::rules;
use distlint_analysis::{Config, Severity};
use serde_json::Value;

/// Editor settings, as parsed from JSON. `None` fields leave the base configuration alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Rule id → level.
    pub rules: BTreeMap<String, RuleLevel>,
    /// Analyse test code.
    pub include_tests: Option<bool>,
    /// File roles analysed besides production code (replaces `include-roles`).
    pub include_roles: Option<BTreeSet<Role>>,
    /// "Bound this channel" capacity (messages).
    pub channel_capacity: Option<u32>,
    /// "Add a timeout" value, in seconds.
    pub timeout_seconds: Option<u64>,
    /// "Add an idempotency key" header name.
    pub idempotency_header: Option<String>,
    /// Base URL of the rule docs; a diagnostic's `codeDescription.href` is `<base><rule-id>`.
    pub docs_base_url: Option<String>,
}

fn get<'a>(obj: &'a serde_json::Map<String, Value>, camel: &str) -> Option<&'a Value> {
    let snake: String = camel
        .chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['_', c.to_ascii_lowercase()]
            } else {
                vec![c]
            }
        })
        .collect();
    let kebab = snake.replace('_', "-");
    obj.get(camel)
        .or_else(|| obj.get(&snake))
        .or_else(|| obj.get(&kebab))
        .filter(|v| !v.is_null())
}

impl Settings {
    /// Parses settings from a JSON value. Returns the settings and one message per rejected key
    /// (`"distlint.fix.channelCapacity: expected a positive integer, got \"x\""`).
    pub fn from_json(value: &Value) -> (Settings, Vec<String>) {
        let mut settings = Settings::default();
        let mut errors = Vec::new();
        let value = match value {
            Value::Object(o) if o.contains_key("distlint") => &o["distlint"],
            v => v,
        };
        let obj = match value {
            Value::Object(o) => o,
            Value::Null => return (settings, errors),
            other => {
                errors.push(format!("distlint: expected an object, got {other}"));
                return (settings, errors);
            }
        };
        if let Some(rules) = get(obj, "rules") {
            match rules {
                Value::Object(map) => {
                    for (id, level) in map {
                        if rules::by_id(id).is_none() {
                            errors.push(format!("distlint.rules.{id}: no rule has this id"));
                            continue;
                        }
                        match parse_level(level) {
                            Some(l) => {
                                settings.rules.insert(id.clone(), l);
                            }
                            None => errors.push(format!(
                                "distlint.rules.{id}: expected \"off\", \"on\", true, false or a severity (blocker, major, minor, nit), got {level}"
                            )),
                        }
                    }
                }
                other => errors.push(format!("distlint.rules: expected an object, got {other}")),
            }
        }
        if let Some(v) = get(obj, "includeTests") {
            match v.as_bool() {
                Some(b) => settings.include_tests = Some(b),
                None => errors.push(format!(
                    "distlint.includeTests: expected a boolean, got {v}"
                )),
            }
        }
        if let Some(v) = get(obj, "includeRoles") {
            match v.as_array() {
                Some(items) => {
                    let mut set = BTreeSet::new();
                    let mut ok = true;
                    for item in items {
                        let parsed = item
                            .as_str()
                            .ok_or_else(|| {
                                format!(
                                    "expected a role name, got {item} (valid roles: {})",
                                    Role::VALID_NAMES.join(", ")
                                )
                            })
                            .and_then(|s| {
                                distlint_analysis::config_file::parse_roles(s).map_err(|(m, _)| m)
                            });
                        match parsed {
                            Ok(roles) => set.extend(roles),
                            Err(m) => {
                                errors.push(format!("distlint.includeRoles: {m}"));
                                ok = false;
                            }
                        }
                    }
                    if ok {
                        settings.include_roles = Some(set);
                    }
                }
                None => errors.push(format!(
                    "distlint.includeRoles: expected an array of role names ({}), got {v}",
                    Role::VALID_NAMES.join(", ")
                )),
            }
        }
        if let Some(v) = get(obj, "docsBaseUrl") {
            match v.as_str() {
                Some(s) => settings.docs_base_url = Some(s.to_string()),
                None => errors.push(format!("distlint.docsBaseUrl: expected a string, got {v}")),
            }
        }
        if let Some(fix) = get(obj, "fix") {
            match fix {
                Value::Object(fix) => {
                    if let Some(v) = get(fix, "channelCapacity") {
                        match v.as_u64().filter(|n| (1..=u32::MAX as u64).contains(n)) {
                            Some(n) => settings.channel_capacity = Some(n as u32),
                            None => errors.push(format!(
                                "distlint.fix.channelCapacity: expected a positive integer, got {v}"
                            )),
                        }
                    }
                    if let Some(v) = get(fix, "timeoutSeconds") {
                        match v.as_u64().filter(|n| *n > 0) {
                            Some(n) => settings.timeout_seconds = Some(n),
                            None => errors.push(format!(
                                "distlint.fix.timeoutSeconds: expected a positive integer, got {v}"
                            )),
                        }
                    }
                    if let Some(v) = get(fix, "idempotencyHeader") {
                        match v.as_str().filter(|s| is_header_name(s)) {
                            Some(s) => settings.idempotency_header = Some(s.to_string()),
                            None => errors.push(format!(
                                "distlint.fix.idempotencyHeader: expected an HTTP header name, got {v}"
                            )),
                        }
                    }
                }
                other => errors.push(format!("distlint.fix: expected an object, got {other}")),
            }
        }
        (settings, errors)
    }

    /// `base` (defaults, or the `distlint.toml` configuration) with these settings on top.
    pub fn apply(&self, mut base: Config) -> Config {
        for (id, level) in &self.rules {
            base.rules.insert(id.clone(), *level);
        }
        if let Some(roles) = &self.include_roles {
            base.include_tests = false;
            base.include_roles.clear();
            for r in roles {
                base.include_role(*r);
            }
        }
        if let Some(b) = self.include_tests {
            base.include_tests = b;
            if !b {
                base.include_roles.remove(&Role::TestSupport);
            } else {
                base.include_roles.insert(Role::TestSupport);
            }
        }
        if let Some(n) = self.channel_capacity {
            base.fix.channel_capacity = n;
        }
        if let Some(n) = self.timeout_seconds {
            base.fix.timeout_seconds = n;
        }
        if let Some(h) = &self.idempotency_header {
            base.fix.idempotency_header = h.clone();
        }
        base
    }
}

fn parse_level(v: &Value) -> Option<RuleLevel> {
    match v {
        Value::Bool(true) => Some(RuleLevel::Enabled),
        Value::Bool(false) => Some(RuleLevel::Off),
        Value::String(s) => match s.as_str() {
            "off" | "disabled" | "false" => Some(RuleLevel::Off),
            "on" | "enabled" | "true" | "default" => Some(RuleLevel::Enabled),
            s => Severity::parse(s).map(RuleLevel::On),
        },
        _ => None,
    }
}

/// RFC 9110 `token`: the characters allowed in a header field name.
fn is_header_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_wrapped_settings_and_applies_them_over_the_base() {
        let (s, errors) = Settings::from_json(&json!({"distlint": {
            "rules": {"unbounded-channel": "minor"},
            "include_tests": true,
            "fix": {"channel-capacity": 64, "timeoutSeconds": 5, "idempotencyHeader": "X-Idem"}
        }}));
        assert!(errors.is_empty(), "{errors:?}");
        let c = s.apply(Config::default());
        assert_eq!(
            c.rules.get("unbounded-channel"),
            Some(&RuleLevel::On(Severity::Minor))
        );
        assert!(c.include_tests);
        assert_eq!(c.fix.channel_capacity, 64);
        assert_eq!(c.fix.timeout_seconds, 5);
        assert_eq!(c.fix.idempotency_header, "X-Idem");
    }

    #[test]
    fn bad_keys_are_named_and_the_rest_still_applies() {
        let (s, errors) = Settings::from_json(&json!({
            "rules": {"unbounded-channel": "loud", "no-such-rule": "off"},
            "fix": {"channelCapacity": 0, "timeoutSeconds": 7, "idempotencyHeader": "bad header"}
        }));
        assert_eq!(s.timeout_seconds, Some(7));
        assert!(s.rules.is_empty());
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors
            .iter()
            .any(|e| e.contains("distlint.rules.unbounded-channel")));
        assert!(errors.iter().any(|e| e.contains("no-such-rule")));
        assert!(errors
            .iter()
            .any(|e| e.contains("distlint.fix.channelCapacity")));
        assert!(errors
            .iter()
            .any(|e| e.contains("distlint.fix.idempotencyHeader")));
    }

    #[test]
    fn include_roles_replaces_the_files_roles_and_bad_names_are_reported() {
        let mut base = Config::default();
        base.include_role(Role::Generated);
        let (s, errors) = Settings::from_json(&json!({"includeRoles": ["test", "example"]}));
        assert!(errors.is_empty(), "{errors:?}");
        let c = s.apply(base.clone());
        assert!(c.includes_role(Role::TestSupport) && c.include_tests);
        assert!(c.includes_role(Role::Example));
        assert!(!c.includes_role(Role::Generated), "replaces include-roles");
        let (s, _) = Settings::from_json(&json!({"includeRoles": ["all"], "includeTests": false}));
        let c = s.apply(Config::default());
        assert!(!c.includes_role(Role::TestSupport));
        assert!(c.includes_role(Role::Vendored));
        let (s, errors) = Settings::from_json(&json!({"includeRoles": ["tests"]}));
        assert_eq!(s.include_roles, None);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with(
                "distlint.includeRoles: unknown role `tests` (valid roles: test, example"
            ),
            "{errors:?}"
        );
        let (_, errors) = Settings::from_json(&json!({"includeRoles": "test"}));
        assert!(errors[0].contains("expected an array"), "{errors:?}");
    }

    #[test]
    fn off_and_false_disable() {
        let (s, _) = Settings::from_json(&json!({"rules": {"unbounded-channel": false}}));
        let c = s.apply(Config::default());
        let meta = rules::by_id("unbounded-channel").unwrap().meta();
        assert!(!c.is_enabled(meta));
    }
}
