//! `retry-backoff` (category `retry-backoff`): retries that wait a constant time, or back off
//! exponentially with no jitter.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{rust_call_path, squash, Walk};
use crate::vocabulary::rust::{BACKOFF_JITTER_WORDS, BACKON_BUILDERS, TOKIO_RETRY_UNJITTERED};

use super::helpers::{
    chain_up, chains_on_let_variable, enclosing_fn, find_binding, is_constant, is_test_code,
    retry_call, retry_loops, sleeps_in, RetryLib,
};

/// The rule.
pub struct RetryBackoff;

/// Registered instance.
pub static RULE: RetryBackoff = RetryBackoff;

static META: RuleMeta = RuleMeta {
    id: "retry-backoff",
    language: Language::Rust,
    category: "retry-backoff",
    severity: Severity::Minor,
    title: "Retry with constant delay or without jitter",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds retries whose waits make clients retry in lockstep:\n\n\
- a retry loop (see `unbounded-retry`: success leaves the loop, failure goes round again) whose \
only sleeps (`tokio::time::sleep`, `std::thread::sleep`, `async_std::task::sleep`) take a \
constant duration — a literal, a `const`, or a variable bound once to one;\n\
- a retry loop that doubles its delay (`delay *= 2`, `delay = delay * 2`, `.saturating_mul(2)`, \
`2u64.pow(attempt)`, `<< attempt`) with no randomness in the function (`rand`, `fastrand`, \
`jitter`, `random`);\n\
- tokio-retry `ExponentialBackoff`/`FibonacciBackoff`/`FixedInterval` strategies given to \
`Retry::spawn` without `.map(jitter)`;\n\
- backon `ExponentialBuilder`/`ConstantBuilder`/`FibonacciBuilder` used without `.with_jitter()`.",
        why: "When a shared dependency fails, every client sees the failure at the same moment; \
identical delays keep them synchronised:\n\n\
1. A database fails over; 2,000 service instances get an error at the same instant.\n\
2. Each waits exactly 100 ms (or exactly 100, 200, 400 ms) and retries — all at the same instant \
again.\n\
3. The recovering database receives 2,000 connections in one millisecond, is overwhelmed, and \
fails again; the next wave arrives in lockstep too (a thundering herd / retry storm).\n\
4. Recovery that should take seconds takes many minutes. A constant delay adds a second \
problem: it does not slow down as the outage lasts, so the load never falls. Exponential \
backoff spreads attempts over time; jitter (a random part of the delay) spreads them across \
clients.",
        known_problems: "- Sleeps in a helper function called from the loop are not seen (the \
loop is then not flagged).\n\
- A delay computed by a function (`policy.next_delay()`) is assumed to be fine.\n\
- Randomness anywhere in the function counts as jitter, even if it is not applied to the delay.\n\
- A single client retrying a local resource does not cause a herd; suppress with the reason.",
        example: "loop {\n    match client.get(url).send().await {\n        Ok(r) => break r,\n        Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,\n    }\n}",
        use_instead: "let mut delay = Duration::from_millis(100);\nfor _ in 0..MAX_ATTEMPTS {\n    match client.get(url).send().await {\n        Ok(r) => return Ok(r),\n        Err(_) => {\n            // full jitter: a random wait in [0, delay)\n            tokio::time::sleep(delay.mul_f64(rand::random::<f64>())).await;\n            delay = (delay * 2).min(MAX_DELAY);\n        }\n    }\n}",
        fix: "**Add jitter** where the change is local: backon builders get `.with_jitter()` \
(safe: same builder type, only the delays become randomised). tokio-retry strategies passed \
straight to `Retry::spawn` (or bound by an unannotated `let`) get \
`.map(tokio_retry::strategy::jitter)` (unsafe: the strategy's type changes, and `jitter` needs \
tokio-retry's default `rand` feature). Hand-written loops \
get no automatic fix (the right delay depends on the loop; a suppression is offered).",
    },
};

/// True when the function around `n` mentions randomness.
fn function_has_randomness(ctx: &Context<'_>, n: Node<'_>) -> bool {
    let Some(f) = enclosing_fn(n) else {
        return false;
    };
    Walk::new(f).any(|x| {
        matches!(
            x.kind(),
            "identifier" | "field_identifier" | "type_identifier"
        ) && {
            let t = ctx.text(x).to_ascii_lowercase();
            BACKOFF_JITTER_WORDS.iter().any(|h| t.contains(h))
        }
    })
}

/// How a sleep's duration argument behaves across the loop.
#[derive(Debug, PartialEq, Eq)]
enum Delay {
    Constant,
    DoubledNoJitter,
    Other,
}

