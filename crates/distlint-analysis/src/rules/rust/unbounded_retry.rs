//! `unbounded-retry` (category `unbounded-retry`): retry loops and retry strategies with no
//! attempt limit, no deadline and no give-up path.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{ancestors, rust_call_path, rust_method_call, squash, Walk};
use crate::vocabulary::rust::TOKIO_RETRY_STRATEGIES;

use super::helpers::{
    chain_up, enclosing_fn, find_binding, give_up_exits, is_test_code, retry_call, retry_loops,
    RetryLib, RetryLoop,
};

/// The rule.
pub struct UnboundedRetry;

/// Registered instance.
pub static RULE: UnboundedRetry = UnboundedRetry;

static META: RuleMeta = RuleMeta {
    id: "unbounded-retry",
    language: Language::Rust,
    category: "unbounded-retry",
    severity: Severity::Major,
    title: "Retry without a limit",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds retries that never give up:\n\n\
- a `loop`, `while let Err(..) = ..` or open-ended `for _ in 0..` that retries a fallible call \
(success leaves the loop, failure goes round again) with no attempt limit, no deadline and no \
give-up path: no `return`, `break`, `?` or panic reachable on the failure path, and the loop is \
not run under `tokio::time::timeout`;\n\
- tokio-retry strategies (`ExponentialBackoff`, `FixedInterval`, `FibonacciBackoff`) passed to \
`Retry::spawn`/`RetryIf::spawn` without `.take(n)` (they are infinite iterators);\n\
- backon builders configured with `.without_max_times()` (and no `with_total_delay(Some(..))`);\n\
- `backoff::ExponentialBackoff { max_elapsed_time: None, .. }` and \
`.with_max_elapsed_time(None)`.\n\n\
A loop whose success path does not leave it (a consumer or accept loop) is not a retry loop, and \
a `for` over a collection is iteration, not retry; neither is flagged.",
        why: "A retry that never stops turns a permanent failure into a permanent load:\n\n\
1. A dependency starts rejecting the request for good: a revoked credential, a deleted \
resource, a request the new API version refuses.\n\
2. The loop retries forever. The caller waits forever too (no error ever reaches it), holding \
its task, connection and any lock.\n\
3. Every instance of the service does the same, so the broken dependency receives a constant \
stream of doomed requests — during an incident, a self-inflicted denial of service that slows \
its recovery.\n\
4. Nobody is alerted: no error is returned, only a log line per attempt. With a limit (or a \
deadline), the failure surfaces after N attempts, the caller can fail over, and the error budget \
shows it.",
        known_problems: "- Loops that are meant to run until success (a daemon waiting for its \
database at startup) are flagged; suppress with the reason.\n\
- A cancellation from outside (the task is aborted, or the caller wraps this function in a \
timeout) is not visible; loops containing `select!` are not flagged.\n\
- Strategies stored in struct fields or returned from functions are not followed.\n\
- Retry loops written as recursion, or driven by a state machine, are not recognised.",
        example: "loop {\n    match client.get(url).send().await {\n        Ok(resp) => break resp,\n        Err(e) => {\n            tracing::warn!(%e, \"retrying\");\n            tokio::time::sleep(backoff).await;\n        }\n    }\n}",
        use_instead: "let mut attempt = 0;\nloop {\n    match client.get(url).send().await {\n        Ok(resp) => break resp,\n        Err(e) if attempt < MAX_ATTEMPTS => {\n            attempt += 1;\n            tokio::time::sleep(backoff(attempt)).await;\n        }\n        Err(e) => return Err(e.into()),\n    }\n}",
        fix: "",
    },
};

fn loop_is_bounded(ctx: &Context<'_>, r: &RetryLoop<'_>) -> bool {
    if r.node.kind() == "for_expression" {
        // `for _ in 0..` has no end; `0..n` / `0..=n` do.
        let open = r.node.child_by_field_name("value").is_some_and(|v| {
            let v = if v.kind() == "parenthesized_expression" {
                v.named_child(0).unwrap_or(v)
            } else {
                v
            };
            v.kind() == "range_expression" && ctx.text(v).trim_end().ends_with("..")
        });
        if !open {
            return true;
        }
    }
    if !give_up_exits(ctx, r).is_empty() {
        return true;
    }
    // `select!` inside the loop: a shutdown or deadline branch may end it.
    let has_select = Walk::new(r.body).any(|n| {
        n.kind() == "macro_invocation"
            && n.child_by_field_name("macro").is_some_and(|m| {
                let t = squash(ctx.text(m));
                t.ends_with("select") || t.ends_with("select_biased")
            })
    });
    if has_select {
        return true;
    }
    // Run under a timeout: `tokio::time::timeout(d, async { loop { .. } })`.
    ancestors(r.node).any(|a| {
        a.kind() == "call_expression"
            && rust_call_path(ctx.source, a).is_some_and(|p| {
                matches!(
                    ctx.imports.resolve_rust(&p).as_str(),
                    "tokio::time::timeout"
                        | "tokio::time::timeout_at"
                        | "async_std::future::timeout"
                )
            })
    })
}

