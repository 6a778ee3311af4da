//! `textDocument/codeAction` (LSP 3.17 § "Code Action Request").
//!
//! For each finding overlapping the requested range, or whose diagnostic the client passed in
//! `context.diagnostics`:
//! - each of its fixes as a `quickfix` carrying the diagnostic it resolves; the first (the rule's
//!   main fix) is `isPreferred`;
//! - "Suppress `<rule>` here": a `quickfix` inserting `// distlint:ignore <rule-id> <reason>` on
//!   the line above the finding, with that line's indentation and line ending.
//!
//! And for the whole document, `source.fixAll.distlint`: every `Applicability::Safe` fix, skipping
//! any whose edits overlap an earlier one (a second fix-all run picks those up).
//!
//! Edits are computed with the findings, so `codeAction/resolve` is not needed. Workspace edits
//! name the document version they were computed on when the client supports `documentChanges`.

use distlint_analysis::{Applicability, Document, Finding, TextEdit};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::edit::{offset_of, to_lsp_text_edits, WorkspaceEditBuilder};
use crate::lint::to_diagnostic;
use crate::server::schedule::analyze_latest;
use crate::server::{Backend, SOURCE_FIX_ALL_DISTLINT};

/// The reason text put in an inserted suppression comment, for the user to replace.
pub const SUPPRESSION_REASON_PLACEHOLDER: &str = "TODO: explain why this is safe here";

pub(crate) async fn handle(
    server: &Backend,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let session = &server.session;
    let uri = params.text_document.uri;
    let Some((doc, result)) = analyze_latest(session, uri.as_str()).await? else {
        return Ok(None);
    };
    let encoding = session.encoding();
    let (start, end) = match (
        offset_of(&doc, params.range.start, encoding),
        offset_of(&doc, params.range.end, encoding),
    ) {
        (Ok(s), Ok(e)) => (s.min(e), s.max(e)),
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(
                uri = uri.as_str(),
                "code action range outside the document: {e}"
            );
            return Ok(None);
        }
    };
    let only = params.context.only.as_deref();
    let builder = WorkspaceEditBuilder {
        uri: uri.clone(),
        version: doc.version(),
        document_changes: session.client().document_changes,
    };
    let docs_base_url = session.settings().docs_base_url;
    let mut actions = Vec::new();

    if wants(only, &CodeActionKind::QUICKFIX) {
        for finding in result.findings.iter() {
            let diagnostic = to_diagnostic(finding, &doc, encoding, docs_base_url.as_deref());
            // The finding overlaps the requested range, or the editor passed its diagnostic
            // (a cursor at the start of the line sends an empty range plus the line's diagnostics).
            let overlaps = finding.range.start <= end && start <= finding.range.end;
            let in_context = params.context.diagnostics.iter().any(|d| {
                d.range == diagnostic.range
                    && d.code == diagnostic.code
                    && d.source.as_deref() == Some(crate::lint::SOURCE)
            });
            if !overlaps && !in_context {
                continue;
            }
            for (i, fix) in finding.fixes.iter().enumerate() {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(builder.build(to_lsp_text_edits(&doc, &fix.edits, encoding))),
                    is_preferred: Some(i == 0),
                    ..Default::default()
                }));
            }
            let suppression = suppression_edit(&doc, finding);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Suppress `{}` here (distlint:ignore)", finding.rule),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic]),
                edit: Some(builder.build(to_lsp_text_edits(&doc, &[suppression], encoding))),
                is_preferred: Some(false),
                ..Default::default()
            }));
        }
    }

    let fix_all_kind = CodeActionKind::new(SOURCE_FIX_ALL_DISTLINT);
    if wants(only, &fix_all_kind) {
        let edits = safe_fix_edits(&result.findings);
        if !edits.is_empty() {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "distlint: apply all safe fixes".into(),
                kind: Some(fix_all_kind),
                edit: Some(builder.build(to_lsp_text_edits(&doc, &edits, encoding))),
                ..Default::default()
            }));
        }
    }
    Ok(Some(actions))
}

/// Whether an action of `kind` is wanted under the request's `only` filter. Kinds are
/// hierarchical (LSP 3.17 § "CodeActionKind"): `source` asks for `source.fixAll.distlint` too.
fn wants(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    let Some(only) = only else { return true };
    only.iter().any(|requested| {
        let (r, k) = (requested.as_str(), kind.as_str());
        k == r || (k.starts_with(r) && k.as_bytes().get(r.len()) == Some(&b'.'))
    })
}

