//! Analysis units, one implementation for both pipelines: the from-scratch pipeline
//! ([`super::Analyzer::analyze`]) and the incremental one ([`super::incremental`]) both list a
//! file's units with [`layout`] (and [`analysis_units`], its unit list), decide which are test
//! code ([`is_test_attribute`], [`is_go_test_file`]), and which nest too deeply to analyse
//! ([`split_too_deep`], [`too_deep_decision`]).
//!
//! A unit is a top-level item; for Rust, the items inside `impl`, `trait` and inline `mod` bodies
//! instead of the container. Ranges are byte ranges of the file's text; depths count tree levels
//! below the root (the root's children are at depth 1).

use std::ops::Range;
use std::path::Path;

use tree_sitter::Node;

use crate::input::TooDeep;
use crate::language::Language;
use crate::syntax::nesting_depth;
use crate::text::LineIndex;

/// The analysis units of a file, in source order: top-level items; for Rust, the items inside
/// `impl`, `trait` and inline `mod` bodies instead of the container. Test code (`#[test]`-like
/// attributes, `#[cfg(test)]` modules and everything inside them; Go functions taking a
/// `*testing.T`, `testing.TB`, `*testing.B`, `*testing.F` or `*testing.M`) is left out unless
/// `include_tests`. The units of [`layout`], which the incremental engine uses too.
pub fn analysis_units<'t>(
    language: Language,
    source: &str,
    root: Node<'t>,
    include_tests: bool,
) -> Vec<Node<'t>> {
    layout(language, source, root, include_tests, false).units
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
            if child.kind() == "comment" {
                continue;
            }
            // Go functions taking a `*testing.T`-like parameter are test support wherever they
            // are declared (`crate::roles::is_go_test_function`).
            if !include_tests && crate::roles::is_go_test_function(source, child) {
                skipped.push(child.byte_range());
                continue;
            }
            {
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

/// Logs a [`TooDeep`] decision (`tracing::warn!`, with the path).
pub(crate) fn log_too_deep(path: Option<&Path>, d: &TooDeep) {
    tracing::warn!(
        path = ?path,
        line = d.line + 1,
        depth = d.depth,
        limit = d.limit,
        "{d}"
    );
}

/// Depth of each of `units` below `root` (the root's children are at depth 1), found with one
/// [`tree_sitter::TreeCursor`] walk from the root that enters only nodes enclosing a unit: O(number
/// of container nodes and their children), never a parent lookup. `units` must not overlap.
pub fn unit_depths(root: Node<'_>, units: &[Node<'_>]) -> Vec<usize> {
    let mut out = vec![usize::MAX; units.len()];
    let ids: std::collections::HashMap<usize, usize> =
        units.iter().enumerate().map(|(i, u)| (u.id(), i)).collect();
    let mut spans: Vec<(usize, usize)> = units
        .iter()
        .map(|u| (u.start_byte(), u.end_byte()))
        .collect();
    spans.sort_unstable();
    let encloses_unit = |n: Node<'_>| {
        let i = spans.partition_point(|&(s, _)| s < n.start_byte());
        spans.get(i).is_some_and(|&(_, e)| e <= n.end_byte())
    };
    let mut cursor = root.walk();
    let mut depth = 0usize;
    'walk: loop {
        let node = cursor.node();
        let descend = match ids.get(&node.id()) {
            Some(&i) => {
                out[i] = depth;
                false
            }
            None => encloses_unit(node),
        };
        if descend && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if depth == 0 {
                break 'walk;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            depth -= 1;
        }
    }
    // A unit the walk did not reach (not expected): one O(depth) descent from the root.
    for (i, d) in out.iter_mut().enumerate() {
        if *d == usize::MAX {
            *d = crate::syntax::ancestor_chain(units[i]).len();
        }
    }
    out
}

/// An upper bound of [`nesting_depth`]`(node).depth`, in O(1): the number of nodes below
/// `node` ([`Node::descendant_count`] minus the node itself, stored in the tree). A tree cursor
/// steps through exactly those nodes (tree-sitter's visible descendants), and a downward path
/// of `d` edges passes `d` distinct ones. Most units of real code are far below a nesting limit
/// of 1,000 in node count already, so the walk that measures the exact depth is only needed for
/// the few large ones.
pub fn nesting_bound(node: Node<'_>) -> usize {
    node.descendant_count().saturating_sub(1)
}

/// The [`TooDeep`] decision for a unit at `base` levels below the root whose own subtree is
/// `nesting` levels deep, or `None` when it is within `limit`.
pub(crate) fn too_deep_decision(
    unit: Node<'_>,
    base: usize,
    nesting: usize,
    index: &LineIndex,
    limit: usize,
) -> Option<TooDeep> {
    let depth = base + nesting;
    (depth > limit).then(|| TooDeep {
        range: unit.byte_range(),
        line: index.line_of(unit.start_byte()),
        depth,
        limit,
    })
}