/// The tokio-retry strategy constructor in `strategy` (following a `let` in the function), with
/// the full text of the strategy expression, or `None` when not visible.
fn tokio_retry_strategy<'t>(ctx: &Context<'_>, strategy: Node<'t>) -> Option<(Node<'t>, String)> {
    let mut expr = strategy;
    if expr.kind() == "identifier" {
        let f = enclosing_fn(expr)?;
        let b = find_binding(ctx.source, f, ctx.text(expr), expr.start_byte())?;
        if b.kind() != "let_declaration" {
            return None;
        }
        expr = b.child_by_field_name("value")?;
        // A later `strategy = strategy.take(n)` is not followed: stay silent if reassigned.
        let name = ctx.text(strategy);
        let reassigned = Walk::new(f).any(|n| {
            n.kind() == "assignment_expression"
                && n.child_by_field_name("left")
                    .is_some_and(|l| ctx.text(l) == name)
        });
        if reassigned {
            return None;
        }
    }
    let ctor = Walk::new(expr).find(|n| {
        n.kind() == "call_expression"
            && rust_call_path(ctx.source, *n).is_some_and(|p| {
                let full = ctx.imports.resolve_rust(&p);
                full.rsplit_once("::")
                    .is_some_and(|(ty, _)| TOKIO_RETRY_STRATEGIES.contains(&ty))
            })
    })?;
    Some((ctor, squash(ctx.text(expr))))
}

fn uses_backon(ctx: &Context<'_>) -> bool {
    ctx.imports
        .names
        .values()
        .chain(ctx.imports.globs.iter())
        .any(|p| p.starts_with("backon"))
}

