//! Recognising retries in Rust syntax, shared by `unbounded-retry`, `retry-backoff` and
//! `retry-idempotency`.
//!
//! A **retry loop** is a `loop`, `while` or `for`-over-a-range whose body makes an *attempt*
//! (a fallible call) and, on success, leaves the loop (`break`/`return`), while on failure it
//! goes round again. Recognised shapes:
//!
//! - `match attempt { Ok(v) => break/return .., Err(e) => { ..; continue or fall through } }`
//! - `let v = match attempt { Ok(v) => v, Err(e) => { ..; continue } }; ..; break/return`
//! - `if let Ok(v) = attempt { ..break/return.. }` (failure falls through to the next iteration)
//! - `if let Err(e) = attempt { ..; continue } break/return ..`
//! - `while let Err(e) = attempt { .. }`, `while attempt.is_err() { .. }`
//!
//! A loop whose success path does not leave the loop (a consumer or accept loop that handles a
//! message and goes on) is not a retry loop; neither is a `for` over a collection (each
//! iteration handles a different item).
//!
//! A **retry closure** is the operation closure passed to a retry combinator: backon's
//! `op.retry(builder)` (the receiver), tokio-retry's `Retry::spawn(strategy, action)` /
//! `RetryIf::spawn(strategy, action, condition)`, and the `backoff` crate's `retry(backoff, op)`
//! / `backoff::future::retry(backoff, op)`.

use tree_sitter::Node;

use crate::rule::Context;
use crate::syntax::{ancestors, rust_call_path, rust_method_call, squash, Walk};
use crate::vocabulary::rust::BLOCKING_IO_CALLS;

use super::local_flow::is_body_boundary;

/// A recognised retry loop.
#[derive(Debug, Clone)]
pub struct RetryLoop<'t> {
    /// The `loop_expression`, `while_expression` or `for_expression`.
    pub node: Node<'t>,
    /// The loop body block.
    pub body: Node<'t>,
    /// The attempt expression (scrutinee), e.g. `client.post(u).send().await`.
    pub attempt: Node<'t>,
    /// The keyword token (`loop`, `while`, `for`): where findings are positioned.
    pub keyword: Node<'t>,
    /// Byte range of the success path (where the loop is left after the attempt succeeded;
    /// empty for `while let Err(..)`): an exit outside it is a give-up path.
    pub success: std::ops::Range<usize>,
}

/// True for loop nodes.
pub fn is_loop_kind(kind: &str) -> bool {
    matches!(
        kind,
        "loop_expression" | "while_expression" | "for_expression"
    )
}

/// The loop a `break`/`continue` at `node` targets (nearest enclosing loop, or the labelled one),
/// not crossing closures, async blocks or functions.
pub fn target_loop<'t>(ctx: &Context<'_>, node: Node<'t>) -> Option<Node<'t>> {
    let label = {
        let mut c = node.walk();
        let l = node
            .children(&mut c)
            .find(|ch| ch.kind() == "label")
            .map(|l| ctx.text(l).to_string());
        l
    };
    for a in ancestors(node) {
        if is_body_boundary(a.kind()) {
            return None;
        }
        if is_loop_kind(a.kind()) {
            match &label {
                None => return Some(a),
                Some(l) => {
                    let own = ctx.text(a).trim_start();
                    if own.starts_with(l.as_str()) {
                        return Some(a);
                    }
                }
            }
        }
    }
    None
}

/// True when `n` is inside `outer` at the same function/closure level (no body boundary between).
fn same_body(n: Node<'_>, outer: Node<'_>) -> bool {
    for a in ancestors(n) {
        if a.id() == outer.id() {
            return true;
        }
        if is_body_boundary(a.kind()) {
            return false;
        }
    }
    false
}

/// Does `region` contain an exit from loop `lp`: a `return`, a `break` targeting `lp`, a `?`
/// (error propagation leaves the loop), or a panic macro?
pub fn exits_loop(ctx: &Context<'_>, region: Node<'_>, lp: Node<'_>) -> bool {
    let mut walk = Walk::new(region);
    while let Some(n) = walk.next() {
        if n.id() != region.id() && is_body_boundary(n.kind()) {
            walk.skip_subtree();
            continue;
        }
        match n.kind() {
            "return_expression" | "try_expression" => return true,
            "break_expression" => {
                if target_loop(ctx, n).is_some_and(|t| t.id() == lp.id()) {
                    return true;
                }
            }
            "macro_invocation" => {
                let name = n
                    .child_by_field_name("macro")
                    .map(|m| squash(ctx.text(m)))
                    .unwrap_or_default();
                if matches!(
                    name.rsplit("::").next().unwrap_or(""),
                    "panic" | "unreachable" | "bail" | "todo" | "unimplemented"
                ) {
                    return true;
                }
                walk.skip_subtree();
            }
            _ => {}
        }
    }
    false
}

