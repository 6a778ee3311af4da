//! Syntax-tree helpers shared by rules: an iterative pre-order walk (no recursion, so deeply
//! nested input cannot overflow the stack), node text, and call/path extraction.

use tree_sitter::{Node, TreeCursor};

/// Pre-order traversal of a node and its descendants (all nodes, named or not), driven by a
/// [`TreeCursor`]. Call [`Walk::skip_subtree`] after receiving a node to not descend into it, and
/// [`Walk::parent`] for its parent in O(1) (unlike [`Node::parent`], which is O(depth)).
pub struct Walk<'t> {
    cursor: TreeCursor<'t>,
    /// Ancestors of the current node below (and including) the start node, outermost first.
    stack: Vec<Node<'t>>,
    started: bool,
    skip: bool,
    done: bool,
}

impl<'t> Walk<'t> {
    /// Walks `node` and everything below it.
    pub fn new(node: Node<'t>) -> Self {
        Self {
            cursor: node.walk(),
            stack: Vec::new(),
            started: false,
            skip: false,
            done: false,
        }
    }

    /// Do not visit the children of the node most recently returned.
    pub fn skip_subtree(&mut self) {
        self.skip = true;
    }

    /// The parent of the node most recently returned: O(1) from the walk's own stack, except for
    /// the start node, whose parent lies outside the walk ([`Node::parent`], O(depth)).
    pub fn parent(&self) -> Option<Node<'t>> {
        match self.stack.last() {
            Some(p) => Some(*p),
            None => self.cursor.node().parent(),
        }
    }
}

impl<'t> Iterator for Walk<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            return Some(self.cursor.node());
        }
        let skip = std::mem::take(&mut self.skip);
        if !skip {
            let here = self.cursor.node();
            if self.cursor.goto_first_child() {
                self.stack.push(here);
                return Some(self.cursor.node());
            }
        }
        loop {
            if self.cursor.goto_next_sibling() {
                return Some(self.cursor.node());
            }
            if !self.cursor.goto_parent() {
                self.done = true;
                return None;
            }
            self.stack.pop();
        }
    }
}

