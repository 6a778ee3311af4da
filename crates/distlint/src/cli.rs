//! Command-line arguments (clap derive) and the two small subcommands, `rules` and `explain`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use distlint_analysis::roles::Role;
use distlint_analysis::rule::RuleMeta;
use distlint_analysis::Severity;

/// distlint: finds distributed-systems footguns in Rust and Go code.
#[derive(Debug, Parser)]
#[command(name = "distlint", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse files and directories (default: the current directory).
    Check(CheckArgs),
    /// List every rule: id, language, category, default severity, experimental marker.
    Rules(RulesArgs),
    /// Print a rule's documentation (what it finds, failure scenario, known problems, example).
    Explain {
        /// The rule id, e.g. `unbounded-channel`.
        rule: String,
    },
    /// Print the role a file gets (production, test support, example, generated, vendored), the
    /// convention that decided it, and the items inside that are test code.
    ExplainPath(ExplainPathArgs),
    /// Run the language server (LSP 3.17) on stdin/stdout, for editors. Logs go to stderr.
    Lsp {
        /// Accepted for clients that append it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

/// Report format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: severity[rule] message`, a code frame, and a summary line.
    Human,
    /// One JSON document (schema version 1, see docs/cli.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::message`).
    Github,
    /// A Markdown code-review report for posting as a pull-request comment.
    Markdown,
}

/// When to colour the human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Only when stdout is a terminal (and `NO_COLOR` is unset).
    Auto,
    /// Always emit ANSI colours.
    Always,
    /// Never emit ANSI colours.
    Never,
}

/// Severity threshold for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    /// Any finding fails.
    Nit,
    /// `minor`, `major` or `blocker`.
    Minor,
    /// `major` or `blocker`.
    Major,
    /// Only `blocker`.
    Blocker,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Self {
        match s {
            SeverityArg::Nit => Severity::Nit,
            SeverityArg::Minor => Severity::Minor,
            SeverityArg::Major => Severity::Major,
            SeverityArg::Blocker => Severity::Blocker,
        }
    }
}

/// Arguments of `distlint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to analyse (default `.`). Directories are walked respecting
    /// `.gitignore`; only `.rs` and `.go` files are analysed.
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Colour the human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Use this `distlint.toml` for every file instead of discovering the nearest one.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Report only findings on lines added or changed relative to the merge-base of BASE and
    /// HEAD (default: the repository's default branch), plus uncommitted changes. Files outside
    /// the diff are not analysed. Put paths before `--diff`, or write `--diff=BASE`.
    #[arg(long, value_name = "BASE", num_args = 0..=1, default_missing_value = "")]
    pub diff: Option<String>,

    /// Exit 0 even when there are findings (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// Exit 1 only for findings at or above this severity (default: any finding).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,

    /// Print the number of findings per rule after the report.
    #[arg(long)]
    pub statistics: bool,

    /// Print only the findings: no summary line, no skip notes, no progress bar.
    #[arg(long, short)]
    pub quiet: bool,

    /// Apply safe fixes to the files (re-analysing after each round, at most 10 rounds).
    #[arg(long)]
    pub fix: bool,

    /// With `--fix` or `--fix-diff`: also apply unsafe fixes (they change behaviour, e.g. add
    /// back-pressure; review them).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them (alias `--show-fixes`).
    #[arg(long, alias = "show-fixes")]
    pub fix_diff: bool,

    /// Never show a progress bar (it only appears on a terminal for scans longer than a moment).
    #[arg(long)]
    pub no_progress: bool,

    /// Number of analysis threads (default: one per core). Output order does not depend on it.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Also analyse files of this role (repeatable; added to `include-roles` of every
    /// `distlint.toml`). Only production code is analysed by default; `distlint explain-path
    /// FILE` says which role a file gets and why.
    #[arg(long = "include-role", value_enum, value_name = "ROLE")]
    pub include_roles: Vec<RoleArg>,
}

