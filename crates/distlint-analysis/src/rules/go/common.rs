//! Helpers shared by the Go rules: import-aware call and type matching, function context
//! (which `context.Context` / `*http.Request` a function received), following a variable within
//! a function, keyed fields of composite literals, and import insertion for fixes.
//!
//! All traversal is iterative ([`Walk`]); nothing here recurses on the syntax tree.

use tree_sitter::Node;

use crate::resolve::go_default_package_name;
use crate::rule::{Context, TextEdit};
use crate::syntax::{ancestors, named_children, squash, text, Walk};

/// For a `call_expression` whose callee is `pkg.Member` and `pkg` is an imported package,
/// returns `(import path, member)`: `nethttp.Get(u)` after `import nethttp "net/http"` →
/// `("net/http", "Get")`.
pub fn pkg_call<'a>(ctx: &Context<'a>, call: Node<'_>) -> Option<(&'a str, &'a str)> {
    if call.kind() != "call_expression" {
        return None;
    }
    let f = call.child_by_field_name("function")?;
    pkg_selector(ctx, f)
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

/// Nearest enclosing function: `function_declaration`, `method_declaration` or `func_literal`.
pub fn enclosing_func(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|a| is_func(*a))
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

/// For a `composite_literal` of type `pkg.Name` (resolved through imports), the import path and
/// name of its type.
pub fn literal_type<'a>(ctx: &Context<'a>, lit: Node<'_>) -> Option<(&'a str, &'a str)> {
    if lit.kind() != "composite_literal" {
        return None;
    }
    qualified_type(ctx, lit.child_by_field_name("type")?)
}

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

/// Leading whitespace of the line holding byte `offset`.
pub fn line_indent(source: &str, offset: usize) -> &str {
    let start = source[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = &source[start..];
    let end = line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len());
    &line[..end]
}

