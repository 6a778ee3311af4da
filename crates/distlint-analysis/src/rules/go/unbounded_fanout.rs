//! `unbounded-fanout-go` (category `unbounded-fanout`): one goroutine per element of input-sized
//! data, with nothing limiting how many run at once.

use tree_sitter::Node;

use super::helpers::{method_name, method_receiver, pkg_call};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{ancestors, named_children, squash, Walk};
use crate::vocabulary::go::DEPLOYMENT_SIZED_NAMES;

/// The rule.
pub struct UnboundedFanout;

/// Registered instance.
pub static RULE: UnboundedFanout = UnboundedFanout;

static META: RuleMeta = RuleMeta {
    id: "unbounded-fanout-go",
    language: Language::Go,
    category: "unbounded-fanout",
    severity: Severity::Major,
    title: "Goroutine per element without a limit",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds `go ...` statements and errgroup `g.Go(...)` calls directly inside a \
`for ... range` loop over data whose size comes from input (a slice, map or channel — not a \
composite literal or an integer), when nothing limits concurrency: no semaphore acquire in the \
loop (a send on a channel, `sem.Acquire(...)`) or inside the goroutine's function literal, no `wg.Wait()` batching inside the loop, and no \
`SetLimit` on the errgroup in the function. Ranges over cluster membership (`peers`, \
`members`, `nodes`, `endpoints`, ...) are left alone: their size is the cluster's, not the \
input's.",
        why: "Concurrency that grows with input has no ceiling:\n\n\
1. A handler fans out one goroutine per item of the request to call a downstream service; in \
tests, requests have 10 items.\n\
2. A customer sends a batch of 50 000 items. The handler starts 50 000 goroutines, each opening \
a connection to the downstream service.\n\
3. The downstream service, sized for a few hundred concurrent requests, starts timing out; file \
descriptors run out on this host; memory spikes with 50 000 stacks and buffers.\n\
4. Other requests on the same instance fail, retries from the client multiply the load, and a \
single large request has taken down both services.\n\n\
A fixed-size worker pool, a buffered-channel semaphore or `errgroup.SetLimit(n)` keeps the \
concurrency — and the load on everything downstream — bounded however large the input is.",
        known_problems: "- Inputs that are small by construction (validated to at most a few \
elements, a config list) are reported; suppress with that reason.\n\
- A semaphore acquired inside the goroutine's function literal (a `struct{}{}` sent on a \
token channel, `sem.Acquire(ctx, n)`) counts as a limit: the goroutines exist, but at most the \
semaphore's capacity work at once. Limits applied inside the goroutine through a helper (a \
rate limiter, a pool whose `Submit` blocks, a named function that acquires) are not \
recognised.\n\
- To stay precise, only ranges over data the function received (a parameter such as `items`, \
`req.Items` or a `jobs` channel) are checked, and not when the name or the parameter's type \
suggests cluster membership, configuration or clients (`peers`, `endpoints`, `urls`, \
`[]*Client`, ...). In the precision trial most goroutine-per-element loops ranged over struct \
state sized by the deployment (listeners, watchers, members); input-sized data held in a field \
or a local variable is therefore missed.",
        example: "for _, item := range req.Items {\n\tgo func(it Item) {\n\t\tresults <- process(ctx, it)\n\t}(item)\n}",
        use_instead: "g, ctx := errgroup.WithContext(ctx)\ng.SetLimit(16)\nfor _, item := range req.Items {\n\titem := item\n\tg.Go(func() error { return process(ctx, item) })\n}\nreturn g.Wait()",
        fix: "",
    },
};