/// Splits `units` into those to analyse and the decisions for those whose syntax tree reaches
/// deeper than `limit` levels below `root` (measured with one cursor walk per unit, O(nodes),
/// unless [`nesting_bound`] already shows the unit is within the limit, O(1)).
pub fn split_too_deep<'t>(
    root: Node<'t>,
    units: &[Node<'t>],
    index: &LineIndex,
    limit: usize,
) -> (Vec<Node<'t>>, Vec<TooDeep>) {
    let bases = unit_depths(root, units);
    let mut kept = Vec::with_capacity(units.len());
    let mut deep = Vec::new();
    for (unit, base) in units.iter().zip(bases) {
        if base.saturating_add(nesting_bound(*unit)) <= limit {
            // Within the limit whatever its exact depth: `too_deep_decision` would say `None`.
            kept.push(*unit);
            continue;
        }
        match too_deep_decision(*unit, base, nesting_depth(*unit).depth, index, limit) {
            Some(d) => deep.push(d),
            None => kept.push(*unit),
        }
    }
    (kept, deep)
}

/// True for Go test files (`*_test.go`).
pub fn is_go_test_file(path: Option<&Path>) -> bool {
    path.and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with("_test.go"))
}

/// Whether an attribute marks test code: `#[test]`, `#[tokio::test]`, `#[cfg(test)]`, ...
pub fn is_test_attribute(attr: &str) -> bool {
    let a: String = attr.chars().filter(|c| !c.is_whitespace()).collect();
    a == "#[test]"
        || a.ends_with("::test]")
        || a.starts_with("#[cfg(test")
        || a.starts_with("#[cfg(all(test")
        || a.starts_with("#[tokio::test(")
        || a.ends_with("::test(flavor=\"multi_thread\")]")
}

/// Byte ranges of the items of a parsed file that are test code, the analysis units the engine
/// leaves out unless test code is included (Rust `#[test]` functions and `#[cfg(test)]` modules,
/// Go functions for which [`crate::roles::is_go_test_function`] holds), in source order. A unit inside a module
/// that holds no analysed unit is given as the outermost such module (`mod tests { .. }` once,
/// not each of its functions).
pub fn test_items(
    language: Language,
    source: &str,
    root: tree_sitter::Node<'_>,
) -> Vec<std::ops::Range<usize>> {
    let kept: Vec<std::ops::Range<usize>> = analysis_units(language, source, root, false)
        .iter()
        .map(|n| n.byte_range())
        .collect();
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for n in analysis_units(language, source, root, true) {
        let r = n.byte_range();
        if kept.contains(&r) {
            continue;
        }
        let mut shown = r;
        let mut a = n.parent();
        while let Some(p) = a {
            if p.kind() == "mod_item" {
                let m = p.byte_range();
                if !kept.iter().any(|k| m.start <= k.start && k.end <= m.end) {
                    shown = m;
                }
            }
            a = p.parent();
        }
        if !out.contains(&shown) {
            out.push(shown);
        }
    }
    out
}

#[cfg(test)]
mod nesting_tests {
    use super::*;
    use crate::document::Document;

    /// `split_too_deep` without the O(1) bound: the exact depth of every unit.
    fn split_exactly<'t>(
        root: Node<'t>,
        units: &[Node<'t>],
        index: &LineIndex,
        limit: usize,
    ) -> (Vec<Node<'t>>, Vec<TooDeep>) {
        let mut kept = Vec::new();
        let mut deep = Vec::new();
        for (unit, base) in units.iter().zip(unit_depths(root, units)) {
            match too_deep_decision(*unit, base, nesting_depth(*unit).depth, index, limit) {
                Some(d) => deep.push(d),
                None => kept.push(*unit),
            }
        }
        (kept, deep)
    }

