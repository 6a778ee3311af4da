//! Function-local data flow helpers shared by the Rust lock, timeout, retry, fan-out and clock
//! rules: where a variable is bound, which statements follow a statement in its block, where the
//! `.await` points of one future are, and what type a lock receiver has.
//!
//! Everything here is syntactic and stays inside one file: types are read from annotations,
//! struct field declarations, `static`s, type aliases and constructor calls visible in the file,
//! and paths are resolved through the file's `use` declarations ([`crate::resolve::Imports`]).
//! Nothing recurses on the syntax tree: walks use [`Walk`] or explicit loops.

use tree_sitter::Node;

use crate::facts::{TypeRef, TypeToken};
use crate::rule::Context;
use crate::syntax::{ancestors, rust_call_path, rust_method_call, squash, Walk};
use crate::vocabulary::rust::{AWAITING_MACROS, TEST_SUPPORT_DIRS};

/// Node kinds that start a new function body or future: an `.await` inside one of them does not
/// suspend the enclosing future, and a variable declared in one is not visible outside.
pub fn is_body_boundary(kind: &str) -> bool {
    matches!(
        kind,
        "closure_expression" | "async_block" | "function_item" | "const_block"
    )
}

/// An await point: the byte offset of the `await` keyword (or of a macro that awaits) and the
/// node it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct AwaitPoint<'t> {
    /// Byte offset of the `await` keyword, or of the start of an awaiting macro invocation.
    pub at: usize,
    /// The `await_expression` or `macro_invocation` node.
    pub node: Node<'t>,
}

/// The await points of the future that `scope` belongs to, in source order: `.await` expressions
/// and macro invocations that await (`select!`, `join!`, or whose tokens contain `.await`), not
/// descending into closures, `async` blocks or nested functions (other futures) other than `scope`
/// itself.
pub fn await_points<'t>(source: &str, scope: Node<'t>) -> Vec<AwaitPoint<'t>> {
    let mut out = Vec::new();
    let mut walk = Walk::new(scope);
    while let Some(n) = walk.next() {
        if n.id() != scope.id() && is_body_boundary(n.kind()) {
            walk.skip_subtree();
            continue;
        }
        match n.kind() {
            "await_expression" => {
                let kw = last_child_with_text(source, n, "await")
                    .map(|k| k.start_byte())
                    .unwrap_or(n.end_byte());
                out.push(AwaitPoint { at: kw, node: n });
            }
            "macro_invocation" => {
                let name = n
                    .child_by_field_name("macro")
                    .map(|m| squash(&source[m.byte_range()]))
                    .unwrap_or_default();
                let last = name.rsplit("::").next().unwrap_or("");
                let awaits = AWAITING_MACROS.contains(&last)
                    || Walk::new(n)
                        .any(|t| t.child_count() == 0 && &source[t.byte_range()] == "await");
                if awaits {
                    out.push(AwaitPoint {
                        at: n.start_byte(),
                        node: n,
                    });
                }
                walk.skip_subtree();
            }
            _ => {}
        }
    }
    out.sort_by_key(|a| a.at);
    out
}

fn last_child_with_text<'t>(source: &str, n: Node<'t>, t: &str) -> Option<Node<'t>> {
    let mut c = n.walk();
    let kids: Vec<Node<'t>> = n.children(&mut c).collect();
    kids.into_iter()
        .rev()
        .find(|k| &source[k.byte_range()] == t)
}

/// The names an (irrefutable or refutable) pattern binds, with their nodes.
pub fn pattern_bindings<'t>(source: &str, pattern: Node<'t>) -> Vec<(String, Node<'t>)> {
    let mut out = Vec::new();
    let mut walk = Walk::new(pattern);
    while let Some(n) = walk.next() {
        match n.kind() {
            "identifier" => {
                // `Some(x)`: the `type` field of a tuple-struct pattern is a path, not a binding.
                let is_path = n.parent().is_some_and(|p| {
                    (p.kind() == "tuple_struct_pattern" || p.kind() == "struct_pattern")
                        && p.child_by_field_name("type").map(|t| t.id()) == Some(n.id())
                }) || n.parent().is_some_and(|p| p.kind() == "scoped_identifier");
                let t = &source[n.byte_range()];
                let first_upper = t.chars().next().is_some_and(|c| c.is_uppercase());
                if !is_path && !first_upper {
                    out.push((t.to_string(), n));
                }
            }
            "scoped_identifier" | "type_identifier" | "field_identifier" => walk.skip_subtree(),
            _ => {}
        }
    }
    out
}

