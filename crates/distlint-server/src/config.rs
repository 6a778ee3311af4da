//! `distlint.toml` for the server: the same files the CLI reads, below the editor settings.
//!
//! Discovery and parsing belong to the analysis crate (`config_file`, shared with the CLI). Until
//! that module exists this returns `None` and the server runs on defaults + editor settings.

use std::path::PathBuf;

use distlint_analysis::Config;

/// The configuration from the first workspace root's `distlint.toml`, or `None` when there is
/// none (or it does not parse: the error is logged with its key and line).
pub fn load_file_config(roots: &[PathBuf]) -> Option<Config> {
    let _ = roots;
    None
}