/// The type written in the `let` that binds `value` — directly or through `?` and `.await`
/// (`let order: Order = serde_json::from_slice(&body)?;` gives `Order` for the call). `None`
/// when the value is not a `let`'s initialiser or the `let` has no type. Rust only.
pub fn let_declared_type(value: Node<'_>) -> Option<Node<'_>> {
    let mut v = value;
    while let Some(p) = v.parent() {
        if matches!(p.kind(), "try_expression" | "await_expression") {
            v = p;
        } else {
            break;
        }
    }
    v.parent()
        .filter(|p| p.kind() == "let_declaration")?
        .child_by_field_name("type")
}

/// Source text of `node`.
pub fn text<'s>(source: &'s str, node: Node<'_>) -> &'s str {
    &source[node.byte_range()]
}

/// `text` with all ASCII whitespace removed (`tokio :: sync` → `tokio::sync`).
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Iterates the ancestors of `node`, nearest first (not including `node`).
///
/// tree-sitter (≥ 0.22) keeps no parent pointers: [`Node::parent`] descends from the root, so it
/// costs O(depth), and calling it in a loop costs O(depth²) — minutes for a node 20,000 levels
/// deep. This function descends from the root once with [`Node::child_with_descendant`] and
/// records the chain: O(depth) (times the children scanned per level) for the whole iteration,
/// whether the caller takes one ancestor or all of them. Prefer it to a `.parent()` loop.
pub fn ancestors(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    ancestor_chain(node).into_iter().rev()
}

/// The ancestors of `node`, root first, nearest last (not including `node`). See [`ancestors`].
pub fn ancestor_chain(node: Node<'_>) -> Vec<Node<'_>> {
    let root = root_of(node);
    let mut chain = Vec::new();
    let mut at = root;
    while at.id() != node.id() {
        chain.push(at);
        match at.child_with_descendant(node) {
            // `child_with_descendant` may return `node` itself: then the chain is complete.
            Some(next) if next.id() != at.id() => at = next,
            _ => break,
        }
    }
    chain
}

/// The root node of the tree `node` belongs to, in O(1).
pub fn root_of(node: Node<'_>) -> Node<'_> {
    let raw = node.into_raw();
    // SAFETY: `raw.tree` is the tree `node` was obtained from; `Node<'t>` borrows that tree for
    // `'t`, so the tree outlives the returned root, which carries the same lifetime. This is what
    // `ts_node_parent` itself does (`ts_tree_root_node(self.tree)`); the binding exposes no safe
    // accessor.
    unsafe { Node::from_raw(tree_sitter::ffi::ts_tree_root_node(raw.tree)) }
}

/// How deep the subtree under a node nests: see [`nesting_depth`].
#[derive(Debug, Clone, Copy)]
pub struct Nesting<'t> {
    /// Number of edges on the longest downward path from the node (0 for a leaf), counting
    /// every node, named or anonymous. A Rust block nested in a block adds 2 (`block` →
    /// `expression_statement` → `block`); a parenthesised expression adds 1.
    pub depth: usize,
    /// The first node (in pre-order) at that depth (read by the tests of the walk).
    #[cfg_attr(not(test), allow(dead_code))]
    pub deepest: Node<'t>,
}

/// Measures the nesting depth of `node`'s subtree with one [`TreeCursor`] walk: O(nodes), no
/// recursion, no parent lookups.
pub fn nesting_depth(node: Node<'_>) -> Nesting<'_> {
    let mut cursor = node.walk();
    let mut depth = 0usize;
    let mut best = Nesting {
        depth: 0,
        deepest: node,
    };
    loop {
        if cursor.goto_first_child() {
            depth += 1;
            if depth > best.depth {
                best = Nesting {
                    depth,
                    deepest: cursor.node(),
                };
            }
            continue;
        }
        loop {
            if depth == 0 {
                return best;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            depth -= 1;
        }
    }
}

/// Named children of `node` as a `Vec` (tree-sitter's iterator borrows a cursor).
pub fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut c = node.walk();
    node.named_children(&mut c).collect()
}

/// Rust: for a `call_expression`, the callee path text with whitespace and turbofish removed
/// (`mpsc::channel::<u8>` → `mpsc::channel`). `None` for method calls (`x.f()`) and closures.
pub fn rust_call_path(source: &str, call: Node<'_>) -> Option<String> {
    let mut f = call.child_by_field_name("function")?;
    if f.kind() == "generic_function" {
        f = f.child_by_field_name("function")?;
    }
    match f.kind() {
        "identifier" | "scoped_identifier" => Some(squash(text(source, f))),
        _ => None,
    }
}

/// Rust: for a `call_expression` whose callee is a `field_expression` (`recv.method(args)`),
/// returns `(receiver, method name node)`.
pub fn rust_method_call<'t>(call: Node<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let mut f = call.child_by_field_name("function")?;
    if f.kind() == "generic_function" {
        f = f.child_by_field_name("function")?;
    }
    if f.kind() != "field_expression" {
        return None;
    }
    Some((
        f.child_by_field_name("value")?,
        f.child_by_field_name("field")?,
    ))
}

/// Go: for a call `recv.Name(args)`, `(Some(recv), "Name")`; for `Name(args)`, `(None, "Name")`.
/// `None` for other callees (`f()()`, `(x)(y)`, generic instantiations keep their base name).
pub fn go_callee<'t, 's>(source: &'s str, call: Node<'t>) -> Option<(Option<Node<'t>>, &'s str)> {
    let mut f = call.child_by_field_name("function")?;
    if f.kind() == "generic_type" || f.kind() == "index_expression" {
        f = f.named_child(0)?;
    }
    match f.kind() {
        "selector_expression" => {
            let op = f.child_by_field_name("operand")?;
            let field = f.child_by_field_name("field")?;
            Some((Some(op), text(source, field)))
        }
        "identifier" => Some((None, text(source, f))),
        "parenthesized_expression" => None,
        _ => None,
    }
}

/// Go: if `expr` is the whole right-hand side of an assignment, short variable declaration or `var`
/// spec (a single value), the matching left-hand expression: `v := expr` → `v`,
/// `a.Version = expr` → `a.Version`. For `a, b := f()` (one call, several results) the first
/// left-hand expression.
pub fn go_assigned_to(expr: Node<'_>) -> Option<Node<'_>> {
    let mut cur = expr;
    while let Some(p) = cur.parent() {
        if p.kind() == "parenthesized_expression" {
            cur = p;
        } else {
            break;
        }
    }
    let list = cur.parent()?;
    match list.kind() {
        "expression_list" => {
            let stmt = list.parent()?;
            let index =
                (0..list.named_child_count()).find(|&i| list.named_child(i) == Some(cur))?;
            match stmt.kind() {
                "short_var_declaration" | "assignment_statement" => {
                    if stmt.child_by_field_name("right") != Some(list) {
                        return None;
                    }
                    let left = stmt.child_by_field_name("left")?;
                    if list.named_child_count() == 1 {
                        left.named_child(0)
                    } else {
                        left.named_child(index)
                    }
                }
                "var_spec" | "const_spec" => {
                    if stmt.child_by_field_name("value") != Some(list) {
                        return None;
                    }
                    stmt.child_by_field_name("name")
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Rust: whether the leaf tokens of `node` outside comments, concatenated without whitespace and
/// lower-cased (`AckKind :: Term` → `ackkind::term`), contain one of `needles` (lower-case).
pub fn code_has(source: &str, node: Node<'_>, needles: &[&str]) -> bool {
    let mut code = String::new();
    let mut w = Walk::new(node);
    while let Some(n) = w.next() {
        if matches!(n.kind(), "line_comment" | "block_comment") {
            w.skip_subtree();
            continue;
        }
        if n.child_count() == 0 {
            code.push_str(text(source, n));
        }
    }
    let code = code.to_ascii_lowercase();
    needles.iter().any(|n| code.contains(n))
}

/// True when `node` lies inside a Rust `async` function or `async` block (stopping at the
/// nearest enclosing closure or function boundary).
pub fn rust_in_async(source: &str, node: Node<'_>) -> bool {
    for a in ancestors(node) {
        match a.kind() {
            "async_block" => return true,
            "closure_expression" => {
                // `async move |x| ...` closures are async too.
                return text(source, a).trim_start().starts_with("async");
            }
            "function_item" => {
                return rust_fn_is_async(source, a);
            }
            _ => {}
        }
    }
    false
}

/// True when a Rust `function_item` is declared `async`.
pub fn rust_fn_is_async(source: &str, f: Node<'_>) -> bool {
    let mut c = f.walk();
    for ch in f.children(&mut c) {
        if ch.kind() == "function_modifiers" {
            return text(source, ch).split_whitespace().any(|w| w == "async");
        }
        if ch.kind() == "fn" {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, Language};

    const RUST: &str = "use std::sync::mpsc;\nmod m {\n    impl X {\n        async fn f(&self) {\n            let v = (1 + (2 * g(|x| { x }))).await;\n            if a { b } else if c { { d } } else { e }\n        }\n    }\n}\nfn broken( { let\n";
    const GO: &str = "package p\n\nfunc f() {\n\tgo func() { x := []int{1, (2)}; _ = x }()\n\tif a { for { b() } }\n}\n";

    fn all_nodes(doc: &Document) -> Vec<Node<'_>> {
        Walk::new(doc.tree().root_node()).collect()
    }

    #[test]
    fn ancestors_equal_the_parent_chain_for_every_node() {
        for (language, text) in [(Language::Rust, RUST), (Language::Go, GO)] {
            let doc = Document::new(language, text, 0);
            let nodes = all_nodes(&doc);
            assert!(nodes.len() > 40);
            for n in nodes {
                let by_parent: Vec<usize> = std::iter::successors(n.parent(), |p| p.parent())
                    .map(|p| p.id())
                    .collect();
                let ours: Vec<usize> = ancestors(n).map(|p| p.id()).collect();
                assert_eq!(ours, by_parent, "{} at {:?}", n.kind(), n.byte_range());
            }
        }
    }

    #[test]
    fn walk_parent_equals_node_parent() {
        for (language, text) in [(Language::Rust, RUST), (Language::Go, GO)] {
            let doc = Document::new(language, text, 0);
            let root = doc.tree().root_node();
            // From the root, and from an inner start node (whose parent is outside the walk).
            let inner = root.named_child(1).unwrap();
            for start in [root, inner] {
                let mut walk = Walk::new(start);
                let mut seen = 0;
                while let Some(n) = walk.next() {
                    assert_eq!(walk.parent().map(|p| p.id()), n.parent().map(|p| p.id()));
                    seen += 1;
                    // Skipping a subtree must keep the stack right for the siblings after it.
                    if n.kind() == "parameters" || n.kind() == "parameter_list" {
                        walk.skip_subtree();
                    }
                }
                assert!(seen > 5);
            }
        }
    }

    #[test]
    fn nesting_depth_is_the_longest_downward_path() {
        for (language, text) in [(Language::Rust, RUST), (Language::Go, GO)] {
            let doc = Document::new(language, text, 0);
            let root = doc.tree().root_node();
            for start in all_nodes(&doc) {
                let base = ancestors(start).count();
                let (depth, deepest) = Walk::new(start)
                    .map(|n| (ancestors(n).count() - base, n))
                    // The first node in pre-order at the greatest depth.
                    .fold((0, start), |best, x| if x.0 > best.0 { x } else { best });
                let got = nesting_depth(start);
                assert_eq!(
                    got.depth,
                    depth,
                    "{} at {:?}",
                    start.kind(),
                    start.byte_range()
                );
                assert_eq!(got.deepest.id(), deepest.id());
            }
            assert!(nesting_depth(root).depth >= 10);
        }
    }
}
