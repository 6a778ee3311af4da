//! Helpers shared by the Rust rules beyond [`crate::syntax`]: method calls and call chains,
//! handle names, enclosing functions and loops, identifiers in a subtree, literals.
//!
//! Shared between helpers: add functions, do not change existing signatures (append-only).
//! Nothing here recurses on the syntax tree; subtree scans use [`Walk`].

use tree_sitter::Node;

use crate::rule::Context;
use crate::syntax::{ancestors, text, Walk};
use crate::vocabulary::rust::BROKER_CRATES;

/// A method call `receiver.name::<T>(args)`.
#[derive(Debug, Clone, Copy)]
pub struct MethodCall<'t> {
    /// The whole `call_expression`.
    pub call: Node<'t>,
    /// The receiver expression (left of the dot).
    pub receiver: Node<'t>,
    /// The method name node (`field_identifier`).
    pub name: Node<'t>,
    /// The `arguments` node.
    pub args: Node<'t>,
}

/// `node` as a method call, when it is a `call_expression` whose callee is `recv.name`.
pub fn method_call(node: Node<'_>) -> Option<MethodCall<'_>> {
    if node.kind() != "call_expression" {
        return None;
    }
    let (receiver, name) = crate::syntax::rust_method_call(node)?;
    Some(MethodCall {
        call: node,
        receiver,
        name,
        args: node.child_by_field_name("arguments")?,
    })
}

/// The named argument expressions of an `arguments` node (comments left out).
pub fn args_of(args: Node<'_>) -> Vec<Node<'_>> {
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|n| !n.kind().ends_with("comment") && n.kind() != "attribute_item")
        .collect()
}

/// Strips wrappers that do not change which value an expression names: `&x`, `&mut x`, `*x`,
/// `(x)`, `x?`, `x.await`, `x.clone()`, `x.as_ref()`, `x.deref()`.
pub fn peel<'t>(ctx: &Context<'_>, mut node: Node<'t>) -> Node<'t> {
    loop {
        let next = match node.kind() {
            "reference_expression" => node.child_by_field_name("value"),
            "unary_expression"
            | "parenthesized_expression"
            | "try_expression"
            | "await_expression" => node.named_child(0),
            "call_expression" => match method_call(node) {
                Some(m)
                    if matches!(
                        ctx.text(m.name),
                        "clone" | "as_ref" | "as_mut" | "deref" | "get_ref"
                    ) && args_of(m.args).is_empty() =>
                {
                    Some(m.receiver)
                }
                _ => None,
            },
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return node,
        }
    }
}

/// The name a reviewer would call a handle by: the identifier of `x`, or the last field of
/// `self.db.primary` (`primary`), after [`peel`]ing. `None` for calls, literals and the like.
pub fn handle_name<'s>(ctx: &Context<'s>, expr: Node<'_>) -> Option<&'s str> {
    let e = peel(ctx, expr);
    match e.kind() {
        "identifier" | "self" => Some(ctx.text(e)),
        "field_expression" => e.child_by_field_name("field").map(|f| ctx.text(f)),
        _ => None,
    }
}

/// The method names of a call chain ending at `expr`, outermost first, looking through `.await`
/// and `?` (`a.b().c().await?` → `["c", "b"]`), and the chain's root expression (`a`).
pub fn chain<'t>(ctx: &Context<'_>, expr: Node<'t>) -> (Vec<MethodCall<'t>>, Node<'t>) {
    let mut calls = Vec::new();
    let mut node = expr;
    loop {
        match node.kind() {
            "await_expression" | "try_expression" | "parenthesized_expression" => {
                match node.named_child(0) {
                    Some(n) => node = n,
                    None => break,
                }
            }
            "call_expression" => match method_call(node) {
                Some(m) => {
                    calls.push(m);
                    node = m.receiver;
                }
                None => break,
            },
            _ => break,
        }
    }
    let _ = ctx;
    (calls, node)
}

/// The outermost expression that still denotes the same value as `node` after `.await` and `?`
/// (`x.send()` inside `x.send().await?` → the `try_expression`).
pub fn outer_value(node: Node<'_>) -> Node<'_> {
    let mut n = node;
    while let Some(p) = n.parent() {
        match p.kind() {
            "await_expression" | "try_expression" | "parenthesized_expression" => n = p,
            _ => break,
        }
    }
    n
}

/// The nearest enclosing `function_item` of `node` (not crossing into an outer function when
/// `node` is inside a nested one). Closures do not stop the search.
pub fn enclosing_fn(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|a| a.kind() == "function_item")
}

