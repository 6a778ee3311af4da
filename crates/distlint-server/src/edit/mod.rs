//! Conversions between the analysis crate's byte offsets and LSP positions, ranges and edits.
//!
//! The analysis crate speaks **byte offsets** into UTF-8 text (end exclusive) and 0-based lines;
//! LSP speaks `(line, character)` where `character` counts code units of the negotiated position
//! encoding (LSP 3.17 § "Position Encoding Kind"). Every conversion goes through
//! [`distlint_analysis::LineIndex`], which this module never duplicates.

mod encoding;
mod range;
mod text_edit;

pub use encoding::{negotiate_encoding, to_position_encoding_kind};
pub use range::{offset_of, to_lsp_position, to_lsp_range, to_text_change};
pub use text_edit::{to_lsp_text_edits, WorkspaceEditBuilder};
