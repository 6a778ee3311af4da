//! Incremental analysis: after an edit, re-run the rules only on the analysis units the edit
//! touched, and reuse every other unit's cached findings with their byte offsets shifted.
//!
//! # How an edit flows
//!
//! 1. The host records each edit [`Document::apply_changes`] applied ([`AppliedEdit`], bytes) and
//!    composes the edits since the last analysed version into one [`Delta::Edit`]
//!    (`old[start..old_end]` became `new[start..new_end]`).
//! 2. [`Analyzer::analyze_incremental`] describes that covering edit to a copy of the *analysed*
//!    tree (`Tree::edit`), asks tree-sitter for `Tree::changed_ranges` against the new tree, and
//!    adds the edited byte range itself (changed ranges miss edits that keep the structure, such as
//!    renaming an identifier). The union is the *dirty region*, in new-text bytes.
//! 3. The new tree's analysis units (see [`crate::engine::analysis_units`]) are listed. A unit is
//!    reused when it does not touch the dirty region (closed intervals: touching counts), the unit
//!    at the same pre-edit range with the same node kind existed before, none of its cached
//!    findings or fix edits reaches into the edited range, and the file-level facts are unchanged.
//!    Every other unit is re-analysed by every [`Scope::Unit`] rule.
//!    A unit is also re-analysed when its *context* touches the dirty region (see
//!    [`UnitContext`]): the text between the previous item and the unit (its attributes and
//!    comments), and for every `impl`/`trait`/`mod` around it, that container's header and the
//!    text before it (`impl<T> Trait for Type where ..`, `#[cfg(..)] mod m`). Segments (below)
//!    inside a container are re-collected under the same condition.
//! 4. File-level facts are dependencies of every unit: Rust `use` declarations and item names
//!    and Go imports and aliases ([`Imports`], computed per segment — Rust item, Go top-level
//!    declaration — and merged, so only edited segments are read again), the configuration and
//!    the path. When any of them changes, every unit is re-analysed.
//! 5. [`Scope::File`] rules run over the whole file on every analysis (their cost is O(file)
//!    per keystroke; prefer [`Scope::Unit`]). On every re-analysed unit (and the file, for file
//!    rules) the literal prefilter ([`crate::prefilter`]) skips the rules that cannot fire; its
//!    per-unit verdicts are cached with the unit (they depend only on the unit's text and the
//!    file's imports) and decide which [`FileReads::Anything`] rules re-run on untouched units.
//! 6. Suppression comments are re-collected on every analysis from the offsets of
//!    `distlint:ignore` in the text (carried over from the previous version, only the edited bytes
//!    searched again: O(edit + matches)) and applied to the merged raw findings, so a comment on
//!    the line above a function (which belongs to the previous unit, or none) keeps working
//!    whichever side of it is edited.
//!
//! The result is exactly what [`Analyzer::analyze`] returns for the same text; the differential
//! test `tests/incremental_differential.rs` checks this after every step of random edit sequences.
//!
//! # Contract for [`Scope::Unit`] rules
//!
//! A unit rule's findings must be a function of the unit's subtree and text, its context (the
//! attributes and comments before it; the header, attributes and comments before each enclosing
//! `impl`/`trait`/`mod`, e.g. the type an `impl` is for, or a `#[cfg(all(.., test))]` on the `mod`
//! around it), the file's [`Imports`] and [`FileFacts`] (reads tracked), the configuration, the
//! language and the path. It must not read other nodes or text outside the unit (siblings,
//! other items of the container, `ctx.root`) unless it declares so ([`FileReads`],
//! `ctx.facts().whole_file()`), and messages must not embed positions (line numbers), because
//! cached findings are moved, not recomputed. A rule that needs more declares [`Scope::File`].

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use tree_sitter::{InputEdit, Node, Point, Tree};

use crate::config::Config;
use crate::document::{AppliedEdit, Document};
use crate::engine::{
    is_go_test_file, is_test_attribute, log_too_deep, too_deep_decision, Analyzer,
};
use crate::facts::{FactKinds, FileFacts};
use crate::input::TooDeep;
use crate::language::Language;
use crate::resolve::Imports;
use crate::rule::{Context, FileReads, Finding, Rule, Scope};
use crate::suppress;
use crate::text::LineIndex;

/// What happened to a document's text between an analysed version and the version now analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delta {
    /// The text is unchanged.
    Unchanged,
    /// One covering edit: bytes `start..old_end` of the old text became `start..new_end` of the
    /// new text; everything before `start` is identical, everything from `old_end` on moved by
    /// `new_end - old_end` bytes.
    Edit {
        /// First changed byte (same in old and new text).
        start: usize,
        /// End of the replaced range in the old text (exclusive).
        old_end: usize,
        /// End of the replacement in the new text (exclusive).
        new_end: usize,
    },
    /// Unknown or whole-text change: analyse from scratch.
    Reset,
}

impl Delta {
    /// Composes `self` (old → current) with `edit`, an edit of the current text, giving old → new.
    /// A full-document replacement (`old_range.end == usize::MAX`) gives [`Delta::Reset`].
    pub fn then(self, edit: &AppliedEdit) -> Delta {
        if edit.old_range.end == usize::MAX {
            return Delta::Reset;
        }
        let (s, e, len) = (edit.old_range.start, edit.old_range.end, edit.new_len);
        match self {
            Delta::Reset => Delta::Reset,
            Delta::Unchanged => Delta::Edit {
                start: s,
                old_end: e,
                new_end: s + len,
            },
            Delta::Edit {
                start,
                old_end,
                new_end,
            } => {
                // Covering range in current coordinates: [min(start, s), max(new_end, e)).
                let lo = start.min(s);
                let hi = new_end.max(e);
                // `hi` is at or after the end of the previous change: map it back to old bytes.
                let hi_old = hi - new_end + old_end;
                let hi_new = hi + len - (e - s);
                Delta::Edit {
                    start: lo,
                    old_end: hi_old,
                    new_end: hi_new,
                }
            }
        }
    }

    /// Composes a sequence of edits, in the order they were applied.
    pub fn compose<'a>(edits: impl IntoIterator<Item = &'a AppliedEdit>) -> Delta {
        edits.into_iter().fold(Delta::Unchanged, |d, e| d.then(e))
    }
}

/// Counters of one analysis, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnalysisStats {
    /// True when nothing was reused (first analysis, reset, changed facts or configuration).
    pub from_scratch: bool,
    /// Analysis units in the file.
    pub units: usize,
    /// Units whose rules were run in this analysis.
    pub units_analysed: usize,
    /// Whether the file-level facts (imports) changed, forcing every unit to be re-analysed.
    pub facts_changed: bool,
    /// Rule checks re-run on units that were otherwise reused (a [`FileFacts`] kind the check
    /// read changed, it read the whole file, or its [`FileReads`] asks for it).
    pub rule_reruns: usize,
}

/// Cached findings of one analysis unit.
#[derive(Debug, Clone)]
struct UnitEntry {
    /// Byte range of the unit in the text of the state's version.
    range: Range<usize>,
    /// `Node::kind_id` of the unit.
    kind: u16,
    /// Offsets in `findings` plus `shift` are offsets in the state's text.
    shift: isize,
    /// Raw findings (before suppressions), rule-major in registry order, severities applied.
    findings: Arc<Vec<Finding>>,
    /// Indices (into the analyzer's rule list) of the rules that panicked on this unit.
    panicked: Arc<Vec<usize>>,
    /// Per unit rule (in order): whether the literal prefilter ([`crate::prefilter`]) lets the
    /// rule run on this unit (always true with the prefilter off). A rule it rules out has no
    /// findings here; a [`FileReads::Anything`] rule it lets through is re-run after every edit.
    /// Valid as long as the unit's text and the file's imports are unchanged.
    triggered: Arc<Vec<bool>>,
    /// Nesting depth of the unit's own subtree ([`crate::syntax::nesting_depth`]).
    nesting: usize,
    /// Whether the unit was left out as [`TooDeep`] (then it has no findings).
    too_deep: bool,
    /// Per unit rule (in order): the kinds of file fact the rule read on this unit (through
    /// [`Context::facts`]); the rule is re-run here when one of them changes.
    reads: Arc<Vec<FactKinds>>,
    /// The union of `reads`: when it misses the changed kinds, no rule is re-run here for what
    /// it read (checked once per unit instead of once per rule).
    read_any: FactKinds,
}

