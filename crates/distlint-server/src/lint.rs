//! Findings → LSP diagnostics and hover text.
//!
//! Severity mapping (taxonomy severities → LSP 3.17 `DiagnosticSeverity`):
//!
//! | distlint  | LSP           | why                                                         |
//! |-----------|---------------|-------------------------------------------------------------|
//! | `blocker` | Error (1)     | silently corrupts or loses data: fix before merging          |
//! | `major`   | Warning (2)   | outage under plausible conditions, but the code is valid     |
//! | `minor`   | Information (3) | degrades availability under unusual conditions            |
//! | `nit`     | Hint (4)      | hygiene; editors show it faintly                             |
//!
//! Only `blocker` is an error so that a linter finding never looks like a compile error unless
//! it is that serious; users can raise or lower any rule in their settings.

use distlint_analysis::{rules, Document, Finding, PositionEncoding, Severity};
use serde_json::json;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString, Uri,
};

use crate::edit::to_lsp_range;

/// `Diagnostic.source` of every distlint diagnostic.
pub const SOURCE: &str = "distlint";

/// The LSP severity for a distlint severity (see the module table).
pub fn to_lsp_severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Blocker => DiagnosticSeverity::ERROR,
        Severity::Major => DiagnosticSeverity::WARNING,
        Severity::Minor => DiagnosticSeverity::INFORMATION,
        Severity::Nit => DiagnosticSeverity::HINT,
    }
}

/// Converts a finding computed on `doc` to a diagnostic.
///
/// `code` is the rule id, `source` is `"distlint"`, the message is the finding's first line, and
/// `data` is `{"rule": <id>, "version": <document version>}` (used by hover and code actions to
/// match diagnostics back to findings). `codeDescription.href` is `<docs_base_url><rule-id>` when
/// a docs base URL is configured.
pub fn to_diagnostic(
    finding: &Finding,
    doc: &Document,
    encoding: PositionEncoding,
    docs_base_url: Option<&str>,
) -> Diagnostic {
    let code_description = docs_base_url.and_then(|base| {
        let href = format!("{base}{}", finding.rule);
        href.parse::<Uri>()
            .map_err(|e| tracing::warn!(%href, "docsBaseUrl does not form a valid URI: {e}"))
            .ok()
            .map(|href| CodeDescription { href })
    });
    Diagnostic {
        range: to_lsp_range(doc, finding.range.clone(), encoding),
        severity: Some(to_lsp_severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        code_description,
        source: Some(SOURCE.to_string()),
        message: finding.message.lines().next().unwrap_or("").to_string(),
        data: Some(json!({ "rule": finding.rule, "version": doc.version() })),
        ..Default::default()
    }
}

/// Converts all findings of one analysis.
pub fn to_diagnostics(
    findings: &[Finding],
    doc: &Document,
    encoding: PositionEncoding,
    docs_base_url: Option<&str>,
) -> Vec<Diagnostic> {
    findings
        .iter()
        .map(|f| to_diagnostic(f, doc, encoding, docs_base_url))
        .collect()
}

/// Every diagnostic of an analysis result: its findings ([`to_diagnostics`]) followed by one
/// Information diagnostic per item left out because it nests deeper than `max-nesting-depth`
/// ([`partial_diagnostic`]), so the editor shows where the document was analysed partially
/// instead of silently showing no findings there.
pub fn result_diagnostics(
    result: &distlint_analysis::host::VersionedFindings,
    doc: &Document,
    encoding: PositionEncoding,
    docs_base_url: Option<&str>,
) -> Vec<Diagnostic> {
    let mut out = to_diagnostics(&result.findings, doc, encoding, docs_base_url);
    out.extend(
        result
            .too_deep
            .iter()
            .map(|d| partial_diagnostic(d, doc, encoding)),
    );
    out
}

/// An Information diagnostic on the first line of an item that was not analysed (too deeply
/// nested): `source` "distlint", no `code` (it is not a rule's finding, so it gets no hover or
/// code action), the message of [`distlint_analysis::input::TooDeep`]'s `Display` ("analysed
/// partially: the item at line N nests D levels deep, over the limit of L (...)").
pub fn partial_diagnostic(
    d: &distlint_analysis::input::TooDeep,
    doc: &Document,
    encoding: PositionEncoding,
) -> Diagnostic {
    let text = doc.text();
    let start = d.range.start.min(text.len());
    let line_end = text[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(text.len())
        .min(d.range.end.max(start));
    Diagnostic {
        range: to_lsp_range(doc, start..line_end, encoding),
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some(SOURCE.to_string()),
        message: d.to_string(),
        ..Default::default()
    }
}

/// Hover Markdown for one finding: the rule title, id, severity and category, the finding's
/// message, the failure scenario (`docs.why`) and the "use instead" example.
pub fn hover_markdown(finding: &Finding) -> String {
    let Some(rule) = rules::by_id(finding.rule) else {
        return format!("`{}`: {}", finding.rule, finding.message);
    };
    let meta = rule.meta();
    let lang = meta.language.name();
    format!(
        "### {title} (`{id}`)\n{severity} · category `{category}` · distlint\n\n{message}\n\n**Why is this bad**\n\n{why}\n\n**Use instead**\n\n```{lang}\n{use_instead}\n```\n\nSuppress with `// distlint:ignore {id} <reason>` on the line above.",
        title = meta.title,
        id = meta.id,
        severity = finding.severity,
        category = meta.category,
        message = finding.message,
        why = meta.docs.why.trim(),
        use_instead = meta.docs.use_instead.trim_matches('\n'),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use distlint_analysis::{Analyzer, Language};

    #[test]
    fn diagnostic_carries_code_source_version_and_docs_link() {
        let doc = Document::new(
            Language::Rust,
            "fn f() {\n    let (tx, rx) = std::sync::mpsc::channel::<u8>();\n}\n",
            7,
        );
        let findings = Analyzer::default().analyze(&doc);
        assert_eq!(findings.len(), 1);
        let d = to_diagnostic(
            &findings[0],
            &doc,
            PositionEncoding::Utf16,
            Some("https://example.com/rules/"),
        );
        assert_eq!(
            d.code,
            Some(NumberOrString::String("unbounded-channel".into()))
        );
        assert_eq!(d.source.as_deref(), Some("distlint"));
        assert_eq!(d.severity, Some(DiagnosticSeverity::WARNING));
        assert_eq!(d.range.start.line, 1);
        assert_eq!(
            d.code_description.unwrap().href.as_str(),
            "https://example.com/rules/unbounded-channel"
        );
        assert_eq!(d.data.unwrap()["version"], 7);
        assert!(!d.message.contains('\n'));
        let md = hover_markdown(&findings[0]);
        assert!(md.contains("Unbounded channel"));
        assert!(md.contains("OOM-killed"));
        assert!(md.contains("sync_channel") || md.contains("mpsc::channel::<Job>(1024)"));
    }
}