/// A role `--include-role` opts in (see `distlint_analysis::roles`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Tests, test helpers and harnesses, fixtures, benchmarks (same as `include-tests = true`).
    Test,
    /// Example and demo programs (`examples/`).
    Example,
    /// Generated code (`// Code generated ... DO NOT EDIT.`, `@generated`).
    Generated,
    /// Vendored code (`vendor/`, `third_party/`, `Godeps/`).
    Vendored,
    /// Every role.
    All,
}

impl RoleArg {
    /// The roles this argument opts in.
    pub fn roles(self) -> Vec<Role> {
        match self {
            RoleArg::Test => vec![Role::TestSupport],
            RoleArg::Example => vec![Role::Example],
            RoleArg::Generated => vec![Role::Generated],
            RoleArg::Vendored => vec![Role::Vendored],
            RoleArg::All => Role::OPTIONAL.to_vec(),
        }
    }
}

/// Arguments of `distlint explain-path`.
#[derive(Debug, Args)]
pub struct ExplainPathArgs {
    /// The file (`.rs` or `.go`). Its directories are judged below the working directory, as
    /// `distlint check` judges a file named on its command line.
    pub path: PathBuf,
    /// Use this `distlint.toml` instead of discovering the nearest one (to say whether the file
    /// is analysed under it).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// As for `check`: count this role as included.
    #[arg(long = "include-role", value_enum, value_name = "ROLE")]
    pub include_roles: Vec<RoleArg>,
}

/// Arguments of `distlint rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Every rule's metadata: the registry's rules, then the engine's suppression pseudo-rules.
pub fn all_metas() -> Vec<&'static RuleMeta> {
    distlint_analysis::catalog::all_metas()
}

/// `distlint rules`.
pub fn rules(args: RulesArgs) -> ExitCode {
    let metas = all_metas();
    if args.json {
        let rows: Vec<_> = metas
            .iter()
            .map(|m| {
                serde_json::json!({
                    "id": m.id,
                    "language": distlint_analysis::catalog::language_label(m),
                    "category": m.category,
                    "severity": m.severity.as_str(),
                    "title": m.title,
                    "experimental": !m.default_enabled,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).expect("json"));
        return ExitCode::SUCCESS;
    }
    let w = metas.iter().map(|m| m.id.len()).max().unwrap_or(4).max(4);
    let cw = metas
        .iter()
        .map(|m| m.category.len())
        .max()
        .unwrap_or(8)
        .max(8);
    println!(
        "{:<w$}  {:<8}  {:<cw$}  {:<8}  TITLE",
        "RULE", "LANGUAGE", "CATEGORY", "SEVERITY"
    );
    for m in metas {
        println!(
            "{:<w$}  {:<8}  {:<cw$}  {:<8}  {}{}",
            m.id,
            distlint_analysis::catalog::language_label(m),
            m.category,
            m.severity.as_str(),
            m.title,
            if m.default_enabled {
                ""
            } else {
                " (experimental, off by default)"
            }
        );
    }
    ExitCode::SUCCESS
}

/// `distlint explain RULE`: the rule's Markdown docs; an unknown id exits 2 and names the
/// nearest known id.
pub fn explain(rule: &str) -> ExitCode {
    match distlint_analysis::catalog::meta_by_id(rule) {
        Some(meta) => {
            print!("{}", distlint_analysis::catalog::markdown(meta));
            ExitCode::SUCCESS
        }
        None => {
            let ids: Vec<&str> = all_metas().iter().map(|m| m.id).collect();
            match distlint_analysis::catalog::nearest(rule, ids.iter().copied()) {
                Some(s) => eprintln!(
                    "error: unknown rule `{rule}`; did you mean `{s}`? (see `distlint rules`)"
                ),
                None => eprintln!("error: unknown rule `{rule}` (see `distlint rules`)"),
            }
            ExitCode::from(2)
        }
    }
}
