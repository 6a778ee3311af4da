//! Helix cannot run on this machine (no Helix package in Debian 12, and no downloads from other
//! hosts), so `editors/helix/languages.toml` is tested statically: it must parse as TOML, use only
//! keys from Helix's documented `languages.toml` schema (book/src/languages.md, Helix 25.07:
//! "Language Server configuration" and "Configuring Language Servers for a language"), keep the
//! built-in servers first, and carry a `config` table that is the distlint settings object of
//! editors/SETTINGS.md.

use std::path::Path;

/// Keys documented in Helix's book, `languages.md` ("Language Server configuration" and
/// "Configuring Language Servers for a language"), as of Helix 25.07.
const HELIX_LANGUAGE_SERVER_KEYS: &[&str] = &[
    "command",
    "args",
    "config",
    "timeout",
    "environment",
    "required-root-patterns",
];
const HELIX_LANGUAGE_KEYS: &[&str] = &[
    "name",
    "language-id",
    "scope",
    "injection-regex",
    "file-types",
    "shebangs",
    "roots",
    "auto-format",
    "diagnostic-severity",
    "comment-tokens",
    "block-comment-tokens",
    "indent",
    "language-servers",
    "grammar",
    "formatter",
    "soft-wrap",
    "text-width",
    "workspace-lsp-roots",
    "persistent-diagnostic-sources",
    "rulers",
    "auto-pairs",
    "debugger",
];
const HELIX_SERVER_REF_KEYS: &[&str] = &["name", "only-features", "except-features"];
const HELIX_FEATURES: &[&str] = &[
    "format",
    "goto-definition",
    "goto-declaration",
    "goto-type-definition",
    "goto-reference",
    "goto-implementation",
    "signature-help",
    "hover",
    "document-highlight",
    "completion",
    "code-action",
    "workspace-command",
    "document-symbols",
    "workspace-symbols",
    "diagnostics",
    "rename-symbol",
    "inlay-hints",
    "document-colors",
];

#[test]
fn helix_languages_toml_matches_documented_schema() {
    use toml::Value;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));

    for key in doc.keys() {
        assert!(
            ["language-server", "language"].contains(&key.as_str()),
            "unexpected top-level key {key}"
        );
    }
    let servers = doc["language-server"]
        .as_table()
        .expect("[language-server] table");
    let distlint = servers["distlint"]
        .as_table()
        .expect("[language-server.distlint]");
    for key in distlint.keys() {
        assert!(
            HELIX_LANGUAGE_SERVER_KEYS.contains(&key.as_str()),
            "[language-server.distlint] has key {key}, not in Helix's schema {HELIX_LANGUAGE_SERVER_KEYS:?}"
        );
    }
    assert_eq!(distlint["command"].as_str(), Some("distlint"));
    assert_eq!(
        distlint["args"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>()),
        Some(vec!["lsp"])
    );
    assert!(distlint["timeout"].as_integer().is_some_and(|t| t > 0));
    for p in distlint["required-root-patterns"].as_array().unwrap() {
        assert!(p.is_str());
    }

    // `config` is the settings object of editors/SETTINGS.md.
    let config = distlint["config"].as_table().expect("config table");
    for key in config.keys() {
        assert!(
            ["rules", "includeTests", "fix", "docsBaseUrl"].contains(&key.as_str()),
            "config.{key} is not a distlint setting (editors/SETTINGS.md)"
        );
    }
    for (rule, level) in config["rules"].as_table().unwrap() {
        assert!(
            distlint_analysis::rules::by_id(rule).is_some(),
            "config.rules.{rule}: no such rule"
        );
        assert!(
            ["off", "on", "blocker", "major", "minor", "nit"].contains(&level.as_str().unwrap()),
            "config.rules.{rule} = {level}"
        );
    }
    let fix = config["fix"].as_table().unwrap();
    for key in fix.keys() {
        assert!(
            ["channelCapacity", "timeoutSeconds", "idempotencyHeader"].contains(&key.as_str()),
            "config.fix.{key} is not a distlint setting"
        );
    }

    // The server accepts it as settings (initializationOptions) without complaint.
    let json = serde_json::to_value(config).unwrap();
    let (settings, errors) = distlint_server::session::Settings::from_json(&json);
    assert!(
        errors.is_empty(),
        "server rejects the Helix config: {errors:?}"
    );
    assert_eq!(settings.channel_capacity, Some(1024));

    let languages = doc["language"].as_array().expect("[[language]] array");
    let mut names = Vec::new();
    for lang in languages {
        let lang = lang.as_table().unwrap();
        for key in lang.keys() {
            assert!(
                HELIX_LANGUAGE_KEYS.contains(&key.as_str()),
                "[[language]] key {key} is not in Helix's schema"
            );
        }
        let name = lang["name"].as_str().unwrap();
        names.push(name.to_string());
        let list = lang["language-servers"].as_array().unwrap();
        // Helix replaces (does not merge) the built-in list: the usual server must stay, first.
        let builtin = match name {
            "rust" => "rust-analyzer",
            "go" => "gopls",
            other => panic!("unexpected language {other}"),
        };
        assert_eq!(
            list[0].as_str(),
            Some(builtin),
            "{name}: {builtin} must stay first"
        );
        let mut has_distlint = false;
        for entry in list {
            match entry {
                Value::String(_) => {}
                Value::Table(t) => {
                    for key in t.keys() {
                        assert!(
                            HELIX_SERVER_REF_KEYS.contains(&key.as_str()),
                            "{name}: key {key}"
                        );
                    }
                    assert!(
                        !(t.contains_key("only-features") && t.contains_key("except-features")),
                        "{name}: only-features and except-features are exclusive"
                    );
                    for list_key in ["only-features", "except-features"] {
                        if let Some(features) = t.get(list_key) {
                            for f in features.as_array().unwrap() {
                                assert!(
                                    HELIX_FEATURES.contains(&f.as_str().unwrap()),
                                    "{name}: unknown feature {f}"
                                );
                            }
                        }
                    }
                    if t["name"].as_str() == Some("distlint") {
                        has_distlint = true;
                        let features: Vec<&str> = t["only-features"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter_map(Value::as_str)
                            .collect();
                        for needed in ["diagnostics", "code-action", "hover"] {
                            assert!(
                                features.contains(&needed),
                                "{name}: distlint needs {needed}"
                            );
                        }
                    }
                }
                other => panic!("{name}: bad language-servers entry {other}"),
            }
        }
        assert!(has_distlint, "{name}: distlint not in language-servers");
    }
    names.sort();
    assert_eq!(names, ["go", "rust"]);
}