/// Is `name` doubled anywhere in `region` (`name *= 2`, `name = name * 2`, `.saturating_mul(2)`,
/// `.mul_f64(2.0)`, `name <<= 1`, `name = min(name * 2, cap)`)?
fn doubled_in(ctx: &Context<'_>, region: Node<'_>, name: &str) -> bool {
    Walk::new(region).any(|n| match n.kind() {
        "compound_assignment_expr" => {
            let left = n.child_by_field_name("left").map(|l| squash(ctx.text(l)));
            let op = n.child_by_field_name("operator").map(|o| ctx.text(o));
            let right = n.child_by_field_name("right").map(|r| squash(ctx.text(r)));
            left.as_deref() == Some(name)
                && matches!(op, Some("*=") | Some("<<="))
                && right.is_some_and(|r| r == "2" || r == "1" || r == "2.0" || r == "2u32")
        }
        "assignment_expression" => {
            let left = n.child_by_field_name("left").map(|l| squash(ctx.text(l)));
            let right = n.child_by_field_name("right").map(|r| squash(ctx.text(r)));
            left.as_deref() == Some(name)
                && right.is_some_and(|r| {
                    r.contains(&format!("{name}*2"))
                        || r.contains(&format!("2*{name}"))
                        || r.contains(&format!("{name}.saturating_mul(2)"))
                        || r.contains(&format!("{name}.checked_mul(2)"))
                        || r.contains(&format!("{name}.mul_f64(2"))
                        || r.contains(&format!("{name}.mul_f32(2"))
                        || r.contains(&format!("{name}<<1"))
                })
        }
        _ => false,
    })
}

/// Classifies the duration argument of a sleep in retry loop `lp`.
fn classify_delay(ctx: &Context<'_>, lp: Node<'_>, arg: Node<'_>) -> Delay {
    if is_constant(ctx, arg) {
        return Delay::Constant;
    }
    // `2u64.pow(attempt)` / `base * 2u32.pow(n)` / `<< attempt` inline.
    let t = squash(ctx.text(arg));
    let inline_exp = t.contains(".pow(") || t.contains("<<") || t.contains(".powi(");
    if inline_exp {
        return if function_has_randomness(ctx, arg) {
            Delay::Other
        } else {
            Delay::DoubledNoJitter
        };
    }
    // A variable: constant if bound once to a constant and never reassigned; doubled if doubled.
    let var = match arg.kind() {
        "identifier" => Some(ctx.text(arg).to_string()),
        "reference_expression" | "unary_expression" => arg
            .named_child(arg.named_child_count().saturating_sub(1))
            .filter(|v| v.kind() == "identifier")
            .map(|v| ctx.text(v).to_string()),
        _ => None,
    };
    let Some(var) = var else {
        return Delay::Other;
    };
    if doubled_in(ctx, lp, &var) {
        return if function_has_randomness(ctx, arg) {
            Delay::Other
        } else {
            Delay::DoubledNoJitter
        };
    }
    let Some(f) = enclosing_fn(arg) else {
        return Delay::Other;
    };
    let Some(b) = find_binding(ctx.source, f, &var, arg.start_byte()) else {
        return Delay::Other;
    };
    if b.kind() != "let_declaration" {
        return Delay::Other;
    }
    let reassigned = Walk::new(f).any(|n| {
        matches!(
            n.kind(),
            "assignment_expression" | "compound_assignment_expr"
        ) && n
            .child_by_field_name("left")
            .is_some_and(|l| squash(ctx.text(l)) == var)
    });
    let const_init = b
        .child_by_field_name("value")
        .is_some_and(|v| is_constant(ctx, v));
    if const_init && !reassigned {
        Delay::Constant
    } else {
        Delay::Other
    }
}

fn ctor_type(ctx: &Context<'_>, call: Node<'_>) -> Option<String> {
    let p = rust_call_path(ctx.source, call)?;
    let full = ctx.imports.resolve_rust(&p);
    let (ty, ctor) = full.rsplit_once("::")?;
    if matches!(ctor, "new" | "default" | "from_millis" | "from_secs") {
        Some(ty.to_string())
    } else {
        None
    }
}

