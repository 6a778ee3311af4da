//! Phase 2, reuse of the file-level facts: the file's [`Imports`] and [`FileFacts`] are merged
//! from per-segment parts (Rust: each item, and each item or header part inside an
//! `impl`/`trait`/`mod`; Go: each top-level declaration), and a segment the edit did not touch
//! keeps its cached part, so only edited segments are read again. Says whether the imports
//! changed (then every unit is re-analysed) and which kinds of fact changed (then the checks
//! that read them are re-run).

use std::ops::Range;
use std::sync::Arc;

use tree_sitter::Node;

use super::delta::Reuse;
use super::SegmentEntry;
use crate::document::Document;
use crate::engine::units::{Layout, Segment};
use crate::facts::{FactKinds, FileFacts};
use crate::language::Language;
use crate::resolve::Imports;

/// The file-level facts of the new version and how they differ from the previous version's.
pub(super) struct FileInputs {
    /// Per segment with facts or imports, in source order (see [`SegmentEntry`]).
    pub(super) segments: Vec<SegmentEntry>,
    /// The imports each segment contributes, in source order, and their merge.
    pub(super) contributions: Vec<Arc<Imports>>,
    pub(super) imports: Arc<Imports>,
    /// The facts of the segments with facts, in source order, and their merge.
    pub(super) fact_parts: Vec<Arc<FileFacts>>,
    pub(super) facts: Arc<FileFacts>,
    /// Whether the file's imports differ from the previous version's: nothing is reused.
    pub(super) imports_changed: bool,
    /// The kinds of file fact that differ from the previous version's.
    pub(super) changed_facts: FactKinds,
}

impl FileInputs {
    /// The kinds of fact whose readers must re-run on otherwise reused units: the changed ones,
    /// and "the whole file" (read by checks that must re-run after every edit).
    pub(super) fn stale_reads(&self) -> FactKinds {
        self.changed_facts.union(FactKinds::WHOLE_FILE)
    }
}

