//! The languages distlint analyses and their tree-sitter grammars.

use std::path::Path;

/// A source language distlint has rules for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Rust, parsed with `tree-sitter-rust`.
    Rust,
    /// Go, parsed with `tree-sitter-go`.
    Go,
}

impl Language {
    /// The language of a path by its extension (`.rs`, `.go`), or `None`.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "rs" => Some(Language::Rust),
            "go" => Some(Language::Go),
            _ => None,
        }
    }

    /// The language for an LSP `languageId` (`"rust"`, `"go"`), or `None`.
    pub fn from_language_id(id: &str) -> Option<Self> {
        match id {
            "rust" => Some(Language::Rust),
            "go" => Some(Language::Go),
            _ => None,
        }
    }

    /// Lower-case name, as used in JSON output and LSP language ids.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Go => "go",
        }
    }

    /// The tree-sitter grammar.
    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
        }
    }
}