/// Does `region` contain a `continue` targeting `lp`?
fn continues_loop(ctx: &Context<'_>, region: Node<'_>, lp: Node<'_>) -> bool {
    let mut walk = Walk::new(region);
    while let Some(n) = walk.next() {
        if n.id() != region.id() && is_body_boundary(n.kind()) {
            walk.skip_subtree();
            continue;
        }
        if n.kind() == "continue_expression"
            && target_loop(ctx, n).is_some_and(|t| t.id() == lp.id())
        {
            return true;
        }
    }
    false
}

/// The first token of a match arm's pattern, e.g. `Ok`, `Err`, `_`.
fn arm_head<'s>(ctx: &Context<'s>, arm: Node<'_>) -> &'s str {
    let Some(p) = arm.child_by_field_name("pattern") else {
        return "";
    };
    let t = ctx.text(p).trim_start();
    let end = t
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(t.len());
    let head = &t[..end];
    head.rsplit("::").next().unwrap_or(head)
}

/// Does the statement list of `body` after `stmt` (at top level) contain an exit from `lp`?
fn later_statements_exit(ctx: &Context<'_>, body: Node<'_>, stmt: Node<'_>, lp: Node<'_>) -> bool {
    let mut s = stmt.next_named_sibling();
    while let Some(n) = s {
        if exits_loop(ctx, n, lp) && !matches!(n.kind(), "if_expression" | "match_expression") {
            return true;
        }
        // `if ... { break }` is conditional; only an unconditional exit statement counts,
        // but an expression statement wrapping `break`/`return` counts.
        if n.kind() == "expression_statement"
            && n.named_child(0).is_some_and(|e| {
                matches!(e.kind(), "break_expression" | "return_expression")
                    && (e.kind() == "return_expression"
                        || target_loop(ctx, e).is_some_and(|t| t.id() == lp.id()))
            })
        {
            return true;
        }
        s = n.next_named_sibling();
    }
    let _ = body;
    false
}

/// The statement of `body` (a direct child) that contains `n`.
fn statement_in<'t>(body: Node<'t>, n: Node<'t>) -> Option<Node<'t>> {
    let mut cur = n;
    loop {
        let p = cur.parent()?;
        if p.id() == body.id() {
            return Some(cur);
        }
        cur = p;
    }
}

