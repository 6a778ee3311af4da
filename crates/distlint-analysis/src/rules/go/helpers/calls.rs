//! Calls, package members and types, matched through the file's imports (`pkg.Member(...)`,
//! `*pkg.Type`), and call shapes (callee, receiver, arguments).

use tree_sitter::Node;

use crate::rule::Context;
use crate::syntax::{named_children, Walk};

use super::callee;

/// The method or function name of a call (`Name` in `a.b.Name(x)` or `Name(x)`).
pub fn call_name<'s>(source: &'s str, call: Node<'_>) -> Option<&'s str> {
    callee(source, call).map(|(_, n)| n)
}

/// The receiver expression of a method call (`a.b` in `a.b.Name(x)`).
pub fn call_receiver<'t>(source: &str, call: Node<'t>) -> Option<Node<'t>> {
    callee(source, call).and_then(|(r, _)| r)
}

/// For `pkg.Member(args)` where `pkg` is a file import, `(import path, "Member")`
/// (`nethttp.Get` after `import nethttp "net/http"` → `("net/http", "Get")`). Does not notice a
/// local variable that shadows the package name.
pub fn pkg_call<'s>(ctx: &Context<'s>, call: Node<'_>) -> Option<(&'s str, &'s str)> {
    let (recv, name) = callee(ctx.source, call)?;
    let recv = recv?;
    pkg_selector_of(ctx, recv, name)
}

fn pkg_selector_of<'s>(
    ctx: &Context<'s>,
    operand: Node<'_>,
    name: &'s str,
) -> Option<(&'s str, &'s str)> {
    if operand.kind() != "identifier" {
        return None;
    }
    let path = go_package(ctx, ctx.text(operand))?;
    Some((path, name))
}

/// The import path bound to the local package name `pkg`, like
/// [`crate::resolve::Imports::go_package`], with one more rule for paths whose last element is
/// not the package name: a `-go`/`.go` suffix is dropped (`github.com/segmentio/kafka-go` is
/// package `kafka`, `github.com/nats-io/nats.go` is `nats`, `github.com/rabbitmq/amqp091-go` is
/// `amqp091`), as those projects declare.
pub fn go_package<'s>(ctx: &Context<'s>, pkg: &str) -> Option<&'s str> {
    let imports: &'s crate::resolve::Imports = ctx.imports;
    if let Some(p) = imports.go_package(pkg) {
        return Some(p);
    }
    imports.names.values().map(String::as_str).find(|path| {
        let mut parts = path.rsplit('/');
        let mut last = parts.next().unwrap_or("");
        if last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit())
        {
            last = parts.next().unwrap_or("");
        }
        let stripped = last
            .strip_suffix("-go")
            .or_else(|| last.strip_suffix(".go"))
            .unwrap_or("");
        !stripped.is_empty() && stripped == pkg && !imports.names.contains_key(pkg)
    })
}

/// For a `selector_expression` `pkg.Member` whose operand is an imported package name, returns
/// `(import path, member)`.
pub fn pkg_selector<'a>(ctx: &Context<'a>, sel: Node<'_>) -> Option<(&'a str, &'a str)> {
    if sel.kind() != "selector_expression" {
        return None;
    }
    let operand = sel.child_by_field_name("operand")?;
    let field = sel.child_by_field_name("field")?;
    if operand.kind() != "identifier" {
        return None;
    }
    let path = ctx.imports.go_package(ctx.text(operand))?;
    Some((path, ctx.text(field)))
}

/// True when `call` is `pkg.member(...)` for `import_path` and one of `members`.
pub fn is_pkg_call(ctx: &Context<'_>, call: Node<'_>, import_path: &str, members: &[&str]) -> bool {
    pkg_call(ctx, call).is_some_and(|(p, m)| p == import_path && members.contains(&m))
}

/// For a type node `pkg.Name` (tree-sitter `qualified_type`), returns `(import path, Name)`.
/// Looks through a pointer type (`*http.Request`).
pub fn qualified_type<'a>(ctx: &Context<'a>, ty: Node<'_>) -> Option<(&'a str, &'a str)> {
    let ty = if ty.kind() == "pointer_type" {
        named_children(ty).into_iter().next()?
    } else {
        ty
    };
    if ty.kind() != "qualified_type" {
        return None;
    }
    let pkg = ty.child_by_field_name("package")?;
    let name = ty.child_by_field_name("name")?;
    let path = ctx.imports.go_package(ctx.text(pkg))?;
    Some((path, ctx.text(name)))
}

