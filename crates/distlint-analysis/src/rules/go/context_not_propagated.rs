//! `context-not-propagated` (category `timeouts-deadlines`): `context.Background()` /
//! `context.TODO()` in a function that received the caller's context.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::rules::go::common::{
    context_at, enclosing_named_func, inside_go_statement, is_background_ctx, is_pkg_call,
    remove_import_if_unused,
};
use crate::syntax::{named_children, squash};

/// The rule.
pub struct ContextNotPropagated;

/// Registered instance.
pub static RULE: ContextNotPropagated = ContextNotPropagated;

static META: RuleMeta = RuleMeta {
    id: "context-not-propagated",
    language: Language::Go,
    category: "timeouts-deadlines",
    severity: Severity::Major,
    title: "Caller's context dropped",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `context.Background()` and `context.TODO()` inside a function (or a closure \
inside it) that received a `context.Context` parameter or an `*http.Request`. The contextcheck \
linter reports the same family of problems.",
        why: "The caller's context carries its deadline and its cancellation; a fresh \
`Background()` throws both away:\n\n\
1. An HTTP handler calls `store.Load(ctx, id)`; `Load` queries the database with \
`db.QueryContext(context.Background(), ...)`.\n\
2. The database slows down. The client gives up after 2 s and the load balancer cancels the \
request, so `r.Context()` is cancelled.\n\
3. The query does not notice: it keeps its connection from the pool and runs to completion, \
for nobody.\n\
4. Retries from the client arrive and start more such queries. The pool is exhausted by work \
whose callers are gone, and healthy requests now queue for connections: a slow dependency \
became a full outage.\n\n\
Passing `ctx` (or `r.Context()`) lets cancellation and deadlines reach the I/O.",
        known_problems: "- `context.WithCancel(context.Background())` is left alone in a \
function that forwards the caller's cancellation by hand (it waits on `ctx.Done()` or on \
`CloseNotify()`, as pre-Go 1.8 proxies do).\n\
- An `*http.Request` parameter counts as the caller's context only in handlers (functions that \
also take an `http.ResponseWriter`); elsewhere it is an outgoing request.\n\
- Silent, because usually deliberate: in `main` and `init` (which receive \
no context), in test files, inside a `go func() { ... }()` started from the function (work that \
must outlive the request), as the parent of `context.WithTimeout`/`WithDeadline` (a bounded \
context for shutdown or flushing after the caller is cancelled), and when assigned to the context \
parameter itself (`if ctx == nil { ctx = context.Background() }`).\n\
- Work handed to a queue or a struct to run after the function returns needs a detached context; \
suppress with that reason, or use `context.WithoutCancel(ctx)` (Go 1.21).\n\
- A context parameter named `_` is treated as deliberately unused.",
        example: "func (s *Store) Load(ctx context.Context, id string) (*Item, error) {\n\trow := s.db.QueryRowContext(context.Background(), q, id)\n\t...\n}",
        use_instead: "func (s *Store) Load(ctx context.Context, id string) (*Item, error) {\n\trow := s.db.QueryRowContext(ctx, q, id)\n\t...\n}",
        fix: "**Pass the caller's context** (unsafe: the operation is now cancelled when the \
caller is, which is wrong for work meant to outlive it): replaces the call with the function's \
`context.Context` parameter, or with `r.Context()` for an `*http.Request` parameter `r`.",
    },
};

impl Rule for ContextNotPropagated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs `context.Background()`/`context.TODO()`.
        &[&["Background", "TODO"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for call in crate::syntax::Walk::new(node) {
            if !is_background_ctx(ctx, call) {
                continue;
            }
            let fc = context_at(ctx, call);
            let Some(expr) = fc.context_expr() else {
                continue;
            };
            if inside_go_statement(call) || bounded_parent(ctx, call) {
                continue;
            }
            if defaults_the_parameter(ctx, call, fc.ctx_param.as_deref()) {
                continue;
            }
            if cancellation_wired_by_hand(ctx, call, &fc) {
                continue;
            }
            let what = if ctx.text(call).contains("TODO") {
                "context.TODO()"
            } else {
                "context.Background()"
            };
            let message = format!(
                "`{what}` drops the caller's context (`{expr}`): its deadline and cancellation no longer reach this call"
            );
            let mut edits = vec![TextEdit::replace(call.byte_range(), expr.clone())];
            edits.extend(remove_import_if_unused(ctx, "context", 1));
            let fix = Fix::new(
                format!("Pass the caller's context (`{expr}`)"),
                Applicability::Unsafe,
                edits,
            );
            out.push(Finding::new(&META, call.byte_range(), message).with_fix(fix));
        }
    }
}

/// `context.WithTimeout(context.Background(), d)` / `WithDeadline`: a fresh but bounded context,
/// typically for shutdown or flushing after the caller's context is done.
fn bounded_parent(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let Some(args) = call.parent().filter(|p| p.kind() == "argument_list") else {
        return false;
    };
    let Some(outer) = args.parent() else {
        return false;
    };
    is_pkg_call(ctx, outer, "context", &["WithTimeout", "WithDeadline"])
        && named_children(args).first().map(|a| a.id()) == Some(call.id())
}

