//! Fixes (byte-range [`distlint_analysis::TextEdit`]s) → LSP `TextEdit`s and `WorkspaceEdit`s.

use std::collections::HashMap;

use distlint_analysis::{Document, PositionEncoding, TextEdit};
use tower_lsp_server::ls_types::{
    self as lsp, DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit,
    Uri, WorkspaceEdit,
};

use super::to_lsp_range;

/// Converts byte-range edits computed on `doc` to LSP text edits in `encoding` units.
pub fn to_lsp_text_edits(
    doc: &Document,
    edits: &[TextEdit],
    encoding: PositionEncoding,
) -> Vec<lsp::TextEdit> {
    edits
        .iter()
        .map(|e| lsp::TextEdit {
            range: to_lsp_range(doc, e.range.clone(), encoding),
            new_text: e.replacement.clone(),
        })
        .collect()
}

/// Builds a [`WorkspaceEdit`] for one document version.
///
/// With `document_changes` (client capability `workspace.workspaceEdit.documentChanges`) the edit
/// names the document version it was computed for, so a client rejects it if the text moved on
/// (LSP 3.17 § "TextDocumentEdit"); otherwise the plain `changes` map is used.
#[derive(Debug, Clone)]
pub struct WorkspaceEditBuilder {
    /// The document's URI.
    pub uri: Uri,
    /// The version the edits were computed on.
    pub version: i32,
    /// Whether the client accepts `documentChanges`.
    pub document_changes: bool,
}

impl WorkspaceEditBuilder {
    /// A workspace edit applying `edits` to the document.
    pub fn build(&self, edits: Vec<lsp::TextEdit>) -> WorkspaceEdit {
        if self.document_changes {
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: self.uri.clone(),
                        version: Some(self.version),
                    },
                    edits: edits.into_iter().map(OneOf::Left).collect(),
                }])),
                ..Default::default()
            }
        } else {
            WorkspaceEdit {
                changes: Some(HashMap::from([(self.uri.clone(), edits)])),
                ..Default::default()
            }
        }
    }
}