fn union_of(reads: &[FactKinds]) -> FactKinds {
    reads.iter().fold(FactKinds::NONE, |a, &b| a.union(b))
}

/// What one segment of the file contributes to the file-level facts: Rust, a top-level item or
/// an item inside an `impl`/`trait`/`mod` body; Go, a top-level declaration (only import
/// declarations have [`Imports`]).
#[derive(Debug, Clone)]
struct SegmentEntry {
    range: Range<usize>,
    kind: u16,
    imports: Arc<Imports>,
    facts: Arc<FileFacts>,
    /// `!facts.is_empty()`, kept so a reused segment is not compared with an empty value again.
    has_facts: bool,
}

/// What an analysis of one document version leaves behind so the next version can be analysed
/// incrementally: the analysed tree and line index, per-unit raw findings, per-segment imports,
/// and the final findings. Cheap to keep: the tree shares its nodes with the document's tree.
#[derive(Debug, Clone)]
pub struct AnalysisState {
    version: i32,
    language: Language,
    path: Option<PathBuf>,
    config: Config,
    /// `None` when the version was not parsed (skipped input) or the whole file was skipped.
    tree: Option<Tree>,
    line_index: LineIndex,
    text_len: usize,
    units: Vec<UnitEntry>,
    segments: Vec<SegmentEntry>,
    contributions: Vec<Arc<Imports>>,
    imports: Arc<Imports>,
    /// The [`FileFacts`] of the segments with facts, in source order, and their merge.
    fact_parts: Vec<Arc<FileFacts>>,
    facts: Arc<FileFacts>,
    findings: Arc<Vec<Finding>>,
    too_deep: Vec<TooDeep>,
    /// Byte offsets of every `distlint:ignore` in this version's text, ascending (where the
    /// suppression comments are; see [`Reuse::ignore_offsets`]).
    ignore_at: Arc<Vec<usize>>,
    stats: AnalysisStats,
}

impl AnalysisState {
    /// The document version this state was computed for.
    pub fn version(&self) -> i32 {
        self.version
    }

    /// The findings (suppressions applied, sorted by byte position), exactly as
    /// [`Analyzer::analyze`] returns them for this version's text.
    pub fn findings(&self) -> &Arc<Vec<Finding>> {
        &self.findings
    }

    /// The units not analysed because they nest too deeply, exactly as
    /// [`Analyzer::analyze_document`] reports them for this version's text.
    pub fn too_deep(&self) -> &[TooDeep] {
        &self.too_deep
    }

    /// Counters of the analysis that produced this state.
    pub fn stats(&self) -> AnalysisStats {
        self.stats
    }

    /// Whether the analysed tree is held (needed to analyse the next version incrementally).
    pub fn has_tree(&self) -> bool {
        self.tree.is_some()
    }

    /// The same state without the analysed tree, to save memory while the document is idle:
    /// the findings stay valid for this version; the next version is analysed from scratch.
    pub fn without_tree(&self) -> AnalysisState {
        AnalysisState {
            tree: None,
            ..self.clone()
        }
    }

    fn empty(doc: &Document, config: &Config) -> Self {
        AnalysisState {
            version: doc.version(),
            language: doc.language(),
            path: doc.path().map(PathBuf::from),
            config: config.clone(),
            tree: None,
            line_index: doc.line_index().clone(),
            text_len: doc.text().len(),
            units: Vec::new(),
            segments: Vec::new(),
            contributions: Vec::new(),
            imports: Arc::new(Imports::default()),
            fact_parts: Vec::new(),
            facts: Arc::new(FileFacts::default()),
            findings: Arc::new(Vec::new()),
            too_deep: Vec::new(),
            ignore_at: Arc::new(Vec::new()),
            stats: AnalysisStats {
                from_scratch: true,
                ..AnalysisStats::default()
            },
        }
    }
}

/// A Rust file's layout: analysis units (test code left out unless asked) and the segments whose
/// imports make up the file's [`Imports`], both in source order, with what each unit and segment
/// may read outside itself (its *context*, see [`Layout::unit_context`]).
pub(crate) struct Layout<'t> {
    pub(crate) units: Vec<Node<'t>>,
    pub(crate) segments: Vec<Segment<'t>>,
    /// Byte ranges of the units left out as test code (what `include_tests` would add).
    pub(crate) skipped: Vec<Range<usize>>,
    /// The `impl`/`trait`/`mod` containers with a body, in the order met (outer before inner).
    pub(crate) containers: Vec<Container<'t>>,
    /// Per unit (same order as `units`): the context it may read besides its own text.
    pub(crate) unit_context: Vec<UnitContext>,
    /// Per segment (same order as `segments`): the innermost container it lies in (index into
    /// `containers`; for a [`Segment::Container`], the container enclosing that container).
    pub(crate) segment_container: Vec<Option<usize>>,
}

/// An `impl`/`trait`/`mod` item with a body, as the layout met it.
#[derive(Clone, Copy)]
pub(crate) struct Container<'t> {
    pub(crate) node: Node<'t>,
    /// The bytes before its body that its items may read: from the end of the previous item in
    /// the enclosing body (so its attributes and comments, and the gap where one may be typed)
    /// to the start of the body (so the whole header: `impl<T> Trait for Type where ..`).
    pub(crate) context: (usize, usize),
    /// The container enclosing it, if any.
    pub(crate) parent: Option<usize>,
}

/// What a unit may read besides its own subtree (see the contract in the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UnitContext {
    /// Where the text before the unit that belongs to it begins: the end of the previous item
    /// of the same body (or the body's start), so the unit's attributes and comments lie in
    /// `lead..unit.start`.
    pub(crate) lead: usize,
    /// The innermost container holding the unit (index into [`Layout::containers`]).
    pub(crate) container: Option<usize>,
    /// Depth of the unit below the root (the root's children are at depth 1; an item of an
    /// `impl` body at the top level at 3), as [`crate::engine::unit_depths`] measures it, known
    /// from the layout without a walk of the root's children.
    pub(crate) depth: usize,
}

