//! `unbounded-retry-go` (category `unbounded-retry`): retry loops with no way to stop.

use tree_sitter::Node;

use super::helpers::{
    exits, keyed_fields, literal_type, loop_level, pkg_call, retry_loop, RetryLoop,
};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{named_children, squash, Walk};
use crate::textscan;
use crate::vocabulary::go::CENKALTI_BACKOFF_IMPORTS;

/// The rule.
pub struct UnboundedRetry;

/// Registered instance.
pub static RULE: UnboundedRetry = UnboundedRetry;

static META: RuleMeta = RuleMeta {
    id: "unbounded-retry-go",
    language: Language::Go,
    category: "unbounded-retry",
    severity: Severity::Major,
    title: "Retry loop without a limit",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds retry loops that can only end by succeeding: `for { ... }` and \
`for i := 0; ; i++ { ... }` loops that go around again when a call fails (`if err != nil { \
... continue }`, or leave only on `err == nil`) with no attempt limit (no comparison of a \
counter), no deadline (`time.Since`, `time.Now().After`, a `deadline`), no `ctx.Done()` / \
`ctx.Err()` check or stop channel, and no way out on any error. Also finds \
`backoff.ExponentialBackOff` (cenkalti/backoff) with `MaxElapsedTime` set to `0` (retry \
forever) in a function that adds no other stop (`WithMaxRetries`, `WithContext`, a \
`ctx.Done()` or `ctx.Err()` check). Loops that never leave and do not (re)connect (pollers of \
local state) and loops that try a new candidate each time round (`name_0`, `name_1`, ... from \
the loop counter) are not retries and are not reported.",
        why: "A retry without a limit turns a permanent failure into a permanent load:\n\n\
1. A worker retries `publish(msg)` until it succeeds. The broker rejects the message because it \
is too large — an error that will never go away.\n\
2. The loop retries forever. The goroutine never finishes its message, so the messages behind \
it are never processed; the queue lag alarm fires hours later.\n\
3. Hundreds of workers hitting the same bad state retry in a tight cycle, keeping the broker and \
the network busy with requests that cannot succeed.\n\
4. Shutdown hangs: nothing tells the loop to stop, so deploys wait for the kill timeout and \
in-flight work is lost.\n\n\
Bound retries by attempts or elapsed time, stop on `ctx.Done()`, and give up on errors that \
are not transient.",
        known_problems: "- A loop that returns on some errors (non-retryable ones) counts as \
bounded, although it may still retry transient errors forever.\n\
- Retries through a helper (`retry.Do(...)`, `wait.PollInfinite`) are not recognised.\n\
- A loop with no `return`/`break` at all is reported only when it (re)connects (a call named \
`Dial*`, `Connect*`, `Reconnect*`, `Ping`, `NewClient`, `NewSession`): a reconnect loop. \
Otherwise it is a poller of local state (a console-size poller on a ticker, a worker that logs \
failures and goes on), not a retry, and is not reported; a remote call under another name in \
such a loop is therefore missed.\n\
- A loop whose failing call takes an argument built from the `for` counter (`alias := \
fmt.Sprintf(\"%s_%d\", name, i)`) searches for a free candidate rather than retrying; it is \
not reported, although a search with no limit can also spin.\n\
- A backoff with `MaxElapsedTime = 0` is not reported when the same function checks \
`ctx.Done()` or `ctx.Err()`: the context bounds the loop that drives it. Whether that context \
carries a deadline is not checked.\n\
- Daemon loops that leave only on success and must wait forever for it (a start-up wait for a \
cluster, stopped by killing the process) are reported; suppress with that reason, or add a \
stop channel.",
        example: "for {\n\tif err := publish(ctx, msg); err != nil {\n\t\tlog.Printf(\"publish: %v\", err)\n\t\ttime.Sleep(time.Second)\n\t\tcontinue\n\t}\n\tbreak\n}",
        use_instead: "for attempt := 1; ; attempt++ {\n\terr := publish(ctx, msg)\n\tif err == nil {\n\t\tbreak\n\t}\n\tif attempt == maxAttempts || !isTransient(err) {\n\t\treturn fmt.Errorf(\"publish after %d attempts: %w\", attempt, err)\n\t}\n\tselect {\n\tcase <-ctx.Done():\n\t\treturn ctx.Err()\n\tcase <-time.After(backoff(attempt)):\n\t}\n}",
        fix: "",
    },
};

