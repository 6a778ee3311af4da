//! `unbounded-queue-go` (category `unbounded-queue`): Go queues with no useful bound.

use tree_sitter::Node;

use super::helpers::{call_args, enclosing_named_func, method_name, method_receiver};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{squash, Walk};
use crate::vocabulary::go::QUEUE_NAMES;

/// The rule.
pub struct UnboundedQueue;

/// Registered instance.
pub static RULE: UnboundedQueue = UnboundedQueue;

/// Channel capacities at or above this are treated as "unbounded in practice".
pub const HUGE_CAPACITY: u64 = 100_000;

static META: RuleMeta = RuleMeta {
    id: "unbounded-queue-go",
    language: Language::Go,
    category: "unbounded-queue",
    severity: Severity::Major,
    title: "Queue without a useful bound",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds three Go queues that grow until memory runs out:\n\
- `make(chan T, N)` with a literal capacity of 100 000 or more: a buffer that large is an \
unbounded queue that merely crashes later;\n\
- a slice used as a queue — `x.queue = append(x.queue, item)` on a field whose name says queue \
(`queue`, `pending`, `backlog`, `inbox`, `outbox`, `jobs`, `tasks`) while a mutex is held — in \
a function that never compares `len(x.queue)` against a limit;\n\
- `container/list` lists used as queues (`PushBack`/`PushFront`) in a function that never \
checks `Len()`.",
        why: "A queue without a bound converts overload into memory growth instead of \
back-pressure:\n\n\
1. Producers (request handlers, a Kafka poller) enqueue work; a consumer drains it.\n\
2. The consumer slows down — its database is degraded — while producers keep their rate.\n\
3. Nothing pushes back: every enqueue succeeds, the queue grows by thousands of items a second, \
and every item's latency grows with it, long past the point where its caller gave up.\n\
4. The process is OOM-killed, losing every queued item; on restart the upstream retries arrive \
at once and the cycle repeats.\n\n\
A modest bound (a channel of hundreds, a length check that rejects or blocks) makes overload \
visible at the edge, where callers can back off.",
        known_problems: "- A huge buffer sized deliberately for a known maximum (one slot per \
partition of a large but fixed set) is reported; suppress with that reason.\n\
- Length checks in another function (a `Full()` helper) are not seen.\n\
- Slices and lists are recognised as queues by their name only (`queue`, `pending`, `backlog`, \
`inbox`, `outbox`, `jobs`, `tasks`). In the precision trial, unnamed lists were free lists and \
in-flight sets bounded elsewhere (raft's `inflight`, serf's `freeIPs`), so they are not \
reported.",
        example: "func (q *Queue) Push(j Job) {\n\tq.mu.Lock()\n\tq.pending = append(q.pending, j)\n\tq.mu.Unlock()\n}",
        use_instead: "func (q *Queue) Push(j Job) error {\n\tq.mu.Lock()\n\tdefer q.mu.Unlock()\n\tif len(q.pending) >= q.max {\n\t\treturn ErrQueueFull // callers back off\n\t}\n\tq.pending = append(q.pending, j)\n\treturn nil\n}",
        fix: "",
    },
};

impl Rule for UnboundedQueue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `make`, `append` or `PushBack`/`PushFront` in the unit; a `make`
        // finding makes a channel (`chan`), an `append` one appends to a slice with a queue
        // name (`QUEUE_NAMES`, compared ASCII case-insensitively).
        &[
            &["make", "append", "Push"],
            &[
                "chan", "Push", "queue", "pending", "backlog", "inbox", "outbox", "jobs", "tasks",
            ],
        ]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        let mut lists: Option<Vec<String>> = None;
        for n in Walk::new(node) {
            if n.kind() != "call_expression" {
                continue;
            }
            let callee = n
                .child_by_field_name("function")
                .map(|f| ctx.text(f))
                .unwrap_or("");
            match callee {
                "make" => huge_channel(ctx, n, out),
                "append" => slice_queue(ctx, n, out),
                _ => {
                    if matches!(method_name(ctx, n), Some("PushBack" | "PushFront")) {
                        let lists = lists.get_or_insert_with(|| list_names(ctx));
                        list_queue(ctx, n, lists, out);
                    }
                }
            }
        }
    }
}

fn huge_channel(ctx: &Context<'_>, call: Node<'_>, out: &mut Vec<Finding>) {
    let args = call_args(call);
    if args.len() != 2 || args[0].kind() != "channel_type" || args[1].kind() != "int_literal" {
        return;
    }
    let digits: String = ctx.text(args[1]).chars().filter(|c| *c != '_').collect();
    let Ok(cap) = digits.parse::<u64>() else {
        return;
    };
    if cap >= HUGE_CAPACITY {
        out.push(Finding::new(
            &META,
            call.byte_range(),
            format!("channel with a buffer of {cap}: a buffer this large is an unbounded queue — a slow consumer lets it grow until the process runs out of memory"),
        ));
    }
}