fn strip_await_try(mut e: Node<'_>) -> Node<'_> {
    loop {
        match e.kind() {
            "await_expression" | "try_expression" | "parenthesized_expression" => {
                match e.named_child(0) {
                    Some(c) => e = c,
                    None => return e,
                }
            }
            _ => return e,
        }
    }
}

/// The attempt must be a call, and not an in-memory non-blocking operation that is retried as
/// part of a lock-free algorithm or spin (`compare_exchange`, `fetch_update`, `try_lock`,
/// `try_recv`, ...): those loops are not retries of a remote operation.
fn is_call_like(ctx: &Context<'_>, e: Node<'_>) -> bool {
    let awaited = Walk::new(e).any(|n| n.kind() == "await_expression");
    let e = strip_await_try(e);
    if e.kind() != "call_expression" {
        return false;
    }
    if awaited {
        return true;
    }
    // Not awaited: only a blocking call that talks to something outside the process counts
    // (an in-memory `queue.push(x)` or `compare_exchange` retried in a loop is a spin, not a
    // retry of a remote operation).
    let name = match rust_method_call(e) {
        Some((_, m)) => ctx.text(m).to_string(),
        None => e
            .child_by_field_name("function")
            .map(|f| ctx.text(f).rsplit("::").next().unwrap_or("").to_string())
            .unwrap_or_default(),
    };
    BLOCKING_IO_CALLS.contains(&name.as_str())
}

/// True when a `for` loop iterates attempts rather than items: over a range (`0..n`,
/// `1..=max`), or over a backoff iterator, with a loop variable that the attempt does not use.
fn for_is_attempts(ctx: &Context<'_>, lp: Node<'_>, attempt: Node<'_>) -> bool {
    let Some(value) = lp.child_by_field_name("value") else {
        return false;
    };
    let is_range = value.kind() == "range_expression"
        || (value.kind() == "parenthesized_expression"
            && value
                .named_child(0)
                .is_some_and(|v| v.kind() == "range_expression"));
    if !is_range {
        return false;
    }
    let Some(pat) = lp.child_by_field_name("pattern") else {
        return true;
    };
    let var = ctx.text(pat);
    if var.starts_with('_') {
        return true;
    }
    // The attempt must not depend on the loop variable (`fetch(i)` iterates pages).
    !Walk::new(attempt).any(|n| n.kind() == "identifier" && ctx.text(n) == var)
}

/// The retry loops inside `unit`, outermost first.
pub fn retry_loops<'t>(ctx: &Context<'_>, unit: Node<'t>) -> Vec<RetryLoop<'t>> {
    let mut out: Vec<RetryLoop<'t>> = Vec::new();
    for lp in Walk::new(unit) {
        if !is_loop_kind(lp.kind()) {
            continue;
        }
        if let Some(r) = as_retry_loop(ctx, lp) {
            out.push(r);
        }
    }
    out
}

/// `lp` as a retry loop, if it is one.
pub fn as_retry_loop<'t>(ctx: &Context<'_>, lp: Node<'t>) -> Option<RetryLoop<'t>> {
    let body = lp.child_by_field_name("body")?;
    let keyword = {
        let mut c = lp.walk();
        let k = lp
            .children(&mut c)
            .find(|ch| matches!(ch.kind(), "loop" | "while" | "for"));
        k.unwrap_or(lp)
    };
    let mk = |attempt, success| RetryLoop {
        node: lp,
        body,
        attempt,
        keyword,
        success,
    };
    // `while let Err(_) = attempt` / `while attempt.is_err()`.
    if lp.kind() == "while_expression" {
        let cond = lp.child_by_field_name("condition")?;
        if cond.kind() == "let_condition" {
            let pat = cond.child_by_field_name("pattern")?;
            let val = cond.child_by_field_name("value")?;
            if ctx.text(pat).trim_start().starts_with("Err") && is_call_like(ctx, val) {
                return Some(mk(val, 0..0));
            }
        }
        if let Some((recv, m)) = (cond.kind() == "call_expression")
            .then(|| rust_method_call(cond))
            .flatten()
        {
            if ctx.text(m) == "is_err" && is_call_like(ctx, recv) {
                return Some(mk(recv, 0..0));
            }
        }
        // Other `while cond` loops are bounded by their condition; only the shapes above.
        return None;
    }
    let mut walk = Walk::new(body);
    while let Some(n) = walk.next() {
        if is_body_boundary(n.kind()) || (n.id() != lp.id() && is_loop_kind(n.kind())) {
            walk.skip_subtree();
            continue;
        }
        let found = match n.kind() {
            "match_expression" => match_shape(ctx, lp, body, n),
            "if_expression" => if_let_shape(ctx, lp, body, n),
            _ => None,
        };
        if let Some((attempt, success)) = found {
            if lp.kind() == "for_expression" && !for_is_attempts(ctx, lp, attempt) {
                return None;
            }
            return Some(mk(attempt, success));
        }
    }
    None
}

fn match_shape<'t>(
    ctx: &Context<'_>,
    lp: Node<'t>,
    body: Node<'t>,
    m: Node<'t>,
) -> Option<(Node<'t>, std::ops::Range<usize>)> {
    let value = m.child_by_field_name("value")?;
    if !is_call_like(ctx, value) {
        return None;
    }
    let block = m.child_by_field_name("body")?;
    let mut c = block.walk();
    let arms: Vec<Node<'t>> = block
        .named_children(&mut c)
        .filter(|a| a.kind() == "match_arm")
        .collect();
    let ok_arm = arms.iter().find(|a| arm_head(ctx, **a) == "Ok")?;
    let err_arms: Vec<&Node<'t>> = arms
        .iter()
        .filter(|a| matches!(arm_head(ctx, **a), "Err" | "_"))
        .collect();
    if err_arms.is_empty() {
        return None;
    }
    let retries = err_arms.iter().any(|a| {
        let v = a.child_by_field_name("value");
        v.is_some_and(|v| continues_loop(ctx, v, lp) || !exits_loop(ctx, v, lp))
    });
    if !retries {
        return None;
    }
    let ok_value = ok_arm.child_by_field_name("value")?;
    if exits_loop(ctx, ok_value, lp) {
        return Some((value, ok_value.byte_range()));
    }
    // `let v = match attempt { Ok(v) => v, Err(_) => { ..; continue } }; ..; break v;`
    let err_continues = err_arms.iter().any(|a| {
        a.child_by_field_name("value")
            .is_some_and(|v| continues_loop(ctx, v, lp))
    });
    if err_continues && same_body(m, lp) {
        let stmt = statement_in(body, m)?;
        if later_statements_exit(ctx, body, stmt, lp) {
            return Some((value, stmt.end_byte()..body.end_byte()));
        }
    }
    None
}

