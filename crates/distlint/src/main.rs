//! The `distlint` command line: `check`, `rules`, `explain`, `explain-path` (and `lsp`, served by
//! `distlint_server`).
//!
//! Exit codes (ruff's convention): `0` no findings at or above `--fail-on`, `1` findings,
//! `2` usage errors (bad flags, unknown rule, invalid `distlint.toml`) or I/O errors (a path that
//! does not exist, a file that cannot be read). With `--exit-zero`, findings alone never give `1`.

use std::process::ExitCode;

use clap::Parser;

mod check;
mod cli;
mod diff;
mod explain_path;
mod fix;
mod output;
mod progress;
mod report;
mod walk;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = matches!(&cli.command, Command::Check(args) if args.quiet);
    init_tracing(quiet);
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Rules(args) => cli::rules(args),
        Command::Explain { rule } => cli::explain(&rule),
        Command::ExplainPath(args) => explain_path::run(&args),
        Command::Lsp { stdio: _ } => lsp(),
    }
}

/// `distlint lsp`: serves the language server on stdio until the client sends `exit`.
fn lsp() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("distlint lsp: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = runtime.block_on(distlint_server::run_stdio());
    // Blocking analysis tasks still running are abandoned rather than awaited.
    runtime.shutdown_background();
    // LSP 3.17 "Exit Notification": 0 after `shutdown`, 1 otherwise.
    if outcome.shutdown_requested {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Logs go to stderr (never stdout: it carries the report), filtered by `DISTLINT_LOG`
/// (`tracing_subscriber::EnvFilter` syntax), default `warn`; `check --quiet` lowers the default
/// to `error`, so warnings such as a rule exceeding its time budget are not printed (an explicit
/// `DISTLINT_LOG` still wins).
fn init_tracing(quiet: bool) {
    let default = if quiet { "error" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DISTLINT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Editors show the server's stderr verbatim: colour only on a terminal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
