//! `distlint explain-path FILE`: the role a file gets, the convention that decided it, whether
//! `distlint check` analyses it under the configuration that governs it, and the items inside it
//! that are test code.

use std::process::ExitCode;

use distlint_analysis::config_file::ConfigResolver;
use distlint_analysis::input::{classify as classify_input, InputDecision, InputLimits};
use distlint_analysis::roles::{self, Role};
use distlint_analysis::{Config, Document, Language};

use crate::check::relative_to_cwd;
use crate::cli::ExplainPathArgs;
use crate::walk;

/// Runs `explain-path`: exit 0 with the explanation on stdout, 2 when the file cannot be read,
/// is not `.rs`/`.go`, or its `distlint.toml` is invalid.
pub fn run(args: &ExplainPathArgs) -> ExitCode {
    match explain(args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The explanation, one fact per line:
///
/// ```text
/// tests/e2e/ctl.go: test-support
///   why: directory `e2e/` (a test-support directory name)
///   judged path: tests/e2e/ctl.go (directories below the working directory)
///   analysed by `distlint check`: no (only production code by default); `--include-role test`, or `include-roles = ["test"]` in distlint.toml
/// ```
///
/// followed, when there are any, by the items that are test code (1-based lines).
fn explain(args: &ExplainPathArgs) -> Result<String, String> {
    let path = walk::clean(&args.path);
    let shown = walk::display(&path);
    let language = Language::from_path(&path).ok_or(format!("{shown}: not a .rs or .go file"))?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let limits = InputLimits::default();
    let (text, decision) = classify_input(&bytes, &limits);
    if let InputDecision::Skip(reason) = decision {
        return Ok(format!("{shown}: not analysed: {reason}\n"));
    }
    let text = text.map(|t| t.into_owned()).unwrap_or_default();
    let judged = roles::judged_path(&path, Some(std::path::Path::new(".")));
    let role = roles::classify(language, &judged, &text);

    let resolver = ConfigResolver::new(args.config.as_deref()).map_err(|mut e| {
        e.path = relative_to_cwd(&e.path);
        e.to_string()
    })?;
    let (mut config, source, excluded) = match resolver.for_file(&path) {
        Ok(Some(f)) => (
            f.config.clone(),
            Some(relative_to_cwd(&f.path)),
            f.is_excluded(&path),
        ),
        Ok(None) => (Config::default(), None, false),
        Err(mut e) => {
            e.path = relative_to_cwd(&e.path);
            return Err(e.to_string());
        }
    };
    for r in args.include_roles.iter().flat_map(|r| r.roles()) {
        config.include_role(r);
    }

    let mut out = format!("{shown}: {}\n", role.role);
    out.push_str(&format!("  why: {}\n", role.reason));
    out.push_str(&format!(
        "  judged path: {} (directories below the working directory)\n",
        walk::display(&judged)
    ));
    let config_name = source
        .as_ref()
        .map(|p| walk::display(p))
        .unwrap_or_else(|| "the defaults (no distlint.toml)".into());
    let verdict = if excluded {
        format!("no: excluded by `exclude`/`include` in {config_name}")
    } else if config.includes_role(role.role) {
        match role.role {
            Role::Production => "yes".to_string(),
            r => format!(
                "yes: role `{}` is included by {config_name} or the flags",
                r.name()
            ),
        }
    } else {
        format!(
            "no (only production code by default); `--include-role {0}`, or `include-roles = [\"{0}\"]` in distlint.toml",
            role.role.name()
        )
    };
    out.push_str(&format!("  analysed by `distlint check`: {verdict}\n"));

    let items = test_items(language, &text);
    if !items.is_empty() {
        out.push_str("  test code inside (analysed only when test support is included):\n");
        for (first, last, head) in items {
            out.push_str(&format!("    lines {first}-{last}: {head}\n"));
        }
    }
    Ok(out)
}

/// The items of a file that are test code, as (first line, last line, first line's text): Rust
/// units the engine leaves out as test code (`#[test]` functions, `#[cfg(test)]` modules), Go
/// functions taking a `*testing.T`-like parameter ([`roles::is_go_test_function`]). Lines are
/// 1-based.
fn test_items(language: Language, text: &str) -> Vec<(u32, u32, String)> {
    let doc = Document::new(language, text, 0);
    let tree = doc.tree();
    let root = tree.root_node();
    let index = doc.line_index();
    let nodes = distlint_analysis::test_items(language, text, root);
    nodes
        .into_iter()
        .map(|r| {
            let first = index.line_of(r.start) + 1;
            let last = index.line_of(r.end.saturating_sub(1).max(r.start)) + 1;
            let head: String = text[r.start..]
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .chars()
                .take(80)
                .collect();
            (first, last, head)
        })
        .collect()
}