fn if_let_shape<'t>(
    ctx: &Context<'_>,
    lp: Node<'t>,
    body: Node<'t>,
    i: Node<'t>,
) -> Option<(Node<'t>, std::ops::Range<usize>)> {
    let cond = i.child_by_field_name("condition")?;
    if cond.kind() != "let_condition" {
        return None;
    }
    let pat = cond.child_by_field_name("pattern")?;
    let val = cond.child_by_field_name("value")?;
    if !is_call_like(ctx, val) {
        return None;
    }
    let cons = i.child_by_field_name("consequence")?;
    let head = ctx.text(pat).trim_start();
    if head.starts_with("Ok") {
        // Success leaves the loop; failure (else or fall-through) goes round again.
        if !exits_loop(ctx, cons, lp) {
            return None;
        }
        if let Some(alt) = i.child_by_field_name("alternative") {
            if exits_loop(ctx, alt, lp) && !continues_loop(ctx, alt, lp) {
                return None;
            }
        }
        return Some((val, cons.byte_range()));
    }
    if head.starts_with("Err") {
        if exits_loop(ctx, cons, lp) && !continues_loop(ctx, cons, lp) {
            return None;
        }
        let stmt = statement_in(body, i)?;
        if continues_loop(ctx, cons, lp) && later_statements_exit(ctx, body, stmt, lp) {
            return Some((val, stmt.end_byte()..body.end_byte()));
        }
        // `if let Err(e) = op() { log; sleep } else { break }`
        if let Some(alt) = i.child_by_field_name("alternative") {
            if exits_loop(ctx, alt, lp) {
                return Some((val, alt.byte_range()));
            }
        }
    }
    None
}

/// A call to a retry combinator and the closure (or expression) it retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryCall<'t> {
    /// The combinator call (`Retry::spawn(..)`, `op.retry(..)`, `retry(..)`).
    pub call: Node<'t>,
    /// The retried operation: a closure, or the expression passed as the operation.
    pub op: Node<'t>,
    /// Which library.
    pub lib: RetryLib,
    /// The strategy / backoff argument, when there is one.
    pub strategy: Option<Node<'t>>,
}

/// The retry libraries recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryLib {
    /// `tokio_retry::Retry::spawn` / `RetryIf::spawn` (also `tokio_retry2`).
    TokioRetry,
    /// backon's `Retryable::retry` / `BlockingRetryable::retry`.
    Backon,
    /// the `backoff` crate's `retry` / `future::retry`.
    Backoff,
}