/// The `function_item`s in `unit` (the unit itself when it is one, and functions nested in it).
pub fn functions(unit: Node<'_>) -> Vec<Node<'_>> {
    Walk::new(unit)
        .filter(|n| n.kind() == "function_item")
        .collect()
}

/// Nodes of `f`'s body that belong to `f` itself: skips nested `function_item`s (but not
/// closures or async blocks, which run as part of `f`'s flow).
pub fn own_nodes(f: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let Some(body) = f.child_by_field_name("body") else {
        return out;
    };
    let mut w = Walk::new(body);
    while let Some(n) = w.next() {
        if n.kind() == "function_item" || n.kind() == "impl_item" || n.kind() == "mod_item" {
            w.skip_subtree();
            continue;
        }
        out.push(n);
    }
    out
}

/// True for loop nodes (`loop`, `while`, `while let`, `for`).
pub fn is_loop(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "loop_expression" | "while_expression" | "for_expression"
    )
}

/// The nearest loop enclosing `node` without crossing a function, closure or async block
/// boundary (a `?` or `return` inside a closure does not leave the outer loop).
pub fn enclosing_loop(node: Node<'_>) -> Option<Node<'_>> {
    for a in ancestors(node) {
        if is_loop(a) {
            return Some(a);
        }
        if is_fn_boundary(a) {
            return None;
        }
    }
    None
}

/// Function-like boundaries: `fn` items, closures, `async` blocks.
pub fn is_fn_boundary(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "function_item" | "closure_expression" | "async_block"
    )
}

