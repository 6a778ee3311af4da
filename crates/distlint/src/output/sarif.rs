//! `--format sarif`: SARIF 2.1.0 (OASIS), built with the `serde-sarif` types (generated from the
//! official schema). One run; `tool.driver.rules` lists every rule and pseudo-rule with id,
//! short/full description, Markdown help, default level and `properties.category`. Results carry
//! a physical location (relative `uri`, 1-based region, columns in Unicode code points as
//! `run.columnKind` says), `partialFingerprints`, and fixes as artifact changes.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::io::{self, Write};

use distlint_analysis::rule::RuleMeta;
use distlint_analysis::{Applicability, Finding, Severity};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix, Invocation, Location, Message,
    MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region, Replacement,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

use super::json::confidence;
use super::{line_col, meta, Report};
use crate::report::FileReport;

/// The key under which [`fingerprint`] values appear in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "distlint/v1";

/// SARIF level of a severity: blocker and major are `error`, minor `warning`, nit `note`.
pub fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Blocker | Severity::Major => ResultLevel::Error,
        Severity::Minor => ResultLevel::Warning,
        Severity::Nit => ResultLevel::Note,
    }
}

fn level_str(s: Severity) -> &'static str {
    match s {
        Severity::Blocker | Severity::Major => "error",
        Severity::Minor => "warning",
        Severity::Nit => "note",
    }
}

/// A relative path as a URI reference (RFC 3986): `/`-separated, with characters outside the
/// unreserved/sub-delim/`/`/`:`/`@` set percent-encoded. Absolute paths become `file://` URIs.
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~/!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fingerprint stable across unrelated edits: FNV-1a 64 of the rule id, the finding's first line
/// with whitespace removed, and the index of this (rule, line text) pair among the file's
/// findings (so two identical lines get different fingerprints). Line numbers are not part of
/// it: inserting code above a finding does not change it. 16 hex digits.
pub fn fingerprint(rule: &str, line_text: &str, occurrence: usize) -> String {
    let mut h = fnv::FnvHasher::default();
    h.write(rule.as_bytes());
    h.write(&[0]);
    let normalized: String = line_text.chars().filter(|c| !c.is_whitespace()).collect();
    h.write(normalized.as_bytes());
    h.write(&[0]);
    h.write(&(occurrence as u64).to_le_bytes());
    format!("{:016x}", h.finish())
}

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.into()).build()
}

fn props(map: serde_json::Value, tags: Option<Vec<String>>) -> PropertyBag {
    let additional_properties: BTreeMap<String, serde_json::Value> = match map {
        serde_json::Value::Object(m) => m.into_iter().collect(),
        _ => BTreeMap::new(),
    };
    PropertyBag {
        tags,
        additional_properties,
    }
}