impl Rule for RetryBackoff {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a sleep in a retry loop or a strategy constructor.
        &[&[
            "sleep",
            "Delay",
            "Timer",
            "ExponentialBackoff",
            "FibonacciBackoff",
            "FixedInterval",
            "ExponentialBuilder",
            "ConstantBuilder",
            "FibonacciBuilder",
        ]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if is_test_code(ctx, node) {
            return;
        }
        for r in retry_loops(ctx, node) {
            let sleeps = sleeps_in(ctx, r.body);
            if sleeps.is_empty() {
                continue;
            }
            let kinds: Vec<Delay> = sleeps
                .iter()
                .map(|(_, arg)| classify_delay(ctx, r.node, *arg))
                .collect();
            let (call, _) = sleeps[0];
            if kinds.iter().all(|k| *k == Delay::Constant) {
                out.push(Finding::new(
                    &META,
                    call.byte_range(),
                    "retry loop sleeps a constant time: clients that failed together retry together, and the load never falls while the outage lasts",
                ));
            } else if kinds.iter().any(|k| *k == Delay::DoubledNoJitter)
                && !kinds.iter().any(|k| *k == Delay::Other)
            {
                out.push(Finding::new(
                    &META,
                    call.byte_range(),
                    "exponential backoff without jitter: clients that failed together still retry in lockstep (thundering herd)",
                ));
            }
        }
        for n in Walk::new(node) {
            if n.kind() != "call_expression" {
                continue;
            }
            let Some(ty) = ctor_type(ctx, n) else {
                continue;
            };
            if TOKIO_RETRY_UNJITTERED.contains(&ty.as_str()) {
                check_tokio_retry(ctx, n, out);
            } else if BACKON_BUILDERS.contains(&ty.as_str()) {
                check_backon(ctx, n, out);
            }
        }
    }
}

fn check_tokio_retry(ctx: &Context<'_>, ctor: Node<'_>, out: &mut Vec<Finding>) {
    let (names, top) = chain_up(ctor);
    let has_jitter = |names: &[Node<'_>]| {
        names.iter().any(|m| {
            ctx.text(*m) == "map"
                && m.parent()
                    .and_then(|f| f.parent())
                    .and_then(|c| c.child_by_field_name("arguments"))
                    .is_some_and(|a| ctx.text(a).contains("jitter"))
        })
    };
    if has_jitter(&names) {
        return;
    }
    // Used as a strategy: passed straight to `Retry::spawn`, or through a plain `let`.
    let direct_arg = top
        .parent()
        .filter(|p| p.kind() == "arguments")
        .and_then(|a| a.parent())
        .and_then(|c| retry_call(ctx, c))
        .is_some_and(|rc| {
            rc.lib == RetryLib::TokioRetry && rc.strategy.is_some_and(|s| s.id() == top.id())
        });
    let via_let = if direct_arg {
        false
    } else {
        match chains_on_let_variable(ctx, top) {
            Some(chains) => {
                if chains.iter().any(|c| has_jitter(c)) {
                    return;
                }
                let untyped = top
                    .parent()
                    .is_some_and(|l| l.child_by_field_name("type").is_none());
                // The variable must reach a Retry::spawn in this function.
                let used = enclosing_fn(top).is_some_and(|f| {
                    Walk::new(f).any(|c| {
                        retry_call(ctx, c).is_some_and(|rc| rc.lib == RetryLib::TokioRetry)
                    })
                });
                if !used {
                    return;
                }
                untyped
            }
            None => return,
        }
    };
    let mut f = Finding::new(
        &META,
        ctor.byte_range(),
        "tokio-retry strategy without `.map(jitter)`: clients that failed together retry in lockstep (thundering herd)",
    );
    if direct_arg || via_let {
        f = f.with_fix(Fix::new(
            "Add jitter (`.map(tokio_retry::strategy::jitter)`)",
            Applicability::Unsafe,
            vec![TextEdit::insert(
                ctor.end_byte(),
                ".map(tokio_retry::strategy::jitter)",
            )],
        ));
    }
    out.push(f);
}

