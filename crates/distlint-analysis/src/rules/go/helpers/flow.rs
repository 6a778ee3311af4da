//! Values and statements within a function: what an expression is assigned to, keyed fields
//! of composite literals, later uses of a name, the statement holding a node.

use tree_sitter::Node;

use crate::rule::Context;
use crate::syntax::{named_children, squash, text, Walk};

/// The variable (or field path, squashed: `s.client`) an expression is stored into, when the
/// expression is the whole right-hand side of `x := e`, `x = e`, `var x = e` (position-matched
/// in multi-assignments). Looks through a leading `&`.
pub fn assigned_name(ctx: &Context<'_>, expr: Node<'_>) -> Option<String> {
    let mut e = expr;
    if let Some(p) = e.parent() {
        if p.kind() == "unary_expression" && ctx.text(p).trim_start().starts_with('&') {
            e = p;
        }
    }
    while let Some(p) = e.parent() {
        if p.kind() == "parenthesized_expression" {
            e = p;
        } else {
            break;
        }
    }
    let list = e.parent()?;
    if list.kind() != "expression_list" {
        return None;
    }
    let idx = named_children(list).iter().position(|n| n.id() == e.id())?;
    let stmt = list.parent()?;
    match stmt.kind() {
        "short_var_declaration" | "assignment_statement" => {
            let left = stmt.child_by_field_name("left")?;
            let l = named_children(left).get(idx).copied()?;
            Some(squash(ctx.text(l)))
        }
        "var_spec" => {
            let mut c = stmt.walk();
            let names: Vec<Node<'_>> = stmt.children_by_field_name("name", &mut c).collect();
            names.get(idx).map(|n| ctx.text(*n).to_string())
        }
        _ => None,
    }
}

/// In a `:=` or `=` statement `stmt` (`short_var_declaration` / `assignment_statement`), the
/// right-hand expression assigned to the variable `name`: the one at the same position, or the
/// single call when one call yields several results (`ctx, cancel := context.WithCancel(p)`).
/// `None` when `stmt` is not such a statement or `name` is not on its left.
pub fn assigned_value<'t>(ctx: &Context<'_>, stmt: Node<'t>, name: &str) -> Option<Node<'t>> {
    if !matches!(
        stmt.kind(),
        "short_var_declaration" | "assignment_statement"
    ) {
        return None;
    }
    let lefts = named_children(stmt.child_by_field_name("left")?);
    let i = lefts.iter().position(|x| ctx.text(*x) == name)?;
    let rights = named_children(stmt.child_by_field_name("right")?);
    if rights.len() == lefts.len() {
        rights.get(i).copied()
    } else {
        rights.first().copied()
    }
}

/// True when somewhere in `scope` a field `name.field` is assigned (`c.Timeout = d`). When
/// `scope` is the file root (a package-level variable), the answer comes from the file facts
/// instead of a walk of the whole file.
pub fn field_assigned(ctx: &Context<'_>, scope: Node<'_>, name: &str, field: &str) -> bool {
    let target = format!("{name}.{field}");
    if scope.parent().is_none() {
        return ctx.facts().selector_assigned(&target);
    }
    Walk::new(scope).any(|n| {
        n.kind() == "assignment_statement"
            && n.child_by_field_name("left").is_some_and(|l| {
                named_children(l)
                    .iter()
                    .any(|x| squash(ctx.text(*x)) == target)
            })
    })
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

/// Keyed elements of a `literal_value`: `(key text, value node)`.
pub fn keyed_fields<'a, 't>(ctx: &Context<'a>, lit: Node<'t>) -> Vec<(&'a str, Node<'t>)> {
    let mut out = Vec::new();
    for el in named_children(lit) {
        if el.kind() != "keyed_element" {
            continue;
        }
        let (Some(k), Some(v)) = (
            el.child_by_field_name("key"),
            el.child_by_field_name("value"),
        ) else {
            // Older grammar shapes: first and second named children.
            let ch = named_children(el);
            if ch.len() == 2 {
                out.push((ctx.text(ch[0]).trim(), ch[1]));
            }
            continue;
        };
        out.push((ctx.text(k).trim(), v));
    }
    out
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

/// True when `node` lies inside `outer` (or is it).
pub fn inside(node: Node<'_>, outer: Node<'_>) -> bool {
    node.start_byte() >= outer.start_byte() && node.end_byte() <= outer.end_byte()
}

/// Every node of `kind` in `node`'s subtree, in source order.
pub fn nodes_of_kind<'t>(node: Node<'t>, kind: &str) -> Vec<Node<'t>> {
    Walk::new(node).filter(|n| n.kind() == kind).collect()
}

/// Source text helper re-exported for rules.
pub fn src<'a>(ctx: &Context<'a>, node: Node<'_>) -> &'a str {
    text(ctx.source, node)
}
