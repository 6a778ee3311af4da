//! The module graph of every crate in the workspace: no import cycles between modules, and no
//! import that runs upward against the declared layer order (docs/architecture.md).
//!
//! The graph is read from the sources with `syn` (a Rust parser): every module file reachable
//! from a crate root through `mod` declarations, and in each module every path that names an
//! item of the crate — `use` declarations, paths in code and types, and `crate::`/`super::`
//! paths inside macro calls. Code under `#[cfg(test)]` is left out: tests may use any layer.
//!
//! A path resolves to the deepest module it names; a name that module re-exports (`pub use`)
//! resolves through the re-export when the module is an ancestor of the importer (so
//! `crate::Finding` in a rule is an import of `rule`, not of the crate root). A module may use
//! its ancestors' own items (a folder's `mod.rs` is the front door of its children) and its
//! descendants; every other edge is lifted to the two sibling modules under the nearest common
//! ancestor (`engine::incremental::rerun → facts` is `engine → facts` at the crate root), and
//! sibling edges must form no cycle. At each crate's root the edge must also go down (or
//! across) the layer order declared in [`CRATES`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// One crate: its name, its root file, and its top-level modules in layers, highest first. A
/// module may import modules of its own layer or of lower layers; every top-level module must
/// be listed. Keep in step with docs/architecture.md.
struct CrateSpec {
    name: &'static str,
    root: &'static str,
    layers: &'static [&'static [&'static str]],
}

const CRATES: &[CrateSpec] = &[
    CrateSpec {
        name: "distlint-analysis",
        root: "crates/distlint-analysis/src/lib.rs",
        layers: &[
            // The front door's re-exports live in the root itself; below it:
            &["internals"],
            &["host"],
            &["engine"],
            &["catalog", "config_file"],
            &["rules"],
            &["rule"],
            &["facts"],
            // `vocabulary`: word lists and API tables (data), read by rules and facts.
            &["resolve", "syntax", "textscan", "vocabulary"],
            &["config", "document", "input", "meta", "taxonomy"],
            &["language", "roles", "text"],
        ],
    },
    CrateSpec {
        name: "distlint-server",
        root: "crates/distlint-server/src/lib.rs",
        layers: &[
            &["test_client"],
            &["transport"],
            &["server"],
            &["session", "lint"],
            &["config", "edit"],
        ],
    },
    CrateSpec {
        name: "distlint",
        root: "crates/distlint/src/main.rs",
        layers: &[
            &["check", "explain_path"],
            &["fix", "diff"],
            &["output", "progress"],
            // `report`: the per-file result every output format reads.
            &["report", "walk"],
            &["cli"],
        ],
    },
    CrateSpec {
        name: "distlint-bench",
        root: "crates/distlint-bench/src/lib.rs",
        layers: &[],
    },
];

/// Import cycles that exist while another change is in flight, by the sibling modules that
/// form them (`parent: a -> b -> ... -> a`, as [`find_cycles`] prints them). Each entry must
/// still exist: remove it when the cycle goes.
const ALLOWED_CYCLES: &[&str] = &[];

/// Upward imports allowed while another change is in flight (`crate: from -> to`).
const ALLOWED_UPWARD: &[&str] = &[];

// ---------------------------------------------------------------------------------------------
// The module tree and its references.

/// A module: its path from the crate root (empty for the root) and the file it lives in.
#[derive(Debug)]
struct Module {
    path: Vec<String>,
    file: PathBuf,
    /// Names this module re-exports (`pub use a::b as c` gives `c → a::b`, unresolved).
    reexports: BTreeMap<String, RawPath>,
    /// Every path that may name an item of the crate, unresolved, with where it is.
    refs: Vec<RawPath>,
}

/// A path as written: its segments (`crate`, `super`, `self` or names) in the module it is in.
#[derive(Debug, Clone)]
struct RawPath {
    segments: Vec<String>,
    /// `file:line`, for messages.
    at: String,
}

/// Parses the crate rooted at `root` (a `lib.rs`/`main.rs`) into its modules.
fn load_crate(root: &Path) -> Vec<Module> {
    let root = &root
        .canonicalize()
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let mut modules = Vec::new();
    let source =
        std::fs::read_to_string(root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let file = syn::parse_file(&source).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    let dir = root.parent().unwrap().to_path_buf();
    load_items(&file.items, Vec::new(), root, &dir, &mut modules);
    modules
}

/// Adds the module `path` (whose items are `items`, in `file`; its child module files live in
/// `dir`) and its submodules.
fn load_items(
    items: &[syn::Item],
    path: Vec<String>,
    file: &Path,
    dir: &Path,
    out: &mut Vec<Module>,
) {
    let mut collector = Collector {
        file,
        refs: Vec::new(),
        reexports: BTreeMap::new(),
    };
    let mut children = Vec::new();
    for item in items {
        if is_test_only(item_attrs(item)) {
            continue;
        }
        match item {
            syn::Item::Mod(m) => children.push(m),
            syn::Item::Use(u) if !matches!(u.vis, syn::Visibility::Inherited) => {
                let line = u.use_token.span.start().line;
                collector.reexports_of(&u.tree, Vec::new(), line);
                collector.visit_item(item);
            }
            _ => collector.visit_item(item),
        }
    }
    out.push(Module {
        path: path.clone(),
        file: file.to_path_buf(),
        reexports: collector.reexports,
        refs: collector.refs,
    });
    for m in children {
        let name = m.ident.to_string();
        let mut child = path.clone();
        child.push(name.clone());
        match &m.content {
            Some((_, items)) => load_items(items, child, file, &dir.join(&name), out),
            None => {
                let flat = dir.join(format!("{name}.rs"));
                let (child_file, child_dir) = if flat.exists() {
                    (flat, dir.join(&name))
                } else {
                    (dir.join(&name).join("mod.rs"), dir.join(&name))
                };
                let source = std::fs::read_to_string(&child_file)
                    .unwrap_or_else(|e| panic!("{}: {e}", child_file.display()));
                let parsed = syn::parse_file(&source)
                    .unwrap_or_else(|e| panic!("{}: {e}", child_file.display()));
                load_items(&parsed.items, child, &child_file, &child_dir, out);
            }
        }
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(test)]` (also inside `all(..)`), or `#[test]`.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        if a.path().is_ident("test") {
            return true;
        }
        if !a.path().is_ident("cfg") {
            return false;
        }
        let tokens = match &a.meta {
            syn::Meta::List(l) => l.tokens.to_string(),
            _ => return false,
        };
        tokens == "test" || (tokens.starts_with("all (") && tokens.contains("test"))
    })
}

