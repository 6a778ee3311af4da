//! `distlint.toml` configuration files: discovery, parsing and validation with precise errors.
//!
//! # Format
//!
//! ```toml
//! # Rule selection. Entries are rule ids, taxonomy category slugs, or "all".
//! select = ["all"]                 # when present, only these rules run (experimental ones too)
//! ignore = ["graceful-shutdown"]   # these rules do not run
//!
//! # Per-rule level: "off", "on" (default severity; enables experimental rules),
//! # or a severity: "nit", "minor", "major", "blocker". Wins over select/ignore.
//! [rules]
//! unbounded-channel = "minor"
//! unused-suppression = "off"
//!
//! # Which files, as globs relative to this file's directory (see `ConfigFile::is_excluded`).
//! exclude = ["vendor/**", "*.pb.go"]
//! include = ["src/**", "cmd/**"]   # when present, only matching files are analysed
//!
//! # Test code (`#[test]` fns, `#[cfg(test)]` modules, Go `_test.go` files): skipped by default.
//! include-tests = false
//!
//! # File roles analysed besides production code (see `crate::roles`): "test", "example",
//! # "generated", "vendored" or "all". Default none. `include-tests = true` is an alias for
//! # "test".
//! include-roles = ["test", "example"]
//!
//! # Items whose syntax tree nests deeper than this many levels are not analysed (the file is
//! # reported as analysed partially). Default 1000; real code stays under 150.
//! max-nesting-depth = 1000
//!
//! [fix]
//! channel-capacity = 1024                 # messages, used by "Bound this channel"
//! timeout-seconds = 30                     # seconds, used by "Add a timeout"
//! idempotency-header = "Idempotency-Key"   # HTTP header name, used by "Add an idempotency key"
//! ```
//!
//! Keys are kebab-case; top-level keys must come before the first `[table]` (TOML rules).
//!
//! # Discovery
//!
//! For each analysed file, the nearest `distlint.toml` in its directory or an ancestor wins; files
//! are not merged (like ruff without `extend`). `--config PATH` (CLI) replaces discovery. The
//! language server reads the same files; editor settings override them (see docs/configuration.md).
//!
//! # Errors
//!
//! An invalid file is an error, never a silent fallback to defaults: [`ConfigError`] names the
//! file, the 1-based line and column, the key, and the nearest valid key or rule id.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::catalog::nearest;
use crate::config::{Config, FixConfig, RuleLevel};
use crate::roles::Role;
use crate::rule::{RuleMeta, Severity};
use crate::text::LineIndex;

/// The file name looked for during discovery.
pub const FILE_NAME: &str = "distlint.toml";

/// Top-level keys, for suggestions.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "select",
    "ignore",
    "rules",
    "exclude",
    "include",
    "include-tests",
    "include-roles",
    "max-nesting-depth",
    "fix",
];

/// Keys of the `[fix]` table, for suggestions.
pub const FIX_KEYS: &[&str] = &["channel-capacity", "timeout-seconds", "idempotency-header"];

/// Values accepted in the `[rules]` table.
pub const LEVELS: &[&str] = &["off", "on", "nit", "minor", "major", "blocker"];

/// Why a configuration file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The configuration file.
    pub path: PathBuf,
    /// 1-based line and 1-based column (characters) of the offending key or value, when known.
    pub position: Option<(u32, u32)>,
    /// The offending key (`exclude`, `fix.timeout-seconds`, `rules.unbounded-chanel`), when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The nearest valid key, rule id or value, when one is close.
    pub suggestion: Option<String>,
}

