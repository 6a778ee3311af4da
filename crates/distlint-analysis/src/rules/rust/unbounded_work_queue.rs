//! `unbounded-work-queue` (category `unbounded-queue`): a `VecDeque`/`Vec` field used as a work
//! queue, pushed from a receive loop and never checked against a capacity.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::facts::{impl_type_base, is_queue_name};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{squash, Walk};

use super::helpers::{ancestors_loop, method_call, name_has};

/// The rule.
pub struct UnboundedWorkQueue;

/// Registered instance.
pub static RULE: UnboundedWorkQueue = UnboundedWorkQueue;

static META: RuleMeta = RuleMeta {
    id: "unbounded-work-queue",
    language: Language::Rust,
    category: "unbounded-queue",
    severity: Severity::Major,
    title: "Work queue without a capacity",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds a struct field of type `VecDeque<T>` or `Vec<T>` named like a work queue \
(queue, pending, backlog, jobs, tasks, work, inbox, waiting, requests) that a method in the same \
file pushes to (`self.f.push_back(..)`, `push`, `push_front`) inside a receive loop — `loop`, \
`while`, or a `for` over `incoming()`/a stream/a receiver — when no `impl` of the struct in the \
file ever looks at the queue's length (`self.f.len()`), its capacity, `is_full`, or truncates \
it, and the same loop does not also drain it (`pop_front`, `pop`, `drain`, `clear`).",
        why: "A hand-rolled queue has the same failure as an unbounded channel:\n\n\
1. The receive loop accepts requests or messages as fast as they arrive and appends each one.\n\
2. The worker that drains the queue slows down (a slow dependency, a CPU spike).\n\
3. Nothing refuses new work, so the `VecDeque` grows by the arrival rate minus the service \
rate, every second, and every queued item waits longer.\n\
4. The process runs out of memory and is killed with the whole backlog in it; clients that \
time out retry and add to the next backlog.\n\n\
Check the length before pushing and shed or back-pressure when full (or use a bounded channel).",
        known_problems: "- Only pushes in methods of `impl` blocks in the same file as the \
struct are seen.\n\
- A queue whose producers are bounded elsewhere (a fixed number of items per tick) is reported \
if the loop shape matches; suppress with the reason.\n\
- Any length check anywhere in the impls keeps the rule silent, even if it is not a capacity check; \
so does a mention of the queue in one impl of the struct together with a capacity word in another.\n\
- A `loop` that contains a `break` or `return` is taken for a bounded wait (\"read until the reply \
arrives\") and not reported.",
        example: "struct Dispatcher { queue: VecDeque<Job> }\nimpl Dispatcher {\n    async fn run(&mut self, mut rx: Receiver<Job>) {\n        while let Some(job) = rx.recv().await {\n            self.queue.push_back(job);\n        }\n    }\n}",
        use_instead: "const MAX_QUEUED: usize = 10_000;\nimpl Dispatcher {\n    async fn run(&mut self, mut rx: Receiver<Job>) {\n        while let Some(job) = rx.recv().await {\n            if self.queue.len() >= MAX_QUEUED {\n                job.reject(\"overloaded\");\n                continue;\n            }\n            self.queue.push_back(job);\n        }\n    }\n}",
        fix: "",
    },
};

/// Queue-like fields per struct name: `VecDeque<T>` / `Vec<T>` fields (not `Vec<u8>`) named
/// with a whole `snake_case` queue word (`pending_jobs` is a queue, `frameworks` is not), from the
/// file facts (no walk). Computed once per analysis ([`Context::file_memo`]); every call marks
/// the fact read for the unit being checked.
fn queue_fields(ctx: &Context<'_>) -> std::sync::Arc<QueueFields> {
    // Mark the read for this unit even when the map comes from the memo.
    let fields = ctx.facts().sequence_fields();
    ctx.file_memo(|| {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for (sname, fname, t) in fields {
            if t != "Vec<u8>" && is_queue_name(fname) {
                out.entry(sname.to_string())
                    .or_default()
                    .push(fname.to_string());
            }
        }
        QueueFields(out)
    })
}

/// Struct name → its queue-like field names (see [`queue_fields`]).
struct QueueFields(HashMap<String, Vec<String>>);

/// A loop that keeps receiving new work rather than walking a finite collection.
fn receive_loop(ctx: &Context<'_>, lp: Node<'_>) -> bool {
    match lp.kind() {
        // A `loop` that `break`s or `return`s (e.g. "read until the reply arrives") is a bounded
        // wait, not a receive loop.
        "loop_expression" => {
            let Some(body) = lp.child_by_field_name("body") else {
                return false;
            };
            let mut w = Walk::new(body);
            while let Some(n) = w.next() {
                if matches!(
                    n.kind(),
                    "closure_expression" | "function_item" | "async_block"
                ) {
                    w.skip_subtree();
                    continue;
                }
                if matches!(n.kind(), "break_expression" | "return_expression") {
                    return false;
                }
            }
            true
        }
        "while_expression" => lp.child_by_field_name("condition").is_some_and(|c| {
            let t = ctx.text(c);
            t.contains(".await") || name_has(t, &["recv", "accept", "incoming", "next", "read"])
        }),
        "for_expression" => lp.child_by_field_name("value").is_some_and(|v| {
            name_has(
                ctx.text(v),
                &[
                    "incoming", "stream", "recv", "subscri", "messages", "iter()",
                ],
            ) && name_has(
                ctx.text(v),
                &["incoming", "stream", "recv", "subscri", "messages", "rx"],
            )
        }),
        _ => false,
    }
}