/// Inserts `// distlint:ignore <rule> <reason>` above the finding's first line, indented like
/// that line, with the document's line ending.
pub(crate) fn suppression_edit(doc: &Document, finding: &Finding) -> TextEdit {
    let text = doc.text();
    let index = doc.line_index();
    let line = index.line_of(finding.range.start);
    let range = index.line_range(line, text).unwrap_or(0..0);
    let line_text = &text[range.clone()];
    let indent = &line_text[..line_text.len() - line_text.trim_start().len()];
    let eol = if text[range.end..].starts_with("\r\n") {
        "\r\n"
    } else if text[range.end..].starts_with('\r') {
        "\r"
    } else {
        "\n"
    };
    TextEdit::insert(
        range.start,
        format!(
            "{indent}// distlint:ignore {} {SUPPRESSION_REASON_PLACEHOLDER}{eol}",
            finding.rule
        ),
    )
}

/// The edits of every safe fix, in document order, leaving out any fix that overlaps (or touches
/// at the same insertion point) one already taken.
pub(crate) fn safe_fix_edits(findings: &[Finding]) -> Vec<TextEdit> {
    let mut fixes: Vec<&distlint_analysis::Fix> = findings
        .iter()
        .flat_map(|f| f.fixes.iter())
        .filter(|fix| fix.applicability == Applicability::Safe && !fix.edits.is_empty())
        .collect();
    fixes.sort_by_key(|fix| (fix.edits[0].range.start, fix.edits[0].range.end));
    let mut taken: Vec<TextEdit> = Vec::new();
    for fix in fixes {
        let clashes = fix.edits.iter().any(|e| {
            taken.iter().any(|t| {
                (e.range.start < t.range.end && t.range.start < e.range.end)
                    || e.range.start == t.range.start
            })
        });
        if !clashes {
            taken.extend(fix.edits.iter().cloned());
        }
    }
    taken.sort_by_key(|e| (e.range.start, e.range.end));
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use distlint_analysis::{Fix, Language, Severity};

    fn finding(range: std::ops::Range<usize>, fixes: Vec<Fix>) -> Finding {
        Finding {
            rule: "unbounded-channel",
            range,
            message: "m".into(),
            severity: Severity::Major,
            fixes,
        }
    }

    #[test]
    fn fix_all_takes_safe_fixes_and_skips_overlaps() {
        let safe = |r: std::ops::Range<usize>, t: &str| {
            Fix::new("s", Applicability::Safe, vec![TextEdit::replace(r, t)])
        };
        let findings = vec![
            finding(0..5, vec![safe(0..5, "a")]),
            finding(3..8, vec![safe(3..8, "b")]), // overlaps the first: skipped
            finding(
                10..12,
                vec![Fix::new(
                    "u",
                    Applicability::Unsafe,
                    vec![TextEdit::replace(10..12, "u")],
                )],
            ),
            finding(20..22, vec![safe(20..22, "c")]),
        ];
        let edits = safe_fix_edits(&findings);
        let got: Vec<_> = edits
            .iter()
            .map(|e| (e.range.clone(), e.replacement.as_str()))
            .collect();
        assert_eq!(got, vec![(0..5, "a"), (20..22, "c")]);
    }

    #[test]
    fn suppression_keeps_indentation_and_crlf() {
        let text = "fn f() {\r\n    let (a, b) = std::sync::mpsc::channel::<u8>();\r\n}\r\n";
        let doc = Document::new(Language::Rust, text, 1);
        let start = text.find("std::").unwrap();
        let edit = suppression_edit(&doc, &finding(start..start + 10, vec![]));
        assert_eq!(edit.range, 10..10);
        assert_eq!(
            edit.replacement,
            format!(
                "    // distlint:ignore unbounded-channel {SUPPRESSION_REASON_PLACEHOLDER}\r\n"
            )
        );
        // The engine honours the inserted comment.
        let mut fixed = text.to_string();
        fixed.insert_str(edit.range.start, &edit.replacement);
        let findings =
            distlint_analysis::Analyzer::default().analyze_source(Language::Rust, &fixed, None);
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn only_filter_is_hierarchical() {
        let fix_all = CodeActionKind::new(SOURCE_FIX_ALL_DISTLINT);
        assert!(wants(None, &fix_all));
        assert!(wants(Some(&[CodeActionKind::SOURCE]), &fix_all));
        assert!(wants(Some(&[CodeActionKind::SOURCE_FIX_ALL]), &fix_all));
        assert!(!wants(Some(&[CodeActionKind::QUICKFIX]), &fix_all));
        assert!(!wants(Some(&[CodeActionKind::new("source.fix")]), &fix_all));
        assert!(wants(
            Some(&[CodeActionKind::QUICKFIX]),
            &CodeActionKind::QUICKFIX
        ));
    }
}