/// Collects the file-level facts of `doc` (laid out as `layout`; `unit_keys` are its units'
/// byte ranges and kind ids), reusing the parts of the segments `reuse` finds unedited.
pub(super) fn file_inputs(
    doc: &Document,
    layout: &Layout<'_>,
    unit_keys: &[(Range<usize>, u16)],
    reuse: Option<&Reuse<'_>>,
) -> FileInputs {
    let language = doc.language();
    let source = doc.text();
    let mut segments = Vec::with_capacity(layout.segments.len());
    let mut contributions = Vec::with_capacity(layout.segments.len());
    let mut fact_parts: Vec<Arc<FileFacts>> = Vec::with_capacity(layout.segments.len());
    // A segment's imports and facts, reused from the previous state when it is unedited.
    // `index`: the segment's index in the layout (Rust), for its container context.
    let no_imports = Arc::new(Imports::default());
    // `key`: the node's byte range and kind id when already known.
    let segment =
        |node: Node<'_>, index: Option<usize>, key: Option<(Range<usize>, u16)>| -> SegmentEntry {
            let (range, kind) = key.unwrap_or_else(|| (node.byte_range(), node.kind_id()));
            let container = index.and_then(|i| layout.segment_container[i]);
            let cached = reuse.and_then(|r| {
                if r.containers_dirty(layout, container) {
                    return None;
                }
                r.unchanged(&r.prev.segments, &range, kind, |e| (&e.range, e.kind))
                    .map(|(_, e)| e)
            });
            match cached {
                Some(e) => SegmentEntry { range, ..e.clone() },
                None => {
                    let mut facts = FileFacts::collect(language, source, node);
                    if let Some(imp) = index.and_then(|i| layout.segment_impl(i)) {
                        facts.collect_impl_part(source, imp, node);
                    }
                    let imports = match language {
                        Language::Rust => Arc::new(Imports::collect(language, source, node)),
                        Language::Go if node.kind() == "import_declaration" => {
                            Arc::new(Imports::collect_go_declaration(source, node))
                        }
                        Language::Go => no_imports.clone(),
                    };
                    SegmentEntry {
                        range,
                        kind,
                        imports,
                        has_facts: !facts.is_empty(),
                        facts: Arc::new(facts),
                    }
                }
            }
        };
    let keep_facts = |entry: &SegmentEntry, parts: &mut Vec<Arc<FileFacts>>| {
        if entry.has_facts {
            parts.push(entry.facts.clone());
        }
    };
    // The file's imports, merged from the segments' in source order (Rust: every segment,
    // containers too; Go: the import declarations, the only segments with imports), so only
    // edited segments are read again.
    match language {
        Language::Go => {
            // Go segments are the units: the top-level declarations.
            for (&node, key) in layout.units.iter().zip(unit_keys) {
                let entry = segment(node, None, Some(key.clone()));
                keep_facts(&entry, &mut fact_parts);
                let i = &entry.imports;
                if !(i.names.is_empty() && i.globs.is_empty() && i.local_items.is_empty()) {
                    contributions.push(i.clone());
                }
                segments.push(entry);
            }
        }
        Language::Rust => {
            for (i, seg) in layout.segments.iter().enumerate() {
                match *seg {
                    Segment::Container(node) => {
                        contributions.push(Arc::new(container_imports(source, node)));
                        // A container directly inside an `impl` body (a `mod` there is
                        // valid syntax) is, as a whole, a part of that impl; rare, so
                        // collected every time rather than cached.
                        if let Some(imp) = layout.segment_impl(i) {
                            let mut part = FileFacts::default();
                            part.collect_impl_part(source, imp, node);
                            if !part.is_empty() {
                                fact_parts.push(Arc::new(part));
                            }
                        }
                    }
                    Segment::Subtree(node) => {
                        let entry = segment(node, Some(i), None);
                        keep_facts(&entry, &mut fact_parts);
                        contributions.push(entry.imports.clone());
                        segments.push(entry);
                    }
                }
            }
        }
    }
    let same = reuse.is_some_and(|r| {
        r.prev.contributions.len() == contributions.len()
            && r.prev
                .contributions
                .iter()
                .zip(&contributions)
                .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
    });
    let imports: Arc<Imports> = match reuse {
        Some(r) if same => r.prev.imports.clone(),
        _ => Arc::new(merge_imports(&contributions)),
    };
    let imports_changed = reuse
        .is_some_and(|r| !Arc::ptr_eq(&r.prev.imports, &imports) && *r.prev.imports != *imports);
    let reuse = if imports_changed { None } else { reuse };
    // File facts: reuse the previous merge when every part is the same; otherwise merge and
    // find the kinds that changed (rules that read them are re-run on the units where they
    // did).
    let same_facts = reuse.is_some_and(|r| {
        r.prev.fact_parts.len() == fact_parts.len()
            && r.prev
                .fact_parts
                .iter()
                .zip(&fact_parts)
                .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
    });
    let (facts, changed_facts) = match reuse {
        Some(r) if same_facts && r.prev.facts.text_facts_match(language, source) => {
            (r.prev.facts.clone(), FactKinds::NONE)
        }
        Some(r) => {
            let merged =
                FileFacts::merge(fact_parts.iter().map(|p| &**p)).with_text(language, source);
            let changed = r.prev.facts.changed(&merged);
            (Arc::new(merged), changed)
        }
        None => (
            Arc::new(FileFacts::merge(fact_parts.iter().map(|p| &**p)).with_text(language, source)),
            FactKinds::NONE,
        ),
    };
    FileInputs {
        segments,
        contributions,
        imports,
        fact_parts,
        facts,
        imports_changed,
        changed_facts,
    }
}