impl fmt::Display for ConfigError {
    /// `path:line:col: invalid key `exlude`: <message>; did you mean `exclude`?`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((l, c)) = self.position {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, "; did you mean `{s}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    rules: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    include: Option<Vec<Spanned<String>>>,
    include_tests: Option<bool>,
    include_roles: Option<Vec<Spanned<String>>>,
    max_nesting_depth: Option<Spanned<i64>>,
    fix: Option<RawFix>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFix {
    channel_capacity: Option<Spanned<i64>>,
    timeout_seconds: Option<Spanned<i64>>,
    idempotency_header: Option<Spanned<String>>,
}

/// A parsed and validated `distlint.toml`.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// The file.
    pub path: PathBuf,
    /// Its directory (absolute): `include`/`exclude` globs are relative to it.
    pub root: PathBuf,
    /// The analysis configuration it describes.
    pub config: Config,
    /// The `exclude` patterns as written.
    pub exclude_patterns: Vec<String>,
    /// The `include` patterns as written (empty: everything is included).
    pub include_patterns: Vec<String>,
    exclude: GlobSet,
    include: Option<GlobSet>,
}

impl ConfigFile {
    /// Reads and parses `path`. I/O errors become a [`ConfigError`] without a position.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: None,
            key: None,
            message: format!("cannot read configuration: {e}"),
            suggestion: None,
        })?;
        Self::parse(path, &text)
    }

    /// Parses `text` as the contents of `path` (which need not exist; its parent directory is the
    /// root of the globs).
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let index = LineIndex::new(text);
        let err = |span: Option<std::ops::Range<usize>>,
                   key: Option<String>,
                   message: String,
                   suggestion: Option<String>| ConfigError {
            path: path.to_path_buf(),
            position: span.map(|s| {
                let p = index.position(text, s.start, crate::PositionEncoding::Utf32);
                (p.line + 1, p.character + 1)
            }),
            key,
            message,
            suggestion,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let (key, message, suggestion) = explain_toml_error(text, &e);
            err(e.span(), key, message, suggestion)
        })?;

        let metas = crate::catalog::all_metas();
        let ids: Vec<&str> = metas.iter().map(|m| m.id).collect();
        let categories: Vec<&str> = crate::taxonomy::categories()
            .iter()
            .map(|c| c.slug.as_str())
            .collect();
        let mut config = Config::default();

        // select / ignore: ids, category slugs or "all".
        let resolve_selector =
            |key: &str, entry: &Spanned<String>| -> Result<Vec<&'static RuleMeta>, ConfigError> {
                let v = entry.get_ref().as_str();
                if v == "all" {
                    return Ok(metas.clone());
                }
                if let Some(m) = metas.iter().find(|m| m.id == v) {
                    return Ok(vec![*m]);
                }
                if categories.contains(&v) {
                    return Ok(metas.iter().copied().filter(|m| m.category == v).collect());
                }
                let candidates = ids.iter().chain(categories.iter()).copied();
                Err(err(
                    Some(entry.span()),
                    Some(key.to_string()),
                    format!("unknown rule or category `{v}`"),
                    nearest(v, candidates).map(str::to_string),
                ))
            };
        if let Some(select) = &raw.select {
            let mut selected = std::collections::HashSet::new();
            for e in select {
                for m in resolve_selector("select", e)? {
                    selected.insert(m.id);
                }
            }
            for m in &metas {
                // Pseudo-rules (suppression hygiene) are not affected by `select`.
                if crate::catalog::is_pseudo_rule(m.id) {
                    continue;
                }
                let level = if selected.contains(m.id) {
                    RuleLevel::Enabled
                } else {
                    RuleLevel::Off
                };
                config.rules.insert(m.id.to_string(), level);
            }
        }
        if let Some(ignore) = &raw.ignore {
            for e in ignore {
                for m in resolve_selector("ignore", e)? {
                    config.rules.insert(m.id.to_string(), RuleLevel::Off);
                }
            }
        }
        if let Some(rules) = &raw.rules {
            for (id, level) in rules {
                let key = format!("rules.{}", id.get_ref());
                if !ids.contains(&id.get_ref().as_str()) {
                    return Err(err(
                        Some(id.span()),
                        Some(key),
                        format!("unknown rule `{}`", id.get_ref()),
                        nearest(id.get_ref(), ids.iter().copied()).map(str::to_string),
                    ));
                }
                let l = match level.get_ref().as_str() {
                    "off" => RuleLevel::Off,
                    "on" => RuleLevel::Enabled,
                    s => match Severity::parse(s) {
                        Some(sev) => RuleLevel::On(sev),
                        None => {
                            return Err(err(
                                Some(level.span()),
                                Some(key),
                                format!(
                                    "invalid level `{s}`: expected one of {}",
                                    LEVELS.join(", ")
                                ),
                                nearest(s, LEVELS.iter().copied()).map(str::to_string),
                            ))
                        }
                    },
                };
                config.rules.insert(id.get_ref().clone(), l);
            }
        }
        if let Some(t) = raw.include_tests {
            config.include_tests = t;
        }
        for entry in raw.include_roles.iter().flatten() {
            let roles = parse_roles(entry.get_ref()).map_err(|(message, suggestion)| {
                err(
                    Some(entry.span()),
                    Some("include-roles".into()),
                    message,
                    suggestion,
                )
            })?;
            for r in roles {
                config.include_role(r);
            }
        }
        if let Some(d) = &raw.max_nesting_depth {
            let v = *d.get_ref();
            if v < 1 {
                return Err(err(
                    Some(d.span()),
                    Some("max-nesting-depth".into()),
                    format!(
                        "nesting depth must be a positive number of syntax-tree levels, got {v}"
                    ),
                    None,
                ));
            }
            config.max_nesting_depth = Some(usize::try_from(v).unwrap_or(usize::MAX));
        }
        if let Some(fix) = &raw.fix {
            let mut fc = FixConfig::default();
            if let Some(c) = &fix.channel_capacity {
                let v = *c.get_ref();
                if !(1..=u32::MAX as i64).contains(&v) {
                    return Err(err(
                        Some(c.span()),
                        Some("fix.channel-capacity".into()),
                        format!("channel capacity must be a positive number of messages, got {v}"),
                        None,
                    ));
                }
                fc.channel_capacity = v as u32;
            }
            if let Some(t) = &fix.timeout_seconds {
                let v = *t.get_ref();
                if v <= 0 {
                    return Err(err(
                        Some(t.span()),
                        Some("fix.timeout-seconds".into()),
                        format!("timeout must be a positive number of seconds, got {v}"),
                        None,
                    ));
                }
                fc.timeout_seconds = v as u64;
            }
            if let Some(h) = &fix.idempotency_header {
                let v = h.get_ref();
                // RFC 9110 §5.1: a field name is a token (tchar+).
                let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
                if v.is_empty() || !v.chars().all(tchar) {
                    return Err(err(
                        Some(h.span()),
                        Some("fix.idempotency-header".into()),
                        format!("`{v}` is not a valid HTTP header name (RFC 9110 token)"),
                        None,
                    ));
                }
                fc.idempotency_header = v.clone();
            }
            config.fix = fc;
        }

        let compile = |key: &str,
                       pats: &Option<Vec<Spanned<String>>>|
         -> Result<Option<GlobSet>, ConfigError> {
            let Some(pats) = pats else { return Ok(None) };
            let mut b = GlobSetBuilder::new();
            for p in pats {
                for variant in glob_variants(p.get_ref()) {
                    let g = GlobBuilder::new(&variant)
                        .literal_separator(true)
                        .build()
                        .map_err(|e| {
                            err(
                                Some(p.span()),
                                Some(key.to_string()),
                                format!("invalid glob `{}`: {}", p.get_ref(), e.kind()),
                                None,
                            )
                        })?;
                    b.add(g);
                }
            }
            b.build().map(Some).map_err(|e| {
                err(
                    None,
                    Some(key.to_string()),
                    format!("invalid globs: {e}"),
                    None,
                )
            })
        };
        let exclude = compile("exclude", &raw.exclude)?.unwrap_or_else(GlobSet::empty);
        let include = compile("include", &raw.include)?;
        let strings = |v: &Option<Vec<Spanned<String>>>| {
            v.iter()
                .flatten()
                .map(|s| s.get_ref().clone())
                .collect::<Vec<_>>()
        };
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(ConfigFile {
            path: path.to_path_buf(),
            root: abs.parent().map(Path::to_path_buf).unwrap_or_default(),
            config,
            exclude_patterns: strings(&raw.exclude),
            include_patterns: strings(&raw.include),
            exclude,
            include,
        })
    }

    /// Whether `file` is left out by `exclude`, or by `include` when that is set. `file` may be
    /// relative to the working directory or absolute; it is matched relative to [`ConfigFile::root`]
    /// with `/` separators. Patterns without a `/` match a file or directory name at any depth
    /// (`*.pb.go`, `generated`), patterns with one are anchored at the root (`vendor/**`,
    /// `src/gen`); a pattern matching a directory covers everything below it. `*` does not cross
    /// `/`, `**` does. Files outside the root are never excluded by this file.
    pub fn is_excluded(&self, file: &Path) -> bool {
        let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        let Ok(rel) = abs.strip_prefix(&self.root) else {
            return false;
        };
        if self.exclude.is_match(rel) {
            return true;
        }
        match &self.include {
            Some(inc) => !inc.is_match(rel),
            None => false,
        }
    }
}

