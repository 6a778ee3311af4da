//! `context-not-propagated` (category `timeouts-deadlines`): `context.Background()` /
//! `context.TODO()` in a function that received the caller's context.

use tree_sitter::Node;

use super::helpers::{
    assigned_to, call_args, context_at, enclosing_function, enclosing_named_func, func_context,
    inside_go_statement, is_background_ctx, is_func, is_pkg_call, remove_import_if_unused,
};
use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
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
called in place inside it) that received a `context.Context` parameter or an `*http.Request`, \
where the fresh context goes into work the caller waits for; detaches that are visibly \
deliberate (callbacks, deferred cleanup, timeout-bounded or lifetime contexts) are left alone \
(see Known problems). The contextcheck linter reports the same family of problems.",
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
- Silent, because the detach is visibly deliberate (the fresh context may first be wrapped by \
context-deriving calls named `With*` or `*Context`, such as `namespaces.WithNamespace`):\n\
  - in `main` and `init` (which receive no context), and in test files;\n\
  - compared, not used: `if ctx != context.Background() { ... }` (a fast path that skips \
watching a context that can never be cancelled);\n\
  - inside a `go func() { ... }()` started from the function (work that must outlive the \
request), and inside any function literal that is not called where it is written — a callback \
assigned to a variable or passed as an argument (an `onClose` or exit handler) runs after the \
caller has returned, when its context is done. The rule cannot tell such a callback from one \
that runs synchronously (an `errgroup` task, a retry helper's attempt), so it stays silent for \
both;\n\
  - inside a `defer` statement, or stored in a variable that only `defer` statements read: \
cleanup that must run even when the caller's context was cancelled;\n\
  - bounded by a timeout: as the parent of `context.WithTimeout`/`WithDeadline`, or passed to \
any call that also takes a duration (`5*time.Second`, `time.Duration(n)`) or an argument \
named `*Timeout`/`*Deadline` (`timeout.WithContext(context.Background(), cleanupTimeout)`);\n\
  - `context.WithCancel(context.Background())` whose `cancel` is not deferred but handed on \
(called from a closure, stored, returned): a lifetime context cancelled by hand, meant to \
outlive the call;\n\
  - assigned to the context parameter itself (`if ctx == nil { ctx = context.Background() }`, \
`ctx = namespaces.WithNamespace(context.Background(), ns)` at the top of a long-lived \
event-forwarding loop): the author replaced the caller's context on purpose;\n\
  - passed to a call with an `O_NONBLOCK` flag (`fifo.OpenFifo(context.Background(), path, \
syscall.O_RDONLY|syscall.O_NONBLOCK, 0)`): the open returns at once.\n\
- What remains is the shape that is clearly wrong: a fresh context passed straight (or through \
deriving calls) into a call made while the caller waits, such as minio-go's `ComposeObject(ctx, \
...)` calling `StatObject(context.Background(), ...)` once per source object. A long-lived \
goroutine started by `go s.forward(ctx)` from another function is not recognised unless it \
replaces its context parameter as above.\n\
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
            if compared(call) {
                continue;
            }
            if defaults_the_parameter(ctx, call, fc.ctx_param.as_deref()) {
                continue;
            }
            if cancellation_wired_by_hand(ctx, call, &fc) {
                continue;
            }
            if deliberate_detach(ctx, call, &fc).is_some() {
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

/// True when the fresh context is an operand of `==`/`!=` (`if ctx != context.Background() {
/// ... watch ctx ... }`, pgconn's fast path): a comparison creates no context that work runs
/// under, so nothing is dropped.
fn compared(call: Node<'_>) -> bool {
    let mut cur = call;
    while let Some(p) = cur.parent() {
        if p.kind() == "parenthesized_expression" {
            cur = p;
            continue;
        }
        return p.kind() == "binary_expression"
            && p.child_by_field_name("operator")
                .is_some_and(|o| matches!(o.kind(), "==" | "!="));
    }
    false
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
    fc: &super::helpers::FuncContext,
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

/// Why a fresh context at `call` is a deliberate detach the rule can see locally, or `None`.
///
/// The fresh context may be wrapped by context-deriving calls first (see [`deriving_calls`]):
/// `context.WithTimeout(namespaces.WithNamespace(context.TODO(), ns), cleanupTimeout)`.
/// The shapes, each taken from real code (containerd's runtime and shims):
/// - inside a function literal that is not invoked in place (assigned to a variable, passed as
///   an argument, stored): a callback such as an `onClose` or exit handler, which runs after the
///   caller has returned and its context is done;
/// - inside a `defer` statement, or stored in a variable that only `defer` statements read:
///   cleanup that must run even when the caller's context is cancelled;
/// - bounded by a timeout: a deriving call or the consuming call also takes a duration
///   (`5*time.Second`, `time.Duration(n)`) or an argument named `*Timeout`/`*Deadline`
///   (`timeout.WithContext(context.Background(), cleanupTimeout)`);
/// - `context.WithCancel(...)` whose `cancel` is not deferred but handed on (used inside a
///   closure or stored): a lifetime context that must outlive the call, cancelled by hand;
/// - stored into the context parameter itself (`ctx = namespaces.WithNamespace(
///   context.Background(), ns)`): the author replaced the caller's context on purpose;
/// - passed to a call with an `O_NONBLOCK` flag (`fifo.OpenFifo(ctx, path,
///   syscall.O_RDONLY|syscall.O_NONBLOCK, 0)`): the open returns at once, there is nothing for
///   the caller's deadline to bound.
fn deliberate_detach(
    ctx: &Context<'_>,
    call: Node<'_>,
    fc: &super::helpers::FuncContext,
) -> Option<&'static str> {
    for a in crate::syntax::ancestors(call) {
        if a.kind() == "defer_statement" {
            return Some("deferred cleanup");
        }
        if is_func(a) {
            if func_context(ctx, a).has_context() {
                break;
            }
            if a.kind() == "func_literal" && !invoked_in_place(a) {
                return Some("callback run after the caller returns");
            }
        }
    }
    let derived = deriving_calls(ctx, call);
    let top = derived.last().copied().unwrap_or(call);
    let consumer = outer_call(top);
    let all_calls = derived.iter().copied().chain(consumer);
    for c in all_calls {
        if is_pkg_call(ctx, c, "context", &["WithTimeout", "WithDeadline"])
            || call_args(c)
                .into_iter()
                .any(|a| !a.byte_range().contains(&call.start_byte()) && bounds_time(ctx, a))
        {
            return Some("bounded by a timeout");
        }
    }
    if let Some(consumer) = consumer {
        if call_args(consumer)
            .into_iter()
            .any(|a| ctx.text(a).contains("O_NONBLOCK"))
        {
            return Some("non-blocking open");
        }
    }
    let left = assigned_to(top)?;
    let name = squash(ctx.text(left));
    if fc.ctx_param.as_deref() == Some(name.as_str()) {
        return Some("replaces the context parameter");
    }
    let scope = enclosing_function(top)?;
    let body = scope.child_by_field_name("body")?;
    if is_pkg_call(ctx, top, "context", &["WithCancel"]) {
        if let Some(cancel) = second_assigned(ctx, top).filter(|c| c != "_") {
            if cancel_handed_on(ctx, body, &cancel, top.end_byte()) {
                return Some("lifetime context cancelled by hand");
            }
        }
    }
    if left.kind() == "identifier" && only_deferred_uses(ctx, body, &name, top.end_byte()) {
        return Some("cleanup context read only by deferred calls");
    }
    None
}

/// True when a `func_literal` is called where it is written (`func() {...}()`).
fn invoked_in_place(lit: Node<'_>) -> bool {
    let mut cur = lit;
    while let Some(p) = cur.parent() {
        if p.kind() == "parenthesized_expression" {
            cur = p;
            continue;
        }
        return p.kind() == "call_expression" && p.child_by_field_name("function") == Some(cur);
    }
    false
}

/// The call whose argument `node` is (looking through parentheses).
fn outer_call(node: Node<'_>) -> Option<Node<'_>> {
    let mut cur = node;
    while let Some(p) = cur.parent() {
        if p.kind() == "parenthesized_expression" {
            cur = p;
            continue;
        }
        if p.kind() != "argument_list" {
            return None;
        }
        return p.parent().filter(|o| o.kind() == "call_expression");
    }
    None
}

/// The calls that derive a new context from the fresh one at `call`, innermost first: each takes
/// the previous as an argument and is named `With*` or `*Context` (`context.WithCancel`,
/// `namespaces.WithNamespace`, `timeout.WithContext`, `metadata.NewOutgoingContext`). The first
/// enclosing call that is not such a call consumes the context.
fn deriving_calls<'t>(ctx: &Context<'_>, call: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut cur = call;
    while let Some(outer) = outer_call(cur) {
        let name = outer
            .child_by_field_name("function")
            .map(|f| match f.child_by_field_name("field") {
                Some(field) => ctx.text(field),
                None => ctx.text(f),
            })
            .unwrap_or("");
        if !(name.starts_with("With") || name.ends_with("Context")) {
            break;
        }
        out.push(outer);
        cur = outer;
    }
    out
}

/// True for an argument that is a duration or names one: `5*time.Second`, `time.Duration(n)`,
/// `cleanupTimeout`, `opts.DialTimeout`, `deadline`.
fn bounds_time(ctx: &Context<'_>, arg: Node<'_>) -> bool {
    let t = squash(ctx.text(arg));
    const UNITS: [&str; 7] = [
        "time.Nanosecond",
        "time.Microsecond",
        "time.Millisecond",
        "time.Second",
        "time.Minute",
        "time.Hour",
        "time.Duration(",
    ];
    if UNITS.iter().any(|u| t.contains(u)) {
        return true;
    }
    if !matches!(arg.kind(), "identifier" | "selector_expression") {
        return false;
    }
    let last = t.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    last.ends_with("timeout") || last.ends_with("deadline")
}

/// For `a, b := call` / `a, b = call`, the text of `b`.
fn second_assigned(ctx: &Context<'_>, call: Node<'_>) -> Option<String> {
    let list = call.parent().filter(|p| p.kind() == "expression_list")?;
    let stmt = list.parent()?;
    if !matches!(
        stmt.kind(),
        "short_var_declaration" | "assignment_statement"
    ) {
        return None;
    }
    let left = stmt.child_by_field_name("left")?;
    left.named_child(1).map(|n| squash(ctx.text(n)))
}

/// True when the `cancel` function of a derived context is never `defer cancel()`-ed in `body`
/// but is used inside a function literal or as a value (stored, passed, returned): the context's
/// lifetime is managed beyond this function.
fn cancel_handed_on(ctx: &Context<'_>, body: Node<'_>, cancel: &str, after: usize) -> bool {
    let deferred = crate::syntax::Walk::new(body).any(|n| {
        n.kind() == "defer_statement" && squash(ctx.text(n)) == format!("defer{cancel}()")
    });
    if deferred {
        return false;
    }
    crate::syntax::Walk::new(body)
        .filter(|n| n.kind() == "identifier" && n.start_byte() >= after && ctx.text(*n) == cancel)
        .any(|n| {
            let called = n.parent().is_some_and(|p| {
                p.kind() == "call_expression" && p.child_by_field_name("function") == Some(n)
            });
            !called
                || crate::syntax::ancestors(n)
                    .take_while(|a| a.id() != body.id())
                    .any(|a| a.kind() == "func_literal")
        })
}

/// True when every later use of the variable `name` in `body` is inside a `defer` statement or
/// re-derives the variable itself (`dctx = namespaces.WithNamespace(dctx, ns)`), and at least
/// one is deferred: a context kept for deferred cleanup.
fn only_deferred_uses(ctx: &Context<'_>, body: Node<'_>, name: &str, after: usize) -> bool {
    let mut deferred = 0;
    for n in crate::syntax::Walk::new(body) {
        if n.kind() != "identifier" || n.start_byte() < after || ctx.text(n) != name {
            continue;
        }
        let mut in_defer = false;
        let mut rederives = false;
        for a in crate::syntax::ancestors(n).take_while(|a| a.id() != body.id()) {
            match a.kind() {
                "defer_statement" => in_defer = true,
                "assignment_statement" => {
                    rederives = a
                        .child_by_field_name("left")
                        .is_some_and(|l| squash(ctx.text(l)) == name);
                }
                _ => {}
            }
        }
        if in_defer {
            deferred += 1;
        } else if !rederives {
            return false;
        }
    }
    deferred > 0
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
    fn silent_for_deliberate_detaches_seen_in_containerd() {
        // Reduced from containerd 1.6: runtime/v1/linux/runtime.go, runtime/v2/manager.go,
        // shim_load.go, rootfs/diff.go, runtime/v2/binary.go, runc/task/service.go,
        // pkg/process/io.go.
        check(
            "context-not-propagated",
            r#"
package runtime

import (
    "context"
    "syscall"
    "time"
)

const cleanupTimeout = 5 * time.Second

func (r *Runtime) Create(ctx context.Context, id string) error {
    exitHandler := func() {
        r.cleanupAfterDeadShim(context.Background(), id)
    }
    shim, err := r.start(ctx, func() {
        r.cleanupAfterDeadShim(context.TODO(), id)
    }, exitHandler)
    if err != nil {
        dctx, cancel := timeout.WithContext(context.Background(), cleanupTimeout)
        defer cancel()
        shim.delete(dctx)
        kctx, kcancel := context.WithTimeout(namespaces.WithNamespace(context.TODO(), "ns"), cleanupTimeout)
        defer kcancel()
        shim.Kill(kctx)
        bctx, bcancel := withBound(context.Background(), 2*time.Second)
        defer bcancel()
        shim.Kill(bctx)
    }
    defer func() {
        shim.Remove(context.Background())
    }()
    defer shim.Close(context.Background())
    return nil
}

func CreateDiff(ctx context.Context, id string, sn Snapshotter) error {
    // dctx is used for cleanup in case ctx has been cancelled.
    dctx := context.Background()
    if ns, ok := namespaces.Namespace(ctx); ok {
        dctx = namespaces.WithNamespace(dctx, ns)
    }
    if _, err := sn.Stat(ctx, id); err != nil {
        return err
    }
    defer sn.Remove(dctx, id)
    return nil
}

func (b *binary) Start(ctx context.Context, onClose func()) (err error) {
    shimCtx, cancelShimLog := context.WithCancel(namespaces.WithNamespace(context.Background(), "ns"))
    defer func() {
        if err != nil {
            cancelShimLog()
        }
    }()
    f, err := openShimLog(shimCtx)
    b.onClose = func() {
        cancelShimLog()
        f.Close()
    }
    return err
}

func (s *service) forward(ctx context.Context, publisher Publisher) {
    ns, _ := namespaces.Namespace(ctx)
    ctx = namespaces.WithNamespace(context.Background(), ns)
    for e := range s.events {
        publisher.Publish(ctx, e)
    }
}

// Reduced from pgconn 1.x pgconn.go: a comparison, not a replacement.
func (pgConn *PgConn) Exec(ctx context.Context, sql string) error {
    if ctx != context.Background() {
        pgConn.contextWatcher.Watch(ctx)
        defer pgConn.contextWatcher.Unwatch()
    }
    if (ctx == context.TODO()) {
        return nil
    }
    return pgConn.exec(ctx, sql)
}

func (i *pipes) copy(ctx context.Context, stdin string) error {
    f, err := fifo.OpenFifo(context.Background(), stdin, syscall.O_RDONLY|syscall.O_NONBLOCK, 0)
    _ = f
    return err
}
"#,
        );
    }

    #[test]
    fn still_flags_fresh_contexts_that_go_into_work_the_caller_waits_for() {
        // The true positive of the triage (minio-go 7.0.46, api-compose-object.go): a context
        // passed straight to a network call made up to 10,000 times while the caller waits,
        // and look-alikes of the silent shapes that do not qualify.
        check(
            "context-not-propagated",
            r#"
package minio

import (
    "context"
    "syscall"
)

func (c *Client) ComposeObject(ctx context.Context, srcs ...CopySrcOptions) error {
    for _, src := range srcs {
        _, err := c.StatObject(context.Background(), src.Bucket, src.Object, StatObjectOptions{})
                             //^^^^^^^^^^^^^^^^^^^^ context-not-propagated
        if err != nil {
            return err
        }
    }
    err := func() error {
        return c.Remove(context.Background(), "x")
                      //^^^^^^^^^^^^^^^^^^^^ context-not-propagated
    }()
    return err
}

func (c *Client) Scoped(ctx context.Context) error {
    sctx, cancel := context.WithCancel(namespaces.WithNamespace(context.Background(), "ns"))
                                                              //^^^^^^^^^^^^^^^^^^^^ context-not-propagated
    defer cancel()
    dctx := context.TODO()
          //^^^^^^^^^^^^^^ context-not-propagated
    defer c.Remove(dctx, "a")
    c.Remove(dctx, "b")
    f, err := fifo.OpenFifo(context.Background(), "p", syscall.O_RDONLY, 0)
                          //^^^^^^^^^^^^^^^^^^^^ context-not-propagated
    _ = f
    return c.Stat(sctx, 3)
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