/// A piece of the pre-order walk that [`Imports::collect`] does over the whole file.
#[derive(Clone, Copy)]
pub(crate) enum Segment<'t> {
    /// A node and its whole subtree.
    Subtree(Node<'t>),
    /// Only a container node itself (`impl`, `trait` or `mod` with a body); its children are
    /// further segments.
    Container(Node<'t>),
}

fn is_rust_container(kind: &str) -> bool {
    matches!(kind, "impl_item" | "trait_item" | "mod_item")
}

/// Lists the units (and, when `want_segments`, the import segments) of a file. Iterative: an
/// explicit stack of container bodies, never recursion.
pub(crate) fn layout<'t>(
    language: Language,
    source: &str,
    root: Node<'t>,
    include_tests: bool,
    want_segments: bool,
) -> Layout<'t> {
    let mut units = Vec::new();
    let mut segments = Vec::new();
    let mut skipped = Vec::new();
    let mut containers: Vec<Container<'t>> = Vec::new();
    let mut unit_context = Vec::new();
    let mut segment_container = Vec::new();
    if language == Language::Go {
        let mut c = root.walk();
        for child in root.named_children(&mut c) {
            if child.kind() != "comment" {
                unit_context.push(UnitContext {
                    lead: child.start_byte(),
                    container: None,
                    depth: 1,
                });
                units.push(child);
            }
        }
        return Layout {
            units,
            segments,
            skipped,
            containers,
            unit_context,
            segment_container,
        };
    }
    enum Frame<'t> {
        /// Items of the root or of a container body; `in_test`: the body belongs to test code.
        Body {
            children: Vec<Node<'t>>,
            next: usize,
            in_test: bool,
            pending_test_attr: bool,
            /// The container whose body this is (`None`: the root).
            container: Option<usize>,
            /// End of the last item met in this body (attributes and comments excluded), or
            /// the body's start.
            lead: usize,
            /// Depth of the body's children below the root.
            depth: usize,
        },
        /// The children of a container node (header parts, then its body).
        Container {
            children: Vec<Node<'t>>,
            next: usize,
            body: usize,
            in_test: bool,
            index: usize,
            /// Depth of the container node below the root.
            depth: usize,
        },
    }
    let children_of = |n: Node<'t>| -> Vec<Node<'t>> {
        let mut c = n.walk();
        n.children(&mut c).filter(|ch| ch.is_named()).collect()
    };
    let mut stack = vec![Frame::Body {
        children: children_of(root),
        next: 0,
        in_test: false,
        pending_test_attr: false,
        container: None,
        lead: root.start_byte(),
        depth: 1,
    }];
    while let Some(frame) = stack.last_mut() {
        match frame {
            Frame::Body {
                children,
                next,
                in_test,
                pending_test_attr,
                container,
                lead,
                depth,
            } => {
                let depth = *depth;
                let Some(&child) = children.get(*next) else {
                    stack.pop();
                    continue;
                };
                *next += 1;
                let kind = child.kind();
                let parent = *container;
                match kind {
                    "attribute_item" => {
                        if !include_tests && is_test_attribute(crate::syntax::text(source, child)) {
                            *pending_test_attr = true;
                        }
                        if want_segments {
                            segments.push(Segment::Subtree(child));
                            segment_container.push(parent);
                        }
                        continue;
                    }
                    "line_comment" | "block_comment" => continue,
                    _ => {}
                }
                let skip = std::mem::take(pending_test_attr) || *in_test;
                let item_lead = std::mem::replace(lead, child.end_byte());
                let body = if is_rust_container(kind) {
                    child.child_by_field_name("body")
                } else {
                    None
                };
                match body {
                    Some(b) => {
                        let in_test = skip;
                        let index = containers.len();
                        containers.push(Container {
                            node: child,
                            context: (item_lead, b.start_byte()),
                            parent,
                        });
                        if want_segments {
                            segments.push(Segment::Container(child));
                            segment_container.push(parent);
                            let children = children_of(child);
                            let body = children
                                .iter()
                                .position(|c| c.id() == b.id())
                                .unwrap_or(usize::MAX);
                            stack.push(Frame::Container {
                                children,
                                next: 0,
                                body,
                                in_test,
                                index,
                                depth,
                            });
                        } else {
                            stack.push(Frame::Body {
                                children: children_of(b),
                                next: 0,
                                in_test,
                                pending_test_attr: false,
                                container: Some(index),
                                lead: b.start_byte(),
                                // The body is a child of the container.
                                depth: depth + 2,
                            });
                        }
                    }
                    None => {
                        if skip {
                            skipped.push(child.byte_range());
                        } else {
                            units.push(child);
                            unit_context.push(UnitContext {
                                lead: item_lead,
                                container: parent,
                                depth,
                            });
                        }
                        if want_segments {
                            segments.push(Segment::Subtree(child));
                            segment_container.push(parent);
                        }
                    }
                }
            }
            Frame::Container {
                children,
                next,
                body,
                in_test,
                index,
                depth,
            } => {
                let i = *next;
                let depth = *depth;
                let Some(&child) = children.get(i) else {
                    stack.pop();
                    continue;
                };
                *next += 1;
                let index = *index;
                if i == *body {
                    let in_test = *in_test;
                    stack.push(Frame::Body {
                        children: children_of(child),
                        next: 0,
                        in_test,
                        pending_test_attr: false,
                        container: Some(index),
                        lead: child.start_byte(),
                        depth: depth + 2,
                    });
                } else {
                    segments.push(Segment::Subtree(child));
                    segment_container.push(Some(index));
                }
            }
        }
    }
    // Units were pushed in walk order, which is source order (a container's items come after
    // the items before it and before the items after it).
    Layout {
        units,
        segments,
        skipped,
        containers,
        unit_context,
        segment_container,
    }
}

impl Layout<'_> {
    /// The innermost `impl` a segment belongs to directly: the container holding it, when that
    /// container is an `impl_item` (a header part or an item of the body). See
    /// [`FileFacts::collect_impl_part`].
    pub(crate) fn segment_impl(&self, segment: usize) -> Option<Node<'_>> {
        let c = self.containers[self.segment_container[segment]?];
        (c.node.kind() == "impl_item").then_some(c.node)
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

fn point(index: &LineIndex, offset: usize) -> Point {
    let line = index.line_of(offset);
    let start = index.line_start(line).unwrap_or(0);
    Point {
        row: line as usize,
        column: offset - start,
    }
}

/// How the previous state maps onto the new text.
struct Reuse<'p> {
    prev: &'p AnalysisState,
    start: usize,
    old_end: usize,
    new_end: usize,
    /// Sorted, merged, closed byte intervals of the new text that may have changed.
    dirty: Vec<(usize, usize)>,
}