fn check_backon(ctx: &Context<'_>, ctor: Node<'_>, out: &mut Vec<Finding>) {
    let (names, top) = chain_up(ctor);
    let jit = |names: &[Node<'_>]| {
        names
            .iter()
            .any(|m| matches!(ctx.text(*m), "with_jitter" | "with_jitter_seed"))
    };
    if jit(&names) {
        return;
    }
    // Must be used for a retry: passed to `.retry(..)`, directly or through a `let`.
    let direct = top
        .parent()
        .filter(|p| p.kind() == "arguments")
        .and_then(|a| a.parent())
        .and_then(|c| retry_call(ctx, c))
        .is_some_and(|rc| rc.lib == RetryLib::Backon);
    if !direct {
        let Some(chains) = chains_on_let_variable(ctx, top) else {
            return;
        };
        if chains.iter().any(|c| jit(c)) {
            return;
        }
        let used = enclosing_fn(top).is_some_and(|f| {
            Walk::new(f).any(|c| retry_call(ctx, c).is_some_and(|rc| rc.lib == RetryLib::Backon))
        });
        if !used {
            return;
        }
    }
    out.push(
        Finding::new(
            &META,
            ctor.byte_range(),
            "backon backoff without `.with_jitter()`: clients that failed together retry in lockstep (thundering herd)",
        )
        .with_fix(Fix::new(
            "Add jitter (`.with_jitter()`)",
            Applicability::Safe,
            vec![TextEdit::insert(ctor.end_byte(), ".with_jitter()")],
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_constant_and_unjittered_waits() {
        check(
            "retry-backoff",
            r#"
use std::time::Duration;
const RETRY_DELAY: Duration = Duration::from_millis(200);

async fn constant(client: &reqwest::Client, url: &str) -> Result<reqwest::Response, reqwest::Error> {
    for _ in 0..5 {
        match client.get(url).send().await {
            Ok(r) => return Ok(r),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                    //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ retry-backoff
        }
    }
    client.get(url).send().await
}

async fn constant_var(op: &Op) -> u8 {
    let delay = RETRY_DELAY;
    loop {
        if let Ok(v) = op.run().await {
            break v;
        }
        tokio::time::sleep(delay).await;
      //^^^^^^^^^^^^^^^^^^^^^^^^^ retry-backoff
    }
}

async fn doubling(op: &Op) -> Result<u8, E> {
    let mut delay = Duration::from_millis(50);
    for _ in 0..8 {
        match op.run().await {
            Ok(v) => return Ok(v),
            Err(_) => {
                tokio::time::sleep(delay).await;
              //^^^^^^^^^^^^^^^^^^^^^^^^^ retry-backoff
                delay *= 2;
            }
        }
    }
    Err(E)
}
"#,
        );
    }

    #[test]
    fn silent_on_jittered_or_computed_waits_and_non_retry_sleeps() {
        check(
            "retry-backoff",
            r#"
use std::time::Duration;

async fn jittered(op: &Op) -> Result<u8, E> {
    let mut delay = Duration::from_millis(50);
    for _ in 0..8 {
        match op.run().await {
            Ok(v) => return Ok(v),
            Err(_) => {
                let j = rand::random::<f64>();
                tokio::time::sleep(delay.mul_f64(j)).await;
                delay *= 2;
            }
        }
    }
    Err(E)
}

async fn policy(op: &Op, p: &mut Policy) -> Result<u8, E> {
    for _ in 0..8 {
        match op.run().await {
            Ok(v) => return Ok(v),
            Err(_) => tokio::time::sleep(p.next_delay()).await,
        }
    }
    Err(E)
}

async fn poll(op: &Op) {
    loop {
        op.tick().await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn consumer(rx: &mut Rx) {
    loop {
        match rx.recv().await {
            Ok(m) => handle(m).await,
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}
"#,
        );
    }

    #[test]
    fn flags_library_strategies_without_jitter() {
        check(
            "retry-backoff",
            r#"
use tokio_retry::Retry;
use tokio_retry::strategy::{jitter, ExponentialBackoff};
use backon::{ExponentialBuilder, Retryable};

async fn a() -> Result<u8, E> {
    Retry::spawn(ExponentialBackoff::from_millis(10).take(5), action).await?;
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ retry-backoff
    Retry::spawn(ExponentialBackoff::from_millis(10).map(jitter).take(5), action).await
}

async fn b() -> Result<u8, E> {
    let bo = ExponentialBuilder::default().with_max_times(4);
           //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ retry-backoff
    fetch.retry(bo).await?;
    fetch.retry(ExponentialBuilder::default().with_jitter()).await
}

fn not_used_for_retry() -> ExponentialBackoff {
    ExponentialBackoff::from_millis(10)
}
"#,
        );
    }

    #[test]
    fn fix_adds_with_jitter_to_backon_builder() {
        check_fix(
            "retry-backoff",
            "Add jitter",
            "use backon::{ExponentialBuilder, Retryable};\nasync fn f() -> Result<u8, E> {\n    fetch.retry(ExponentialBuilder::default().with_max_times(3)).await\n}\n",
            "use backon::{ExponentialBuilder, Retryable};\nasync fn f() -> Result<u8, E> {\n    fetch.retry(ExponentialBuilder::default().with_jitter().with_max_times(3)).await\n}\n",
        );
    }

    #[test]
    fn fix_maps_tokio_retry_strategy_through_jitter() {
        check_fix(
            "retry-backoff",
            "Add jitter",
            "use tokio_retry::{Retry, strategy::FixedInterval};\nasync fn f() -> Result<u8, E> {\n    Retry::spawn(FixedInterval::from_millis(100).take(3), action).await\n}\n",
            "use tokio_retry::{Retry, strategy::FixedInterval};\nasync fn f() -> Result<u8, E> {\n    Retry::spawn(FixedInterval::from_millis(100).map(tokio_retry::strategy::jitter).take(3), action).await\n}\n",
        );
    }
}