fn descriptor(m: &RuleMeta) -> ReportingDescriptor {
    let impact = distlint_analysis::taxonomy::category(m.category)
        .map(|c| c.impact.clone())
        .unwrap_or_default();
    let md = distlint_analysis::catalog::markdown(m);
    ReportingDescriptor::builder()
        .id(m.id)
        .name(m.title)
        .short_description(text(m.title))
        .full_description(text(
            m.docs.what.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
        .help(
            MultiformatMessageString::builder()
                .text(md.clone())
                .markdown(md)
                .build(),
        )
        .default_configuration(ReportingConfiguration {
            level: Some(json!(level_str(m.severity))),
            enabled: Some(m.default_enabled),
            ..Default::default()
        })
        .properties(props(
            json!({
                "category": m.category,
                "impact": impact,
                "severity": m.severity.as_str(),
                "language": distlint_analysis::catalog::language_label(m),
                "precision": if m.default_enabled { "high" } else { "medium" },
            }),
            Some(vec!["distributed-systems".into(), m.category.to_string()]),
        ))
        .build()
}

fn region(file: &FileReport, range: &std::ops::Range<usize>) -> Region {
    let s = line_col(file, range.start);
    let e = line_col(file, range.end);
    Region {
        start_line: Some(s.line as i64),
        start_column: Some(s.column as i64),
        end_line: Some(e.line as i64),
        end_column: Some(e.column as i64),
        ..Default::default()
    }
}

fn result(
    file: &FileReport,
    f: &Finding,
    rule_index: Option<usize>,
    fingerprint: String,
) -> SarifResult {
    let m = meta(f);
    let category = m.map(|m| m.category).unwrap_or("");
    let location = ArtifactLocation {
        uri: Some(uri(&file.path)),
        ..Default::default()
    };
    let fixes: Vec<Fix> = f
        .fixes
        .iter()
        .map(|fix| Fix {
            description: Some(Message {
                text: Some(fix.title.clone()),
                ..Default::default()
            }),
            artifact_changes: vec![ArtifactChange::builder()
                .artifact_location(location.clone())
                .replacements(
                    fix.edits
                        .iter()
                        .map(|e| {
                            Replacement::builder()
                                .deleted_region(region(file, &e.range))
                                .inserted_content(ArtifactContent {
                                    text: Some(e.replacement.clone()),
                                    ..Default::default()
                                })
                                .build()
                        })
                        .collect::<Vec<_>>(),
                )
                .build()],
            properties: Some(props(
                json!({ "applicability": match fix.applicability {
                    Applicability::Safe => "safe",
                    Applicability::Unsafe => "unsafe",
                    Applicability::Manual => "manual",
                }}),
                None,
            )),
        })
        .collect();
    let mut r = SarifResult::builder()
        .message(Message {
            text: Some(f.message.clone()),
            ..Default::default()
        })
        .build();
    r.rule_id = Some(f.rule.to_string());
    r.rule_index = rule_index.map(|i| i as i64);
    r.level = Some(level(f.severity));
    r.locations = Some(vec![Location {
        physical_location: Some(PhysicalLocation {
            artifact_location: Some(location.clone()),
            region: Some(region(file, &f.range)),
            ..Default::default()
        }),
        ..Default::default()
    }]);
    r.partial_fingerprints = Some(BTreeMap::from([(FINGERPRINT_KEY.to_string(), fingerprint)]));
    r.fixes = if fixes.is_empty() { None } else { Some(fixes) };
    r.properties = Some(props(
        json!({
            "category": category,
            "severity": f.severity.as_str(),
            "confidence": confidence(m),
        }),
        None,
    ));
    r
}

/// The run's invocation (SARIF 2.1.0 §3.20): `executionSuccessful` is false when a path could not
/// be read (exit code 2), and [`Report::notices`] — files analysed partially or skipped, read
/// errors — are its `toolExecutionNotifications` (§3.58), located at the file when known.
fn invocation(report: &Report) -> Invocation {
    let notes: Vec<Notification> = report
        .notices
        .iter()
        .map(|n| {
            let level = n.level.as_str();
            let message = Message::builder().text(n.message.clone()).build();
            match &n.path {
                Some(p) => Notification::builder()
                    .level(json!(level))
                    .message(message)
                    .locations(vec![Location::builder()
                        .physical_location(
                            PhysicalLocation::builder()
                                .artifact_location(ArtifactLocation::builder().uri(uri(p)).build())
                                .build(),
                        )
                        .build()])
                    .build(),
                None => Notification::builder()
                    .level(json!(level))
                    .message(message)
                    .build(),
            }
        })
        .collect();
    let successful = report.errors == 0;
    if notes.is_empty() {
        Invocation::builder()
            .execution_successful(successful)
            .build()
    } else {
        Invocation::builder()
            .execution_successful(successful)
            .tool_execution_notifications(notes)
            .build()
    }
}

/// Builds the SARIF log.
pub fn build(report: &Report) -> Sarif {
    let metas = distlint_analysis::catalog::all_metas();
    let index: HashMap<&str, usize> = metas.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    let mut results = Vec::new();
    for file in &report.files {
        let mut seen: HashMap<(&str, String), usize> = HashMap::new();
        for f in &file.findings {
            let line = file.index.line_of(f.range.start);
            let line_text = file
                .index
                .line_range(line, &file.source)
                .map(|r| &file.source[r])
                .unwrap_or("");
            let normalized: String = line_text.chars().filter(|c| !c.is_whitespace()).collect();
            let n = seen.entry((f.rule, normalized)).or_insert(0);
            let fp = fingerprint(f.rule, line_text, *n);
            *n += 1;
            results.push(result(file, f, index.get(f.rule).copied(), fp));
        }
    }
    let driver = ToolComponent::builder()
        .name("distlint")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .version(env!("CARGO_PKG_VERSION"))
        .rules(metas.iter().map(|m| descriptor(m)).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(json!("unicodeCodePoints"))
        .results(results)
        .invocations(vec![invocation(report)])
        .build();
    Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// Writes the SARIF log followed by a newline.
pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build(report))?;
    writeln!(out)
}