impl Reuse<'_> {
    fn delta(&self) -> isize {
        self.new_end as isize - self.old_end as isize
    }

    fn is_dirty(&self, r: &Range<usize>) -> bool {
        // First dirty interval whose end is >= r.start; dirty if it starts at or before r.end.
        let i = self.dirty.partition_point(|&(_, e)| e < r.start);
        self.dirty.get(i).is_some_and(|&(s, _)| s <= r.end)
    }

    /// The pre-edit range of a clean new range, or `None` if it overlaps the edit.
    fn old_range(&self, r: &Range<usize>) -> Option<Range<usize>> {
        if r.end < self.start {
            Some(r.clone())
        } else if r.start > self.new_end {
            Some(r.start - self.new_end + self.old_end..r.end - self.new_end + self.old_end)
        } else {
            None
        }
    }

    /// The previous analysis' entry for a node now at `range` with kind id `kind`, and the node's
    /// pre-edit range: the entry of `entries` (sorted by range; `key` gives an entry's range and
    /// kind id) at that pre-edit range with the same kind. `None` when the node touches the dirty
    /// region or the edit, or no such entry exists — the node must then be analysed afresh.
    fn unchanged<'e, T>(
        &self,
        entries: &'e [T],
        range: &Range<usize>,
        kind: u16,
        key: impl Fn(&T) -> (&Range<usize>, u16),
    ) -> Option<(Range<usize>, &'e T)> {
        if self.is_dirty(range) {
            return None;
        }
        let old = self.old_range(range)?;
        let e = find_by_range(entries, &old, |e| key(e).0)?;
        (key(e).1 == kind).then_some((old, e))
    }

    /// Whether the context of a container chain (starting at `container`, see
    /// [`Container::context`]) touches the dirty region: an edit of an `impl` header or of the
    /// attributes before a `mod` must re-analyse the items inside.
    fn containers_dirty(&self, layout: &Layout<'_>, mut container: Option<usize>) -> bool {
        while let Some(i) = container {
            let c = &layout.containers[i];
            if self.is_dirty(&(c.context.0..c.context.1)) {
                return true;
            }
            container = c.parent;
        }
        false
    }

    /// Whether a unit now at `range` must be re-analysed because text it may read outside
    /// itself changed (see [`UnitContext`]): its attributes and comments, or the header or
    /// attributes of an enclosing container.
    fn context_dirty(&self, layout: &Layout<'_>, ctx: UnitContext, range: &Range<usize>) -> bool {
        (ctx.lead < range.start && self.is_dirty(&(ctx.lead..range.start)))
            || self.containers_dirty(layout, ctx.container)
    }

    /// The offsets of [`SUPPRESSION_NEEDLE`] in the new text `source`, from the previous
    /// version's offsets and a search of the edited bytes only: O(edit + matches) instead of a
    /// scan of the whole text. Equal to [`ignore_offsets`]`(source)`: an occurrence entirely
    /// before the edit or entirely after it is an old one (moved by the delta); every other one
    /// overlaps the edited range and starts within `SUPPRESSION_NEEDLE.len() - 1` bytes of it.
    fn ignore_offsets(&self, source: &str) -> Vec<usize> {
        let needle = SUPPRESSION_NEEDLE.as_bytes();
        let l = needle.len();
        let old = &self.prev.ignore_at;
        let mut out = Vec::with_capacity(old.len() + 1);
        out.extend(old.iter().copied().take_while(|&m| m + l <= self.start));
        // New occurrences: start in `start - (l - 1) .. new_end`, end within the text.
        let bytes = source.as_bytes();
        let to = (self.new_end + l - 1).min(bytes.len());
        let mut p = self.start.saturating_sub(l - 1);
        while p + l <= to {
            if &bytes[p..p + l] == needle {
                out.push(p);
                // The needle does not overlap itself, so occurrences never overlap.
                p += l;
            } else {
                p += 1;
            }
        }
        out.extend(
            old.iter()
                .copied()
                .filter(|&m| m >= self.old_end)
                .map(|m| m - self.old_end + self.new_end),
        );
        out
    }

    /// Where an offset of the old text lies: `Some(true)` before the edit (unchanged),
    /// `Some(false)` after it (moves by the delta), `None` touching the edited range.
    fn side(&self, offset: usize) -> Option<bool> {
        if offset < self.start {
            Some(true)
        } else if offset > self.old_end {
            Some(false)
        } else {
            None
        }
    }
}

fn find_by_range<'e, T>(
    entries: &'e [T],
    range: &Range<usize>,
    get: impl Fn(&T) -> &Range<usize>,
) -> Option<&'e T> {
    let i = entries.partition_point(|e| get(e).start < range.start);
    entries.get(i).filter(|e| get(e) == range)
}

fn shifted(offset: usize, shift: isize) -> usize {
    (offset as isize + shift) as usize
}

fn finding_offsets(f: &Finding) -> impl Iterator<Item = usize> + '_ {
    [f.range.start, f.range.end].into_iter().chain(
        f.fixes
            .iter()
            .flat_map(|fix| fix.edits.iter().flat_map(|e| [e.range.start, e.range.end])),
    )
}

fn shift_finding(f: &Finding, shift: isize) -> Finding {
    let mut f = f.clone();
    if shift != 0 {
        f.range = shifted(f.range.start, shift)..shifted(f.range.end, shift);
        for fix in &mut f.fixes {
            for e in &mut fix.edits {
                e.range = shifted(e.range.start, shift)..shifted(e.range.end, shift);
            }
        }
    }
    f
}

/// What every suppression comment contains.
const SUPPRESSION_NEEDLE: &str = "distlint:ignore";

/// Byte offsets of every [`SUPPRESSION_NEEDLE`] in `source`, ascending (a scan of the whole
/// text; after an edit [`Reuse::ignore_offsets`] gives the same from the previous offsets).
fn ignore_offsets(source: &str) -> Vec<usize> {
    source
        .match_indices(SUPPRESSION_NEEDLE)
        .map(|(at, _)| at)
        .collect()
}

/// Suppression comments of the file, found from `ignore_at`, the offsets of every
/// `distlint:ignore` in `source` (each one's enclosing comment node is handed to
/// [`suppress::collect`]), so the tree is only visited near them. Equal to
/// `suppress::collect(source, root, index)`.
fn collect_suppressions(
    source: &str,
    root: Node<'_>,
    index: &LineIndex,
    ignore_at: &[usize],
) -> Vec<suppress::Suppression> {
    const NEEDLE: &str = SUPPRESSION_NEEDLE;
    let mut out = Vec::new();
    let mut last: Option<Range<usize>> = None;
    for &at in ignore_at {
        if last.as_ref().is_some_and(|r| at < r.end) {
            continue;
        }
        let Some(mut node) = root.descendant_for_byte_range(at, at + NEEDLE.len()) else {
            continue;
        };
        let comment = loop {
            if matches!(node.kind(), "line_comment" | "comment" | "block_comment") {
                break Some(node);
            }
            match node.parent() {
                Some(p) => node = p,
                None => break None,
            }
        };
        let Some(comment) = comment else { continue };
        last = Some(comment.byte_range());
        out.extend(suppress::collect(source, comment, index));
    }
    out
}