impl Rule for UnboundedFanout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `for ... range` loop.
        &[&["range"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for n in Walk::new(node) {
            let (site, is_errgroup) = match n.kind() {
                "go_statement" => (n.start_byte()..n.start_byte() + 2, false),
                "call_expression" => {
                    if method_name(ctx, n) != Some("Go") || !is_errgroup_call(ctx, n) {
                        continue;
                    }
                    let f = n.child_by_field_name("function").unwrap();
                    (f.byte_range(), true)
                }
                _ => continue,
            };
            let Some(for_stmt) = direct_range_loop(n) else {
                continue;
            };
            if !input_sized(ctx, for_stmt) || limited(ctx, n, for_stmt, is_errgroup) {
                continue;
            }
            // `input_sized` established that the range expression is rooted at a parameter.
            let ranged = named_children(for_stmt)
                .into_iter()
                .find(|c| c.kind() == "range_clause")
                .and_then(|c| c.child_by_field_name("right"))
                .map(|r| squash(ctx.text(r)))
                .unwrap_or_default();
            let message = if is_errgroup {
                format!("errgroup without `SetLimit` over `{ranged}` (from the caller's argument): one goroutine per element, so a caller that passes a large input starts that much concurrent work")
            } else {
                format!("one goroutine per element of `{ranged}` (from the caller's argument) with no limit: a caller that passes a large input starts that much concurrent work and overloads everything downstream")
            };
            out.push(Finding::new(&META, site, message));
        }
    }
}