/// `self.<field>` as written, for a receiver.
fn self_field<'s>(ctx: &Context<'s>, recv: Node<'_>) -> Option<&'s str> {
    if recv.kind() != "field_expression" {
        return None;
    }
    let v = recv.child_by_field_name("value")?;
    if ctx.text(v) != "self" {
        return None;
    }
    recv.child_by_field_name("field").map(|f| ctx.text(f))
}

/// The `impl` whose body holds `unit` directly (`impl Foo { fn unit() }`), if any. Reads the
/// header outside the unit: the engine re-analyses a unit when the header of a container
/// around it is edited (`crate::incremental`).
fn container_impl(unit: Node<'_>) -> Option<Node<'_>> {
    unit.parent()
        .filter(|b| b.kind() == "declaration_list")
        .and_then(|b| b.parent())
        .filter(|i| i.kind() == "impl_item")
}

impl Rule for UnboundedWorkQueue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `push`/`push_back`/`push_front` in the unit.
        &[&["push"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        let fields = queue_fields(ctx);
        if fields.0.is_empty() {
            return;
        }
        // The impls inside the unit (in function bodies), outermost first, with their types.
        let mut inner: Option<Vec<(std::ops::Range<usize>, String)>> = None;
        // The impl the unit is an item of, if any (looked up once, for the first candidate).
        let mut outer: Option<Option<String>> = None;
        for n in Walk::new(node) {
            let Some(m) = method_call(n) else { continue };
            if !matches!(ctx.text(m.name), "push_back" | "push" | "push_front") {
                continue;
            }
            let Some(fname) = self_field(ctx, m.receiver) else {
                continue;
            };
            if !fields.0.values().any(|fs| fs.iter().any(|f| f == fname)) {
                continue;
            }
            // Every impl around the push (the rule reports a push in a method of an impl of
            // a struct whose queue field it is, at any nesting).
            let inner = inner.get_or_insert_with(|| {
                Walk::new(node)
                    .filter(|i| i.kind() == "impl_item")
                    .filter_map(|i| Some((i.byte_range(), impl_type_base(ctx.source, i)?)))
                    .collect()
            });
            let outer = outer.get_or_insert_with(|| {
                container_impl(node).and_then(|i| impl_type_base(ctx.source, i))
            });
            let at = n.byte_range();
            let owners = inner
                .iter()
                .filter(|(r, _)| r.start <= at.start && at.end <= r.end)
                .map(|(_, t)| t)
                .chain(outer.iter());
            let mut unchecked = false;
            for sname in owners {
                let queue = fields
                    .0
                    .get(sname)
                    .is_some_and(|fs| fs.iter().any(|f| f == fname));
                if queue && !ctx.facts().queue_checked(sname, fname) {
                    unchecked = true;
                    break;
                }
            }
            if !unchecked {
                continue;
            }
            let Some(lp) = ancestors_loop(n) else {
                continue;
            };
            if !receive_loop(ctx, lp) {
                continue;
            }
            let lt = squash(ctx.text(lp));
            let drains = [
                "pop_front()",
                "pop()",
                "pop_back()",
                "drain(",
                "clear()",
                "split_off(",
                "take(",
            ]
            .iter()
            .any(|d| {
                lt.contains(&format!("self.{fname}.{d}"))
                    || lt.contains(&format!("mem::take(&mutself.{fname})"))
            });
            if drains {
                continue;
            }
            out.push(Finding::new(
                &META,
                m.name.start_byte()..n.end_byte(),
                format!("`{fname}` grows without a cap: pushed in a receive loop and never checked against a capacity"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_queues_pushed_from_receive_loops_with_no_cap() {
        check(
            "unbounded-work-queue",
            r#"
use std::collections::VecDeque;
struct Dispatcher { queue: VecDeque<Job>, name: String }
impl Dispatcher {
    async fn run(&mut self, mut rx: tokio::sync::mpsc::Receiver<Job>) {
        while let Some(job) = rx.recv().await {
            self.queue.push_back(job);
                     //^^^^^^^^^^^^^^ unbounded-work-queue
        }
    }
}
struct Server { pending_requests: Vec<Request> }
impl Server {
    fn serve(&mut self, listener: std::net::TcpListener) {
        for stream in listener.incoming() {
            self.pending_requests.push(Request::new(stream.unwrap()));
                                //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-work-queue
        }
    }
}
"#,
        );
    }

    #[test]
    fn silent_with_caps_drains_or_finite_loops() {
        check(
            "unbounded-work-queue",
            r#"
use std::collections::VecDeque;
struct Capped { queue: VecDeque<Job> }
impl Capped {
    async fn run(&mut self, mut rx: Receiver<Job>) {
        while let Some(job) = rx.recv().await {
            if self.queue.len() >= 1000 { continue; }
            self.queue.push_back(job);
        }
    }
}
struct Bfs { queue: VecDeque<Node> }
impl Bfs {
    fn walk(&mut self) {
        while let Some(n) = self.queue.pop_front() {
            for c in n.children() { self.queue.push_back(c); }
        }
    }
}
struct Batch { jobs: Vec<Job>, buf: Vec<u8>, frameworks: Vec<String> }
impl Batch {
    fn add_all(&mut self, items: &[Job]) {
        for j in items { self.jobs.push(j.clone()); }
    }
    fn read(&mut self, mut r: impl std::io::Read) {
        loop { self.buf.push(0); }
    }
    fn scan(&mut self, rx: Receiver<String>) {
        while let Ok(f) = rx.recv() { self.frameworks.push(f); }
    }
}
"#,
        );
    }
}