/// True when `inner` lies within `outer` (or is it).
pub fn within(inner: Node<'_>, outer: Node<'_>) -> bool {
    inner.start_byte() >= outer.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// Texts of identifiers (`identifier`, `field_identifier`, `type_identifier`) in `node`.
pub fn idents<'s>(ctx: &Context<'s>, node: Node<'_>) -> Vec<&'s str> {
    Walk::new(node)
        .filter(|n| {
            matches!(
                n.kind(),
                "identifier" | "field_identifier" | "type_identifier"
            )
        })
        .map(|n| ctx.text(n))
        .collect()
}

/// True when some identifier in `node`, lower-cased, contains one of `needles`.
pub fn any_ident_contains(ctx: &Context<'_>, node: Node<'_>, needles: &[&str]) -> bool {
    idents(ctx, node).iter().any(|i| name_has(i, needles))
}

/// True when `name`, lower-cased, contains one of `needles` (lower-case).
pub fn name_has(name: &str, needles: &[&str]) -> bool {
    let l = name.to_ascii_lowercase();
    needles.iter().any(|n| l.contains(n))
}

/// True when the text of `node` (lower-cased, including comments, strings and macro bodies)
/// contains one of `needles`. Coarse; use for "is there any sign of X here" checks that keep a
/// rule silent.
pub fn text_has(ctx: &Context<'_>, node: Node<'_>, needles: &[&str]) -> bool {
    name_has(ctx.text(node), needles)
}

/// The value of a plain string literal (`"NX"` → `NX`); `None` for other nodes and raw strings
/// with escapes it does not understand.
pub fn str_lit<'s>(ctx: &Context<'s>, node: Node<'_>) -> Option<&'s str> {
    if node.kind() != "string_literal" {
        return None;
    }
    let t = ctx.text(node);
    t.strip_prefix('"').and_then(|s| s.strip_suffix('"'))
}

/// True for integer/float literals and `SCREAMING_CASE` constants (optionally a path ending in
/// one, `config::TTL_SECS`), and `Duration::from_secs(<that>)`-style wrappers of them.
pub fn is_constant(ctx: &Context<'_>, node: Node<'_>) -> bool {
    let n = peel(ctx, node);
    match n.kind() {
        "integer_literal" | "float_literal" => true,
        "identifier" => is_screaming(ctx.text(n)),
        "scoped_identifier" => n
            .child_by_field_name("name")
            .is_some_and(|x| is_screaming(ctx.text(x))),
        "call_expression" => {
            let Some(path) = crate::syntax::rust_call_path(ctx.source, n) else {
                return false;
            };
            let last = path.rsplit("::").next().unwrap_or("");
            let args = n
                .child_by_field_name("arguments")
                .map(args_of)
                .unwrap_or_default();
            last.starts_with("from_") && args.len() == 1 && is_constant(ctx, args[0])
        }
        "type_cast_expression" => n
            .child_by_field_name("value")
            .is_some_and(|v| is_constant(ctx, v)),
        "binary_expression" => {
            let l = n.child_by_field_name("left");
            let r = n.child_by_field_name("right");
            matches!((l, r), (Some(l), Some(r)) if is_constant(ctx, l) && is_constant(ctx, r))
        }
        _ => false,
    }
}

/// `SCREAMING_CASE` with at least one letter.
pub fn is_screaming(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The identifier bound by a `let` pattern when it is a single name (`x`, `mut x`).
pub fn let_name<'s>(ctx: &Context<'s>, let_decl: Node<'_>) -> Option<&'s str> {
    let p = let_decl.child_by_field_name("pattern")?;
    simple_pattern_name(ctx, p)
}

/// The name of a single-identifier pattern (`x`, `mut x`, `ref x`).
pub fn simple_pattern_name<'s>(ctx: &Context<'s>, p: Node<'_>) -> Option<&'s str> {
    match p.kind() {
        "identifier" => Some(ctx.text(p)),
        "mut_pattern" | "ref_pattern" => {
            let c = p.named_child(p.named_child_count().checked_sub(1)?)?;
            simple_pattern_name(ctx, c)
        }
        _ => None,
    }
}

/// Whether `node` lies inside a macro invocation's token tree (code there is not parsed into
/// expressions, so rules treat it as opaque text).
pub fn in_macro(node: Node<'_>) -> bool {
    ancestors(node).any(|a| a.kind() == "token_tree")
}

/// The resolved full path of a path-like callee or type (`Server::builder` → `tonic::transport::Server::builder`).
pub fn resolved(ctx: &Context<'_>, path: &str) -> String {
    ctx.imports.resolve_rust(path)
}

/// The resolved path of a plain function call (`axum::serve(..)`), if the callee is a path.
pub fn call_target(ctx: &Context<'_>, call: Node<'_>) -> Option<String> {
    let p = crate::syntax::rust_call_path(ctx.source, call)?;
    Some(ctx.imports.resolve_rust(&p))
}

/// True when `a` starts before `b`.
pub fn before(a: Node<'_>, b: Node<'_>) -> bool {
    a.start_byte() < b.start_byte()
}

/// Source text of `node` (convenience re-export for rules that hold only a source).
pub fn src<'s>(source: &'s str, node: Node<'_>) -> &'s str {
    text(source, node)
}

/// True when the file imports one of `crates` (by first path segment of any `use`).
pub fn file_uses_crate(ctx: &Context<'_>, crates: &[&str]) -> bool {
    ctx.imports
        .names
        .values()
        .chain(ctx.imports.globs.iter())
        .any(|p| crates.contains(&p.split("::").next().unwrap_or("")))
}

/// A method call that publishes to a message broker: rdkafka `send(FutureRecord::to(..)/
/// BaseRecord::to(..), ..)`, lapin `basic_publish`, and `publish*(subject, payload)` on a handle
/// named like a client/producer/publisher or in a file that uses a broker crate.
pub fn broker_publish(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let Some(m) = method_call(call) else {
        return false;
    };
    let args = args_of(m.args);
    match ctx.text(m.name) {
        "basic_publish" => true,
        "send" | "send_result" => args.first().is_some_and(|a| {
            let t = ctx.text(*a);
            t.contains("Record::to(") || t.contains("Record::to::<")
        }),
        "publish" | "publish_with_headers" | "publish_with_reply" | "publish_message" => {
            args.len() >= 2
                && (file_uses_crate(ctx, BROKER_CRATES)
                    || handle_name(ctx, m.receiver).is_some_and(|h| {
                        name_has(
                            h,
                            &[
                                "nats",
                                "jetstream",
                                "js",
                                "producer",
                                "publisher",
                                "broker",
                                "kafka",
                                "amqp",
                            ],
                        )
                    }))
        }
        _ => false,
    }
}

/// The loop, closure or function `node` is directly part of: the nearest loop, closure,
/// `async` block or `fn` among its ancestors.
pub fn nearest_frame(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|a| is_loop(*a) || is_fn_boundary(*a))
}

/// The nearest loop enclosing `node`, crossing closures and `async` blocks but not `fn` items
/// (an `unwrap` inside a closure still runs as part of the loop's iteration).
pub fn ancestors_loop(node: Node<'_>) -> Option<Node<'_>> {
    for a in ancestors(node) {
        if is_loop(a) {
            return Some(a);
        }
        if a.kind() == "function_item" {
            return None;
        }
    }
    None
}

/// True when the file is test or benchmark code by Cargo's layout (see
/// [`super::local_flow::is_test_path`]) and test code is not analysed under the configuration.
pub fn skip_test_file(ctx: &Context<'_>) -> bool {
    !ctx.config.include_tests && ctx.path.is_some_and(super::local_flow::is_test_path)
}

/// Like [`text_has`], but over code only: the leaf tokens of `node` outside comments,
/// concatenated without whitespace and lower-cased (`AckKind :: Term` → `ackkind::term`), so a
/// comment that names the missing safeguard ("no outbox here") does not count as having it.
pub fn code_has(ctx: &Context<'_>, node: Node<'_>, needles: &[&str]) -> bool {
    crate::syntax::code_has(ctx.source, node, needles)
}