/// Finds the binding of variable `name` visible at byte `at` inside `func` (a function item):
/// the last `let` before `at` whose pattern binds `name`, or else a parameter. Returns the
/// binding site: a `let_declaration` or a `parameter`.
pub fn find_binding<'t>(source: &str, func: Node<'t>, name: &str, at: usize) -> Option<Node<'t>> {
    let mut best: Option<Node<'t>> = None;
    let mut walk = Walk::new(func);
    while let Some(n) = walk.next() {
        if n.start_byte() >= at {
            break;
        }
        match n.kind() {
            "let_declaration" => {
                if n.end_byte() > at {
                    // `at` is inside this let's own initializer: the binding is not visible yet.
                    continue;
                }
                // Only if the let's block is still open at `at`.
                let block_open = n.parent().is_some_and(|b| b.end_byte() > at);
                if !block_open {
                    continue;
                }
                if let Some(p) = n.child_by_field_name("pattern") {
                    if pattern_bindings(source, p).iter().any(|(b, _)| b == name) {
                        best = Some(n);
                    }
                }
            }
            "parameter" => {
                let covers = n
                    .parent()
                    .and_then(|p| p.parent())
                    .is_some_and(|f| f.start_byte() <= at && f.end_byte() > at);
                if covers {
                    if let Some(p) = n.child_by_field_name("pattern") {
                        if pattern_bindings(source, p).iter().any(|(b, _)| b == name) {
                            // Later lets shadow parameters; parameters come first in the walk.
                            if best.is_none_or(|b| b.kind() == "parameter") {
                                best = Some(n);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    best
}

/// The statements of `block` that follow `stmt` (its direct children), in order. Includes the
/// block's tail expression.
pub fn following_statements<'t>(block: Node<'t>, stmt: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut s = stmt.next_named_sibling();
    while let Some(n) = s {
        if !matches!(n.kind(), "line_comment" | "block_comment") {
            out.push(n);
        }
        s = n.next_named_sibling();
    }
    let _ = block;
    out
}

/// Uses of variable `name` in `node` as `(byte offset, identifier node)`, in source order,
/// including inside macro token trees and inline format arguments (`"{name}"`, `"{name:?}"`).
/// Descends into closures and async blocks (captures are uses).
pub fn uses_of<'t>(source: &str, node: Node<'t>, name: &str) -> Vec<(usize, Node<'t>)> {
    let mut out = Vec::new();
    for n in Walk::new(node) {
        match n.kind() {
            "identifier" if &source[n.byte_range()] == name => {
                // `x.name` is a field, not the variable; field_identifier has its own kind.
                out.push((n.start_byte(), n));
            }
            "string_content" | "string_literal"
                if n.parent().is_some_and(|p| p.kind() == "token_tree")
                    || n.parent()
                        .and_then(|p| p.parent())
                        .is_some_and(|p| p.kind() == "token_tree") =>
            {
                let t = &source[n.byte_range()];
                if t.contains(&format!("{{{name}}}")) || t.contains(&format!("{{{name}:")) {
                    out.push((n.start_byte(), n));
                }
            }
            _ => {}
        }
    }
    out.dedup_by_key(|(p, _)| *p);
    out
}

/// Indentation (spaces/tabs) of the line on which byte `at` lies, and whether only whitespace
/// precedes `at` on that line.
pub fn line_indent(source: &str, at: usize) -> (String, bool) {
    let line_start = source[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let before = &source[line_start..at];
    let indent: String = before
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let only_ws = before.chars().all(|c| c == ' ' || c == '\t');
    (indent, only_ws)
}

/// Strips wrappers that do not change which object an expression denotes for type purposes:
/// parentheses, `&`/`&mut`, `*`, `.clone()`, `Arc::clone(&x)`, `.as_ref()`.
pub fn strip_transparent<'t>(ctx: &Context<'_>, mut e: Node<'t>) -> Node<'t> {
    for _ in 0..16 {
        match e.kind() {
            "parenthesized_expression" | "reference_expression" | "unary_expression" => {
                match e.named_child(e.named_child_count().saturating_sub(1)) {
                    Some(inner) => e = inner,
                    None => return e,
                }
            }
            "call_expression" => {
                if let Some((recv, m)) = rust_method_call(e) {
                    let args_empty = e
                        .child_by_field_name("arguments")
                        .is_some_and(|a| a.named_child_count() == 0);
                    if args_empty && matches!(ctx.text(m), "clone" | "as_ref" | "deref") {
                        e = recv;
                        continue;
                    }
                    return e;
                }
                let path = rust_call_path(ctx.source, e).unwrap_or_default();
                if path.ends_with("::clone") {
                    let full = ctx.imports.resolve_rust(&path);
                    if matches!(
                        full.as_str(),
                        "std::sync::Arc::clone" | "std::rc::Rc::clone" | "Arc::clone" | "Rc::clone"
                    ) {
                        if let Some(a) = e
                            .child_by_field_name("arguments")
                            .and_then(|a| a.named_child(0))
                        {
                            e = a;
                            continue;
                        }
                    }
                }
                return e;
            }
            _ => return e,
        }
    }
    e
}

/// The declared types of the struct (enum variant, union) fields named `field` anywhere in this
/// file, in source order, from the file facts ([`crate::facts`]; no walk of the file).
pub fn struct_field_types<'c>(ctx: &'c Context<'_>, field: &str) -> &'c [TypeRef] {
    ctx.facts().field_types(field)
}

/// The declared type of the first file-level (not in a function body) `static`/`const` named
/// `name`, if any, from the file facts.
pub fn static_type<'c>(ctx: &'c Context<'_>, name: &str) -> Option<&'c TypeRef> {
    ctx.facts().static_type(name)
}

/// The aliased type of the first `type Name = ...;` declared in this file outside function
/// bodies, from the file facts.
pub fn type_alias<'c>(ctx: &'c Context<'_>, name: &str) -> Option<&'c TypeRef> {
    ctx.facts().type_alias(name)
}

/// The type names mentioned by a type (a [`TypeRef`], e.g. `TypeRef::of(ctx.source, node)`),
/// outermost first, as resolved full paths (`Arc<Mutex<u8>>` with `use std::sync::{Arc,
/// Mutex}` → `["std::sync::Arc", "std::sync::Mutex"]`). Local type aliases are expanded (up to 4
/// levels).
pub fn type_names(ctx: &Context<'_>, ty: &TypeRef) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Vec<(&TypeRef, usize)> = vec![(ty, 0)];
    // Process in order: a stack of types to expand, each read in pre-order.
    while let Some((t, depth)) = pending.pop() {
        let mut local = Vec::new();
        for token in &t.tokens {
            match token {
                TypeToken::Path(path) => out.push(ctx.imports.resolve_rust(path)),
                TypeToken::Name(name) => {
                    let resolved = ctx.imports.resolve_rust(name);
                    if depth < 4 && !ctx.imports.names.contains_key(name) {
                        if let Some(alias) = type_alias(ctx, name) {
                            local.push((alias, depth + 1));
                            continue;
                        }
                    }
                    out.push(resolved);
                }
            }
        }
        // Aliases are expanded after the names around them; good enough for "first lock type".
        for l in local.into_iter().rev() {
            pending.push(l);
        }
    }
    out
}

/// A `Duration` of `secs` seconds spelled so it compiles in this file: `Duration::from_secs(N)`
/// when `Duration` is imported from `std::time`/`core::time`/`tokio::time`, otherwise the full
/// path `std::time::Duration::from_secs(N)` (no import needed).
pub fn duration_expr(ctx: &Context<'_>, secs: u64) -> String {
    let imported = matches!(
        ctx.imports.resolve_rust("Duration").as_str(),
        "std::time::Duration" | "core::time::Duration" | "tokio::time::Duration"
    );
    if imported {
        format!("Duration::from_secs({secs})")
    } else {
        format!("std::time::Duration::from_secs({secs})")
    }
}

/// Climbs a method chain upward from `start` (a call or path expression that produces a
/// builder): returns the method calls applied to it in order (`x.a().b()` from `x` →
/// `[a, b]`), looking through `?` and `.await`, and the outermost expression of the chain.
pub fn chain_up<'t>(start: Node<'t>) -> (Vec<Node<'t>>, Node<'t>) {
    let mut names = Vec::new();
    let mut top = start;
    loop {
        let Some(p) = top.parent() else { break };
        match p.kind() {
            "try_expression" | "await_expression" => top = p,
            "field_expression"
                if p.child_by_field_name("value").map(|v| v.id()) == Some(top.id()) =>
            {
                let Some(call) = p.parent().filter(|c| c.kind() == "call_expression") else {
                    break;
                };
                let Some(name) = p.child_by_field_name("field") else {
                    break;
                };
                names.push(name);
                top = call;
            }
            _ => break,
        }
    }
    (names, top)
}

/// For a builder value `top` bound by `let name = <top>;`, the method chains applied later in
/// the same function to `name` (each as the list of method-name nodes), including through
/// reassignments `name = name.x();` and shadowing `let name = name.x();`. A use that is not a
/// method call on `name` (passed to a function, stored) yields an empty chain. `None` when `top` is not the initializer of a plain `let`.
pub fn chains_on_let_variable<'t>(ctx: &Context<'_>, top: Node<'t>) -> Option<Vec<Vec<Node<'t>>>> {
    let let_decl = top.parent().filter(|p| p.kind() == "let_declaration")?;
    if let_decl.child_by_field_name("value").map(|v| v.id()) != Some(top.id()) {
        return None;
    }
    let pat = let_decl.child_by_field_name("pattern")?;
    if pat.kind() != "identifier" {
        return None;
    }
    let name = ctx.text(pat);
    let scope = let_decl.parent()?;
    let mut out = Vec::new();
    for n in Walk::new(scope) {
        if n.start_byte() < let_decl.end_byte() || n.kind() != "identifier" || ctx.text(n) != name {
            continue;
        }
        // Binding sites are not uses: `name = ..` (left side) and `let name = ..` (shadowing).
        let is_target = n.parent().is_some_and(|p| {
            (p.kind() == "assignment_expression"
                && p.child_by_field_name("left").map(|l| l.id()) == Some(n.id()))
                || (p.kind() == "let_declaration"
                    && p.child_by_field_name("pattern").map(|l| l.id()) == Some(n.id()))
        });
        if is_target {
            continue;
        }
        let (names, _) = chain_up(n);
        out.push(names);
    }
    Some(out)
}

/// True when `path` is test or benchmark code by Cargo's layout: under a `tests/` or `benches/`
/// (or `bench*`) directory with no `src/` below it (so `tests/examples/svc/src/x.rs` is not test
/// code), under a test-support directory (`test_helpers/`, `testing/`, ...), or a file named
/// `tests.rs`/`test.rs`/`*_test.rs`/`*_tests.rs` (the body of a `#[cfg(test)] mod tests;`).
pub fn is_test_path(path: &std::path::Path) -> bool {
    let comps: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let Some((file, dirs)) = comps.split_last() else {
        return false;
    };
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    if matches!(stem, "tests" | "test") || stem.ends_with("_test") || stem.ends_with("_tests") {
        return true;
    }
    for (i, d) in dirs.iter().enumerate() {
        if TEST_SUPPORT_DIRS.contains(&d.as_str()) {
            return true;
        }
        if matches!(d.as_str(), "tests" | "test") || d.starts_with("bench") {
            if !dirs[i + 1..].iter().any(|x| x == "src") {
                return true;
            }
        }
    }
    false
}

/// True when `node` is test code the engine's attribute check does not recognise: inside an item
/// under `#[cfg(all(.., test))]` (e.g. `#[cfg(all(feature = "tokio", test))]`), or in a file
/// that [`is_test_path`]. Always `false` when the configuration includes tests.
pub fn is_test_code(ctx: &Context<'_>, node: Node<'_>) -> bool {
    if ctx.config.include_tests {
        return false;
    }
    if ctx.path.is_some_and(is_test_path) {
        return true;
    }
    for a in std::iter::once(node).chain(ancestors(node)) {
        if !matches!(a.kind(), "mod_item" | "function_item" | "impl_item") {
            continue;
        }
        let mut prev = a.prev_named_sibling();
        while let Some(p) = prev {
            if p.kind() != "attribute_item" && !p.kind().ends_with("comment") {
                break;
            }
            if p.kind() == "attribute_item" {
                let t = squash(ctx.text(p));
                if t.starts_with("#[cfg(")
                    && !t.contains("not(test")
                    && !t.starts_with("#[cfg(any(")
                    && t.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .any(|w| w == "test")
                {
                    return true;
                }
            }
            prev = p.prev_named_sibling();
        }
    }
    false
}
