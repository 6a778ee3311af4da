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
//! Lazy edits (LSP 3.17 § "Code Action Resolve Request"): when the client can resolve the `edit`
//! property (`ResolvedClientCapabilities::code_action_resolve`), quick fixes are sent without
//! `edit` and with [`FixData`] in `data`; `code_action_resolve.rs` computes the edit when the
//! user picks the action. Clients without resolve support get every edit inline; a fix the rule
//! defers (`Fix::deferred`) is then resolved here, for the findings under the cursor only. The
//! suppression action (one cheap insertion) and fix-all (safe fixes only; editors apply it on
//! save without a menu) always carry their edits.
//!
//! Workspace edits name the document version they were computed on when the client supports
//! `documentChanges`.

use std::collections::HashMap;

use distlint_analysis::{Applicability, Document, Finding, Fix, TextEdit};
use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::edit::{offset_of, to_lsp_text_edits, WorkspaceEditBuilder};
use crate::lint::to_diagnostic;
use crate::server::schedule::analyze_latest;
use crate::server::{Backend, SOURCE_FIX_ALL_DISTLINT};

/// The reason text put in an inserted suppression comment, for the user to replace.
pub const SUPPRESSION_REASON_PLACEHOLDER: &str = "TODO: explain why this is safe here";

/// The `data` of a quick fix sent without its edit: which fix of which finding, on which
/// document version. `codeAction/resolve` recomputes nothing but the fix's edits from it, and
/// answers `ContentModified` when the document is no longer at `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixData {
    /// The document URI (as the client sent it).
    pub uri: String,
    /// The document version the action was computed on.
    pub version: i32,
    /// The finding's rule id.
    pub rule: String,
    /// The finding's byte range in that version's text (UTF-8 offsets, end exclusive).
    pub start: usize,
    /// End of that range.
    pub end: usize,
    /// Index of the fix in the finding's fixes (0 = the preferred one).
    pub fix: usize,
    /// The fix's title when listed, to tell a changed list of fixes apart.
    pub title: String,
}

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
    let caps = session.client();
    let lazy = caps.code_action_resolve;
    let builder = WorkspaceEditBuilder {
        uri: uri.clone(),
        version: doc.version(),
        document_changes: caps.document_changes,
    };
    let docs_base_url = session.settings().docs_base_url;
    let findings = &result.findings;

    // The findings that get quick fixes, with their diagnostics.
    let mut selected: Vec<(usize, Diagnostic)> = Vec::new();
    if wants(only, &CodeActionKind::QUICKFIX) {
        for (i, finding) in findings.iter().enumerate() {
            let diagnostic = to_diagnostic(finding, &doc, encoding, docs_base_url.as_deref());
            // The finding overlaps the requested range, or the editor passed its diagnostic
            // (a cursor at the start of the line sends an empty range plus the line's diagnostics).
            let overlaps = finding.range.start <= end && start <= finding.range.end;
            let in_context = params.context.diagnostics.iter().any(|d| {
                d.range == diagnostic.range
                    && d.code == diagnostic.code
                    && d.source.as_deref() == Some(crate::lint::SOURCE)
            });
            if overlaps || in_context {
                selected.push((i, diagnostic));
            }
        }
    }
    let fix_all_kind = CodeActionKind::new(SOURCE_FIX_ALL_DISTLINT);
    let fix_all = wants(only, &fix_all_kind);

    // Deferred fixes whose edits are needed now: the selected findings' fixes when the client
    // cannot resolve, and every safe fix for fix-all. Resolved off the async executor.
    let mut needed: Vec<(usize, usize)> = Vec::new();
    if !lazy {
        for (i, _) in &selected {
            for (j, fix) in findings[*i].fixes.iter().enumerate() {
                if fix.is_deferred() {
                    needed.push((*i, j));
                }
            }
        }
    }
    if fix_all {
        for (i, f) in findings.iter().enumerate() {
            for (j, fix) in f.fixes.iter().enumerate() {
                if fix.is_deferred() && fix.applicability == Applicability::Safe {
                    needed.push((i, j));
                }
            }
        }
    }
    needed.sort_unstable();
    needed.dedup();
    let resolved = resolve_now(server, uri.as_str(), &doc, &result.findings, needed).await?;
    let fix_at = |i: usize, j: usize| -> Option<Fix> {
        let fix = &findings[i].fixes[j];
        if fix.is_deferred() {
            resolved.get(&(i, j)).cloned()
        } else {
            Some(fix.clone())
        }
    };

    let mut actions = Vec::new();
    for (i, diagnostic) in selected {
        let finding = &findings[i];
        for (j, listed) in finding.fixes.iter().enumerate() {
            let (title, edit, data) = if lazy {
                let data = FixData {
                    uri: uri.as_str().to_string(),
                    version: doc.version(),
                    rule: finding.rule.to_string(),
                    start: finding.range.start,
                    end: finding.range.end,
                    fix: j,
                    title: listed.title.clone(),
                };
                let data = serde_json::to_value(data).expect("FixData serialises");
                (listed.title.clone(), None, Some(data))
            } else {
                // A deferred fix that no longer applies is left out.
                let Some(fix) = fix_at(i, j) else { continue };
                let edit = builder.build(to_lsp_text_edits(&doc, &fix.edits, encoding));
                (fix.title, Some(edit), None)
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit,
                data,
                is_preferred: Some(j == 0),
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

    if fix_all {
        let safe: Vec<Fix> = findings
            .iter()
            .enumerate()
            .flat_map(|(i, f)| (0..f.fixes.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| findings[i].fixes[j].applicability == Applicability::Safe)
            .filter_map(|(i, j)| fix_at(i, j))
            .collect();
        let edits = safe_fix_edits(&safe);
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

/// Resolves the deferred fixes `needed` (`(finding index, fix index)`) on the blocking pool with
/// the analyzer configured for the document. Fixes that resolve to `None` are absent from the map.
async fn resolve_now(
    server: &Backend,
    key: &str,
    doc: &Document,
    findings: &std::sync::Arc<Vec<Finding>>,
    needed: Vec<(usize, usize)>,
) -> Result<HashMap<(usize, usize), Fix>> {
    if needed.is_empty() {
        return Ok(HashMap::new());
    }
    let Some(analyzer) = server.session.host.document_analyzer(key) else {
        return Ok(HashMap::new());
    };
    let (doc, findings) = (doc.clone(), findings.clone());
    tokio::task::spawn_blocking(move || {
        let resolved = analyzer.resolve_fixes_at(&doc, &findings, &needed);
        needed
            .into_iter()
            .zip(resolved)
            .filter_map(|(at, fix)| Some((at, fix?)))
            .collect()
    })
    .await
    .map_err(|e| {
        let mut err = tower_lsp_server::jsonrpc::Error::internal_error();
        err.message = format!("distlint: resolving fixes failed: {e}").into();
        err
    })
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

/// The edits of every safe fix among `fixes` (resolved: deferred ones are skipped), in document
/// order, leaving out any fix that overlaps (or touches at the same insertion point) one already
/// taken.
pub(crate) fn safe_fix_edits(fixes: &[Fix]) -> Vec<TextEdit> {
    let mut fixes: Vec<&Fix> = fixes
        .iter()
        .filter(|fix| {
            fix.applicability == Applicability::Safe && !fix.is_deferred() && !fix.edits.is_empty()
        })
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
    use distlint_analysis::{Language, Severity};

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
        let fixes: Vec<Fix> = findings.into_iter().flat_map(|f| f.fixes).collect();
        let edits = safe_fix_edits(&fixes);
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
