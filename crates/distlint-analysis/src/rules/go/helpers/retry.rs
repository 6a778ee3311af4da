//! Retry loops: a loop that calls, checks the error and goes round again, and what its
//! body does on the error path (exit, continue, wait).

use tree_sitter::Node;

use crate::rule::Context;
use crate::syntax::{ancestors, named_children, squash, Walk};

use super::{is_pkg_call, method_name};

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