/// Byte offset of the start of the line holding `offset`.
pub fn line_start(source: &str, offset: usize) -> usize {
    source[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// The local name under which `import_path` can be used, plus the edit that adds the import when
/// the file lacks it. The new import goes into the file's first parenthesised import block (in
/// sorted position among standard-library paths, for a standard-library import) or as a new
/// `import "path"` line after the last import declaration (after the package clause when there is
/// none). When the default name is taken by another import (`math/rand` vs `crypto/rand`), an
/// alias is used (`crand "crypto/rand"`).
pub fn ensure_import(ctx: &Context<'_>, import_path: &str) -> (String, Option<TextEdit>) {
    if let Some(name) = ctx.imports.go_local_name(import_path) {
        return (name.to_string(), None);
    }
    let default = go_default_package_name(import_path);
    let (name, spec) = if ctx.imports.go_package(&default).is_some() {
        let base = import_path.rsplit('/').nth(1).unwrap_or("x");
        let alias = format!("{}{}", &base[..1.min(base.len())], default);
        (alias.clone(), format!("{alias} \"{import_path}\""))
    } else {
        (default.clone(), format!("\"{import_path}\""))
    };
    let std = !import_path.split('/').next().unwrap_or("").contains('.');
    // Reads the file's import declarations (positions, indentation): re-run after every edit.
    ctx.facts().whole_file();
    let decls: Vec<Node<'_>> = named_children(ctx.root)
        .into_iter()
        .filter(|n| n.kind() == "import_declaration")
        .collect();
    for decl in &decls {
        let Some(list) = named_children(*decl)
            .into_iter()
            .find(|n| n.kind() == "import_spec_list")
        else {
            continue;
        };
        let specs: Vec<Node<'_>> = named_children(list)
            .into_iter()
            .filter(|n| n.kind() == "import_spec")
            .collect();
        // Sorted position: before the first spec whose path sorts after ours, within the
        // standard-library group (or after the last spec for third-party paths).
        let path_of = |s: Node<'_>| {
            s.child_by_field_name("path")
                .map(|p| ctx.text(p).trim_matches('"').to_string())
                .unwrap_or_default()
        };
        let is_std = |p: &str| !p.split('/').next().unwrap_or("").contains('.');
        let before = specs.iter().find(|s| {
            let p = path_of(**s);
            if std {
                !is_std(&p) || p.as_str() > import_path
            } else {
                !is_std(&p) && p.as_str() > import_path
            }
        });
        if let Some(b) = before {
            if std && !is_std(&path_of(*b)) {
                // Insert after the last std import (keeps the groups) when there is one.
                if let Some(last_std) = specs.iter().rev().find(|s| is_std(&path_of(**s))) {
                    let end = line_end(ctx.source, last_std.end_byte());
                    let indent = line_indent(ctx.source, last_std.start_byte());
                    return (
                        name,
                        Some(TextEdit::insert(end, format!("\n{indent}{spec}"))),
                    );
                }
            }
            let start = line_start(ctx.source, b.start_byte());
            let indent = line_indent(ctx.source, b.start_byte());
            return (
                name,
                Some(TextEdit::insert(start, format!("{indent}{spec}\n"))),
            );
        }
        if let Some(last) = specs.last() {
            let end = line_end(ctx.source, last.end_byte());
            let indent = line_indent(ctx.source, last.start_byte());
            return (
                name,
                Some(TextEdit::insert(end, format!("\n{indent}{spec}"))),
            );
        }
    }
    let anchor = decls.last().copied().or_else(|| {
        named_children(ctx.root)
            .into_iter()
            .find(|n| n.kind() == "package_clause")
    });
    let at = anchor.map(|a| a.end_byte()).unwrap_or(0);
    (name, Some(TextEdit::insert(at, format!("\nimport {spec}"))))
}

fn line_end(source: &str, offset: usize) -> usize {
    source[offset..]
        .find('\n')
        .map(|i| offset + i)
        .unwrap_or(source.len())
}

/// The text of a call's arguments (the nodes inside `(...)`).
pub fn call_args(call: Node<'_>) -> Vec<Node<'_>> {
    call.child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default()
}

/// True when `node` is `context.Background()` or `context.TODO()`.
pub fn is_background_ctx(ctx: &Context<'_>, node: Node<'_>) -> bool {
    is_pkg_call(ctx, node, "context", &["Background", "TODO"])
}

/// Source text helper re-exported for rules.
pub fn src<'a>(ctx: &Context<'a>, node: Node<'_>) -> &'a str {
    text(ctx.source, node)
}

/// The edit that adds `field` (e.g. `Timeout: 30 * time.Second`) to a `literal_value` (`{...}`),
/// keeping the literal's layout: `{}` → `{field}`; one line → `, field` after the last element;
/// several lines → a new line `field,` after the last element, with its indentation.
pub fn insert_field(ctx: &Context<'_>, lit: Node<'_>, field: &str) -> Option<TextEdit> {
    if lit.kind() != "literal_value" {
        return None;
    }
    let elements: Vec<Node<'_>> = named_children(lit)
        .into_iter()
        .filter(|n| n.kind() != "comment")
        .collect();
    let Some(last) = elements.last() else {
        let body = ctx.text(lit);
        if body.contains('\n') {
            // `{\n}`: put the field on its own line.
            let indent = line_indent(ctx.source, lit.start_byte());
            return Some(TextEdit::replace(
                lit.byte_range(),
                format!("{{\n{indent}\t{field},\n{indent}}}"),
            ));
        }
        return Some(TextEdit::replace(lit.byte_range(), format!("{{{field}}}")));
    };
    let close = lit.end_byte().saturating_sub(1);
    // A literal with a MISSING `}` (broken input) ends at its last element: no fix.
    let between = ctx.source.get(last.end_byte()..close)?;
    if between.contains('\n') {
        let indent = line_indent(ctx.source, last.start_byte());
        let at = line_end(ctx.source, last.end_byte());
        Some(TextEdit::insert(at, format!("\n{indent}{field},")))
    } else {
        Some(TextEdit::insert(last.end_byte(), format!(", {field}")))
    }
}

/// `N * <time>.Second` for the configured fix timeout, plus the edit adding the `time` import
/// when the file lacks it.
pub fn timeout_expr(ctx: &Context<'_>) -> (String, Option<TextEdit>) {
    let (time, edit) = ensure_import(ctx, "time");
    (
        format!("{} * {time}.Second", ctx.config.fix.timeout_seconds),
        edit,
    )
}

/// Number of references `pkg.X` (in expressions and types) to the package imported as
/// `import_path` in the file.
pub fn package_uses(ctx: &Context<'_>, import_path: &str) -> usize {
    let Some(name) = ctx.imports.go_local_name(import_path) else {
        return 0;
    };
    // Counts over the whole file: the caller (a fix) is re-run after every edit.
    ctx.facts().whole_file();
    Walk::new(ctx.root)
        .filter(|n| match n.kind() {
            "selector_expression" => n
                .child_by_field_name("operand")
                .is_some_and(|o| o.kind() == "identifier" && ctx.text(o) == name),
            "qualified_type" => n
                .child_by_field_name("package")
                .is_some_and(|p| ctx.text(p) == name),
            _ => false,
        })
        .count()
}

/// The edit deleting the import of `import_path` when a fix removes `removed` of its uses and
/// none would remain (Go rejects unused imports). `None` when uses remain or it is not imported.
pub fn remove_import_if_unused(
    ctx: &Context<'_>,
    import_path: &str,
    removed: usize,
) -> Option<TextEdit> {
    if package_uses(ctx, import_path) > removed {
        return None;
    }
    for decl in named_children(ctx.root)
        .into_iter()
        .filter(|n| n.kind() == "import_declaration")
    {
        for spec in Walk::new(decl).filter(|n| n.kind() == "import_spec") {
            let Some(p) = spec.child_by_field_name("path") else {
                continue;
            };
            if ctx.text(p).trim_matches('"') != import_path {
                continue;
            }
            let in_list = spec
                .parent()
                .is_some_and(|l| l.kind() == "import_spec_list");
            let specs_in_decl = Walk::new(decl)
                .filter(|n| n.kind() == "import_spec")
                .count();
            let target = if in_list && specs_in_decl > 1 {
                spec
            } else {
                decl
            };
            let start = line_start(ctx.source, target.start_byte());
            let end = line_end(ctx.source, target.end_byte());
            let end = (end + 1).min(ctx.source.len());
            return Some(TextEdit::replace(start..end, ""));
        }
    }
    None
}

/// Retry-loop shapes (shared by `retry-idempotency`, `unbounded-retry`, `retry-backoff`).
///
/// A `for` statement (not a `range` loop, not a loop whose condition walks a collection with
/// `len(...)`) is a retry loop when its body, outside nested function literals and loops:
/// - leaves the loop on success: `if err == nil { return | break }` (or `else { return | break }`
///   after `if err != nil`), or
/// - goes around again on failure: `if err != nil { ... continue }`, or
///   `if err != nil { ... <wait> }` with a wait (`time.Sleep`, `<-time.After(..)`, a timer or a
///   backoff's `NextBackOff`) and no `return`/`break` in that branch.
///
/// `err` is any identifier named `err` or ending in `Err`/`err`.
#[derive(Debug, Clone, Copy)]
pub struct RetryLoop<'t> {
    /// The `for_statement`.
    pub node: Node<'t>,
    /// The loop body (`block`).
    pub body: Node<'t>,
    /// `for { }`, or a `for_clause` without a condition (`for i := 0; ; i++`).
    pub infinite: bool,
}

/// Classifies `node` as a retry loop (see [`RetryLoop`]).
pub fn retry_loop<'t>(ctx: &Context<'_>, node: Node<'t>) -> Option<RetryLoop<'t>> {
    if node.kind() != "for_statement" {
        return None;
    }
    let body = node.child_by_field_name("body")?;
    let header = named_children(node)
        .into_iter()
        .find(|n| n.id() != body.id() && n.kind() != "comment");
    let infinite = match header {
        None => true,
        Some(h) if h.kind() == "range_clause" => return None,
        Some(h) if h.kind() == "for_clause" => match h.child_by_field_name("condition") {
            None => true,
            Some(c) => {
                if ctx.text(c).contains("len(") {
                    return None;
                }
                false
            }
        },
        Some(h) => {
            // `for cond { }`
            let t = ctx.text(h);
            if t.contains("len(") || t.contains(".Next()") || t.contains(".Scan()") {
                return None;
            }
            false
        }
    };
    let mut shaped = false;
    for n in loop_level(body) {
        if n.kind() != "if_statement" {
            continue;
        }
        let Some(cond) = n.child_by_field_name("condition") else {
            continue;
        };
        let c = squash(ctx.text(cond));
        let Some(cons) = n.child_by_field_name("consequence") else {
            continue;
        };
        let alt = n.child_by_field_name("alternative");
        if is_err_check(&c, "==") && exits(ctx, cons) {
            shaped = true;
        } else if is_err_check(&c, "!=") {
            if alt.is_some_and(|a| exits(ctx, a))
                || continues(cons)
                || (waits(ctx, cons) && !exits(ctx, cons))
            {
                shaped = true;
            }
        }
        if shaped {
            break;
        }
    }
    shaped.then_some(RetryLoop {
        node,
        body,
        infinite,
    })
}

fn is_err_name(s: &str) -> bool {
    s == "err" || s.ends_with("Err") || s.ends_with("err")
}

/// `err != nil` / `err == nil` (either order), possibly as the last clause of `x; err != nil`.
fn is_err_check(cond: &str, op: &str) -> bool {
    let cond = cond.trim_start_matches('(').trim_end_matches(')');
    let (l, r) = match cond.split_once(op) {
        Some(p) => p,
        None => return false,
    };
    if l.contains("&&") || l.contains("||") || r.contains("&&") || r.contains("||") {
        return false;
    }
    (is_err_name(l) && r == "nil") || (l == "nil" && is_err_name(r))
}

/// Nodes of `body` at this loop's level: not inside nested loops or function literals.
pub fn loop_level(body: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut walk = Walk::new(body);
    let mut first = true;
    while let Some(n) = walk.next() {
        if !first && matches!(n.kind(), "for_statement" | "func_literal") {
            walk.skip_subtree();
            continue;
        }
        first = false;
        out.push(n);
    }
    out
}

/// True when `block` contains a `return` or a `break` of the enclosing loop (not of a nested
/// loop, `switch` or `select`), a `goto`, or a call that does not return (`panic`, `os.Exit`,
/// `log.Fatal*`, `*.Fatal*`/`*.Panic*` loggers, `ExitWithError`-style helpers).
pub fn exits(ctx: &Context<'_>, block: Node<'_>) -> bool {
    let mut walk = Walk::new(block);
    while let Some(n) = walk.next() {
        match n.kind() {
            "func_literal" | "for_statement" => walk.skip_subtree(),
            "return_statement" | "goto_statement" => return true,
            "call_expression" => {
                let name = n
                    .child_by_field_name("function")
                    .map(|f| match f.kind() {
                        "selector_expression" => f
                            .child_by_field_name("field")
                            .map(|x| ctx.text(x))
                            .unwrap_or(""),
                        _ => ctx.text(f),
                    })
                    .unwrap_or("");
                if name == "panic"
                    || name.starts_with("Fatal")
                    || name.starts_with("Panic")
                    || name == "Exit"
                    || name.starts_with("ExitWith")
                {
                    return true;
                }
            }
            "break_statement" => {
                // An unlabelled break inside a switch/select breaks that statement, not the loop.
                let labelled = named_children(n).iter().any(|c| c.kind() == "label_name");
                let in_switch = ancestors(n).take_while(|a| a.id() != block.id()).any(|a| {
                    matches!(
                        a.kind(),
                        "expression_switch_statement"
                            | "type_switch_statement"
                            | "select_statement"
                    )
                });
                if labelled || !in_switch {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// True when `block` contains a `continue` of the enclosing loop.
pub fn continues(block: Node<'_>) -> bool {
    let mut walk = Walk::new(block);
    while let Some(n) = walk.next() {
        match n.kind() {
            "func_literal" | "for_statement" => walk.skip_subtree(),
            "continue_statement" => return true,
            _ => {}
        }
    }
    false
}

/// True when `block` waits before the next attempt: `time.Sleep(...)`, `<-time.After(...)`,
/// `<-timer.C`, a `select` on a timer, or a backoff (`NextBackOff`, `Backoff(`, `backoff.`).
pub fn waits(ctx: &Context<'_>, block: Node<'_>) -> bool {
    let mut walk = Walk::new(block);
    while let Some(n) = walk.next() {
        match n.kind() {
            "func_literal" => walk.skip_subtree(),
            "call_expression" => {
                if is_pkg_call(ctx, n, "time", &["Sleep", "After", "NewTimer", "Tick"]) {
                    return true;
                }
                if let Some(m) = method_name(ctx, n) {
                    if m == "NextBackOff" || m.contains("Backoff") || m.contains("BackOff") {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}

/// Merges insertions at the same offset into one edit, keeping their order (editors and
/// `apply_fix` may order same-offset insertions differently).
pub fn merge_inserts(edits: Vec<TextEdit>) -> Vec<TextEdit> {
    let mut out: Vec<TextEdit> = Vec::new();
    for e in edits {
        if let Some(prev) = out
            .iter_mut()
            .find(|p| p.range.is_empty() && e.range.is_empty() && p.range.start == e.range.start)
        {
            prev.replacement.push_str(&e.replacement);
        } else {
            out.push(e);
        }
    }
    out
}