/// The `for ... range` loop `node` sits in directly (not inside a nested function literal or
/// another loop).
fn direct_range_loop(node: Node<'_>) -> Option<Node<'_>> {
    for a in ancestors(node) {
        match a.kind() {
            "func_literal" | "function_declaration" | "method_declaration" => return None,
            "for_statement" => {
                let is_range = named_children(a).iter().any(|c| c.kind() == "range_clause");
                return is_range.then_some(a);
            }
            _ => {}
        }
    }
    None
}

/// The range expression is a variable/field/call result, not a literal or an integer, and its
/// name does not suggest cluster membership.
fn input_sized(ctx: &Context<'_>, for_stmt: Node<'_>) -> bool {
    let Some(clause) = named_children(for_stmt)
        .into_iter()
        .find(|c| c.kind() == "range_clause")
    else {
        return false;
    };
    let Some(right) = clause.child_by_field_name("right") else {
        return false;
    };
    match right.kind() {
        "composite_literal" | "int_literal" => return false,
        _ => {}
    }
    let t = ctx.text(right).to_ascii_lowercase();
    if t.parse::<u64>().is_ok() || t.starts_with("len(") {
        return false;
    }
    // `range n` over an integer (Go 1.22) written as a plain lowercase name like `n`, `count`.
    if matches!(
        t.as_str(),
        "n" | "count" | "workers" | "concurrency" | "parallelism"
    ) {
        return false;
    }
    let last = t.rsplit('.').next().unwrap_or(&t);
    if DEPLOYMENT_SIZED_NAMES.iter().any(|m| last.contains(m)) {
        return false;
    }
    // The data must come from the caller: the range expression is rooted at a parameter of the
    // enclosing function (`items`, `req.Items`, `jobs`), whose type does not name a
    // deployment-sized collection either. Struct state (`s.watchers`) and locals are left alone.
    let root = t
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    let Some(func) = for_stmt
        .parent()
        .and_then(|_| super::helpers::enclosing_named_func(for_stmt))
    else {
        return false;
    };
    let Some(params) = func.child_by_field_name("parameters") else {
        return false;
    };
    named_children(params).into_iter().any(|p| {
        let mut c = p.walk();
        let declares = p
            .children_by_field_name("name", &mut c)
            .any(|n| ctx.text(n).to_ascii_lowercase() == root);
        let ty = p
            .child_by_field_name("type")
            .map(|t| ctx.text(t).to_ascii_lowercase())
            .unwrap_or_default();
        declares && !DEPLOYMENT_SIZED_NAMES.iter().any(|m| ty.contains(m))
    })
}

fn is_errgroup_call(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let Some(recv) = method_receiver(call) else {
        return false;
    };
    let name = squash(ctx.text(recv));
    let scope = super::helpers::scope_or_file(ctx, call);
    // `g, ctx := errgroup.WithContext(ctx)`, `g := new(errgroup.Group)`, `var g errgroup.Group`,
    // `g := &errgroup.Group{}`.
    Walk::new(scope).any(|n| match n.kind() {
        "short_var_declaration" | "assignment_statement" => {
            n.child_by_field_name("left")
                .and_then(|l| {
                    named_children(l)
                        .first()
                        .map(|x| squash(ctx.text(*x)) == name)
                })
                .unwrap_or(false)
                && n.child_by_field_name("right")
                    .is_some_and(|r| mentions_errgroup(ctx, r))
        }
        "var_spec" => {
            n.child_by_field_name("name")
                .is_some_and(|x| ctx.text(x) == name)
                && mentions_errgroup(ctx, n)
        }
        _ => false,
    })
}

fn mentions_errgroup(ctx: &Context<'_>, node: Node<'_>) -> bool {
    let errgroup = ctx
        .imports
        .go_local_name("golang.org/x/sync/errgroup")
        .map(str::to_string);
    let Some(eg) = errgroup else { return false };
    Walk::new(node).any(|n| {
        (n.kind() == "call_expression"
            && pkg_call(ctx, n).is_some_and(|(p, _)| p == "golang.org/x/sync/errgroup"))
            || (n.kind() == "qualified_type"
                && n.child_by_field_name("package")
                    .is_some_and(|p| ctx.text(p) == eg))
    })
}

/// A limit on concurrency: `SetLimit` in the function (errgroup), or in the loop body a
/// semaphore acquire (a send statement outside the goroutine, `Acquire(` or a type's own
/// `acquire(` wrapper around one, `Wait()` batching), for goroutines and errgroups alike.
fn limited(ctx: &Context<'_>, site: Node<'_>, for_stmt: Node<'_>, is_errgroup: bool) -> bool {
    let scope = super::helpers::scope_or_file(ctx, site);
    if is_errgroup
        && Walk::new(scope)
            .any(|n| n.kind() == "call_expression" && method_name(ctx, n) == Some("SetLimit"))
    {
        return true;
    }
    // An errgroup without `SetLimit` is still bounded by a semaphore acquired in the loop before
    // `eg.Go` (containerd's `images.Dispatch`: `limiter.Acquire(ctx, 1)` under `if limiter != nil`).
    let Some(body) = for_stmt.child_by_field_name("body") else {
        return false;
    };
    if acquires_inside(ctx, site) {
        return true;
    }
    let mut walk = Walk::new(body);
    while let Some(n) = walk.next() {
        match n.kind() {
            "go_statement" | "func_literal" => walk.skip_subtree(),
            "send_statement" => return true,
            "call_expression" => {
                if matches!(
                    method_name(ctx, n),
                    Some("Acquire" | "acquire" | "Wait" | "TryAcquire" | "Take")
                ) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// A semaphore acquired inside the started goroutine (`go func() { sem <- struct{}{}; defer
/// func() { <-sem }() ... }()`, `sem.Acquire(ctx, 1)` in the function literal): every element
/// gets a goroutine, but at most the semaphore's capacity do the work (and the I/O) at once.
/// Only the literal started at `site` is read, not a named function it calls.
fn acquires_inside(ctx: &Context<'_>, site: Node<'_>) -> bool {
    let Some(lit) = Walk::new(site).find(|n| n.kind() == "func_literal") else {
        return false;
    };
    let Some(body) = lit.child_by_field_name("body") else {
        return false;
    };
    let mut walk = Walk::new(body);
    while let Some(n) = walk.next() {
        match n.kind() {
            // A deferred release or a nested goroutine is not the acquire.
            "defer_statement" | "go_statement" | "func_literal" => walk.skip_subtree(),
            "send_statement" => {
                if n.child_by_field_name("value")
                    .is_some_and(|v| squash(ctx.text(v)) == "struct{}{}")
                {
                    return true;
                }
            }
            "call_expression" => {
                if matches!(method_name(ctx, n), Some("Acquire" | "AcquireCtx")) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_goroutine_per_input_element() {
        check(
            "unbounded-fanout-go",
            r#"
package batch

import (
    "context"
    "sync"

    "golang.org/x/sync/errgroup"
)

func processAll(ctx context.Context, items []Item) {
    var wg sync.WaitGroup
    for _, it := range items {
        wg.Add(1)
        go func(it Item) {
      //^^ unbounded-fanout-go
            defer wg.Done()
            process(ctx, it)
        }(it)
    }
    wg.Wait()
}

func sendsResults(ctx context.Context, items []Item, out chan Result) {
    for _, it := range items {
        go func(it Item) {
      //^^ unbounded-fanout-go
            out <- process(ctx, it)
        }(it)
    }
}

func fromChannel(jobs <-chan Job) {
    for j := range jobs {
        go handle(j)
      //^^ unbounded-fanout-go
    }
}

func withErrgroup(ctx context.Context, req *Request) error {
    g, ctx := errgroup.WithContext(ctx)
    for _, it := range req.Items {
        it := it
        g.Go(func() error { return process(ctx, it) })
      //^^^^ unbounded-fanout-go
    }
    return g.Wait()
}
"#,
        );
    }

    #[test]
    fn silent_with_limits_pools_and_small_sets() {
        check(
            "unbounded-fanout-go",
            r#"
package batch

import (
    "context"

    "golang.org/x/sync/errgroup"
    "golang.org/x/sync/semaphore"
)

func limited(ctx context.Context, items []Item) error {
    g, ctx := errgroup.WithContext(ctx)
    g.SetLimit(16)
    for _, it := range items {
        it := it
        g.Go(func() error { return process(ctx, it) })
    }
    return g.Wait()
}

func semaphoreChan(items []Item) {
    sem := make(chan struct{}, 8)
    for _, it := range items {
        sem <- struct{}{}
        go func(it Item) {
            defer func() { <-sem }()
            process(nil, it)
        }(it)
    }
}

func weighted(ctx context.Context, items []Item, sem *semaphore.Weighted) {
    for _, it := range items {
        if err := sem.Acquire(ctx, 1); err != nil {
            return
        }
        go func(it Item) { defer sem.Release(1); process(ctx, it) }(it)
    }
}

func errgroupWithLimiter(ctx context.Context, limiter *semaphore.Weighted, descs ...Item) error {
    eg, ctx2 := errgroup.WithContext(ctx)
    for _, desc := range descs {
        desc := desc
        if limiter != nil {
            if err := limiter.Acquire(ctx, 1); err != nil {
                return err
            }
        }
        eg.Go(func() error {
            defer limiter.Release(1)
            return process(ctx2, desc)
        })
    }
    return eg.Wait()
}

func (u *unpacker) fetch(ctx context.Context, layers []Item) error {
    eg, ctx2 := errgroup.WithContext(ctx)
    for _, desc := range layers {
        desc := desc
        if err := u.acquire(ctx); err != nil {
            return err
        }
        eg.Go(func() error {
            defer u.release()
            return process(ctx2, desc)
        })
    }
    return eg.Wait()
}

func semaphoreInside(ctx context.Context, items []Item, sem *semaphore.Weighted, tokens chan struct{}) {
    for _, it := range items {
        go func(it Item) {
            tokens <- struct{}{}
            defer func() { <-tokens }()
            process(ctx, it)
        }(it)
    }
    for _, it := range items {
        go func(it Item) {
            if err := sem.Acquire(ctx, 1); err != nil {
                return
            }
            defer sem.Release(1)
            process(ctx, it)
        }(it)
    }
}

func pool(jobs chan Item) {
    for i := 0; i < 8; i++ {
        go func() {
            for j := range jobs {
                process(nil, j)
            }
        }()
    }
}

func peers(ps []Peer) {
    for _, p := range ps {
        _ = p
    }
    for _, p := range r.peers {
        go p.send()
    }
}

func configured(urls []string, clients []*Client) {
    for _, u := range urls {
        go serve(u)
    }
    for _, c := range clients {
        go c.run()
    }
}

func (s *Server) state() {
    for _, w := range s.pending {
        go w.close()
    }
}

func fixed() {
    for _, name := range []string{"a", "b"} {
        go start(name)
    }
}

func integer() {
    for i := range 4 {
        go start(i)
    }
}
"#,
        );
    }

    #[test]
    fn message_names_the_ranged_collection() {
        let src = "package b\n\nfunc all(req *Request) {\n\tfor _, it := range req.Items {\n\t\tgo handle(it)\n\t}\n}\n";
        let f = crate::testing::raw("unbounded-fanout-go", src);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.starts_with(
                "one goroutine per element of `req.Items` (from the caller's argument)"
            ),
            "{}",
            f[0].message
        );
    }
}