impl Analyzer {
    /// Analyses `doc`, reusing `prev` (the state of an earlier version of the same document) and
    /// `delta` (how the text changed since that version) where it can. Returns the new state; its
    /// [`AnalysisState::findings`] equal [`Analyzer::analyze`]`(doc)` exactly.
    ///
    /// `prev` is ignored (full analysis) when its configuration, language or path differ, when
    /// `delta` is [`Delta::Reset`], or when either version was not parsed.
    pub fn analyze_incremental(
        &self,
        doc: &Document,
        prev: Option<(&AnalysisState, Delta)>,
    ) -> AnalysisState {
        let language = doc.language();
        let config = self.config();
        if !config.include_tests && language == Language::Go && is_go_test_file(doc.path()) {
            return AnalysisState::empty(doc, config);
        }
        let source = doc.text();
        let tree = doc.tree();
        let root = tree.root_node();
        let index = doc.line_index();

        if let Some((p, Delta::Unchanged)) = prev {
            if p.version == doc.version() && self.compatible(p, doc) && p.tree.is_some() {
                return p.clone();
            }
        }
        let reuse = prev.and_then(|(p, delta)| self.reuse_plan(p, delta, doc));
        // Where the suppression comments are: O(edit) with a previous version, else a scan.
        let ignore_at = Arc::new(match &reuse {
            Some(r) => r.ignore_offsets(source),
            None => ignore_offsets(source),
        });

        let rules: Vec<&'static dyn Rule> = self.rules_for(language).collect();
        let layout = layout(
            language,
            source,
            root,
            config.include_tests,
            language == Language::Rust,
        );

        // File-level facts.
        let mut segments = Vec::with_capacity(layout.segments.len());
        let mut contributions = Vec::with_capacity(layout.segments.len());
        let mut fact_parts: Vec<Arc<FileFacts>> = Vec::with_capacity(layout.segments.len());
        // Each unit's byte range and kind id, read from the tree once (each read dereferences the
        // node's subtree: on a large file, a cache miss per unit).
        let unit_keys: Vec<(Range<usize>, u16)> = layout
            .units
            .iter()
            .map(|n| (n.byte_range(), n.kind_id()))
            .collect();
        // A segment's imports and facts, reused from the previous state when it is unedited.
        // `index`: the segment's index in the layout (Rust), for its container context.
        let no_imports = Arc::new(Imports::default());
        // `key`: the node's byte range and kind id when already known.
        let segment = |node: Node<'_>,
                       index: Option<usize>,
                       key: Option<(Range<usize>, u16)>|
         -> SegmentEntry {
            let (range, kind) = key.unwrap_or_else(|| (node.byte_range(), node.kind_id()));
            let container = index.and_then(|i| layout.segment_container[i]);
            let cached = reuse.as_ref().and_then(|r| {
                if r.containers_dirty(&layout, container) {
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
                for (&node, key) in layout.units.iter().zip(&unit_keys) {
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
        let same = reuse.as_ref().is_some_and(|r| {
            r.prev.contributions.len() == contributions.len()
                && r.prev
                    .contributions
                    .iter()
                    .zip(&contributions)
                    .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
        });
        let imports: Arc<Imports> = match &reuse {
            Some(r) if same => r.prev.imports.clone(),
            _ => Arc::new(merge_imports(&contributions)),
        };
        let facts_changed = reuse.as_ref().is_some_and(|r| {
            !Arc::ptr_eq(&r.prev.imports, &imports) && *r.prev.imports != *imports
        });
        let reuse = if facts_changed { None } else { reuse };
        // File facts: reuse the previous merge when every part is the same; otherwise merge and
        // find the kinds that changed (rules that read them are re-run on the units where they
        // did).
        let same_facts = reuse.as_ref().is_some_and(|r| {
            r.prev.fact_parts.len() == fact_parts.len()
                && r.prev
                    .fact_parts
                    .iter()
                    .zip(&fact_parts)
                    .all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
        });
        let (file_facts, changed_facts) = match &reuse {
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
                Arc::new(
                    FileFacts::merge(fact_parts.iter().map(|p| &**p)).with_text(language, source),
                ),
                FactKinds::NONE,
            ),
        };
        // Checks that read "the whole file" are re-run after every edit.
        let stale_reads = changed_facts.union(FactKinds::WHOLE_FILE);

        let ctx = Context::new(
            source,
            language,
            root,
            &imports,
            &file_facts,
            config,
            doc.path(),
        );

        // Units.
        let unit_rules: Vec<(usize, &'static dyn Rule, FileReads)> = rules
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, r)| r.meta().scope == Scope::Unit)
            .map(|(i, r)| (i, r, r.file_reads()))
            .collect();
        // Time each unit rule spends in this analysis (all units it re-ran), for the budget warning.
        let spent: std::cell::RefCell<Vec<(&'static str, std::time::Duration)>> =
            Default::default();
        // The literal prefilter, extended with this file's imports (which are unchanged whenever
        // cached units are reused, so their cached verdicts stay valid).
        let prefilter = self.file_prefilter(language, &imports, rules.iter().copied());
        // Runs one rule on one unit: its findings (`None` if it panicked) and the facts it read.
        let run = |rule: &dyn Rule, node: Node<'_>| -> (Option<Vec<Finding>>, FactKinds) {
            let mut out = Vec::new();
            let started = std::time::Instant::now();
            ctx.take_reads();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                rule.check(&ctx, node, &mut out)
            }));
            let reads = ctx.take_reads();
            let elapsed = started.elapsed();
            let id = rule.meta().id;
            let mut spent = spent.borrow_mut();
            match spent.iter_mut().find(|(r, _)| *r == id) {
                Some((_, d)) => *d += elapsed,
                None => spent.push((id, elapsed)),
            }
            drop(spent);
            if result.is_err() {
                return (None, reads);
            }
            let severity = config.severity(rule.meta());
            for f in &mut out {
                f.severity = severity;
            }
            (Some(out), reads)
        };
        // The unit rules (indices into `unit_rules`) whose `FileReads` may re-run them on an
        // unedited unit.
        let reading_rules: Vec<usize> = (0..unit_rules.len())
            .filter(|&k| unit_rules[k].2 != FileReads::Nothing)
            .collect();
        let mut units = Vec::with_capacity(layout.units.len());
        let mut analysed = 0;
        let mut rule_reruns = 0;
        let limit = config.nesting_limit();
        // Depths from the layout: `unit_depths` would walk the root's children (25 000 in the
        // 5 MB benchmark file) on every keystroke.
        let bases: Vec<usize> = layout.unit_context.iter().map(|c| c.depth).collect();
        for (((node, &base), &unit_ctx), (range, kind)) in layout
            .units
            .iter()
            .zip(&bases)
            .zip(&layout.unit_context)
            .zip(unit_keys)
        {
            let cached = reuse.as_ref().and_then(|r| {
                if r.context_dirty(&layout, unit_ctx, &range) {
                    return None;
                }
                let (old, e) = r.unchanged(&r.prev.units, &range, kind, |e| (&e.range, e.kind))?;
                // The unit's own depth is cached; its position in the tree is not.
                ((base + e.nesting > limit) == e.too_deep).then_some((r, old, e))
            });
            let entry = match cached {
                Some((r, old, e)) => {
                    // Rules that read outside the unit and must run again here: one that read a
                    // changed fact (only possible when the union of what was read here meets
                    // the changed kinds), or by its `FileReads`.
                    let by_file_reads = |k: usize| {
                        let (_, rule, reads) = unit_rules[k];
                        match reads {
                            FileReads::Nothing => false,
                            FileReads::ForFindings => {
                                e.findings.iter().any(|f| f.rule == rule.meta().id)
                            }
                            FileReads::Anything => e.triggered.get(k) == Some(&true),
                        }
                    };
                    let rerun: Vec<usize> = if e.read_any.intersects(stale_reads) {
                        (0..unit_rules.len())
                            .filter(|&k| {
                                e.reads.get(k).is_some_and(|r| r.intersects(stale_reads))
                                    || by_file_reads(k)
                            })
                            .collect()
                    } else {
                        reading_rules
                            .iter()
                            .copied()
                            .filter(|&k| by_file_reads(k))
                            .collect()
                    };
                    // Every offset the kept findings carry must lie on the unit's side of the
                    // edit, so one shift moves them all.
                    let before = range.start == old.start;
                    let shift = if before { e.shift } else { e.shift + r.delta() };
                    let rerun_ids: Vec<&str> =
                        rerun.iter().map(|&k| unit_rules[k].1.meta().id).collect();
                    let clear = e
                        .findings
                        .iter()
                        .filter(|f| !rerun_ids.contains(&f.rule))
                        .flat_map(finding_offsets)
                        .all(|o| r.side(shifted(o, e.shift)) == Some(before));
                    if !clear {
                        None
                    } else if rerun.is_empty() {
                        Some(UnitEntry {
                            range: range.clone(),
                            kind,
                            shift,
                            findings: e.findings.clone(),
                            panicked: e.panicked.clone(),
                            triggered: e.triggered.clone(),
                            nesting: e.nesting,
                            too_deep: e.too_deep,
                            reads: e.reads.clone(),
                            read_any: e.read_any,
                        })
                    } else {
                        rule_reruns += rerun.len();
                        let mut findings = Vec::new();
                        let mut panicked = Vec::new();
                        let mut reads = (*e.reads).clone();
                        for (k, &(i, rule, _)) in unit_rules.iter().enumerate() {
                            if rerun.contains(&k) {
                                let (found, read) = run(rule, *node);
                                match found {
                                    Some(found) => findings.extend(found),
                                    None => panicked.push(i),
                                }
                                if let Some(r) = reads.get_mut(k) {
                                    *r = read;
                                }
                            } else {
                                let id = rule.meta().id;
                                findings.extend(
                                    e.findings
                                        .iter()
                                        .filter(|f| f.rule == id)
                                        .map(|f| shift_finding(f, shift)),
                                );
                                if e.panicked.contains(&i) {
                                    panicked.push(i);
                                }
                            }
                        }
                        Some(UnitEntry {
                            range: range.clone(),
                            kind,
                            shift: 0,
                            findings: Arc::new(findings),
                            panicked: Arc::new(panicked),
                            triggered: e.triggered.clone(),
                            nesting: e.nesting,
                            too_deep: e.too_deep,
                            read_any: union_of(&reads),
                            reads: Arc::new(reads),
                        })
                    }
                }
                None => None,
            };
            let entry = match entry {
                Some(e) => e,
                None => 'fresh: {
                    analysed += 1;
                    let nesting = crate::syntax::nesting_depth(*node).depth;
                    if let Some(d) = too_deep_decision(*node, base, nesting, index, limit) {
                        log_too_deep(doc.path(), &d);
                        break 'fresh UnitEntry {
                            range,
                            kind,
                            shift: 0,
                            findings: Arc::new(Vec::new()),
                            panicked: Arc::new(Vec::new()),
                            triggered: Arc::new(vec![false; unit_rules.len()]),
                            nesting,
                            too_deep: true,
                            reads: Arc::new(vec![FactKinds::NONE; unit_rules.len()]),
                            read_any: FactKinds::NONE,
                        };
                    }
                    let verdict = prefilter
                        .as_ref()
                        .map(|(filter, _)| filter.scan(&source[range.clone()]));
                    let triggered: Vec<bool> = unit_rules
                        .iter()
                        .map(|&(i, _, _)| match (&verdict, &prefilter) {
                            (Some(v), Some((_, idx))) => v.may_fire(idx[i]),
                            _ => true,
                        })
                        .collect();
                    let mut findings = Vec::new();
                    let mut panicked = Vec::new();
                    let mut reads = Vec::with_capacity(unit_rules.len());
                    for (k, &(i, rule, _)) in unit_rules.iter().enumerate() {
                        if !triggered[k] {
                            reads.push(FactKinds::NONE);
                            continue;
                        }
                        let (found, read) = run(rule, *node);
                        match found {
                            Some(found) => findings.extend(found),
                            None => panicked.push(i),
                        }
                        reads.push(read);
                    }
                    UnitEntry {
                        range,
                        kind,
                        shift: 0,
                        findings: Arc::new(findings),
                        panicked: Arc::new(panicked),
                        triggered: Arc::new(triggered),
                        nesting,
                        too_deep: false,
                        read_any: union_of(&reads),
                        reads: Arc::new(reads),
                    }
                }
            };
            units.push(entry);
        }

        // File-scope rules: the whole file, every time.
        for (id, elapsed) in spent.take() {
            crate::engine::warn_if_over_budget(id, doc.path(), elapsed, source.len());
        }

        // Unlike a full analysis, no prefilter scan of the whole text here: an aho-corasick
        // pass over every literal of every rule is O(file) per keystroke (12 % of a 200 KB
        // keystroke measured with perf). The prefilter is only a necessary condition, so running
        // a file-scope rule without it gives the same findings (`tests/prefilter_exact.rs`); the
        // file-scope rules return at once when a file fact says there is nothing for them.
        let mut file_findings = Vec::new();
        let mut dead = vec![false; rules.len()];
        for (i, rule) in rules.iter().enumerate() {
            if rule.meta().scope == Scope::File {
                match self.run_rule_checked(*rule, &ctx, &layout.units) {
                    Some(found) => file_findings.extend(found),
                    None => dead[i] = true,
                }
            }
        }

        // Merge: a rule that panicked on any unit loses all its findings in this file, as in
        // `run_rule`.
        for u in &units {
            for &i in u.panicked.iter() {
                if !dead[i] {
                    tracing::error!(rule = rules[i].meta().id, path = ?doc.path(), "rule panicked; its findings for this file are skipped");
                }
                dead[i] = true;
            }
        }
        let dead_ids: Vec<&str> = rules
            .iter()
            .enumerate()
            .filter(|(i, _)| dead[*i])
            .map(|(_, r)| r.meta().id)
            .collect();
        let mut all = Vec::new();
        for u in &units {
            for f in u.findings.iter() {
                if dead_ids.is_empty() || !dead_ids.contains(&f.rule) {
                    all.push(shift_finding(f, u.shift));
                }
            }
        }
        all.extend(file_findings.iter().cloned());
        let too_deep: Vec<TooDeep> = units
            .iter()
            .zip(&bases)
            .filter(|(u, _)| u.too_deep)
            .map(|(u, &base)| TooDeep {
                range: u.range.clone(),
                line: index.line_of(u.range.start),
                depth: base + u.nesting,
                limit,
            })
            .collect();
        let sups = collect_suppressions(source, root, index, &ignore_at);
        let judge = suppress::Judge {
            ran: rules
                .iter()
                .enumerate()
                .filter(|(i, _)| !dead[*i])
                .map(|(_, r)| r.meta().id)
                .collect(),
            skipped: if !config.include_tests && language == Language::Rust {
                layout.skipped.clone()
            } else {
                Vec::new()
            }
            .into_iter()
            // A suppression inside a unit that was not analysed cannot be judged unused.
            .chain(too_deep.iter().map(|d| d.range.clone()))
            .collect(),
        };
        let findings = self.finish_with(source, index, all, &sups, &judge);

        AnalysisState {
            version: doc.version(),
            language,
            path: doc.path().map(PathBuf::from),
            config: config.clone(),
            tree: doc.skipped().is_none().then(|| tree.clone()),
            line_index: index.clone(),
            text_len: source.len(),
            stats: AnalysisStats {
                from_scratch: reuse.is_none(),
                units: units.len(),
                units_analysed: analysed,
                facts_changed,
                rule_reruns,
            },
            units,
            segments,
            contributions,
            imports,
            fact_parts,
            facts: file_facts,
            findings: Arc::new(findings),
            too_deep,
            ignore_at,
        }
    }

    fn compatible(&self, p: &AnalysisState, doc: &Document) -> bool {
        p.language == doc.language()
            && p.config == *self.config()
            && p.path.as_deref() == doc.path()
    }

    fn reuse_plan<'p>(
        &self,
        p: &'p AnalysisState,
        delta: Delta,
        doc: &Document,
    ) -> Option<Reuse<'p>> {
        if !self.compatible(p, doc) || doc.skipped().is_some() {
            return None;
        }
        let old_tree = p.tree.as_ref()?;
        let (start, old_end, new_end) = match delta {
            Delta::Reset => return None,
            Delta::Unchanged => (0, 0, 0),
            Delta::Edit {
                start,
                old_end,
                new_end,
            } => (start, old_end, new_end),
        };
        // The delta must describe exactly these two texts.
        if old_end > p.text_len
            || new_end > doc.text().len()
            || p.text_len - old_end != doc.text().len() - new_end
        {
            return None;
        }
        let mut edited = old_tree.clone();
        if delta != Delta::Unchanged {
            edited.edit(&InputEdit {
                start_byte: start,
                old_end_byte: old_end,
                new_end_byte: new_end,
                start_position: point(&p.line_index, start),
                old_end_position: point(&p.line_index, old_end),
                new_end_position: point(doc.line_index(), new_end),
            });
        }
        let mut dirty: Vec<(usize, usize)> = edited
            .changed_ranges(doc.tree())
            .map(|r| (r.start_byte, r.end_byte))
            .collect();
        if delta != Delta::Unchanged {
            dirty.push((start, new_end));
        }
        dirty.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(dirty.len());
        for (s, e) in dirty {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        Some(Reuse {
            prev: p,
            start,
            old_end,
            new_end,
            dirty: merged,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::TextChange;
    use crate::engine::analysis_units;
    use crate::host::AnalysisHost;
    use crate::text::PositionEncoding;

    fn edit(host: &AnalysisHost, key: &str, version: i32, at: usize, del: usize, text: &str) {
        let doc = host.snapshot(key).unwrap();
        let (t, index) = (doc.text(), doc.line_index());
        let range = (
            index.position(t, at, PositionEncoding::Utf8),
            index.position(t, at + del, PositionEncoding::Utf8),
        );
        host.change(
            key,
            &[TextChange {
                range: Some(range),
                text: text.into(),
            }],
            version,
            PositionEncoding::Utf8,
        )
        .unwrap();
    }

    fn rules_of(host: &AnalysisHost, key: &str) -> Vec<(&'static str, usize)> {
        let f = host.analyze(key).unwrap();
        let doc = host.snapshot(key).unwrap();
        assert_eq!(*f.findings, Analyzer::default().analyze(&doc));
        f.findings
            .iter()
            .map(|f| (f.rule, doc.line_index().line_of(f.range.start) as usize))
            .collect()
    }

    #[test]
    fn suppression_offsets_follow_edits_without_a_rescan() {
        let base = "package p\n\n// distlint:ignore x y\nfunc a() {}\n\n// distlint:ignore-file all z\nfunc b() {}\n";
        let analyzer = Analyzer::default();
        let mut doc = Document::new(Language::Go, base, 0);
        let mut state = analyzer.analyze_incremental(&doc, None);
        assert_eq!(state.ignore_at.len(), 2);
        // (where, bytes deleted, text inserted), `where` found in the current text.
        type Step = (fn(&str) -> usize, usize, &'static str);
        let steps: &[Step] = &[
            // Split the first one, then join it again.
            (|t| t.find("distlint:ignore x").unwrap() + 5, 0, " "),
            (|t| t.find("distl int").unwrap() + 5, 1, ""),
            // Build a new one from two halves typed in two edits (the second completes it
            // across the edit's start).
            (|t| t.find("func a").unwrap(), 0, "// distlint:ig\n"),
            (|t| t.find("ig\nfunc a").unwrap() + 2, 0, "nore"),
            // Touch the end and the start of one without breaking it.
            (|t| t.find("distlint:ignore x").unwrap() + 15, 0, "-file"),
            (|t| t.find("distlint:ignore-file x").unwrap(), 0, "x"),
            // Delete most of one, and delete everything up to the last one.
            (|t| t.find("distlint:ignore-file all").unwrap() - 2, 10, ""),
            (|_| 0, 40, ""),
        ];
        for (v, (at, del, ins)) in steps.iter().enumerate() {
            let at = at(doc.text());
            let index = doc.line_index().clone();
            let range = (
                index.position(doc.text(), at, PositionEncoding::Utf8),
                index.position(doc.text(), at + del, PositionEncoding::Utf8),
            );
            let change = TextChange {
                range: Some(range),
                text: (*ins).into(),
            };
            let applied = doc
                .apply_changes(&[change], v as i32 + 1, PositionEncoding::Utf8)
                .unwrap();
            state = analyzer.analyze_incremental(&doc, Some((&state, Delta::compose(&applied))));
            assert!(!state.stats().from_scratch, "step {v}");
            assert_eq!(
                *state.ignore_at,
                ignore_offsets(doc.text()),
                "step {v}: {:?}",
                doc.text()
            );
            assert_eq!(**state.findings(), analyzer.analyze(&doc), "step {v}");
        }
        assert_eq!(state.ignore_at.len(), 1, "{:?}", doc.text());
    }

    #[test]
    fn delta_composition_covers_every_edit() {
        let e = |s: usize, e: usize, n: usize| AppliedEdit {
            old_range: s..e,
            new_len: n,
        };
        // "abcdef": replace "cd" by "XYZ" → "abXYZef"; then delete "a" → "bXYZef".
        let d = Delta::compose(&[e(2, 4, 3), e(0, 1, 0)]);
        assert_eq!(
            d,
            Delta::Edit {
                start: 0,
                old_end: 4,
                new_end: 4
            }
        );
        // Insert at the end after an edit at the start.
        let d = Delta::compose(&[e(0, 1, 2), e(7, 7, 1)]);
        assert_eq!(
            d,
            Delta::Edit {
                start: 0,
                old_end: 6,
                new_end: 8
            }
        );
        assert_eq!(Delta::compose(&[e(0, usize::MAX, 3)]), Delta::Reset);
        assert_eq!(Delta::compose(&[]), Delta::Unchanged);
    }

    #[test]
    fn layout_units_equal_analysis_units_on_real_files() {
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
            for include_tests in [false, true] {
                let a: Vec<_> = analysis_units(language, &text, root, include_tests)
                    .iter()
                    .map(|n| n.byte_range())
                    .collect();
                let l = layout(language, &text, root, include_tests, true);
                let b: Vec<_> = l.units.iter().map(|n| n.byte_range()).collect();
                assert_eq!(a, b, "{}", path.display());
                let depths: Vec<usize> = l.unit_context.iter().map(|c| c.depth).collect();
                assert_eq!(
                    depths,
                    crate::engine::unit_depths(root, &l.units),
                    "{}",
                    path.display()
                );
            }
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

    const LOCKS: &str = "use std::sync::Mutex;\n\nstruct State {\n    inner: Mutex<u32>,\n}\n\nasync fn tick() {}\n\nasync fn a(s: &State) {\n    let g = s.inner.lock().unwrap();\n    tick().await;\n    drop(g);\n}\n\nasync fn b() {\n    tick().await;\n}\n\nfn c() -> u32 {\n    1\n}\n";

    /// The default rules minus `unbounded-channel`, which may re-run on other units (it reads
    /// the whole file) and would blur the re-run counts.
    fn without_channel_rule() -> Analyzer {
        let mut config = Config::default();
        config
            .rules
            .insert("unbounded-channel".into(), crate::config::RuleLevel::Off);
        Analyzer::new(config)
    }

    #[test]
    fn a_changed_struct_field_reruns_only_the_checks_that_read_it() {
        let host = AnalysisHost::new(without_channel_rule());
        host.open("k", Document::new(Language::Rust, LOCKS, 0));
        assert_eq!(rules_of(&host, "k"), vec![("lock-held-across-await", 9)]);
        // Typing inside `fn c` changes no fact: only `c` is analysed, and the lock rule is
        // re-run only where it has a finding (its message names a line).
        let at = LOCKS.find("    1\n").unwrap();
        edit(&host, "k", 1, at, 0, "0 + ");
        assert_eq!(rules_of(&host, "k"), vec![("lock-held-across-await", 9)]);
        let stats = host.last_stats("k").unwrap();
        assert_eq!((stats.units_analysed, stats.rule_reruns), (1, 1));
        // The field becomes an async lock in another unit: `a`, which read the field's type, is
        // re-run by the lock rule and its finding goes; `b` (no lock) is not re-run.
        let at = LOCKS.find("Mutex<u32>").unwrap();
        edit(&host, "k", 2, at, 0, "Async");
        let doc = host.snapshot("k").unwrap();
        assert!(
            doc.text().contains("inner: AsyncMutex<u32>"),
            "{}",
            doc.text()
        );
        assert_eq!(rules_of(&host, "k"), vec![]);
        let stats = host.last_stats("k").unwrap();
        assert_eq!((stats.units_analysed, stats.rule_reruns), (1, 1));
        // And back: the finding returns.
        edit(&host, "k", 3, at, "Async".len(), "");
        assert_eq!(rules_of(&host, "k"), vec![("lock-held-across-await", 9)]);
    }

    #[test]
    fn quorum_math_follows_a_strict_comparison_in_another_function() {
        let src = "struct R { peers: Vec<u8> }\nimpl R {\n    fn quorum(&self) -> usize {\n        self.peers.len() / 2\n    }\n    fn won(&self, votes: usize) -> bool {\n        votes >= self.quorum()\n    }\n}\n";
        let host = AnalysisHost::new(Analyzer::default());
        host.open("q", Document::new(Language::Rust, src, 0));
        assert_eq!(rules_of(&host, "q"), vec![("quorum-math", 3)]);
        // `votes > self.quorum()`: a strict comparison makes `n / 2` a majority; the unit with
        // the division is not edited but read that fact, so it is re-run.
        let at = src.find(">= self").unwrap();
        edit(&host, "q", 1, at + 1, 1, "");
        assert_eq!(rules_of(&host, "q"), vec![]);
        assert_eq!(host.last_stats("q").unwrap().units_analysed, 1);
        edit(&host, "q", 2, at + 1, 0, "=");
        assert_eq!(rules_of(&host, "q"), vec![("quorum-math", 3)]);
    }

    #[test]
    fn a_shutdown_call_in_another_function_silences_the_server_in_main() {
        let src = "package main\n\nimport \"net/http\"\n\nfunc main() {\n\thttp.ListenAndServe(\":80\", nil)\n}\n\nfunc stop(s *http.Server) {\n\ts.Close()\n}\n";
        let host = AnalysisHost::new(without_channel_rule());
        host.open("s", Document::new(Language::Go, src, 0));
        let both = vec![
            ("graceful-shutdown-go", 5),
            ("http-server-without-timeouts", 5),
        ];
        assert_eq!(rules_of(&host, "s"), both);
        // `s.Close()` becomes `s.Shutdown(nil)` in `stop`: `main` is not edited but read that
        // fact, so it is re-run and its finding goes.
        let at = src.find("Close()").unwrap();
        edit(&host, "s", 1, at, "Close()".len(), "Shutdown(nil)");
        let left = vec![("http-server-without-timeouts", 5)];
        assert_eq!(rules_of(&host, "s"), left);
        // Re-run in `main`: only this rule (a fact it read changed). The server-timeout rule's
        // finding there is reused: its fix, which reads the import block, is deferred.
        let stats = host.last_stats("s").unwrap();
        assert_eq!((stats.units_analysed, stats.rule_reruns), (1, 1));
        // A build-ignore line before the package clause (outside every unit) silences it too.
        let host = AnalysisHost::new(without_channel_rule());
        host.open("t", Document::new(Language::Go, src, 0));
        assert_eq!(rules_of(&host, "t"), both);
        edit(&host, "t", 1, 0, 0, "//go:build ignore\n\n");
        assert_eq!(
            rules_of(&host, "t"),
            vec![("http-server-without-timeouts", 7)]
        );
    }

    #[test]
    fn a_package_level_client_follows_timeout_assignments_in_other_functions() {
        let src = "package main\n\nimport (\n\t\"net/http\"\n\t\"time\"\n)\n\nvar client = &http.Client{}\n\nfunc init() {\n\tclient.Timeout = 5 * time.Second\n}\n\nfunc get() {\n\tclient.Get(\"http://x\")\n}\n";
        let host = AnalysisHost::new(Analyzer::default());
        host.open("g", Document::new(Language::Go, src, 0));
        assert_eq!(rules_of(&host, "g"), vec![]);
        // Deleting the assignment in `init` brings back the finding on the literal.
        let at = src.find("\tclient.Timeout").unwrap();
        let len = "\tclient.Timeout = 5 * time.Second\n".len();
        edit(&host, "g", 1, at, len, "");
        assert_eq!(
            rules_of(&host, "g"),
            vec![("http-client-without-timeout", 7)]
        );
    }

    const SRC: &str = "use tokio::sync::mpsc;\n\nfn a() {\n    let x = 1;\n}\n\nfn b() {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n}\n\n#[cfg(test)]\nmod tests {\n    fn t() { let c = std::sync::mpsc::channel::<u8>(); }\n}\n";

    #[test]
    fn suppression_on_the_line_above_a_function_in_another_unit() {
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, SRC, 0));
        assert_eq!(rules_of(&host, "k"), vec![("unbounded-channel", 7)]);
        // A suppression comment above the `let` inside `fn b` …
        let at = SRC.find("    let (tx").unwrap();
        edit(
            &host,
            "k",
            1,
            at,
            0,
            "    // distlint:ignore unbounded-channel bounded by caller\n",
        );
        assert_eq!(rules_of(&host, "k"), vec![]);
        // … and an edit in `fn a` (another unit) keeps it suppressed, shifted by a line.
        edit(&host, "k", 2, SRC.find("let x").unwrap(), 0, "\n");
        assert_eq!(rules_of(&host, "k"), vec![]);
        assert_eq!(host.last_stats("k").unwrap().units_analysed, 1);
        // A file-level suppression added in the first unit removes findings everywhere.
        edit(
            &host,
            "k",
            3,
            0,
            0,
            "// distlint:ignore-file all generated\n",
        );
        assert_eq!(rules_of(&host, "k"), vec![]);
    }

    #[test]
    fn suppression_comment_between_two_functions_covers_the_next_ones_first_line() {
        let src = "fn a() {}\n// distlint:ignore unbounded-channel one-shot signal\nfn c() { let _ = std::sync::mpsc::channel::<u8>(); }\nfn d() {}\n";
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, src, 0));
        assert_eq!(rules_of(&host, "k"), vec![]);
        // Edit inside `fn c` (the comment is in no unit): still suppressed.
        edit(&host, "k", 1, src.find("let _").unwrap(), 0, " ");
        assert_eq!(rules_of(&host, "k"), vec![]);
        // Edit `fn a` so the comment moves: still suppressed; `fn c` was not re-run.
        edit(&host, "k", 2, src.find("{}").unwrap(), 0, "\n");
        assert_eq!(rules_of(&host, "k"), vec![]);
        assert_eq!(host.last_stats("k").unwrap().units_analysed, 1);
        // Break the comment's directive: the finding of the untouched unit comes back.
        let at = src.find("ignore").unwrap() + 1 + 2;
        edit(&host, "k", 3, at, 1, "X");
        assert_eq!(rules_of(&host, "k"), vec![("unbounded-channel", 3)]);
        // (The comment token ends where `fn c` starts, so `fn c` counts as touched.)
        let stats = host.last_stats("k").unwrap();
        assert!(
            !stats.from_scratch && stats.units_analysed <= 1,
            "{stats:?}"
        );
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

    #[test]
    fn removing_a_cfg_test_attribute_brings_test_code_into_analysis() {
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, SRC, 0));
        assert_eq!(rules_of(&host, "k"), vec![("unbounded-channel", 7)]);
        let at = SRC.find("#[cfg(test)]").unwrap();
        edit(&host, "k", 1, at, "#[cfg(test)]".len(), "");
        assert_eq!(
            rules_of(&host, "k"),
            vec![("unbounded-channel", 7), ("unbounded-channel", 12)]
        );
    }

    #[test]
    fn stale_results_never_replace_newer_ones() {
        let host = AnalysisHost::new(Analyzer::default());
        host.open("k", Document::new(Language::Rust, SRC, 0));
        edit(&host, "k", 1, 0, 0, "\n");
        // A debounced task for version 0 finds the document moved on and does nothing.
        assert!(host.analyze_if_current("k", 0).is_none());
        let v1 = host.analyze_if_current("k", 1).unwrap();
        assert_eq!(v1.version, 1);
        edit(&host, "k", 2, 0, 0, "\n");
        assert!(
            host.cached("k").is_none(),
            "version 1's result is not served for version 2"
        );
        assert_eq!(host.analyze("k").unwrap().version, 2);
    }
}
