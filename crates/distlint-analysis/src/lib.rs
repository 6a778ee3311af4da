//! distlint's analysis engine: documents, tree-sitter parsing, incremental edits, name resolution,
//! the rule registry, findings and fixes. It knows nothing about LSP; the CLI and the language
//! server both drive it.
//!
//! Units: every range in this crate is a **byte** range into UTF-8 text, end exclusive; lines are
//! 0-based; conversion to editor columns goes through [`text::LineIndex`].

pub mod catalog;
pub mod config;
pub mod config_file;
pub mod document;
pub mod engine;
pub mod facts;
pub mod host;
pub mod incremental;
pub mod input;
pub mod language;
pub mod prefilter;
pub mod resolve;
pub mod rule;
pub mod rules;
pub mod suppress;
pub mod syntax;
pub mod taxonomy;
pub mod text;
pub mod textscan;

#[cfg(test)]
pub(crate) mod testing;

pub use config::Config;
pub use document::{Document, TextChange};
pub use engine::Analyzer;
pub use host::AnalysisHost;
pub use language::Language;
pub use rule::{Applicability, Finding, Fix, Rule, RuleMeta, Severity, TextEdit};
pub use text::{LineIndex, PositionEncoding, TextPosition};