/// The imports a container node contributes by itself (its own name, as `Imports::collect` does
/// for `mod` and `trait` items at file level or inside a declaration list).
fn container_imports(source: &str, node: Node<'_>) -> Imports {
    let mut imports = Imports::default();
    if matches!(node.kind(), "mod_item" | "trait_item") {
        // Layout containers are children of the file or of a container body (a
        // `declaration_list`), so their names shadow imports file-wide as in
        // `Imports::collect` (which checks the parent; here `Node::parent` would cost O(depth)).
        if let Some(name) = node.child_by_field_name("name") {
            imports
                .local_items
                .insert(crate::syntax::text(source, name).to_string());
        }
    }
    imports
}

/// Merges per-segment imports in source order, as one pre-order walk would have collected them.
fn merge_imports(parts: &[Arc<Imports>]) -> Imports {
    let mut out = Imports::default();
    for p in parts {
        for (k, v) in &p.names {
            out.names.insert(k.clone(), v.clone());
        }
        out.globs.extend(p.globs.iter().cloned());
        out.local_items.extend(p.local_items.iter().cloned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::engine::units::layout;

    #[test]
    /// On every real-code fixture, the imports and the file facts merged from the segments'
    /// parts equal one collection over the whole file (what the from-scratch pipeline reads).
    fn segment_parts_merge_to_the_whole_files_imports_and_facts() {
        let mut with_facts = 0;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let language = match path.extension().and_then(|e| e.to_str()) {
                Some("rs") => Language::Rust,
                Some("go") => Language::Go,
                _ => continue,
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let doc = Document::new(language, text.clone(), 0);
            let root = doc.tree().root_node();
            if language == Language::Rust {
                let l = layout(language, &text, root, false, true);
                let parts: Vec<Arc<Imports>> = l
                    .segments
                    .iter()
                    .map(|s| match *s {
                        Segment::Container(n) => Arc::new(container_imports(&text, n)),
                        Segment::Subtree(n) => Arc::new(Imports::collect(language, &text, n)),
                    })
                    .collect();
                assert_eq!(
                    merge_imports(&parts),
                    Imports::collect(language, &text, root),
                    "{}",
                    path.display()
                );
            }
            // File facts merged from the segments equal one collection over the root.
            let parts: Vec<FileFacts> = match language {
                Language::Rust => {
                    let l = layout(language, &text, root, false, true);
                    l.segments
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            // As the engine does: a part of a container `impl` also records
                            // what it says about that impl.
                            let (mut f, n) = match *s {
                                Segment::Container(n) => (FileFacts::default(), n),
                                Segment::Subtree(n) => (FileFacts::collect(language, &text, n), n),
                            };
                            if let Some(imp) = l.segment_impl(i) {
                                f.collect_impl_part(&text, imp, n);
                            }
                            f
                        })
                        .collect()
                }
                Language::Go => crate::syntax::named_children(root)
                    .into_iter()
                    .map(|n| FileFacts::collect(language, &text, n))
                    .collect(),
            };
            let whole = FileFacts::collect(language, &text, root);
            with_facts += usize::from(!whole.is_empty());
            assert_eq!(FileFacts::merge(&parts), whole, "{}", path.display());
        }
        assert!(with_facts >= 3, "only {with_facts} real files have facts");
    }

    #[test]
    fn a_new_use_declaration_reanalyses_untouched_units() {
        let src = SRC.replacen("use tokio::sync::mpsc;\n", "\n", 1);
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, src.clone(), 0));
        // `mpsc::unbounded_channel` does not resolve without the `use`.
        assert_eq!(rules_of(&host, "k"), vec![]);
        edit(&host, "k", 1, 0, 0, "use tokio::sync::mpsc;");
        assert_eq!(rules_of(&host, "k"), vec![("unbounded-channel", 7)]);
        let stats = host.last_stats("k").unwrap();
        assert!(stats.facts_changed, "{stats:?}");
        // Removing it again removes the finding in `fn b`, which was not edited.
        edit(&host, "k", 2, 0, "use tokio::sync::mpsc;".len(), "");
        assert_eq!(rules_of(&host, "k"), vec![]);
    }
}