/// Collects the paths of one module's items (not of its submodules).
struct Collector<'f> {
    file: &'f Path,
    refs: Vec<RawPath>,
    reexports: BTreeMap<String, RawPath>,
}

impl Collector<'_> {
    fn push(&mut self, segments: Vec<String>, line: usize) {
        if !segments.is_empty() {
            let at = format!("{}:{line}", shown(self.file));
            self.refs.push(RawPath { segments, at });
        }
    }

    /// Every path a `use` tree imports (its leaves), calling `f` with the full path and the name
    /// it is imported as (`None` for a glob).
    fn use_leaves(
        tree: &syn::UseTree,
        prefix: Vec<String>,
        f: &mut dyn FnMut(Vec<String>, Option<String>),
    ) {
        match tree {
            syn::UseTree::Path(p) => {
                let mut next = prefix;
                next.push(p.ident.to_string());
                Self::use_leaves(&p.tree, next, f);
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                let mut full = prefix;
                if name != "self" {
                    full.push(name.clone());
                }
                let alias = full.last().cloned();
                f(full, alias);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix;
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                f(full, Some(r.rename.to_string()));
            }
            syn::UseTree::Glob(_) => f(prefix, None),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    Self::use_leaves(t, prefix.clone(), f);
                }
            }
        }
    }

    fn reexports_of(&mut self, tree: &syn::UseTree, prefix: Vec<String>, line: usize) {
        let at = format!("{}:{line}", shown(self.file));
        let mut found = Vec::new();
        Self::use_leaves(tree, prefix, &mut |full, alias| {
            if let Some(alias) = alias {
                found.push((alias, full));
            }
        });
        for (alias, segments) in found {
            self.reexports.insert(
                alias,
                RawPath {
                    segments,
                    at: at.clone(),
                },
            );
        }
    }

    /// `crate :: a :: b`, `super :: a`, `self :: a` sequences in a macro's tokens.
    fn macro_paths(&mut self, tokens: proc_macro2::TokenStream) {
        let tokens: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                proc_macro2::TokenTree::Group(g) => self.macro_paths(g.stream()),
                proc_macro2::TokenTree::Ident(id)
                    if id == "crate" || id == "super" || id == "self" =>
                {
                    let line = id.span().start().line;
                    let mut segments = vec![id.to_string()];
                    let mut j = i + 1;
                    // `:: name` repeated (a path separator is two `:` punctuation tokens).
                    while j + 2 < tokens.len() && is_colon(&tokens[j]) && is_colon(&tokens[j + 1]) {
                        match &tokens[j + 2] {
                            proc_macro2::TokenTree::Ident(n) => {
                                segments.push(n.to_string());
                                j += 3;
                            }
                            _ => break,
                        }
                    }
                    if segments.len() > 1 {
                        self.push(segments, line);
                    }
                    i = j;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// A file's path relative to the workspace root, for messages.
fn shown(file: &Path) -> String {
    let root = workspace_root()
        .canonicalize()
        .unwrap_or_else(|_| workspace_root());
    file.strip_prefix(&root)
        .unwrap_or(file)
        .display()
        .to_string()
}

fn is_colon(t: &proc_macro2::TokenTree) -> bool {
    matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ':')
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if is_test_only(item_attrs(item)) {
            return;
        }
        // (An inline module inside a function body counts as part of this module: rare.)
        syn::visit::visit_item(self, item);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let line = u.use_token.span.start().line;
        let mut leaves = Vec::new();
        Self::use_leaves(&u.tree, Vec::new(), &mut |full, _| leaves.push(full));
        for l in leaves {
            self.push(l, line);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = p
            .segments
            .first()
            .map(|s| s.ident.span().start().line)
            .unwrap_or(0);
        self.push(segments, line);
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.macro_paths(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }
}

// ---------------------------------------------------------------------------------------------
// Resolution and the graph.

/// The crate's module graph: for each module (by path), the modules its paths resolve to.
struct Graph {
    modules: BTreeMap<Vec<String>, Module>,
    /// `(from, to) → one place the edge comes from`.
    edges: BTreeMap<(Vec<String>, Vec<String>), String>,
}

impl Graph {
    fn build(modules: Vec<Module>) -> Graph {
        let modules: BTreeMap<Vec<String>, Module> =
            modules.into_iter().map(|m| (m.path.clone(), m)).collect();
        let mut edges = BTreeMap::new();
        for (path, m) in &modules {
            for r in &m.refs {
                if let Some(target) = resolve(&modules, path, &r.segments, 0) {
                    if &target != path {
                        edges
                            .entry((path.clone(), target))
                            .or_insert_with(|| r.at.clone());
                    }
                }
            }
        }
        Graph { modules, edges }
    }
}

/// The module a path written in module `from` names, or `None` when it names nothing of the
/// crate (a local, an extern crate, a primitive type).
fn resolve(
    modules: &BTreeMap<Vec<String>, Module>,
    from: &[String],
    segments: &[String],
    hops: usize,
) -> Option<Vec<String>> {
    if hops > 8 {
        return None;
    }
    let (mut at, rest): (Vec<String>, &[String]) = match segments.first()?.as_str() {
        "crate" => (Vec::new(), &segments[1..]),
        "self" => (from.to_vec(), &segments[1..]),
        "super" => {
            let mut at = from.to_vec();
            let mut rest = segments;
            while rest.first().map(String::as_str) == Some("super") {
                at.pop()?;
                rest = &rest[1..];
            }
            (at, rest)
        }
        first => {
            // A relative path: a child module of `from`, or (2018+ at the crate root) a
            // top-level module; anything else is not ours.
            let mut child = from.to_vec();
            child.push(first.to_string());
            if !modules.contains_key(&child) {
                return None;
            }
            (from.to_vec(), segments)
        }
    };
    let mut i = 0;
    while i < rest.len() {
        let mut next = at.clone();
        next.push(rest[i].clone());
        if modules.contains_key(&next) {
            at = next;
            i += 1;
        } else {
            break;
        }
    }
    // A name re-exported by an ancestor of the importer (or the importer's parent chain's
    // root): follow it to where it is defined.
    if i < rest.len() && from.starts_with(&at) {
        if let Some(re) = modules.get(&at).and_then(|m| m.reexports.get(&rest[i])) {
            if let Some(target) = resolve(modules, &at, &re.segments, hops + 1) {
                return Some(target);
            }
        }
    }
    Some(at)
}

/// Sibling edges `parent → [(a, b, where)]`: each edge that is neither to an ancestor nor to a
/// descendant, lifted to the two children of the nearest common ancestor.
fn sibling_edges(graph: &Graph) -> BTreeMap<Vec<String>, BTreeSet<(String, String, String)>> {
    let mut out: BTreeMap<Vec<String>, BTreeSet<(String, String, String)>> = BTreeMap::new();
    for ((from, to), at) in &graph.edges {
        if from.starts_with(to) || to.starts_with(from) {
            continue;
        }
        let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        let parent = from[..common].to_vec();
        let a = from[common].clone();
        let b = to[common].clone();
        let entry = out.entry(parent).or_default();
        if !entry.iter().any(|(x, y, _)| *x == a && *y == b) {
            entry.insert((
                a,
                b,
                format!("{} ({} -> {})", at, from.join("::"), to.join("::")),
            ));
        }
    }
    out
}

/// The cycles of a directed graph given by its edges, one per strongly connected component of
/// more than one node: `a -> b -> ... -> a` through the component, nodes sorted so the first
/// is the smallest.
fn find_cycles(edges: &[(String, String)]) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let succ = |n: &String| -> Vec<&String> {
        edges
            .iter()
            .filter(|(a, _)| a == n)
            .map(|(_, b)| b)
            .collect()
    };
    // Reachability by repeated search: the graphs are small (tens of nodes).
    let reach = |from: &String| -> BTreeSet<&String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            for s in succ(n) {
                if seen.insert(s) {
                    stack.push(s);
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<&String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut cycles = Vec::new();
    for &n in &nodes {
        if done.contains(n) || !reach[n].contains(n) {
            continue;
        }
        let component: Vec<&String> = nodes
            .iter()
            .copied()
            .filter(|m| reach[n].contains(m) && reach[*m].contains(n))
            .collect();
        done.extend(component.iter().copied());
        // A cycle through the component from its smallest node: a shortest path back to it.
        let start = component[0];
        let mut prev: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut back = None;
        'bfs: while let Some(x) = queue.pop_front() {
            for s in succ(x) {
                if !component.contains(&s) {
                    continue;
                }
                if s == start {
                    back = Some(x);
                    break 'bfs;
                }
                if !prev.contains_key(s) {
                    prev.insert(s, x);
                    queue.push_back(s);
                }
            }
        }
        let mut path = vec![start.clone()];
        let mut x = back.expect("a node of a cycle reaches itself");
        let mut rev = vec![x.clone()];
        while x != start {
            x = prev[x];
            if x != start {
                rev.push(x.clone());
            }
        }
        rev.reverse();
        path.extend(rev);
        path.push(start.clone());
        cycles.push(path);
    }
    cycles
}

/// The upward edges at a crate's root: `from -> to` where `to` is in a higher layer than
/// `from`, and the top-level modules not placed in any layer.
fn upward(
    spec: &CrateSpec,
    root_edges: &BTreeSet<(String, String, String)>,
    top_level: &BTreeSet<String>,
) -> (Vec<String>, Vec<String>) {
    let layer = |m: &str| spec.layers.iter().position(|l| l.contains(&m));
    let unplaced = top_level
        .iter()
        .filter(|m| layer(m).is_none())
        .cloned()
        .collect();
    let up = root_edges
        .iter()
        .filter(|(a, b, _)| matches!((layer(a), layer(b)), (Some(x), Some(y)) if y < x))
        .map(|(a, b, at)| format!("{}: {a} -> {b} at {at}", spec.name))
        .collect();
    (up, unplaced)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cycle_name(parent: &[String], cycle: &[String]) -> String {
    let parent = if parent.is_empty() {
        "crate".to_string()
    } else {
        parent.join("::")
    };
    format!("{parent}: {}", cycle.join(" -> "))
}

#[test]
fn no_import_cycles_and_no_upward_imports() {
    let mut cycles_found = Vec::new();
    let mut upward_found = Vec::new();
    let mut problems = Vec::new();
    let mut modules_seen = 0;
    for spec in CRATES {
        let modules = load_crate(&workspace_root().join(spec.root));
        modules_seen += modules.len();
        let graph = Graph::build(modules);
        let siblings = sibling_edges(&graph);
        for (parent, edges) in &siblings {
            let pairs: Vec<(String, String)> = edges
                .iter()
                .map(|(a, b, _)| (a.clone(), b.clone()))
                .collect();
            for cycle in find_cycles(&pairs) {
                let name = format!("{}/{}", spec.name, cycle_name(parent, &cycle));
                let evidence: Vec<String> = cycle
                    .windows(2)
                    .filter_map(|w| {
                        edges
                            .iter()
                            .find(|(a, b, _)| *a == w[0] && *b == w[1])
                            .map(|(_, _, at)| format!("    {at}"))
                    })
                    .collect();
                cycles_found.push((name, evidence.join("\n")));
            }
        }
        if !spec.layers.is_empty() {
            let top: BTreeSet<String> = graph
                .modules
                .keys()
                .filter(|p| p.len() == 1)
                .map(|p| p[0].clone())
                .collect();
            let empty = BTreeSet::new();
            let (up, unplaced) = upward(spec, siblings.get(&Vec::new()).unwrap_or(&empty), &top);
            upward_found.extend(up);
            for m in unplaced {
                problems.push(format!(
                    "{}: top-level module `{m}` is in no layer; add it to CRATES and docs/architecture.md",
                    spec.name
                ));
            }
        }
    }
    assert!(modules_seen > 100, "only {modules_seen} modules found");
    for (name, evidence) in &cycles_found {
        if !ALLOWED_CYCLES.contains(&name.as_str()) {
            problems.push(format!("import cycle {name}\n{evidence}"));
        }
    }
    for allowed in ALLOWED_CYCLES {
        if !cycles_found.iter().any(|(n, _)| n == allowed) {
            problems.push(format!(
                "allowed cycle `{allowed}` is gone: remove it from ALLOWED_CYCLES"
            ));
        }
    }
    for up in &upward_found {
        let key = up.split(" at ").next().unwrap();
        if !ALLOWED_UPWARD.contains(&key) {
            problems.push(format!("upward import {up}"));
        }
    }
    for allowed in ALLOWED_UPWARD {
        if !upward_found
            .iter()
            .any(|u| u.split(" at ").next() == Some(allowed))
        {
            problems.push(format!(
                "allowed upward import `{allowed}` is gone: remove it from ALLOWED_UPWARD"
            ));
        }
    }
    if std::env::var_os("DISTLINT_PRINT_GRAPH").is_some() {
        for spec in CRATES {
            let graph = Graph::build(load_crate(&workspace_root().join(spec.root)));
            for (parent, edges) in sibling_edges(&graph) {
                for (a, b, at) in edges {
                    eprintln!("{} [{}] {a} -> {b}   {at}", spec.name, parent.join("::"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The checker on small synthetic graphs: it must see what it is meant to see.

fn module(path: &[&str], refs: &[&[&str]], reexports: &[(&str, &[&str])]) -> Module {
    let seg = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    Module {
        path: seg(path),
        file: PathBuf::from(format!("{}.rs", path.join("/"))),
        reexports: reexports
            .iter()
            .map(|(n, p)| {
                (
                    n.to_string(),
                    RawPath {
                        segments: seg(p),
                        at: "x".into(),
                    },
                )
            })
            .collect(),
        refs: refs
            .iter()
            .map(|r| RawPath {
                segments: seg(r),
                at: format!("{}.rs:1", path.join("/")),
            })
            .collect(),
    }
}

#[test]
fn the_checker_finds_a_cycle_between_siblings_and_lifts_deep_edges() {
    // a::x uses b (through a re-export at the root), b uses a::y: a cycle a -> b -> a at the
    // root; a::x -> a (its parent) and a -> a::y (a child) are not cycles.
    let graph = Graph::build(vec![
        module(&[], &[], &[("Thing", &["b", "Thing"])]),
        module(&["a"], &[&["self", "y", "f"]], &[]),
        module(&["a", "x"], &[&["crate", "Thing"], &["super", "g"]], &[]),
        module(&["a", "y"], &[], &[]),
        module(&["b"], &[&["crate", "a", "y", "h"], &["std", "fmt"]], &[]),
        module(&["c"], &[&["crate", "b", "k"]], &[]),
    ]);
    let siblings = sibling_edges(&graph);
    let root: Vec<(String, String)> = siblings[&Vec::new()]
        .iter()
        .map(|(a, b, _)| (a.clone(), b.clone()))
        .collect();
    assert_eq!(
        root,
        [("a", "b"), ("b", "a"), ("c", "b")].map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(
        siblings.len(),
        1,
        "parent/child edges are not sibling edges"
    );
    let cycles = find_cycles(&root);
    assert_eq!(cycles, vec![vec!["a".to_string(), "b".into(), "a".into()]]);
    assert_eq!(cycle_name(&[], &cycles[0]), "crate: a -> b -> a");
}

#[test]
fn the_checker_finds_longer_cycles_and_none_in_a_dag() {
    let e = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let dag = e(&[("a", "b"), ("b", "c"), ("a", "c"), ("d", "a")]);
    assert!(find_cycles(&dag).is_empty());
    let three = e(&[
        ("a", "b"),
        ("b", "c"),
        ("c", "a"),
        ("c", "d"),
        ("x", "y"),
        ("y", "x"),
    ]);
    let cycles = find_cycles(&three);
    assert_eq!(cycles.len(), 2, "{cycles:?}");
    assert_eq!(cycles[0], ["a", "b", "c", "a"]);
    assert_eq!(cycles[1], ["x", "y", "x"]);
}

#[test]
fn the_checker_reports_upward_imports_and_unplaced_modules() {
    static SPEC: CrateSpec = CrateSpec {
        name: "t",
        root: "",
        layers: &[&["top"], &["mid"], &["low"]],
    };
    let edges: BTreeSet<(String, String, String)> =
        [("low", "top"), ("top", "low"), ("mid", "mid2")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string(), "f.rs:1".to_string()))
            .collect();
    let top: BTreeSet<String> = ["top", "mid", "low", "new"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (up, unplaced) = upward(&SPEC, &edges, &top);
    assert_eq!(up, ["t: low -> top at f.rs:1"]);
    assert_eq!(unplaced, ["new"]);
}

#[test]
fn test_code_and_paths_in_macros_are_read_as_expected() {
    let src = r#"
        use crate::a::{b, c::D as E};
        pub use crate::z::Q;
        fn f() { let _ = format!("{}", crate::m::n()); super::s::t(); }
        #[cfg(test)]
        mod tests { use crate::hidden::X; }
        #[cfg(test)]
        fn only_in_tests() { crate::hidden2::y(); }
    "#;
    let file = syn::parse_file(src).unwrap();
    let mut out = Vec::new();
    let dir = PathBuf::from("/nonexistent");
    load_items(&file.items, vec![], Path::new("t.rs"), &dir, &mut out);
    let refs: BTreeSet<String> = out[0].refs.iter().map(|r| r.segments.join("::")).collect();
    for want in [
        "crate::a::b",
        "crate::a::c::D",
        "crate::z::Q",
        "crate::m::n",
        "super::s::t",
    ] {
        assert!(refs.contains(want), "{want} in {refs:?}");
    }
    assert!(!refs.iter().any(|r| r.contains("hidden")), "{refs:?}");
    assert_eq!(out[0].reexports["Q"].segments, ["crate", "z", "Q"]);
    assert_eq!(out.len(), 1, "the test module is not loaded");
}
