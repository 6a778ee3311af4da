//! `distlint.toml` for the server: the same files, discovery and validation as the CLI
//! ([`distlint_analysis::config_file`]), with editor settings on top.
//!
//! For each open document the nearest `distlint.toml` in its directory or an ancestor applies
//! (files are not merged). A document its file `exclude`s (or does not `include`) gets no
//! diagnostics. An invalid file is reported to the user (path:line:col, key, suggestion) and the
//! document is analysed with the built-in defaults under the editor settings.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use distlint_analysis::config_file::{ConfigError, ConfigFile, ConfigResolver};
use distlint_analysis::Config;

/// Which configuration file governs a document.
#[derive(Debug, Clone)]
pub enum FileScope {
    /// No `distlint.toml` above the document (or it has no path, e.g. `untitled:`).
    None,
    /// The nearest `distlint.toml`, which includes the document.
    File(Arc<ConfigFile>),
    /// The nearest `distlint.toml` excludes the document (`path` is that file).
    Excluded(PathBuf),
}

impl FileScope {
    /// The file configuration, or the defaults; `None` when the document is excluded.
    pub fn config(&self) -> Option<Config> {
        match self {
            FileScope::None => Some(Config::default()),
            FileScope::File(f) => Some(f.config.clone()),
            FileScope::Excluded(_) => None,
        }
    }
}

/// Discovers and caches `distlint.toml` files. Rebuilt (cache dropped) when a watched
/// `distlint.toml` changes.
#[derive(Debug, Default)]
pub struct FileConfigs {
    resolver: ConfigResolver,
}

impl FileConfigs {
    /// Discovery with empty caches.
    pub fn new() -> Self {
        Self::default()
    }

    /// The configuration file governing the document at `path`, searched only inside the
    /// workspace `roots` (docs/security.md: the server reads no file outside the workspace; with
    /// no roots it reads none).
    pub fn for_document(
        &self,
        path: Option<&Path>,
        roots: &[PathBuf],
    ) -> Result<FileScope, ConfigError> {
        let Some(path) = path else {
            return Ok(FileScope::None);
        };
        match self.resolver.for_file_within(path, roots)? {
            None => Ok(FileScope::None),
            Some(file) if file.is_excluded(path) => Ok(FileScope::Excluded(file.path.clone())),
            Some(file) => Ok(FileScope::File(file)),
        }
    }

    /// The configuration of the first workspace root (its own `distlint.toml` or the nearest
    /// above it): what most documents use, and what the shared analysis host runs with.
    pub fn for_roots(&self, roots: &[PathBuf]) -> Result<Option<Config>, ConfigError> {
        let Some(root) = roots.first() else {
            return Ok(None);
        };
        // Any file name: discovery starts at the file's directory.
        match self.for_document(Some(&root.join("distlint-root-probe.rs")), roots)? {
            FileScope::File(f) => Ok(Some(f.config.clone())),
            _ => Ok(None),
        }
    }
}