    /// The bound is never below the exact depth (every node of the real-code fixtures), and
    /// `split_too_deep` with it decides exactly as with the exact depths, at limits that cut
    /// through the units of those files.
    #[test]
    fn nesting_bound_is_an_upper_bound_and_changes_no_decision() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| Language::from_path(p).is_some())
            .collect();
        files.sort();
        assert!(files.len() >= 6);
        let mut cut = 0;
        for path in files {
            let language = Language::from_path(&path).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            let deep = format!(
                "{}
fn deep() {{ let x = {}1{}; }}
",
                text,
                "(".repeat(300),
                ")".repeat(300)
            );
            let text = if language == Language::Rust {
                deep
            } else {
                text
            };
            let doc = Document::new(language, text.as_str(), 0);
            let root = doc.tree().root_node();
            for n in crate::syntax::Walk::new(root) {
                assert!(
                    nesting_depth(n).depth <= nesting_bound(n),
                    "{}",
                    path.display()
                );
            }
            let units = analysis_units(language, &text, root, true);
            for limit in [0, 3, 10, 30, 100, 300, 1000] {
                let got = split_too_deep(root, &units, doc.line_index(), limit);
                let want = split_exactly(root, &units, doc.line_index(), limit);
                assert_eq!(got.0, want.0, "{} at {limit}", path.display());
                assert_eq!(got.1, want.1, "{} at {limit}", path.display());
                cut += usize::from(!want.0.is_empty() && !want.1.is_empty());
            }
        }
        // Some limits keep some units and cut others, so the comparison is not trivial.
        assert!(cut >= 6, "{cut}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    /// On every real-code fixture (and a file with test code): the depths the layout records equal those [`unit_depths`]
    /// walks for, and the units left out as test code are exactly those `include_tests` adds
    /// (what the from-scratch pipeline reports as skipped).
    #[test]
    fn layout_depths_and_skipped_test_units_on_real_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
        let mut files: Vec<(String, Language, String)> = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let Some(language) = Language::from_path(&path) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap();
            files.push((path.display().to_string(), language, text));
        }
        // The fixtures have no test code: one file that has, in containers too.
        files.push(("synthetic".into(), Language::Rust, TESTS_SRC.to_string()));
        let mut skipped_somewhere = 0;
        for (name, language, text) in &files {
            let (language, text) = (*language, text.as_str());
            let doc = Document::new(language, text, 0);
            let root = doc.tree().root_node();
            for include_tests in [false, true] {
                let l = layout(language, text, root, include_tests, true);
                let depths: Vec<usize> = l.unit_context.iter().map(|c| c.depth).collect();
                assert_eq!(depths, unit_depths(root, &l.units), "{name}");
                let without_segments = layout(language, text, root, include_tests, false);
                let a: Vec<_> = l.units.iter().map(|n| n.byte_range()).collect();
                let b: Vec<_> = without_segments
                    .units
                    .iter()
                    .map(|n| n.byte_range())
                    .collect();
                assert_eq!(a, b, "{name}");
            }
            let kept = layout(language, text, root, false, false);
            let all: Vec<_> = analysis_units(language, text, root, true)
                .iter()
                .map(|n| n.byte_range())
                .collect();
            let mut rebuilt: Vec<_> = kept
                .units
                .iter()
                .map(|n| n.byte_range())
                .chain(kept.skipped.iter().cloned())
                .collect();
            rebuilt.sort_by_key(|r| (r.start, r.end));
            assert_eq!(rebuilt, all, "{name}");
            skipped_somewhere += usize::from(!kept.skipped.is_empty());
        }
        assert_eq!(skipped_somewhere, 1);
    }

    const TESTS_SRC: &str = "fn a() {}\n#[cfg(test)]\nmod tests {\n    fn helper() {}\n    #[test]\n    fn t() {}\n}\n#[test]\nfn top() {}\n#[cfg(feature = \"x\")]\nfn b() {}\nimpl S {\n    #[tokio::test]\n    async fn m() {}\n    fn n() {}\n}\n";

    /// A `#[cfg(test)]` module's items and a `#[test]` function are left out, a look-alike
    /// attribute is not; with `include_tests` everything is a unit.
    #[test]
    fn test_code_is_left_out_unless_included() {
        let src = TESTS_SRC;
        let doc = Document::new(Language::Rust, src, 0);
        let root = doc.tree().root_node();
        let names = |include_tests| -> Vec<String> {
            analysis_units(Language::Rust, src, root, include_tests)
                .iter()
                .map(|n| {
                    n.child_by_field_name("name")
                        .map(|x| src[x.byte_range()].to_string())
                        .unwrap_or_default()
                })
                .collect()
        };
        assert_eq!(names(false), ["a", "b", "n"]);
        assert_eq!(names(true), ["a", "helper", "t", "top", "b", "m", "n"]);
        assert!(is_go_test_file(Some(Path::new("x/a_test.go"))));
        assert!(!is_go_test_file(Some(Path::new("x/a_test.go.txt"))));
        assert!(!is_go_test_file(None));
    }

    #[test]
    fn test_items_are_test_functions_and_whole_test_modules() {
        let rs = "fn prod() {}\n#[cfg(test)]\nmod tests {\n    fn helper() {}\n    #[test]\n    fn t() {}\n}\nmod m {\n    fn p() {}\n    #[test]\n    fn u() {}\n}\n";
        let doc = crate::Document::new(Language::Rust, rs, 0);
        let items: Vec<&str> = test_items(Language::Rust, rs, doc.tree().root_node())
            .into_iter()
            .map(|r| rs[r].lines().next().unwrap())
            .collect();
        assert_eq!(items, ["mod tests {", "fn u() {}"]);
        let go = "package p\nimport \"testing\"\nfunc Prod() {}\nfunc Helper(t *testing.T) {}\n";
        let doc = crate::Document::new(Language::Go, go, 0);
        let items: Vec<&str> = test_items(Language::Go, go, doc.tree().root_node())
            .into_iter()
            .map(|r| &go[r])
            .collect();
        assert_eq!(items, ["func Helper(t *testing.T) {}"]);
    }
}