/// `context.WithCancel(context.Background())` in a function that forwards the caller's
/// cancellation itself: it waits on `ctx.Done()` / `r.Context().Done()` or on
/// `CloseNotify()` (pre-Go 1.8 handlers) and calls the new context's `cancel`.
fn cancellation_wired_by_hand(
    ctx: &Context<'_>,
    call: Node<'_>,
    fc: &crate::rules::go::common::FuncContext,
) -> bool {
    let Some(args) = call.parent().filter(|p| p.kind() == "argument_list") else {
        return false;
    };
    if !args
        .parent()
        .is_some_and(|o| is_pkg_call(ctx, o, "context", &["WithCancel"]))
    {
        return false;
    }
    let Some(func) = enclosing_named_func(call) else {
        return false;
    };
    let done = fc.context_expr().map(|e| format!("{e}.Done()"));
    crate::syntax::Walk::new(func).any(|n| {
        n.kind() == "call_expression" && {
            let t = squash(ctx.text(n));
            t.ends_with(".CloseNotify()") || done.as_deref() == Some(t.as_str())
        }
    })
}

/// `ctx = context.Background()` (defaulting a nil parameter).
fn defaults_the_parameter(ctx: &Context<'_>, call: Node<'_>, param: Option<&str>) -> bool {
    let Some(param) = param else { return false };
    let Some(list) = call.parent().filter(|p| p.kind() == "expression_list") else {
        return false;
    };
    let Some(stmt) = list.parent().filter(|s| s.kind() == "assignment_statement") else {
        return false;
    };
    stmt.child_by_field_name("left")
        .is_some_and(|l| squash(ctx.text(l)) == param)
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_background_and_todo_where_a_context_was_received() {
        check(
            "context-not-propagated",
            r#"
package store

import (
    "context"
    "database/sql"
    "net/http"
)

type Store struct{ db *sql.DB }

func (s *Store) Load(ctx context.Context, id string) error {
    row := s.db.QueryRowContext(context.Background(), "SELECT 1 WHERE id = ?", id)
                              //^^^^^^^^^^^^^^^^^^^^ context-not-propagated
    return row.Err()
}

func handle(w http.ResponseWriter, r *http.Request) {
    _, _ = store.db.ExecContext(context.TODO(), "UPDATE t SET x = 1")
                              //^^^^^^^^^^^^^^ context-not-propagated
    err := func() error {
        _, err := store.db.ExecContext(context.Background(), "DELETE FROM t")
                                     //^^^^^^^^^^^^^^^^^^^^ context-not-propagated
        return err
    }()
    _ = err
}

var store Store
"#,
        );
    }

    #[test]
    fn silent_in_main_goroutines_bounded_shutdown_and_nil_defaults() {
        check(
            "context-not-propagated",
            r#"
package main

import (
    "context"
    "net/http"
    "time"
)

func main() {
    ctx := context.Background()
    _ = ctx
}

func init() {
    _ = context.TODO()
}

func noContext() {
    _ = context.Background()
}

func shutdown(ctx context.Context, srv *http.Server) error {
    <-ctx.Done()
    sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
    defer cancel()
    return srv.Shutdown(sctx)
}

func detached(ctx context.Context, work func(context.Context)) {
    go func() {
        work(context.Background())
    }()
}

func defaulted(ctx context.Context) {
    if ctx == nil {
        ctx = context.Background()
    }
    _ = ctx
}

func ignored(_ context.Context) {
    _ = context.Background()
}

func proxy(rw http.ResponseWriter, req *http.Request) {
    ctx, cancel := context.WithCancel(context.Background())
    defer cancel()
    go func() {
        <-rw.(http.CloseNotifier).CloseNotify()
        cancel()
    }()
    _ = ctx
}

func post(req *http.Request) {
    ctx, cancel := context.WithCancel(context.Background())
    defer cancel()
    _ = req.WithContext(ctx)
}

type other struct{}

func (other) Background() int { return 0 }

func lookAlike(ctx context.Context, o other) {
    _ = o.Background()
}
"#,
        );
    }

    #[test]
    fn fix_passes_ctx_parameter() {
        check_fix(
            "context-not-propagated",
            "Pass the caller's context",
            "package store\n\nimport \"context\"\n\nfunc load(ctx context.Context, f func(context.Context) error) error {\n\treturn f(context.Background())\n}\n",
            "package store\n\nimport \"context\"\n\nfunc load(ctx context.Context, f func(context.Context) error) error {\n\treturn f(ctx)\n}\n",
        );
    }

    #[test]
    fn fix_removes_the_context_import_when_it_becomes_unused() {
        check_fix(
            "context-not-propagated",
            "Pass the caller's context",
            "package api\n\nimport (\n\t\"context\"\n\t\"database/sql\"\n\t\"net/http\"\n)\n\nfunc handle(w http.ResponseWriter, r *http.Request) {\n\t_, _ = db.ExecContext(context.Background(), \"SELECT 1\")\n}\n\nvar db *sql.DB\n",
            "package api\n\nimport (\n\t\"database/sql\"\n\t\"net/http\"\n)\n\nfunc handle(w http.ResponseWriter, r *http.Request) {\n\t_, _ = db.ExecContext(r.Context(), \"SELECT 1\")\n}\n\nvar db *sql.DB\n",
        );
    }

    #[test]
    fn fix_uses_request_context_in_handlers() {
        check_fix(
            "context-not-propagated",
            "Pass the caller's context",
            "package api\n\nimport (\n\t\"context\"\n\t\"net/http\"\n)\n\nfunc handle(w http.ResponseWriter, req *http.Request) {\n\tdo(context.TODO())\n}\n\nfunc do(ctx context.Context) {}\n",
            "package api\n\nimport (\n\t\"context\"\n\t\"net/http\"\n)\n\nfunc handle(w http.ResponseWriter, req *http.Request) {\n\tdo(req.Context())\n}\n\nfunc do(ctx context.Context) {}\n",
        );
    }
}
