//! Finding the files to analyse: the `ignore` crate's walker (respects `.gitignore`, `.ignore`,
//! hidden files; also outside a git repository), restricted to `.rs` and `.go`.
//!
//! Go files under a directory named `testdata`, or whose name starts with `_` or `.`, are not
//! walked: the go tool ignores them ("Directory and file names that begin with "." or "_" are
//! ignored by the go tool, as are directories named "testdata"", `go help packages`), so they are
//! fixtures and inputs, not code that runs. Named explicitly on the command line, they are analysed.

use std::path::{Path, PathBuf};

use distlint_analysis::Language;

/// The outcome of walking the command-line paths.
#[derive(Debug, Default)]
pub struct Walked {
    /// Files to analyse, sorted and deduplicated, as given on the command line or joined onto it
    /// (`src/a.rs`; a leading `./` is removed).
    pub files: Vec<PathBuf>,
    /// I/O errors (a path that does not exist, an unreadable directory): printed on stderr, exit 2.
    pub errors: Vec<String>,
    /// Explicitly named files that are not Rust or Go (reported, not an error).
    pub not_source: Vec<PathBuf>,
    /// For files found by walking a directory: that directory as named on the command line (the
    /// shortest one when several found the file). Their roles are judged below it
    /// (`distlint_analysis::roles::judged_path`); files named explicitly are not listed and are
    /// judged below the working directory.
    pub bases: std::collections::HashMap<PathBuf, PathBuf>,
}

/// Walks `paths`. A file named explicitly is analysed even when `.gitignore` ignores it (as ruff
/// does); directories are walked with the standard filters.
pub fn walk(paths: &[PathBuf]) -> Walked {
    let mut out = Walked::default();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(format!("{}: {}", root.display(), e));
                continue;
            }
        };
        if meta.is_file() {
            if Language::from_path(root).is_some() {
                out.files.push(clean(root));
            } else {
                out.not_source.push(root.clone());
            }
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .standard_filters(true)
            .require_git(false)
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file())
                        && Language::from_path(e.path()).is_some()
                        && !go_tool_ignores(e.path().strip_prefix(root).unwrap_or(e.path()))
                    {
                        let file = clean(e.path());
                        let base = clean(root);
                        match out.bases.get(&file) {
                            Some(b) if b.components().count() <= base.components().count() => {}
                            _ => {
                                out.bases.insert(file.clone(), base);
                            }
                        }
                        out.files.push(file);
                    }
                }
                Err(err) => out.errors.push(err.to_string()),
            }
        }
    }
    out.files.sort();
    out.files.dedup();
    out
}

/// Whether the go tool ignores this `.go` file (`relative` is the path below the walked root):
/// a `testdata` directory, or a directory or file name starting with `_` or `.`. Always `false`
/// for other languages.
pub fn go_tool_ignores(relative: &Path) -> bool {
    if Language::from_path(relative) != Some(Language::Go) {
        return false;
    }
    relative.components().any(|c| match c {
        std::path::Component::Normal(name) => {
            let name = name.to_string_lossy();
            name == "testdata" || name.starts_with('_') || name.starts_with('.')
        }
        _ => false,
    })
}

/// `./src/a.rs` → `src/a.rs`; other paths unchanged.
pub fn clean(p: &Path) -> PathBuf {
    p.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

/// A path as printed in reports: `/`-separated, lossy for non-UTF-8 names.
pub fn display(p: &Path) -> String {
    let s = p.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}