/// A pattern and the forms that make it match below directories and at any depth.
fn glob_variants(p: &str) -> Vec<String> {
    let p = p.trim_start_matches("./");
    let anchored = p.trim_start_matches('/');
    let base = if p.contains('/') {
        vec![anchored.trim_end_matches('/').to_string()]
    } else {
        vec![p.to_string(), format!("**/{p}")]
    };
    base.into_iter()
        .flat_map(|b| [b.clone(), format!("{b}/**")])
        .collect()
}

/// The roles one `include-roles` entry names: a role name (see [`Role::parse`]) or `all`.
/// Errors are (message naming the valid entries, nearest valid entry).
pub fn parse_roles(entry: &str) -> Result<Vec<Role>, (String, Option<String>)> {
    if entry == "all" {
        return Ok(Role::OPTIONAL.to_vec());
    }
    if let Some(r) = Role::parse(entry) {
        return Ok(vec![r]);
    }
    let why = if entry == "production" {
        "production code is always analysed".to_string()
    } else {
        format!("unknown role `{entry}`")
    };
    Err((
        format!("{why} (valid roles: {})", Role::VALID_NAMES.join(", ")),
        nearest(entry, Role::VALID_NAMES.iter().copied()).map(str::to_string),
    ))
}

/// Turns a `toml` error into (key, message, suggestion).
fn explain_toml_error(text: &str, e: &toml::de::Error) -> (Option<String>, String, Option<String>) {
    let msg = e.message().trim().to_string();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("").to_string();
        // "expected one of `a`, `b`" lists the valid keys of the table the field is in.
        let expected: Vec<&str> = msg
            .split_once("expected")
            .map(|(_, tail)| tail.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let candidates: Vec<&str> = if expected.is_empty() {
            TOP_LEVEL_KEYS.to_vec()
        } else {
            expected
        };
        let suggestion = nearest(&field, candidates.iter().copied()).map(str::to_string);
        return (
            Some(field.clone()),
            format!(
                "unknown key `{field}` (valid keys: {})",
                candidates.join(", ")
            ),
            suggestion,
        );
    }
    // Otherwise name the key written on the error's line, if there is one.
    let key = e.span().and_then(|s| {
        let line_start = text[..s.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = text[line_start..].lines().next().unwrap_or("");
        line.split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .filter(|k| !k.is_empty() && !k.starts_with('['))
    });
    (key, msg, None)
}

/// The nearest `distlint.toml` in `dir` or one of its ancestors. `dir` is made absolute first.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    abs.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Like [`discover`], but never looks outside `ceilings` (the language server's workspace roots):
/// the search starts at `dir` and stops at the innermost ceiling that contains it. Returns `None`
/// when `dir` is inside no ceiling, so a document outside the workspace reads no file at all.
pub fn discover_within(dir: &Path, ceilings: &[PathBuf]) -> Option<PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    let ceiling = ceilings
        .iter()
        .filter_map(|c| std::path::absolute(c).ok())
        .filter(|c| abs.starts_with(c))
        .max_by_key(|c| c.components().count())?;
    abs.ancestors()
        .take_while(|d| d.starts_with(&ceiling))
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Finds and caches the configuration for each analysed file: `--config` when given, otherwise
/// the nearest `distlint.toml` (per directory, cached). Thread-safe.
#[derive(Debug, Default)]
pub struct ConfigResolver {
    explicit: Option<Arc<ConfigFile>>,
    by_dir: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    by_file: Mutex<HashMap<PathBuf, Result<Arc<ConfigFile>, ConfigError>>>,
}

impl ConfigResolver {
    /// A resolver that discovers files (`explicit == None`) or always uses `explicit`, which is
    /// loaded now: an error is returned immediately.
    pub fn new(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let explicit = match explicit {
            Some(p) => Some(Arc::new(ConfigFile::load(p)?)),
            None => None,
        };
        Ok(Self {
            explicit,
            ..Self::default()
        })
    }

    /// The configuration governing `file` (`None`: no file found, defaults apply), or the error
    /// of the configuration file that governs it.
    pub fn for_file(&self, file: &Path) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        self.for_file_inner(file, None)
    }

    /// Like [`ConfigResolver::for_file`], but discovery never leaves `ceilings` (see
    /// [`discover_within`]). The per-directory cache assumes the ceilings of one resolver do not
    /// change (the server builds a new resolver when its roots or files change).
    pub fn for_file_within(
        &self,
        file: &Path,
        ceilings: &[PathBuf],
    ) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        self.for_file_inner(file, Some(ceilings))
    }

    fn for_file_inner(
        &self,
        file: &Path,
        ceilings: Option<&[PathBuf]>,
    ) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        if let Some(c) = &self.explicit {
            return Ok(Some(c.clone()));
        }
        let dir = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let found = {
            let mut by_dir = self.by_dir.lock().unwrap_or_else(|e| e.into_inner());
            by_dir
                .entry(dir.to_path_buf())
                .or_insert_with(|| match ceilings {
                    Some(c) => discover_within(dir, c),
                    None => discover(dir),
                })
                .clone()
        };
        let Some(path) = found else { return Ok(None) };
        let mut by_file = self.by_file.lock().unwrap_or_else(|e| e.into_inner());
        by_file
            .entry(path.clone())
            .or_insert_with(|| ConfigFile::load(&path).map(Arc::new))
            .clone()
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        ConfigFile::parse(Path::new("/proj/distlint.toml"), text)
    }

    #[test]
    fn full_file_parses_into_config() {
        let c = parse(
            r#"
select = ["all"]
ignore = ["unused-suppression"]
exclude = ["vendor/**", "*.pb.go"]
include-tests = true
max-nesting-depth = 300

[rules]
unbounded-channel = "minor"
suppression-missing-reason = "off"

[fix]
channel-capacity = 64
timeout-seconds = 5
idempotency-header = "X-Request-Id"
"#,
        )
        .unwrap();
        let cfg = &c.config;
        assert_eq!(
            cfg.rules.get("unbounded-channel"),
            Some(&RuleLevel::On(Severity::Minor))
        );
        assert_eq!(cfg.rules.get("unused-suppression"), Some(&RuleLevel::Off));
        assert_eq!(
            cfg.rules.get("suppression-missing-reason"),
            Some(&RuleLevel::Off)
        );
        assert!(cfg.include_tests);
        assert_eq!(cfg.nesting_limit(), 300);
        assert_eq!(cfg.fix.channel_capacity, 64);
        assert_eq!(cfg.fix.timeout_seconds, 5);
        assert_eq!(cfg.fix.idempotency_header, "X-Request-Id");
        assert!(c.is_excluded(Path::new("/proj/vendor/x/y.go")));
        assert!(c.is_excluded(Path::new("/proj/api/v1/a.pb.go")));
        assert!(!c.is_excluded(Path::new("/proj/src/vendor.go")));
        assert!(!c.is_excluded(Path::new("/elsewhere/vendor/x.go")));
    }

    #[test]
    fn select_restricts_rules_but_not_pseudo_rules() {
        let c = parse("select = [\"timeouts-deadlines\"]\n").unwrap();
        assert_eq!(
            c.config.rules.get("unbounded-channel"),
            Some(&RuleLevel::Off)
        );
        assert_eq!(c.config.rules.get("unused-suppression"), None);
        let c = parse("select = [\"unbounded-queue\"]\n").unwrap();
        assert_eq!(
            c.config.rules.get("unbounded-channel"),
            Some(&RuleLevel::Enabled)
        );
    }

    #[test]
    fn include_limits_files_and_dirs_match_below() {
        let c = parse("include = [\"src\"]\nexclude = [\"src/gen\"]\n").unwrap();
        assert!(!c.is_excluded(Path::new("/proj/src/a.rs")));
        assert!(!c.is_excluded(Path::new("/proj/src/deep/a.rs")));
        assert!(c.is_excluded(Path::new("/proj/src/gen/a.rs")));
        assert!(c.is_excluded(Path::new("/proj/tools/a.rs")));
    }

    #[test]
    fn unknown_top_level_key_names_line_and_suggests() {
        let e = parse("select = [\"all\"]\n\nexlude = [\"x\"]\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(3));
        assert_eq!(e.key.as_deref(), Some("exlude"));
        assert_eq!(e.suggestion.as_deref(), Some("exclude"));
        let s = e.to_string();
        assert!(
            s.starts_with("/proj/distlint.toml:3:1: `exlude`: unknown key"),
            "{s}"
        );
        assert!(s.ends_with("did you mean `exclude`?"), "{s}");
    }

    #[test]
    fn unknown_fix_key_suggests_from_the_fix_table() {
        let e = parse("[fix]\ntimeout-secs = 3\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(2));
        assert_eq!(e.suggestion.as_deref(), Some("timeout-seconds"));
    }

    #[test]
    fn unknown_rule_id_suggests_nearest_rule() {
        let e = parse("[rules]\nunbounded-chanel = \"off\"\n").unwrap_err();
        assert_eq!(e.position, Some((2, 1)));
        assert_eq!(e.key.as_deref(), Some("rules.unbounded-chanel"));
        assert_eq!(e.suggestion.as_deref(), Some("unbounded-channel"));
        let e = parse("ignore = [\"unbounded-chanel\"]\n").unwrap_err();
        assert_eq!(e.position, Some((1, 11)));
        assert_eq!(e.suggestion.as_deref(), Some("unbounded-channel"));
    }

    #[test]
    fn bad_values_name_key_and_line() {
        let e = parse("[rules]\nunbounded-channel = \"critical\"\n").unwrap_err();
        assert_eq!(e.position, Some((2, 21)));
        assert!(e.message.contains("invalid level `critical`"), "{e}");
        let e = parse("[rules]\nunbounded-channel = \"majr\"\n").unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("major"));
        let e = parse("max-nesting-depth = 0\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("max-nesting-depth"));
        assert_eq!(e.position, Some((1, 21)));
        let e = parse("include-tests = \"yes\"\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(1));
        assert_eq!(e.key.as_deref(), Some("include-tests"));
        let e = parse("[fix]\nchannel-capacity = 0\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("fix.channel-capacity"));
        assert_eq!(e.position, Some((2, 20)));
        let e = parse("[fix]\nidempotency-header = \"Idem Key\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("fix.idempotency-header"));
        let e = parse("exclude = [\"src/[\"]\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("exclude"));
        assert_eq!(e.position, Some((1, 12)));
        let e = parse("select = [\n").unwrap_err();
        assert!(e.position.is_some(), "{e}");
    }

    #[test]
    fn include_roles_opts_roles_in_and_include_tests_is_an_alias() {
        let c = parse("include-roles = [\"example\", \"generated\"]\n").unwrap();
        assert!(c.config.includes_role(Role::Example));
        assert!(c.config.includes_role(Role::Generated));
        assert!(!c.config.includes_role(Role::TestSupport));
        assert!(!c.config.includes_role(Role::Vendored));
        assert!(c.config.includes_role(Role::Production));
        let c = parse("include-roles = [\"test\"]\n").unwrap();
        assert!(c.config.includes_role(Role::TestSupport));
        assert!(c.config.include_tests, "rules read include_tests");
        let c = parse("include-tests = true\n").unwrap();
        assert!(c.config.includes_role(Role::TestSupport));
        assert!(!c.config.includes_role(Role::Example));
        let c = parse("include-roles = [\"all\"]\n").unwrap();
        assert!(Role::OPTIONAL.iter().all(|r| c.config.includes_role(*r)));
        assert!(!Config::default().includes_role(Role::Generated));
    }

    #[test]
    fn bad_include_roles_name_key_line_and_valid_roles() {
        let e = parse("select = [\"all\"]\ninclude-roles = [\"test\", \"exmaple\"]\n").unwrap_err();
        assert_eq!(e.position, Some((2, 26)));
        assert_eq!(e.key.as_deref(), Some("include-roles"));
        assert_eq!(e.suggestion.as_deref(), Some("example"));
        let s = e.to_string();
        assert!(
            s.contains(
                "unknown role `exmaple` (valid roles: test, example, generated, vendored, all)"
            ),
            "{s}"
        );
        let e = parse("include-roles = [\"production\"]\n").unwrap_err();
        assert!(e.message.contains("always analysed"), "{e}");
        let e = parse("include-roles = \"test\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("include-roles"));
        assert_eq!(e.position.map(|p| p.0), Some(1));
    }

    #[test]
    fn discovery_within_ceilings_never_reads_above_the_workspace() {
        let tmp = std::env::temp_dir().join(format!("distlint-ceiling-{}", std::process::id()));
        let ws = tmp.join("ws");
        std::fs::create_dir_all(ws.join("src")).unwrap();
        std::fs::write(tmp.join(FILE_NAME), "include-tests = true\n").unwrap();
        // Above the workspace: found by plain discovery, never by discovery within the root.
        assert_eq!(discover(&ws.join("src")), Some(tmp.join(FILE_NAME)));
        assert_eq!(
            discover_within(&ws.join("src"), std::slice::from_ref(&ws)),
            None
        );
        // Outside every root: nothing is read.
        assert_eq!(discover_within(&tmp, std::slice::from_ref(&ws)), None);
        std::fs::write(ws.join(FILE_NAME), "include-tests = false\n").unwrap();
        assert_eq!(
            discover_within(&ws.join("src"), std::slice::from_ref(&ws)),
            Some(ws.join(FILE_NAME))
        );
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn discovery_finds_the_nearest_file_and_resolver_caches_errors() {
        let t = std::env::temp_dir().join(format!("distlint-cfg-{}", std::process::id()));
        let deep = t.join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(t.join(FILE_NAME), "include-tests = true\n").unwrap();
        std::fs::write(
            t.join("a/b").join(FILE_NAME),
            "[fix]\nchannel-capacity = 7\n",
        )
        .unwrap();
        assert_eq!(discover(&deep), Some(t.join("a/b").join(FILE_NAME)));
        assert_eq!(discover(&t.join("a")), Some(t.join(FILE_NAME)));
        let r = ConfigResolver::new(None).unwrap();
        let c = r.for_file(&deep.join("x.rs")).unwrap().unwrap();
        assert_eq!(c.config.fix.channel_capacity, 7);
        assert!(
            !c.config.include_tests,
            "nearest wins; files are not merged"
        );
        std::fs::write(t.join("a").join(FILE_NAME), "bogus = 1\n").unwrap();
        assert!(r.for_file(&t.join("a/x.rs")).is_err());
        let _ = std::fs::remove_dir_all(&t);
    }
}