impl Rule for UnboundedRetry {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a retry loop, a retry combinator (`Retry::spawn`, `.retry(..)`, or
        // a name imported from a path containing `retry`), backon's `without_max_times`, or a
        // `max_elapsed_time` setting (`with_max_elapsed_time(None)`, the struct field of
        // `ExponentialBackoff`). A retry loop is a `loop`, a `while` or a `for` over a range
        // whose text ends in `..` (open-ended: `retry_shape::for_is_attempts` and
        // `loop_is_bounded`), with an `Ok`/`Err`/`is_err` shape.
        &[
            &[
                "loop",
                "while",
                "..",
                "retry",
                "without_max_times",
                "max_elapsed_time",
            ],
            &[
                "Ok",
                "Err",
                "retry",
                "without_max_times",
                "max_elapsed_time",
            ],
        ]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if is_test_code(ctx, node) {
            return;
        }
        // A retry loop finding needs a `loop`, a `while`, or a `for` over an open-ended range
        // (`0.. {`, `(0..)`): exact on a unit without syntax errors (`crate::textscan`), where
        // it skips the loop search of most units (`..` alone is in every struct update).
        let text = ctx.text(node);
        let loops = node.has_error()
            || crate::textscan::has_word(text, "loop")
            || crate::textscan::has_word(text, "while")
            || crate::textscan::followed_by(text, "..", b"{)");
        let found = if loops {
            retry_loops(ctx, node)
        } else {
            Vec::new()
        };
        for r in found {
            if loop_is_bounded(ctx, &r) {
                continue;
            }
            let what = squash(ctx.text(r.attempt));
            let what: String = what.chars().take(60).collect();
            out.push(Finding::new(
                &META,
                r.keyword.byte_range(),
                format!(
                    "retry loop with no attempt limit, deadline or give-up path: while `{what}` keeps failing it retries forever"
                ),
            ));
        }
        let backon = uses_backon(ctx);
        for n in Walk::new(node) {
            if n.kind() == "call_expression" {
                if let Some(rc) = retry_call(ctx, n) {
                    if rc.lib == RetryLib::TokioRetry {
                        if let Some((ctor, text)) =
                            rc.strategy.and_then(|s| tokio_retry_strategy(ctx, s))
                        {
                            if !text.contains(".take(") {
                                out.push(Finding::new(
                                    &META,
                                    ctor.byte_range(),
                                    "tokio-retry strategy without `.take(n)`: the iterator never ends, so a permanent failure is retried forever",
                                ));
                            }
                        }
                    }
                    continue;
                }
                if let Some((_, m)) = rust_method_call(n) {
                    let name = ctx.text(m);
                    if backon && name == "without_max_times" {
                        let (names, _) = chain_up(n);
                        let mut all: Vec<&str> = names.iter().map(|x| ctx.text(*x)).collect();
                        // Methods applied before this one, down the receiver chain.
                        let mut recv = n;
                        while let Some((r, mm)) = rust_method_call(recv) {
                            all.push(ctx.text(mm));
                            recv = r;
                        }
                        let total_delay = chain_text_has_total_delay(ctx, n);
                        if !total_delay && !all.contains(&"with_max_times") {
                            out.push(Finding::new(
                                &META,
                                m.start_byte()..n.end_byte(),
                                "backon backoff with `without_max_times()` never gives up: unless the code that drives it also stops on a deadline, an attempt limit, cancellation or a non-retryable error, a permanent failure is retried forever",
                            ));
                        }
                    }
                    if name == "with_max_elapsed_time" {
                        let arg = n
                            .child_by_field_name("arguments")
                            .and_then(|a| a.named_child(0));
                        if arg.is_some_and(|a| ctx.text(a) == "None") && uses_backoff(ctx) {
                            out.push(Finding::new(
                                &META,
                                m.start_byte()..n.end_byte(),
                                "backoff with `max_elapsed_time` = None never gives up: unless the code that drives it also stops on a deadline, an attempt limit, cancellation or a non-retryable error, a permanent failure is retried forever",
                            ));
                        }
                    }
                }
            }
            // `uses_backoff` last: it may search the whole text.
            if n.kind() == "struct_expression" {
                let is_exp = n.child_by_field_name("name").is_some_and(|t| {
                    ctx.imports.resolve_rust(&squash(ctx.text(t))) == "backoff::ExponentialBackoff"
                });
                if !is_exp {
                    continue;
                }
                let Some(body) = n.child_by_field_name("body") else {
                    continue;
                };
                let mut c = body.walk();
                for f in body.named_children(&mut c) {
                    if f.kind() == "field_initializer"
                        && f.child_by_field_name("field")
                            .is_some_and(|x| ctx.text(x) == "max_elapsed_time")
                        && f.child_by_field_name("value")
                            .is_some_and(|v| ctx.text(v) == "None")
                        && uses_backoff(ctx)
                    {
                        out.push(Finding::new(
                            &META,
                            f.byte_range(),
                            "`ExponentialBackoff` with `max_elapsed_time: None` never gives up: unless the code that drives it also stops on a deadline, an attempt limit, cancellation or a non-retryable error, a permanent failure is retried forever",
                        ));
                    }
                }
            }
        }
    }
}

/// Whether the file uses the `backoff` crate: an import, else any `backoff::` in the text (a
/// search of the whole text, so the check is marked as reading the whole file: call it only
/// for a candidate finding).
fn uses_backoff(ctx: &Context<'_>) -> bool {
    ctx.imports
        .names
        .values()
        .chain(ctx.imports.globs.iter())
        .any(|p| p == "backoff" || p.starts_with("backoff::"))
        || {
            ctx.facts().whole_file();
            ctx.source.contains("backoff::")
        }
}