impl Rule for UnboundedRetry {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `for` loop or a `MaxElapsedTime` setting.
        &[&["for", "MaxElapsedTime"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        // A finding needs a loop with no condition (`for {`, or a `for` clause whose condition
        // is empty: `; ;`) or a `MaxElapsedTime` setting; exact on a unit without syntax errors
        // (`crate::textscan`), where it skips the walk of most units.
        let text = ctx.text(node);
        if !node.has_error()
            && !text.contains("MaxElapsedTime")
            && !textscan::word_followed_by(text, "for", b"{")
            && !textscan::followed_by(text, ";", b";")
        {
            return;
        }
        for n in Walk::new(node) {
            if n.kind() == "composite_literal" || n.kind() == "assignment_statement" {
                check_backoff(ctx, n, out);
                continue;
            }
            let Some(rl) = retry_loop(ctx, n) else {
                continue;
            };
            if !rl.infinite || has_stop(ctx, &rl) {
                continue;
            }
            if (!exits(ctx, rl.body) && !reconnects(ctx, &rl)) || searches_with_counter(ctx, &rl) {
                // Not a retry: a poller of local state that never stops on success, or a
                // search that tries a different candidate each time round.
                continue;
            }
            let kw = n.start_byte()..n.start_byte() + 3;
            out.push(Finding::new(
                &META,
                kw,
                "retry loop with no attempt limit, deadline or cancellation: a permanent error retries forever and the loop cannot be stopped",
            ));
        }
    }
}

/// True when the loop has any stop other than success.
fn has_stop(ctx: &Context<'_>, rl: &RetryLoop<'_>) -> bool {
    let level = loop_level(rl.body);
    // An exit on an error path.
    for n in &level {
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
        let success = c.contains("err==nil") || c.contains("Err==nil");
        if !success && exits(ctx, cons) {
            return true;
        }
        if success {
            if let Some(alt) = n.child_by_field_name("alternative") {
                if exits(ctx, alt) {
                    return true;
                }
            }
        }
    }
    // A counter compared, a deadline, a context or stop channel, anywhere in the body.
    let counters = counters(ctx, rl);
    for n in Walk::new(rl.body) {
        match n.kind() {
            "selector_expression" => {
                let field = n
                    .child_by_field_name("field")
                    .map(|f| ctx.text(f))
                    .unwrap_or("");
                if matches!(field, "Done" | "Err" | "Deadline") {
                    return true;
                }
            }
            "binary_expression" => {
                let t = ctx.text(n);
                let cmp = ["<", ">", "=="].iter().any(|op| t.contains(op));
                if cmp && counters.iter().any(|c| mentions(ctx, n, c)) {
                    return true;
                }
            }
            "identifier" | "field_identifier" => {
                let t = ctx.text(n).to_ascii_lowercase();
                if t.contains("deadline")
                    || t.contains("stop")
                    || t.contains("quit")
                    || t.contains("done")
                    || t.contains("closing")
                    || t.contains("shutdown")
                    || t == "since"
                    || t == "until"
                {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// True when the loop (re)connects to a remote service at its own level: a call named `Dial*`,
/// `Connect*`, `Reconnect*`, `Ping`, `NewClient`, `NewSession` (the same recognition as
/// `retry-backoff-go`). A loop that never leaves is a reconnect loop then, not a poller.
fn reconnects(ctx: &Context<'_>, rl: &RetryLoop<'_>) -> bool {
    loop_level(rl.body)
        .into_iter()
        .any(|n| crate::rules::go::retry_backoff::connects(ctx, n))
}

/// True when every call whose error the loop tests takes an argument derived from the `for`
/// clause's counter (`for i := 0; ; i++ { alias := fmt.Sprintf("%s_%d", name, i); if err :=
/// r.Reserve(alias); err == nil { break } }`): each time round tries a new candidate (a free
/// name, the next port), so a failure is an answer, not a transient error to retry. From
/// grpc-gateway's `protoc-gen-grpc-gateway`, which looks for an unused import alias.
fn searches_with_counter(ctx: &Context<'_>, rl: &RetryLoop<'_>) -> bool {
    let Some(clause) = named_children(rl.node)
        .into_iter()
        .find(|n| n.kind() == "for_clause")
    else {
        return false;
    };
    let Some(init) = clause.child_by_field_name("initializer") else {
        return false;
    };
    let mut derived: Vec<String> = init
        .child_by_field_name("left")
        .map(|l| {
            named_children(l)
                .into_iter()
                .map(|n| ctx.text(n).to_string())
                .collect()
        })
        .unwrap_or_default();
    if derived.is_empty() {
        return false;
    }
    let level = loop_level(rl.body);
    let mut attempts = 0;
    for n in &level {
        if !matches!(n.kind(), "short_var_declaration" | "assignment_statement") {
            continue;
        }
        let (Some(left), Some(right)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            continue;
        };
        let names: Vec<String> = named_children(left)
            .into_iter()
            .map(|x| squash(ctx.text(x)))
            .collect();
        let from_counter = derived.iter().any(|d| mentions(ctx, right, d));
        let assigns_err = names
            .iter()
            .any(|x| x == "err" || x.ends_with("Err") || x.ends_with("err"));
        if assigns_err
            && named_children(right)
                .iter()
                .any(|c| c.kind() == "call_expression")
        {
            attempts += 1;
            if !from_counter {
                return false;
            }
        } else if from_counter {
            derived.extend(names);
        }
    }
    attempts > 0
}

/// Variables incremented in the loop (`n++`, `n += 1`, `n = n + 1`) or by the `for` clause.
fn counters(ctx: &Context<'_>, rl: &RetryLoop<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for n in Walk::new(rl.node) {
        match n.kind() {
            "inc_statement" => {
                if let Some(x) = named_children(n).first() {
                    out.push(squash(ctx.text(*x)));
                }
            }
            "assignment_statement" => {
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| ctx.text(o))
                    .unwrap_or("");
                if op == "+=" {
                    if let Some(l) = n.child_by_field_name("left") {
                        out.push(squash(ctx.text(l)));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn mentions(ctx: &Context<'_>, node: Node<'_>, name: &str) -> bool {
    Walk::new(node).any(|n| {
        matches!(n.kind(), "identifier" | "selector_expression") && squash(ctx.text(n)) == name
    })
}

/// `backoff.ExponentialBackOff{MaxElapsedTime: 0}` or `b.MaxElapsedTime = 0`.
fn check_backoff(ctx: &Context<'_>, n: Node<'_>, out: &mut Vec<Finding>) {
    let site = match n.kind() {
        "composite_literal" => {
            let Some((path, name)) = literal_type(ctx, n) else {
                return;
            };
            if !CENKALTI_BACKOFF_IMPORTS.contains(&path) || name != "ExponentialBackOff" {
                return;
            }
            let Some(body) = n.child_by_field_name("body") else {
                return;
            };
            let Some((_, v)) = keyed_fields(ctx, body)
                .into_iter()
                .find(|(k, _)| *k == "MaxElapsedTime")
            else {
                return;
            };
            if ctx.text(v).trim() != "0" {
                return;
            }
            v.parent().unwrap_or(v)
        }
        _ => {
            let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                return;
            };
            if !squash(ctx.text(l)).ends_with(".MaxElapsedTime") || ctx.text(r).trim() != "0" {
                return;
            }
            // The variable must hold cenkalti's type: built in this function by
            // `backoff.NewExponentialBackOff()` or a `backoff.ExponentialBackOff{}` literal.
            let lt = squash(ctx.text(l));
            let base = lt.trim_end_matches(".MaxElapsedTime");
            let scope = super::helpers::scope_or_file(ctx, n);
            let built_here = Walk::new(scope).any(|d| {
                matches!(d.kind(), "short_var_declaration" | "assignment_statement")
                    && d.child_by_field_name("left")
                        .is_some_and(|x| squash(ctx.text(x)) == base)
                    && d.child_by_field_name("right").is_some_and(|x| {
                        Walk::new(x).any(|c| {
                            (c.kind() == "call_expression"
                                && pkg_call(ctx, c).is_some_and(|(p, m)| {
                                    CENKALTI_BACKOFF_IMPORTS.contains(&p)
                                        && m == "NewExponentialBackOff"
                                }))
                                || (c.kind() == "composite_literal"
                                    && literal_type(ctx, c).is_some_and(|(p, _)| {
                                        CENKALTI_BACKOFF_IMPORTS.contains(&p)
                                    }))
                        })
                    })
            });
            if !built_here {
                return;
            }
            n
        }
    };
    let scope = super::helpers::scope_or_file(ctx, n);
    // Another stop in the function: a retry cap or a context on the policy (`WithMaxRetries`,
    // `WithContext`), or a loop driven by it that watches a cancellation (`<-ctx.Done()`,
    // `ctx.Err()`, as Alertmanager's notify loop does around `backoff.NewTicker(b)`).
    let other_stop = Walk::new(scope).any(|x| {
        x.kind() == "call_expression"
            && x.child_by_field_name("function").is_some_and(|f| {
                let t = ctx.text(f);
                t.ends_with("WithMaxRetries")
                    || t.ends_with("WithContext")
                    || t.ends_with(".Done")
                    || t.ends_with(".Err")
            })
    });
    if !other_stop {
        out.push(Finding::new(
            &META,
            site.byte_range(),
            "`MaxElapsedTime = 0` disables this backoff's time limit and this function adds no other stop (no `WithMaxRetries`, `WithContext` or `ctx.Done()`): a retry driven only by it retries a permanent error indefinitely",
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_retry_loops_that_only_stop_on_success() {
        check(
            "unbounded-retry-go",
            r#"
package worker

import (
    "log"
    "time"
)

func publishForever(msg []byte) {
    for {
  //^^^ unbounded-retry-go
        if err := publish(msg); err != nil {
            log.Printf("publish: %v", err)
            time.Sleep(time.Second)
            continue
        }
        break
    }
}

func connect() *Conn {
    for i := 0; ; i++ {
  //^^^ unbounded-retry-go
        c, err := dial()
        if err == nil {
            return c
        }
        log.Printf("attempt %d: %v", i, err)
        time.Sleep(2 * time.Second)
    }
}
"#,
        );
    }

    #[test]
    fn flags_backoff_without_max_elapsed_time() {
        check(
            "unbounded-retry-go",
            r#"
package worker

import "github.com/cenkalti/backoff/v4"

func policy() backoff.BackOff {
    b := backoff.NewExponentialBackOff()
    b.MaxElapsedTime = 0
  //^^^^^^^^^^^^^^^^^^^^ unbounded-retry-go
    return b
}

func literal() *backoff.ExponentialBackOff {
    return &backoff.ExponentialBackOff{MaxElapsedTime: 0, Multiplier: 2}
                                     //^^^^^^^^^^^^^^^^^ unbounded-retry-go
}
"#,
        );
    }

    #[test]
    fn backoff_message_does_not_claim_the_process_dies() {
        let f = crate::testing::raw(
            "unbounded-retry-go",
            "package w\n\nimport \"github.com/cenkalti/backoff/v4\"\n\nfunc policy() backoff.BackOff {\n\tb := backoff.NewExponentialBackOff()\n\tb.MaxElapsedTime = 0\n\treturn b\n}\n",
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("no other stop"), "{}", f[0].message);
        assert!(!f[0].message.contains("process dies"), "{}", f[0].message);
    }

    #[test]
    fn silent_for_loops_that_are_not_retries() {
        // Reduced from grpc-gateway 1.6 (descriptor/registry.go, gengateway/generator.go: a
        // search for a free import alias) and containerd 1.6 (cmd/ctr/commands/tasks/
        // tasks_windows.go: a console-size poller).
        check(
            "unbounded-retry-go",
            r#"
package gen

import (
    "fmt"
    "time"
)

func reserve(r *Registry, name, path string) string {
    for i := 0; ; i++ {
        alias := fmt.Sprintf("%s_%d", name, i)
        if err := r.ReserveGoPackageAlias(alias, path); err == nil {
            return alias
        }
    }
}

func reserve2(r *Registry, name, path string) (alias string) {
    for i := 0; ; i++ {
        alias = fmt.Sprintf("%s_%d", name, i)
        if err := r.ReserveGoPackageAlias(alias, path); err != nil {
            continue
        }
        break
    }
    return alias
}

func resizePoller(con Console, task Task) {
    prev := Size{}
    for {
        time.Sleep(250 * time.Millisecond)
        size, err := con.Size()
        if err != nil {
            log.Println("get pty size", err)
            continue
        }
        if size != prev {
            task.Resize(size)
            prev = size
        }
    }
}
"#,
        );
        // Look-alikes that are retries: the counter is only logged, or only one of the calls
        // uses it.
        check(
            "unbounded-retry-go",
            r#"
package gen

import (
    "fmt"
    "net"
    "time"
)

func connect(addr string) *Conn {
    for i := 0; ; i++ {
  //^^^ unbounded-retry-go
        msg := fmt.Sprintf("attempt %d", i)
        c, err := dial(addr)
        if err == nil {
            return c
        }
        log.Println(msg, err)
        time.Sleep(time.Second)
    }
}

func stream(addr string, handle func(net.Conn) error) {
    for {
  //^^^ unbounded-retry-go
        conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
        if err != nil {
            time.Sleep(time.Second)
            continue
        }
        _ = handle(conn)
        conn.Close()
    }
}

func register(r *Registry, name string) {
    for i := 0; ; i++ {
  //^^^ unbounded-retry-go
        alias := fmt.Sprintf("%s_%d", name, i)
        err := r.Ping()
        if err != nil {
            time.Sleep(time.Second)
            continue
        }
        if err := r.Reserve(alias); err == nil {
            return
        }
    }
}
"#,
        );
    }

    #[test]
    fn silent_with_limits_deadlines_contexts_and_error_exits() {
        check(
            "unbounded-retry-go",
            r#"
package worker

import (
    "context"
    "errors"
    "log"
    "time"

    "github.com/cenkalti/backoff/v4"
)

func limited(msg []byte) error {
    for attempt := 1; ; attempt++ {
        err := publish(msg)
        if err == nil {
            return nil
        }
        if attempt >= 5 {
            return err
        }
        time.Sleep(time.Second)
    }
}

func withContext(ctx context.Context, msg []byte) error {
    for {
        err := publish(msg)
        if err == nil {
            return nil
        }
        select {
        case <-ctx.Done():
            return ctx.Err()
        case <-time.After(time.Second):
        }
    }
}

func withDeadline(msg []byte) error {
    start := time.Now()
    for {
        if err := publish(msg); err == nil {
            return nil
        }
        if time.Since(start) > time.Minute {
            return errors.New("gave up")
        }
    }
}

func permanent(msg []byte) error {
    for {
        err := publish(msg)
        if err != nil {
            if errors.Is(err, errTooLarge) {
                return err
            }
            continue
        }
        return nil
    }
}

func fatal(msg []byte) {
    for {
        if err := publish(msg); err != nil {
            log.Fatalf("publish: %v", err)
        }
        if err := publish(msg); err != nil {
            continue
        }
        return
    }
}

func pickUntilNone(p *Pool) (c *Conn) {
    for {
        r := p.pick()
        if r == nil {
            break
        }
        var err error
        c, err = dial(r)
        if err == nil {
            break
        }
        r.inactivate()
    }
    return c
}

func bounded(msg []byte) {
    for i := 0; i < 3; i++ {
        if err := publish(msg); err == nil {
            return
        }
    }
}

func readLoop(r Reader) error {
    for {
        m, err := r.Read()
        if err != nil {
            return err
        }
        handle(m)
    }
}

func stopChan(stopc chan struct{}) {
    for {
        if err := publish(nil); err != nil {
            select {
            case <-stopc:
                return
            case <-time.After(time.Second):
            }
            continue
        }
        return
    }
}

func policy() backoff.BackOff {
    b := backoff.NewExponentialBackOff()
    b.MaxElapsedTime = 0
    return backoff.WithMaxRetries(b, 10)
}

// Alertmanager's notify loop: the policy never gives up, the loop stops on cancellation and on
// non-retryable errors.
func notify(ctx context.Context, n Notifier) error {
    b := backoff.NewExponentialBackOff()
    b.MaxElapsedTime = 0 // Always retry.
    tick := backoff.NewTicker(b)
    defer tick.Stop()
    for {
        select {
        case <-tick.C:
            retry, err := n.Notify(ctx)
            if err == nil {
                return nil
            }
            if !retry {
                return err
            }
        case <-ctx.Done():
            return ctx.Err()
        }
    }
}

type cfg struct{ MaxElapsedTime int }

func notBackoff(c *cfg) { c.MaxElapsedTime = 0 }
"#,
        );
    }
}