/// If `call` is a retry combinator call, its operation.
pub fn retry_call<'t>(ctx: &Context<'_>, call: Node<'t>) -> Option<RetryCall<'t>> {
    if call.kind() != "call_expression" {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    let argv: Vec<Node<'t>> = args
        .named_children(&mut c)
        .filter(|a| !a.kind().ends_with("comment"))
        .collect();
    if let Some(path) = rust_call_path(ctx.source, call) {
        let full = ctx.imports.resolve_rust(&path);
        let tr = [
            "tokio_retry::Retry::spawn",
            "tokio_retry::RetryIf::spawn",
            "tokio_retry::Retry::start",
            "tokio_retry::RetryIf::start",
            "tokio_retry2::Retry::spawn",
            "tokio_retry2::RetryIf::spawn",
            "tokio_retry2::Retry::start",
            "tokio_retry2::RetryIf::start",
        ];
        if tr.contains(&full.as_str()) && argv.len() >= 2 {
            return Some(RetryCall {
                call,
                op: argv[1],
                lib: RetryLib::TokioRetry,
                strategy: Some(argv[0]),
            });
        }
        let bo = [
            "backoff::retry",
            "backoff::future::retry",
            "backoff::retry_notify",
            "backoff::future::retry_notify",
        ];
        if bo.contains(&full.as_str()) && argv.len() >= 2 {
            return Some(RetryCall {
                call,
                op: argv[1],
                lib: RetryLib::Backoff,
                strategy: Some(argv[0]),
            });
        }
        return None;
    }
    // backon: `op.retry(builder)` where the file imports backon's traits.
    let (recv, m) = rust_method_call(call)?;
    if ctx.text(m) != "retry" || argv.len() != 1 {
        return None;
    }
    let uses_backon = ctx
        .imports
        .names
        .values()
        .chain(ctx.imports.globs.iter())
        .any(|p| p.starts_with("backon"));
    if !uses_backon {
        return None;
    }
    Some(RetryCall {
        call,
        op: recv,
        lib: RetryLib::Backon,
        strategy: Some(argv[0]),
    })
}

/// The retry combinator calls in `unit`.
pub fn retry_calls<'t>(ctx: &Context<'_>, unit: Node<'t>) -> Vec<RetryCall<'t>> {
    Walk::new(unit).filter_map(|n| retry_call(ctx, n)).collect()
}

/// The body a retried operation runs: for a closure its body; for `(|| async {..})` also fine;
/// for a path to a local function, `None` (not followed).
pub fn op_body(op: Node<'_>) -> Option<Node<'_>> {
    let mut e = op;
    loop {
        match e.kind() {
            "closure_expression" => return e.child_by_field_name("body"),
            "parenthesized_expression" | "reference_expression" => e = e.named_child(0)?,
            _ => return None,
        }
    }
}

/// The exits from `lp` (`return`, `break` to it, `?`, panics) outside its success path: the
/// loop's give-up points. Also counts exits in a `while` condition's scope.
pub fn give_up_exits<'t>(ctx: &Context<'_>, r: &RetryLoop<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut walk = Walk::new(r.node);
    while let Some(n) = walk.next() {
        if n.id() != r.node.id() && is_body_boundary(n.kind()) {
            walk.skip_subtree();
            continue;
        }
        if n.start_byte() >= r.success.start
            && n.end_byte() <= r.success.end
            && !r.success.is_empty()
        {
            continue;
        }
        let exit = match n.kind() {
            "return_expression" | "try_expression" => true,
            "break_expression" => target_loop(ctx, n).is_some_and(|t| t.id() == r.node.id()),
            "macro_invocation" => {
                let name = n
                    .child_by_field_name("macro")
                    .map(|m| squash(ctx.text(m)))
                    .unwrap_or_default();
                matches!(
                    name.rsplit("::").next().unwrap_or(""),
                    "panic" | "unreachable" | "bail" | "todo" | "unimplemented"
                )
            }
            _ => false,
        };
        if exit {
            out.push(n);
        }
    }
    out
}

/// Sleep calls in `region` at the same function level (not in nested closures/async blocks/fns
/// other than `region` itself): `tokio::time::sleep`, `std::thread::sleep`,
/// `async_std::task::sleep`, `futures_timer::Delay::new`. Returns `(call, duration argument)`.
pub fn sleeps_in<'t>(ctx: &Context<'_>, region: Node<'t>) -> Vec<(Node<'t>, Node<'t>)> {
    const SLEEPS: &[&str] = &[
        "tokio::time::sleep",
        "std::thread::sleep",
        "async_std::task::sleep",
        "futures_timer::Delay::new",
        "smol::Timer::after",
        "async_io::Timer::after",
    ];
    let mut out = Vec::new();
    let mut walk = Walk::new(region);
    while let Some(n) = walk.next() {
        if n.id() != region.id() && matches!(n.kind(), "closure_expression" | "function_item") {
            walk.skip_subtree();
            continue;
        }
        if n.kind() != "call_expression" {
            continue;
        }
        let Some(path) = rust_call_path(ctx.source, n) else {
            continue;
        };
        let full = ctx.imports.resolve_rust(&path);
        if !SLEEPS.contains(&full.as_str()) {
            continue;
        }
        if let Some(arg) = n
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
        {
            out.push((n, arg));
        }
    }
    out
}