/// True when the selector `pkg.Name` (a `selector_expression` or `qualified_type`) names a member
/// of a package imported from a path accepted by `is_path`.
pub fn selector_in_pkg(
    ctx: &Context<'_>,
    node: Node<'_>,
    is_path: impl Fn(&str) -> bool,
) -> Option<String> {
    let (operand, field) = match node.kind() {
        "selector_expression" => (
            node.child_by_field_name("operand")?,
            node.child_by_field_name("field")?,
        ),
        "qualified_type" => (
            node.child_by_field_name("package")?,
            node.child_by_field_name("name")?,
        ),
        _ => return None,
    };
    if !matches!(operand.kind(), "identifier" | "package_identifier") {
        return None;
    }
    let path = go_package(ctx, ctx.text(operand))?;
    if is_path(path) {
        Some(ctx.text(field).to_string())
    } else {
        None
    }
}

/// The method name of `recv.Method(...)`, as text.
pub fn method_name<'a>(ctx: &Context<'a>, call: Node<'_>) -> Option<&'a str> {
    if call.kind() != "call_expression" {
        return None;
    }
    let f = call.child_by_field_name("function")?;
    if f.kind() != "selector_expression" {
        return None;
    }
    Some(ctx.text(f.child_by_field_name("field")?))
}

/// The receiver expression of `recv.Method(...)`.
pub fn method_receiver<'t>(call: Node<'t>) -> Option<Node<'t>> {
    let f = call.child_by_field_name("function")?;
    if f.kind() != "selector_expression" {
        return None;
    }
    f.child_by_field_name("operand")
}

/// The text of a call's arguments (the nodes inside `(...)`).
pub fn call_args(call: Node<'_>) -> Vec<Node<'_>> {
    call.child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default()
}

/// The `i`-th argument of a call.
pub fn arg(call: Node<'_>, i: usize) -> Option<Node<'_>> {
    call.child_by_field_name("arguments")?.named_child(i)
}

/// Number of arguments of a call.
pub fn arg_count(call: Node<'_>) -> usize {
    call.child_by_field_name("arguments")
        .map(|a| a.named_child_count())
        .unwrap_or(0)
}

/// Every `call_expression` in `node`'s subtree (including `node`), in source order.
pub fn calls(node: Node<'_>) -> Vec<Node<'_>> {
    Walk::new(node)
        .filter(|n| n.kind() == "call_expression")
        .collect()
}

/// True when the call is `time.Now()` (through the file's import of `time`, aliases included).
pub fn is_time_now(ctx: &Context<'_>, call: Node<'_>) -> bool {
    call.kind() == "call_expression"
        && matches!(pkg_call(ctx, call), Some(("time", "Now")))
        && arg_count(call) == 0
}

/// True when `node` is `context.Background()` or `context.TODO()`.
pub fn is_background_ctx(ctx: &Context<'_>, node: Node<'_>) -> bool {
    is_pkg_call(ctx, node, "context", &["Background", "TODO"])
}

/// The file imports a path equal to, or under, one of `prefixes`.
pub fn imports_any(ctx: &Context<'_>, prefixes: &[&str]) -> bool {
    ctx.imports.names.values().any(|p| {
        prefixes
            .iter()
            .any(|pre| p == pre || p.starts_with(&format!("{pre}/")))
    })
}

/// For a `composite_literal` of type `pkg.Name` (resolved through imports), the import path and
/// name of its type.
pub fn literal_type<'a>(ctx: &Context<'a>, lit: Node<'_>) -> Option<(&'a str, &'a str)> {
    if lit.kind() != "composite_literal" {
        return None;
    }
    qualified_type(ctx, lit.child_by_field_name("type")?)
}

/// True when `s` is the text of a call to a logging function whose name means "log and exit"
/// or "log and panic" (`log.Fatal*`, `log.Panic*`, `logger.Fatalf`, `zap ... .Fatal`).
pub fn is_fatal_name(name: &str) -> bool {
    name.starts_with("Fatal") || name.starts_with("Panic") || name == "Exit"
}
