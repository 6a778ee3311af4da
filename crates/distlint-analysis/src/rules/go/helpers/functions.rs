//! Functions: the enclosing function of a node, a function's own nodes, and the
//! deadline-carrying parameters (`context.Context`, `*http.Request`) it received.

use tree_sitter::Node;

use crate::rule::Context;
use crate::syntax::{ancestors, named_children, Walk};

use super::qualified_type;

/// Node kinds that start a new Go function body.
pub const FUNCTION_KINDS: &[&str] = &["function_declaration", "method_declaration", "func_literal"];

/// The nearest enclosing function-like node (`function_declaration`, `method_declaration`,
/// `func_literal`) of `node`, not counting `node` itself.
pub fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|a| FUNCTION_KINDS.contains(&a.kind()))
}

/// Nearest enclosing named function or method (skipping function literals).
pub fn enclosing_named_func(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|a| matches!(a.kind(), "function_declaration" | "method_declaration"))
}

/// True for the three kinds of Go function nodes.
pub fn is_func(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "function_declaration" | "method_declaration" | "func_literal"
    )
}

/// The name of a `function_declaration` / `method_declaration`.
pub fn func_name<'a>(ctx: &Context<'a>, func: Node<'_>) -> Option<&'a str> {
    func.child_by_field_name("name").map(|n| ctx.text(n))
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

/// What a function received that carries a deadline/cancellation: the name of a
/// `context.Context` parameter, and the name of an `*http.Request` parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FuncContext {
    /// Name of the first `context.Context` parameter (not `_`).
    pub ctx_param: Option<String>,
    /// Name of the first `*http.Request` parameter (not `_`) of a handler (a function that also
    /// has an `http.ResponseWriter` parameter: the request it serves, not one it sends).
    pub request_param: Option<String>,
}

impl FuncContext {
    /// True when the function has a context to pass on.
    pub fn has_context(&self) -> bool {
        self.ctx_param.is_some() || self.request_param.is_some()
    }

    /// The expression that yields the caller's context: `ctx` or `r.Context()`.
    pub fn context_expr(&self) -> Option<String> {
        if let Some(c) = &self.ctx_param {
            return Some(c.clone());
        }
        self.request_param
            .as_ref()
            .map(|r| format!("{r}.Context()"))
    }
}

/// The context-carrying parameters of `func` (any of the three function kinds).
pub fn func_context(ctx: &Context<'_>, func: Node<'_>) -> FuncContext {
    let mut out = FuncContext::default();
    let Some(params) = func.child_by_field_name("parameters") else {
        return out;
    };
    for p in named_children(params) {
        if p.kind() != "parameter_declaration" {
            continue;
        }
        let Some(ty) = p.child_by_field_name("type") else {
            continue;
        };
        let Some((path, name)) = qualified_type(ctx, ty) else {
            continue;
        };
        let mut c = p.walk();
        let names: Vec<&str> = p
            .children_by_field_name("name", &mut c)
            .map(|n| ctx.text(n))
            .filter(|n| *n != "_")
            .collect();
        let Some(first) = names.first() else { continue };
        if path == "net/http" && name == "Request" && !has_response_writer(ctx, params) {
            // An outgoing request being built or sent, not the request this function serves.
            continue;
        }
        if path == "context" && name == "Context" && ty.kind() == "qualified_type" {
            out.ctx_param.get_or_insert_with(|| first.to_string());
        } else if path == "net/http" && name == "Request" && ty.kind() == "pointer_type" {
            out.request_param.get_or_insert_with(|| first.to_string());
        }
    }
    out
}

/// True when a parameter list has an `http.ResponseWriter` (a handler's signature).
fn has_response_writer(ctx: &Context<'_>, params: Node<'_>) -> bool {
    named_children(params).into_iter().any(|p| {
        p.child_by_field_name("type")
            .and_then(|t| qualified_type(ctx, t))
            == Some(("net/http", "ResponseWriter"))
    })
}

/// The context available at `node`: the parameters of the nearest enclosing function, or of an
/// enclosing function whose closure captures them (function literals see their parents'
/// parameters unless they shadow the name).
pub fn context_at(ctx: &Context<'_>, node: Node<'_>) -> FuncContext {
    for f in ancestors(node).filter(|a| is_func(*a)) {
        let fc = func_context(ctx, f);
        if fc.has_context() {
            return fc;
        }
    }
    FuncContext::default()
}

/// For the function literal launched by a `go` statement (`go func() {...}()`), true when `node`
/// lies inside it, below the nearest named function. Work started with `go` often must outlive
/// the request that started it, so detaching from the caller's context there is deliberate.
pub fn inside_go_statement(node: Node<'_>) -> bool {
    for a in ancestors(node) {
        match a.kind() {
            "go_statement" => return true,
            "function_declaration" | "method_declaration" => return false,
            _ => {}
        }
    }
    false
}

/// The outermost scope worth searching when following a variable: the enclosing named function,
/// else the file root. A caller that walks the root must either read what it needs as a file
/// fact ([`field_assigned`] does) or call `ctx.facts().whole_file()`; [`scope_or_file`] does the
/// latter.
pub fn function_scope<'t>(ctx: &Context<'t>, node: Node<'t>) -> Node<'t> {
    enclosing_named_func(node).unwrap_or(ctx.root)
}

/// The enclosing named function of `node`, else the file root, in which case the check is
/// marked as reading the whole file (re-run after every edit; a package-level function literal
/// is rare).
pub fn scope_or_file<'t>(ctx: &Context<'t>, node: Node<'t>) -> Node<'t> {
    enclosing_named_func(node).unwrap_or_else(|| {
        ctx.facts().whole_file();
        ctx.root
    })
}
