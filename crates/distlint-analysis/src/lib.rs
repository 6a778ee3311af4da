//! distlint's analysis engine: documents, tree-sitter parsing, incremental edits, name resolution,
//! the rule registry, findings and fixes. It knows nothing about LSP; the CLI and the language
//! server both drive it.
//!
//! Units: every range in this crate is a **byte** range into UTF-8 text, end exclusive; lines are
//! 0-based; conversion to editor columns goes through [`text::LineIndex`].
//!
//! # The front door
//!
//! The language server and the CLI use what this file exports: the [`Analyzer`] (one
//! configuration; from-scratch and incremental analysis, fix resolution), the [`AnalysisHost`]
//! (open documents, their edits and cached findings, per-document configuration), [`Document`],
//! [`Config`] and its file form ([`config_file`]), the rule metadata ([`catalog`], [`rule`],
//! [`rules`], [`taxonomy`]), input limits ([`input`]) and positions ([`text`]). The engine's
//! internals (units, prefilter, suppressions, facts, name resolution, syntax helpers) are private
//! modules; `docs/architecture.md` maps them. [`internals`] exposes the few the benchmarks and
//! integration tests measure directly.

pub mod catalog;
pub mod config;
pub mod config_file;
pub mod document;
pub mod host;
pub mod input;
pub mod language;
pub mod roles;
pub mod rule;
pub mod rules;
pub mod taxonomy;
pub mod text;

mod engine;
mod facts;
mod meta;
mod resolve;
mod syntax;
mod textscan;
mod vocabulary;

#[cfg(test)]
pub(crate) mod testing;

pub use config::Config;
pub use document::{Document, TextChange};
pub use engine::incremental::{AnalysisState, AnalysisStats, Delta};
pub use engine::units::test_items;
pub use engine::{Analysis, Analyzer, RULE_TIME_BUDGET};
pub use host::AnalysisHost;
pub use language::Language;
pub use rule::{Applicability, Finding, Fix, Rule, RuleMeta, Severity, TextEdit};
pub use text::{LineIndex, PositionEncoding, TextPosition};

/// Engine internals for the benchmarks (`distlint-bench`'s `cold` phase breakdown) and the
/// integration tests that measure or cross-check single steps of the pipeline. Not an API: the
/// names and shapes change with the engine. Everything else uses the re-exports above.
#[doc(hidden)]
pub mod internals {
    pub use crate::engine::prefilter::Prefilter;
    pub use crate::engine::suppress::collect as collect_suppressions;
    pub use crate::engine::units::{analysis_units, split_too_deep};
    pub use crate::facts::{FactKinds, FileFacts, LazyFacts};
    pub use crate::resolve::Imports;
}