/// True when the whole method chain around `n` sets `with_total_delay(Some(..))`.
fn chain_text_has_total_delay(ctx: &Context<'_>, n: Node<'_>) -> bool {
    let (_, top) = chain_up(n);
    let t = squash(ctx.text(top));
    t.contains("with_total_delay(Some(")
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_retry_loops_without_a_limit() {
        check(
            "unbounded-retry",
            r#"
use std::time::Duration;

async fn fetch(client: &reqwest::Client, url: &str) -> reqwest::Response {
    loop {
  //^^^^ unbounded-retry
        match client.get(url).send().await {
            Ok(resp) => break resp,
            Err(e) => {
                tracing::warn!(%e, "retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn connect(addr: &str) -> Conn {
    let conn = loop {
             //^^^^ unbounded-retry
        let c = match Conn::open(addr).await {
            Ok(c) => c,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        break c;
    };
    conn
}

fn lock_file(path: &str) {
    while let Err(e) = std::fs::File::create(path) {
  //^^^^^ unbounded-retry
        std::thread::sleep(Duration::from_millis(10));
    }
}

async fn open_ended() -> u8 {
    for attempt in 0.. {
  //^^^ unbounded-retry
        if let Ok(v) = try_once().await {
            return v;
        }
    }
    unreachable!()
}
"#,
        );
    }

    #[test]
    fn silent_on_bounded_retries_and_non_retry_loops() {
        check(
            "unbounded-retry",
            r#"
use std::time::{Duration, Instant};
const MAX: u32 = 5;

async fn counted(client: &reqwest::Client, url: &str) -> Result<reqwest::Response, reqwest::Error> {
    let mut attempt = 0;
    loop {
        match client.get(url).send().await {
            Ok(resp) => return Ok(resp),
            Err(e) if attempt < MAX => {
                attempt += 1;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

async fn deadline(op: &Op) -> Result<u8, Error> {
    let start = Instant::now();
    loop {
        match op.run().await {
            Ok(v) => return Ok(v),
            Err(e) => {
                if start.elapsed() > Duration::from_secs(30) {
                    return Err(e);
                }
            }
        }
    }
}

async fn ranged(op: &Op) -> Option<u8> {
    for _ in 0..3 {
        if let Ok(v) = op.run().await {
            return Some(v);
        }
    }
    None
}

async fn consumer(rx: &mut Receiver) {
    loop {
        match rx.recv().await {
            Ok(msg) => handle(msg).await,
            Err(e) => tracing::warn!(%e, "bad message"),
        }
    }
}

async fn items(xs: Vec<u8>) {
    for x in xs {
        match send(x).await {
            Ok(_) => break,
            Err(_) => continue,
        }
    }
}

async fn pages(n: u32) {
    for page in 0..n {
        if let Ok(p) = fetch_page(page).await {
            return;
        }
    }
}

async fn shutdown_aware(op: &Op, mut stop: Receiver) {
    loop {
        tokio::select! {
            _ = stop.recv() => return,
            r = op.run() => if r.is_ok() { break },
        }
    }
}

async fn under_timeout(op: &Op) {
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Ok(v) = op.run().await {
                break v;
            }
        }
    })
    .await;
}

async fn fatal_gives_up(op: &Op) -> Result<u8, Error> {
    loop {
        match op.run().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_fatal() => return Err(e),
            Err(_) => continue,
        }
    }
}
"#,
        );
    }

    #[test]
    fn flags_infinite_strategies() {
        check(
            "unbounded-retry",
            r#"
use tokio_retry::Retry;
use tokio_retry::strategy::{jitter, ExponentialBackoff, FixedInterval};
use backon::{ExponentialBuilder, Retryable};

async fn a() -> Result<u8, E> {
    Retry::spawn(ExponentialBackoff::from_millis(10).map(jitter), action).await
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-retry
}

async fn b() -> Result<u8, E> {
    let s = FixedInterval::from_millis(100);
          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-retry
    Retry::spawn(s, action).await
}

async fn c() -> Result<u8, E> {
    fetch.retry(ExponentialBuilder::default().without_max_times()).await
                                            //^^^^^^^^^^^^^^^^^^^ unbounded-retry
}

async fn bounded() -> Result<u8, E> {
    let s = ExponentialBackoff::from_millis(10).map(jitter).take(5);
    Retry::spawn(s, action).await?;
    Retry::spawn(FixedInterval::from_millis(10).take(3), action).await?;
    fetch.retry(ExponentialBuilder::default().with_max_times(5)).await
}
"#,
        );
    }

    #[test]
    fn flags_backoff_without_max_elapsed_time() {
        check(
            "unbounded-retry",
            r#"
use backoff::ExponentialBackoff;
fn policy() -> ExponentialBackoff {
    ExponentialBackoff { max_elapsed_time: None, ..Default::default() }
                       //^^^^^^^^^^^^^^^^^^^^^^ unbounded-retry
}
fn bounded() -> ExponentialBackoff {
    ExponentialBackoff { max_elapsed_time: Some(std::time::Duration::from_secs(60)), ..Default::default() }
}
"#,
        );
    }

    #[test]
    fn backoff_message_is_conditional_on_the_driver() {
        // The policy alone does not show the loop that uses it (kube-runtime's watcher backoff
        // is driven by a stream its consumer can drop): the message must not claim more.
        let f = crate::testing::raw(
            "unbounded-retry",
            "use backoff::ExponentialBackoff;\nfn policy() -> ExponentialBackoff {\n    ExponentialBackoff { max_elapsed_time: None, ..Default::default() }\n}\n",
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("never gives up: unless the code that drives it"),
            "{}",
            f[0].message
        );
    }
}