fn slice_queue(ctx: &Context<'_>, call: Node<'_>, out: &mut Vec<Finding>) {
    let args = call_args(call);
    let Some(first) = args.first() else { return };
    let target = squash(ctx.text(*first));
    let last = target
        .rsplit('.')
        .next()
        .unwrap_or(&target)
        .to_ascii_lowercase();
    if !QUEUE_NAMES.iter().any(|q| last.contains(q)) {
        return;
    }
    // `x = append(x, ...)`
    let Some(stmt) = call
        .parent()
        .and_then(|l| l.parent())
        .filter(|s| s.kind() == "assignment_statement")
    else {
        return;
    };
    if stmt
        .child_by_field_name("left")
        .is_none_or(|l| squash(ctx.text(l)) != target)
    {
        return;
    }
    let Some(func) = enclosing_named_func(call) else {
        return;
    };
    let body = ctx.text(func);
    if !(body.contains(".Lock()") || body.contains(".RLock()")) {
        return;
    }
    let len = format!("len({target})");
    let checked = Walk::new(func)
        .any(|n| n.kind() == "binary_expression" && squash(ctx.text(n)).contains(&len));
    if !checked {
        out.push(Finding::new(
            &META,
            call.byte_range(),
            format!("`{target}` grows without a bound: a slow consumer lets this queue grow until the process runs out of memory"),
        ));
    }
}

/// Names (last segment) of variables and fields holding a `container/list` list, from the file
/// facts (fields typed `list.List`, variables assigned `list.New()`).
fn list_names(ctx: &Context<'_>) -> Vec<String> {
    ctx.facts()
        .list_holders()
        .filter(|(pkg, member, _)| {
            ctx.imports.go_package(pkg) == Some("container/list")
                && matches!(*member, "List" | "New")
        })
        .map(|(_, _, name)| name.to_string())
        .collect()
}

fn list_queue(ctx: &Context<'_>, call: Node<'_>, lists: &[String], out: &mut Vec<Finding>) {
    let Some(recv) = method_receiver(call) else {
        return;
    };
    let r = squash(ctx.text(recv));
    let last = r.rsplit('.').next().unwrap_or(&r);
    if !lists.iter().any(|l| l == last) {
        return;
    }
    // Lists are also used as free lists and in-flight sets bounded elsewhere; only lists named
    // as queues count.
    let lower = last.to_ascii_lowercase();
    if !QUEUE_NAMES.iter().any(|q| lower.contains(q)) {
        return;
    }
    let scope = super::helpers::scope_or_file(ctx, call);
    let checked = Walk::new(scope)
        .any(|n| n.kind() == "call_expression" && method_name(ctx, n) == Some("Len"));
    if !checked {
        out.push(Finding::new(
            &META,
            call.byte_range(),
            format!("`{r}` (container/list) is pushed with no length check: a slow consumer lets this queue grow until the process runs out of memory"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rule::Rule;
    use crate::testing::check;

    /// The prefilter's second group must hold every queue name, or an `append` to a slice
    /// named with a missing one would be skipped.
    #[test]
    fn literals_cover_every_queue_name() {
        let groups = super::RULE.literals();
        for q in super::QUEUE_NAMES {
            assert!(groups[1].contains(q), "{q} missing from the literals");
        }
    }

    #[test]
    fn flags_huge_buffers_slice_queues_and_lists() {
        check(
            "unbounded-queue-go",
            r#"
package queue

import (
    "container/list"
    "sync"
)

type Queue struct {
    mu      sync.Mutex
    pending []Job
    items   *list.List
    jobQueue *list.List
}

var events = make(chan Event, 1_000_000)
           //^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-queue-go

func (q *Queue) Push(j Job) {
    q.mu.Lock()
    q.pending = append(q.pending, j)
              //^^^^^^^^^^^^^^^^^^^^ unbounded-queue-go
    q.mu.Unlock()
}

func (q *Queue) PushList(j Job) {
    q.mu.Lock()
    defer q.mu.Unlock()
    q.jobQueue.PushBack(j)
  //^^^^^^^^^^^^^^^^^^^^^^ unbounded-queue-go
}

func local() {
    taskQueue := list.New()
    taskQueue.PushFront(1)
  //^^^^^^^^^^^^^^^^^^^^^^ unbounded-queue-go
    inflight := list.New()
    inflight.PushBack(2)
}
"#,
        );
    }

    #[test]
    fn silent_with_bounds_and_non_queue_slices() {
        check(
            "unbounded-queue-go",
            r#"
package queue

import (
    "container/list"
    "errors"
    "sync"
)

type Queue struct {
    mu      sync.Mutex
    pending []Job
    members []string
    items   *list.List
    max     int
}

var small = make(chan Event, 1024)
var sized = make(chan Event, n)

func (q *Queue) Push(j Job) error {
    q.mu.Lock()
    defer q.mu.Unlock()
    if len(q.pending) >= q.max {
        return errors.New("full")
    }
    q.pending = append(q.pending, j)
    return nil
}

func (q *Queue) AddMember(m string) {
    q.mu.Lock()
    q.members = append(q.members, m)
    q.mu.Unlock()
}

func (q *Queue) PushList(j Job) {
    q.mu.Lock()
    defer q.mu.Unlock()
    if q.items.Len() >= q.max {
        q.items.Remove(q.items.Front())
    }
    q.items.PushBack(j)
}

func collect(jobs []Job, j Job) []Job {
    jobs = append(jobs, j)
    return jobs
}

type other struct{}

func (other) PushBack(int) {}

func notAList(o other) { o.PushBack(1) }
"#,
        );
    }
}
