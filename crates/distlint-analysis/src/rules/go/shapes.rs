//! Go syntax shapes shared by the coordination, cache, consumer and write rules (`lock-fencing-go`,
//! `cache-stampede-go`, `replication-lag-go`, `clock-ordering-go`, `poison-message-go`,
//! `dual-write-go`, `graceful-shutdown-go`, `quorum-math-go`, `discarded-network-error-go`,
//! `hot-partition-key-go`, `strict-decode-go`).
//!
//! Everything here walks with [`Walk`] (never recursion) and works on tree-sitter-go node kinds:
//! `call_expression` (`function`, `arguments`), `selector_expression` (`operand`, `field`),
//! `short_var_declaration` / `assignment_statement` (`left`, `right`: `expression_list`),
//! `function_declaration` / `method_declaration` / `func_literal` (`body`).

use tree_sitter::Node;

use crate::rule::Context;
use crate::syntax::{ancestors, text, Walk};
pub use crate::syntax::{go_assigned_to as assigned_to, go_callee as callee};

/// Node kinds that start a new Go function body.
pub const FUNCTION_KINDS: &[&str] = &["function_declaration", "method_declaration", "func_literal"];

/// Every `call_expression` in `node`'s subtree (including `node`), in source order.
pub fn calls(node: Node<'_>) -> Vec<Node<'_>> {
    Walk::new(node)
        .filter(|n| n.kind() == "call_expression")
        .collect()
}

/// Every node of `kind` in `node`'s subtree, in source order.
pub fn nodes_of_kind<'t>(node: Node<'t>, kind: &str) -> Vec<Node<'t>> {
    Walk::new(node).filter(|n| n.kind() == kind).collect()
}

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

/// True when the call is `time.Now()` (through the file's import of `time`, aliases included).
pub fn is_time_now(ctx: &Context<'_>, call: Node<'_>) -> bool {
    call.kind() == "call_expression"
        && matches!(pkg_call(ctx, call), Some(("time", "Now")))
        && arg_count(call) == 0
}

/// Number of arguments of a call.
pub fn arg_count(call: Node<'_>) -> usize {
    call.child_by_field_name("arguments")
        .map(|a| a.named_child_count())
        .unwrap_or(0)
}

/// The `i`-th argument of a call.
pub fn arg(call: Node<'_>, i: usize) -> Option<Node<'_>> {
    call.child_by_field_name("arguments")?.named_child(i)
}

/// The file imports a path equal to, or under, one of `prefixes`.
pub fn imports_any(ctx: &Context<'_>, prefixes: &[&str]) -> bool {
    ctx.imports.names.values().any(|p| {
        prefixes
            .iter()
            .any(|pre| p == pre || p.starts_with(&format!("{pre}/")))
    })
}

/// The lower-case words of an identifier or expression text: `readReplicaDB.Query` →
/// `["read", "replica", "db", "query"]` (camelCase, snake_case, dots and digits split).
pub fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !cur.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// True when one of `s`'s [`words`] is in `set`.
pub fn has_word(s: &str, set: &[&str]) -> bool {
    words(s).iter().any(|w| set.contains(&w.as_str()))
}

/// True when one of `s`'s [`words`] starts with one of `prefixes`.
pub fn has_word_prefix(s: &str, prefixes: &[&str]) -> bool {
    words(s)
        .iter()
        .any(|w| prefixes.iter().any(|p| w.starts_with(p)))
}

/// The nearest enclosing function-like node (`function_declaration`, `method_declaration`,
/// `func_literal`) of `node`, not counting `node` itself.
pub fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|a| FUNCTION_KINDS.contains(&a.kind()))
}

/// Every function-like node in `unit` (the unit itself included when it is one), in source order.
pub fn functions(unit: Node<'_>) -> Vec<Node<'_>> {
    Walk::new(unit)
        .filter(|n| FUNCTION_KINDS.contains(&n.kind()))
        .collect()
}

/// The nodes of `func`'s body that belong to `func` itself, not to a nested `func_literal`.
pub fn own_nodes(func: Node<'_>) -> Vec<Node<'_>> {
    let Some(body) = func.child_by_field_name("body") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut walk = Walk::new(body);
    while let Some(n) = walk.next() {
        if n.kind() == "func_literal" {
            walk.skip_subtree();
            continue;
        }
        out.push(n);
    }
    out
}

/// True when `node` lies inside `outer` (or is it).
pub fn inside(node: Node<'_>, outer: Node<'_>) -> bool {
    node.start_byte() >= outer.start_byte() && node.end_byte() <= outer.end_byte()
}

/// Strips parentheses around an expression.
pub fn unparen(mut node: Node<'_>) -> Node<'_> {
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(n) => node = n,
            None => break,
        }
    }
    node
}

/// The key of the `keyed_element` whose value is `expr` (`Version: expr` → `Version`).
pub fn keyed_by(expr: Node<'_>) -> Option<Node<'_>> {
    let mut cur = expr;
    loop {
        let p = cur.parent()?;
        match p.kind() {
            "parenthesized_expression" | "literal_element" => cur = p,
            "keyed_element" => {
                let key = p.named_child(0)?;
                if key == cur {
                    return None;
                }
                return Some(if key.kind() == "literal_element" {
                    key.named_child(0).unwrap_or(key)
                } else {
                    key
                });
            }
            _ => return None,
        }
    }
}

/// Identifiers named `name` in `scope` after byte `after` (uses of a local variable; no
/// shadowing analysis).
pub fn uses_after<'t>(scope: Node<'t>, source: &str, name: &str, after: usize) -> Vec<Node<'t>> {
    Walk::new(scope)
        .filter(|n| n.kind() == "identifier" && n.start_byte() >= after && text(source, *n) == name)
        .collect()
}

/// The statement (child of a `block`/`statement_list`) that contains `node`.
pub fn statement_of(node: Node<'_>) -> Option<Node<'_>> {
    let mut cur = node;
    loop {
        let p = cur.parent()?;
        if matches!(p.kind(), "block" | "statement_list" | "source_file") {
            return Some(cur);
        }
        cur = p;
    }
}

/// The statement after `stmt` in its block, skipping comments.
pub fn next_statement(stmt: Node<'_>) -> Option<Node<'_>> {
    let mut n = stmt.next_named_sibling();
    while let Some(s) = n {
        if s.kind() != "comment" {
            return Some(s);
        }
        n = s.next_named_sibling();
    }
    None
}

/// True when `s` is the text of a call to a logging function whose name means "log and exit"
/// or "log and panic" (`log.Fatal*`, `log.Panic*`, `logger.Fatalf`, `zap ... .Fatal`).
pub fn is_fatal_name(name: &str) -> bool {
    name.starts_with("Fatal") || name.starts_with("Panic") || name == "Exit"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_camel_snake_and_acronyms() {
        assert_eq!(
            words("readReplicaDB.Query"),
            ["read", "replica", "db", "query"]
        );
        assert_eq!(words("primary_db"), ["primary", "db"]);
        assert_eq!(words("HTTPServer"), ["http", "server"]);
        assert_eq!(words("len(r.peers)"), ["len", "r", "peers"]);
        assert!(has_word("s.writerDB", &["writer"]));
        assert!(!has_word("s.rewriteDB", &["writer", "write"]));
    }
}
