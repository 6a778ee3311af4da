//! Syntax-tree helpers shared by rules: an iterative pre-order walk (no recursion, so deeply
//! nested input cannot overflow the stack), node text, and call/path extraction.

use tree_sitter::{Node, TreeCursor};

/// Pre-order traversal of a node and its descendants (all nodes, named or not), driven by a
/// [`TreeCursor`]. Call [`Walk::skip_subtree`] after receiving a node to not descend into it.
pub struct Walk<'t> {
    cursor: TreeCursor<'t>,
    started: bool,
    skip: bool,
    done: bool,
}

impl<'t> Walk<'t> {
    /// Walks `node` and everything below it.
    pub fn new(node: Node<'t>) -> Self {
        Self {
            cursor: node.walk(),
            started: false,
            skip: false,
            done: false,
        }
    }

    /// Do not visit the children of the node most recently returned.
    pub fn skip_subtree(&mut self) {
        self.skip = true;
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
        if !skip && self.cursor.goto_first_child() {
            return Some(self.cursor.node());
        }
        loop {
            if self.cursor.goto_next_sibling() {
                return Some(self.cursor.node());
            }
            if !self.cursor.goto_parent() {
                self.done = true;
                return None;
            }
        }
    }
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
pub fn ancestors(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    std::iter::successors(node.parent(), |n| n.parent())
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

/// Go: for a `call_expression` whose callee is `pkg.Name`, returns `(pkg, Name)` texts.
pub fn go_selector_call<'s>(source: &'s str, call: Node<'_>) -> Option<(&'s str, &'s str)> {
    let f = call.child_by_field_name("function")?;
    if f.kind() != "selector_expression" {
        return None;
    }
    let operand = f.child_by_field_name("operand")?;
    let field = f.child_by_field_name("field")?;
    Some((text(source, operand), text(source, field)))
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
