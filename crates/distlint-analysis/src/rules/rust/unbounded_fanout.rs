//! `unbounded-fanout` (category `unbounded-fanout`): one concurrent task or future per input
//! item, with no cap on how many run at once.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity, TextEdit,
};
use crate::syntax::{ancestors, rust_call_path, rust_method_call, squash, Walk};
use crate::vocabulary::rust::{
    COLLECTION_TYPES, DEPLOYMENT_SIZED_NAMES, HANDLE_TYPE_SUFFIXES, SIZE_KEEPING_ADAPTERS,
};

use super::helpers::{enclosing_fn, find_binding, is_constant, is_test_code};

/// The rule.
pub struct UnboundedFanout;

/// Registered instance.
pub static RULE: UnboundedFanout = UnboundedFanout;

/// Concurrency used by "Cap the fan-out" (`buffered(N)`).
pub const FANOUT_LIMIT: u32 = 16;

static META: RuleMeta = RuleMeta {
    id: "unbounded-fanout",
    language: Language::Rust,
    category: "unbounded-fanout",
    severity: Severity::Major,
    title: "Unbounded fan-out",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds concurrency proportional to input size with no limit:\n\n\
- `futures::future::join_all(iter)` / `try_join_all(iter)` over an iterator of input-sized data \
(a parameter, a field, a query result — not a literal array, a constant range or `.take(CONST)`);\n\
- `JoinSet::spawn` / `FuturesUnordered::push` inside a `for` loop over such data;\n\
- a `FuturesUnordered` or `JoinSet` filled at once from such an iterator: \
`.collect::<FuturesUnordered<_>>()`, `let futs: FuturesUnordered<_> = iter.collect();`, \
`FuturesUnordered::from_iter(iter)`, `set.extend(iter)` (and the same for `JoinSet`, which \
spawns every task as it collects or extends);\n\
- `tokio::spawn` per item inside a `for` loop over such data.\n\n\
Silent when a `Semaphore` permit is acquired in the loop or closure, when the input is chunked \
(`.chunks(n)`), when the loop waits for a task when the set is full (`join_next` in the loop), \
for collections named like cluster membership or configuration (`peers`, `nodes`, `replicas`, \
`shards`, `members`, `partitions`, `topics`, `regions`) or like a worker pool's size \
(`0..num_workers`, `0..concurrency`, `parallelism`), whose size is bounded by configuration, \
for parameters of a custom iterator type (`approvals: ApprovalIter`), which may bound \
itself, and for parameters with an I/O handle among their type arguments (`Vec<DuplexStream>`, \
`&[mpsc::Sender<_>]`, `Vec<Client>`, a map's value as in `HashMap<Server, Connection>`: one per \
open connection, stream, forwarded port, cluster node or \
worker, sized by what the program opened, whatever the variable is called). Also silent when \
the spawn loop hands each task a semaphore of the function (`let permits = \
Arc::new(Semaphore::new(N))` ... `tokio::spawn(handle(x, permits.clone()))`: the task acquires \
its permit inside), and for `join_all(handles)` over the `JoinHandle`s of tasks spawned in a \
loop (joining starts nothing; the spawn is checked on its own).\n\n\
Reported only when the collection is established as data-sized: a collection-typed \
parameter (the caller's argument), a field path of a parameter other than `self` \
(`req.items`), a local bound to one of those or to query rows (`.query(..)`, `.fetch_all(..)`), \
or a range with a computed end. A `self` field or a local built by another call (per-connection, \
per-node or per-worker handles made when a client or pool was constructed, whatever they are \
called) is not, and stays silent. The message names the collection joined and the one it was \
filled from, and says where its size comes from.",
        why: "Fan-out that grows with the input turns a large input into a self-inflicted \
overload:\n\n\
1. A batch endpoint receives 20,000 ids (usually it gets 50).\n\
2. `join_all` starts 20,000 requests at once: 20,000 sockets, 20,000 in-flight futures and \
their buffers.\n\
3. The downstream service, sized for the usual load, answers with timeouts and 503s; its \
connection pool is exhausted for every other caller too. Locally, file descriptors run out \
(`EMFILE`) and memory spikes.\n\
4. The batch fails as a whole, is retried, and does it again. With `buffered(16)` or a \
semaphore, the same batch takes longer but completes and leaves capacity for everyone else.",
        known_problems: "- Input-sized data held in `self` or in a local built by a call (other \
than a query) is missed: the rule cannot tell it from a list of handles sized by \
configuration. A parameter known to be small (a handful of configured endpoints) is flagged \
unless named like cluster membership or typed as a collection of I/O handles; suppress with the \
reason.\n\
- A semaphore handed to a spawned task is assumed to be acquired there; the callee is not \
read.\n\
- A limit applied elsewhere (a bounded channel feeding the loop, a runtime with few threads \
for CPU-bound `spawn_blocking`) is not seen.\n\
- `while let` / `loop` accept and consumer loops that spawn per message are not flagged.\n\
- A collected `FuturesUnordered`/`JoinSet` is recognised only by the turbofish, the `let`'s \
declared type or `from_iter`; one collected into a struct field or a function's return type \
(`-> FuturesUnordered<_>`) is not followed.\n\
- `.extend(iter)` is followed on a set created in the function (`JoinSet::new()`, \
`FuturesUnordered::new()`, a `let` declared with the type) or on `self.x` when every struct \
field named `x` in the file is declared as one; a set received as a parameter or built in \
another file is not. Only an `extend` whose iterator makes the futures (`.map`, `.filter_map`, \
`.flat_map` in the chain) is reported: moving futures made elsewhere \
(`tasks.extend(pending.drain(..))`, as executors do) is not, and neither is the code that made \
them unless it is one of the forms above. A `join_next` anywhere in a loop around the `extend` \
counts as a limit, even if it does not wait until the set is small.",
        example: "let results = futures::future::join_all(ids.iter().map(|id| fetch(id))).await;",
        use_instead: "use futures::StreamExt;\n\nlet results: Vec<_> = futures::stream::iter(ids.iter().map(|id| fetch(id)))\n    .buffered(16) // at most 16 requests in flight, results in input order\n    .collect()\n    .await;",
        fix: "**Cap the fan-out** (unsafe: the batch now takes longer). `join_all(iter)` → \
`futures::stream::iter(iter).buffered(16).collect::<Vec<_>>()` (order-preserving, same output) \
and `try_join_all(iter)` → `futures::stream::iter(iter).buffered(16).try_collect::<Vec<_>>()` \
(stops at the first error, like `try_join_all`); adds `use futures::StreamExt;` \
(`TryStreamExt` for `try_collect`) when missing. Spawn loops get no automatic fix.",
    },
};

/// For a root that is a parameter, whether its declared type is a std collection, a slice or an
/// `impl Iterator`/`impl IntoIterator`; a custom type (`ApprovalIter`) may bound itself.
fn param_is_collection(ctx: &Context<'_>, root: Node<'_>) -> bool {
    if root.kind() != "identifier" {
        return true;
    }
    let Some(f) = enclosing_fn(root) else {
        return true;
    };
    let Some(b) = find_binding(ctx.source, f, ctx.text(root), root.start_byte()) else {
        return true;
    };
    if b.kind() != "parameter" {
        return true;
    }
    let Some(ty) = b.child_by_field_name("type") else {
        return true;
    };
    let t = squash(ctx.text(ty));
    let t = t.trim_start_matches('&').trim_start_matches("mut");
    if t.starts_with("implIntoIterator") || t.starts_with("implIterator") {
        return true;
    }
    let outer = t.split('<').next().unwrap_or(t);
    let outer = outer.rsplit("::").next().unwrap_or(outer);
    if holds_handles(t) {
        return false;
    }
    COLLECTION_TYPES.contains(&outer) || t.starts_with('[')
}

/// Whether the declared collection type `t` (whitespace removed: `Vec<DuplexStream>`,
/// `&[mpsc::Sender<Msg>]`, `&mutHashMap<Server,Connection>`) holds I/O handles: one of its
/// top-level type arguments (a slice's or vector's element, a map's key or value) has a last
/// path segment ending with a [`HANDLE_TYPE_SUFFIXES`] entry. fred's cluster router takes
/// `writers: &mut HashMap<Server, Connection>`: one connection per node, sized by the cluster.
fn holds_handles(t: &str) -> bool {
    let inner = if let Some(i) = t.find('<') {
        &t[i + 1..]
    } else if let Some(i) = t.find('[') {
        &t[i + 1..]
    } else {
        return false;
    };
    // The top-level arguments: split on ',' and ';' at nesting depth 0, stop at the closing
    // bracket of the outer type.
    let mut args = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '<' | '[' | '(' => depth += 1,
            '>' | ']' | ')' if depth == 0 => {
                args.push(&inner[start..i]);
                start = inner.len();
                break;
            }
            '>' | ']' | ')' => depth -= 1,
            ',' | ';' if depth == 0 => {
                args.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < inner.len() {
        args.push(&inner[start..]);
    }
    args.iter().any(|arg| {
        let arg = arg.trim_start_matches('&').trim_start_matches("mut");
        let elem = arg.split(['<', '[', '(']).next().unwrap_or("");
        let elem = elem.rsplit("::").next().unwrap_or(elem);
        HANDLE_TYPE_SUFFIXES.iter().any(|h| elem.ends_with(h))
    })
}

/// The root collection of an iterator expression, or `None` when the size is visibly bounded.
fn input_root<'t>(ctx: &Context<'_>, mut e: Node<'t>) -> Option<Node<'t>> {
    for _ in 0..32 {
        match e.kind() {
            "call_expression" => {
                let (recv, m) = rust_method_call(e)?;
                let name = ctx.text(m);
                if matches!(name, "take" | "chunks" | "chunks_exact" | "step_by") {
                    return None;
                }
                if !SIZE_KEEPING_ADAPTERS.contains(&name) {
                    return None;
                }
                e = recv;
            }
            "reference_expression" | "parenthesized_expression" => {
                e = e.named_child(e.named_child_count().saturating_sub(1))?;
            }
            "range_expression" => {
                // `0..n` with a constant end is bounded; `0..ids.len()` is input-sized.
                let end = e.named_child(e.named_child_count().saturating_sub(1))?;
                return if is_constant(ctx, end) { None } else { Some(e) };
            }
            "array_expression" | "tuple_expression" | "macro_invocation" => return None,
            "identifier" | "field_expression" | "self" => return Some(e),
            _ => return None,
        }
    }
    None
}

/// Where the rule established that the collection `root` is data-sized, for the message:
/// `None` when it did not (a `self` field, a local built by some call, such as a list of
/// per-connection or per-node handles made when a client or pool was constructed — sized by
/// configuration whatever it is called), and the rule stays silent.
///
/// Established: a parameter of a collection type whose elements are not I/O handles (the
/// caller's argument); a field path of a parameter other than `self` (`req.items`); a local
/// bound to a field path of such a parameter (`let items = req.items.clone();`), to an expression
/// over a collection-typed parameter, or to query rows (`.query(..)`, `.fetch_all(..)`); a range
/// whose end is not a constant (`0..ids.len()`).
fn data_source(ctx: &Context<'_>, root: Node<'_>) -> Option<&'static str> {
    let f = enclosing_fn(root)?;
    let param_of = |name: &str, at: usize| {
        find_binding(ctx.source, f, name, at).filter(|b| b.kind() == "parameter")
    };
    match root.kind() {
        "range_expression" => Some("a range with a computed end"),
        "identifier" => {
            let b = find_binding(ctx.source, f, ctx.text(root), root.start_byte())?;
            match b.kind() {
                "parameter" => param_is_collection(ctx, root).then_some("the caller's argument"),
                "let_declaration" => {
                    let v = b.child_by_field_name("value")?;
                    let t = squash(ctx.text(v));
                    if t.contains(".query") || t.contains("fetch_all(") {
                        return Some("query rows");
                    }
                    let from_param = Walk::new(v).any(|n| {
                        n.kind() == "identifier"
                            && param_of(ctx.text(n), n.start_byte()).is_some()
                            && (param_is_collection(ctx, n) && is_collection_param(ctx, n)
                                || field_path_of_param(&t, ctx.text(n)))
                    });
                    from_param.then_some("the caller's argument")
                }
                _ => None,
            }
        }
        "field_expression" => {
            let mut base = root;
            while base.kind() == "field_expression" {
                base = base.child_by_field_name("value")?;
            }
            (base.kind() == "identifier" && param_of(ctx.text(base), base.start_byte()).is_some())
                .then_some("the caller's argument")
        }
        _ => None,
    }
}

/// Whether the parameter `n` names is declared with a collection type (not just any type that
/// [`param_is_collection`] lets through, such as a client handle).
fn is_collection_param(ctx: &Context<'_>, n: Node<'_>) -> bool {
    let Some(f) = enclosing_fn(n) else {
        return false;
    };
    let Some(ty) = find_binding(ctx.source, f, ctx.text(n), n.start_byte())
        .filter(|b| b.kind() == "parameter")
        .and_then(|b| b.child_by_field_name("type"))
    else {
        return false;
    };
    let t = squash(ctx.text(ty));
    let t = t.trim_start_matches('&').trim_start_matches("mut");
    let outer = t.split('<').next().unwrap_or(t);
    let outer = outer.rsplit("::").next().unwrap_or(outer);
    t.starts_with('[') || COLLECTION_TYPES.contains(&outer) || t.starts_with("impl")
}

/// `t` (a `let` value, whitespace removed) is a field path of `param`: `req.items`,
/// `req.items.clone()`, `&msg.records`.
fn field_path_of_param(t: &str, param: &str) -> bool {
    let t = t.trim_start_matches('&');
    let t = t.strip_suffix(".clone()").unwrap_or(t);
    let Some(rest) = t.strip_prefix(param).and_then(|r| r.strip_prefix('.')) else {
        return false;
    };
    !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
}

/// The consequence clause of a message, claiming only what [`data_source`] established.
fn size_claim(ctx: &Context<'_>, root: Node<'_>, what: &str) -> String {
    let r = squash(ctx.text(root));
    match data_source(ctx, root) {
        Some("query rows") => format!("`{r}` holds query rows, and a large result starts that many {what} at once"),
        Some("the caller's argument") => format!("`{r}` comes from the caller's argument, and a caller that passes a large one starts that many {what} at once"),
        _ => format!("nothing here bounds the size of `{r}`; if it grows with the input, that many {what} start at once"),
    }
}

fn cluster_named(ctx: &Context<'_>, root: Node<'_>) -> bool {
    let t = ctx.text(root).to_ascii_lowercase();
    let last = t.rsplit(['.', ' ']).next().unwrap_or(&t);
    DEPLOYMENT_SIZED_NAMES.iter().any(|c| last.contains(c))
}

/// True when `region` shows a concurrency limit: a semaphore permit, or waiting for a task
/// inside the loop.
fn has_limit(ctx: &Context<'_>, region: Node<'_>) -> bool {
    Walk::new(region).any(|n| {
        matches!(
            n.kind(),
            "field_identifier" | "identifier" | "type_identifier"
        ) && matches!(
            ctx.text(n),
            "acquire"
                | "acquire_owned"
                | "acquire_many"
                | "Semaphore"
                | "join_next"
                | "buffer_unordered"
                | "buffered"
                | "for_each_concurrent"
        )
    })
}

/// Whether `region` (a loop that spawns) mentions a variable of the enclosing function that holds
/// a semaphore: a `let` whose value builds one (`Arc::new(Semaphore::new(N))`) or a parameter
/// typed with one (`sem: Arc<Semaphore>`). Handing it to each spawned task
/// (`tokio::spawn(handler(job, permits.clone()))`, as tikv-client's all-stores plan does) means
/// the task acquires a permit inside: at most N run at once. The callee is not read.
fn hands_semaphore(ctx: &Context<'_>, region: Node<'_>) -> bool {
    let Some(f) = enclosing_fn(region) else {
        return false;
    };
    let mut seen = std::collections::HashSet::new();
    Walk::new(region).any(|n| {
        if n.kind() != "identifier" || !seen.insert(ctx.text(n)) {
            return false;
        }
        let Some(b) = find_binding(ctx.source, f, ctx.text(n), region.start_byte()) else {
            return false;
        };
        let typed_or_built = match b.kind() {
            "let_declaration" => ["type", "value"]
                .iter()
                .filter_map(|k| b.child_by_field_name(k))
                .any(|x| ctx.text(x).contains("Semaphore")),
            "parameter" => b
                .child_by_field_name("type")
                .is_some_and(|t| ctx.text(t).contains("Semaphore")),
            _ => false,
        };
        typed_or_built
    })
}

/// Whether every item pushed into the `Vec` that `arg` names (`handles.push(h)` in the loop
/// [`follow_var`] found) is the `JoinHandle` of a task spawned there (`tokio::spawn(..)`
/// directly, or a `let` in the loop bound to one): joining them starts nothing, the spawn did.
fn pushes_join_handles(ctx: &Context<'_>, arg: Node<'_>) -> bool {
    let Some(f) = enclosing_fn(arg) else {
        return false;
    };
    let name = ctx.text(arg);
    let is_spawn = |e: Node<'_>| {
        rust_call_path(ctx.source, e).is_some_and(|p| {
            let full = ctx.imports.resolve_rust(&p);
            full == "tokio::spawn"
                || full == "tokio::task::spawn"
                || full.ends_with("spawn_blocking")
        })
    };
    let mut pushes = 0;
    for n in Walk::new(f) {
        if n.start_byte() > arg.start_byte() {
            break;
        }
        let Some((recv, m)) = rust_method_call(n) else {
            continue;
        };
        if ctx.text(m) != "push" || ctx.text(recv) != name {
            continue;
        }
        let Some(v) = n
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
        else {
            return false;
        };
        let spawned = if v.kind() == "identifier" {
            find_binding(ctx.source, f, ctx.text(v), v.start_byte())
                .filter(|b| b.kind() == "let_declaration")
                .and_then(|b| b.child_by_field_name("value"))
                .is_some_and(is_spawn)
        } else {
            is_spawn(v)
        };
        if !spawned {
            return false;
        }
        pushes += 1;
    }
    pushes > 0
}

/// For an identifier argument, the iterator expression it was bound to (`let futs = ids.iter().map(..);`),
/// or the `for` loop that fills it (`let mut v = Vec::new(); for x in xs { v.push(f(x)) }`).
fn follow_var<'t>(ctx: &Context<'_>, arg: Node<'t>) -> Option<Node<'t>> {
    let f = enclosing_fn(arg)?;
    let b = find_binding(ctx.source, f, ctx.text(arg), arg.start_byte())?;
    if b.kind() != "let_declaration" {
        return None;
    }
    let v = b.child_by_field_name("value")?;
    let vt = squash(ctx.text(v));
    if vt.starts_with("Vec::new(") || vt.starts_with("Vec::with_capacity(") || vt == "vec![]" {
        // Filled by `push` in a `for` loop over input?
        let name = ctx.text(arg);
        for n in Walk::new(f) {
            if n.start_byte() < b.end_byte() || n.start_byte() > arg.start_byte() {
                continue;
            }
            let Some((recv, m)) = rust_method_call(n) else {
                continue;
            };
            if ctx.text(m) != "push" || ctx.text(recv) != name {
                continue;
            }
            let lp = ancestors(n).find(|a| a.kind() == "for_expression")?;
            if lp.start_byte() < b.end_byte() {
                return None;
            }
            let iterable = lp.child_by_field_name("value")?;
            return Some(iterable);
        }
        return None;
    }
    Some(v)
}

impl Rule for UnboundedFanout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs `join_all`/`try_join_all`, `spawn`, a task-set `push`, or a task set
        // named where it is collected (`collect::<FuturesUnordered<_>>()`, a `let` type,
        // `JoinSet::from_iter`).
        &[&[
            "join_all",
            "spawn",
            "push",
            "extend",
            "FuturesUnordered",
            "JoinSet",
        ]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if is_test_code(ctx, node) {
            return;
        }
        for call in Walk::new(node) {
            if call.kind() != "call_expression" {
                continue;
            }
            if let Some(path) = rust_call_path(ctx.source, call) {
                let full = ctx.imports.resolve_rust(&path);
                let kind = match full.as_str() {
                    "futures::future::join_all" | "futures_util::future::join_all" => Some(false),
                    "futures::future::try_join_all" | "futures_util::future::try_join_all" => {
                        Some(true)
                    }
                    _ => None,
                };
                if let Some(is_try) = kind {
                    check_join_all(ctx, call, is_try, out);
                    continue;
                }
                if full == "tokio::spawn" || full == "tokio::task::spawn" {
                    check_spawn_in_loop(ctx, call, call, "`tokio::spawn`", out);
                }
                if let Some(set) = task_set_name(&full, "::from_iter") {
                    if let Some(arg) = call
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                    {
                        check_collected(ctx, call, call, arg, set, out);
                    }
                }
                continue;
            }
            if let Some((recv, m)) = rust_method_call(call) {
                let name = ctx.text(m);
                if name == "collect" {
                    if let Some(set) = collect_target(ctx, call) {
                        check_collected(ctx, call, m, recv, set, out);
                    }
                    continue;
                }
                if name == "extend" {
                    check_extended(ctx, call, m, recv, out);
                    continue;
                }
                if !matches!(name, "spawn" | "push") {
                    continue;
                }
                if receiver_is_task_set(ctx, recv, call) {
                    check_spawn_in_loop(ctx, call, m, "a task per item", out);
                }
            }
        }
    }
}

/// `"FuturesUnordered"` / `"JoinSet"` when the resolved path `full` is that type's `suffix`
/// (`futures::stream::FuturesUnordered::from_iter`).
fn task_set_name(full: &str, suffix: &str) -> Option<&'static str> {
    let ty = full.strip_suffix(suffix)?;
    let last = ty.rsplit("::").next().unwrap_or(ty);
    match last {
        "FuturesUnordered" => Some("FuturesUnordered"),
        "JoinSet" => Some("JoinSet"),
        _ => None,
    }
}

/// The task set a `.collect()` call builds: named by its turbofish (`collect::<JoinSet<_>>()`)
/// or by the type of the `let` it initialises (`let futs: FuturesUnordered<_> = ..collect();`).
fn collect_target(ctx: &Context<'_>, call: Node<'_>) -> Option<&'static str> {
    let f = call.child_by_field_name("function")?;
    let ty = if f.kind() == "generic_function" {
        f.child_by_field_name("type_arguments")
            .map(|t| squash(ctx.text(t)))?
    } else {
        let l = call.parent().filter(|p| p.kind() == "let_declaration")?;
        squash(ctx.text(l.child_by_field_name("type")?))
    };
    let outer = ty.trim_start_matches('<');
    let outer = outer.split('<').next().unwrap_or(outer);
    task_set_name(&format!("{outer}::"), "::")
}

/// A task set filled at once from `iter` (`iter.collect::<FuturesUnordered<_>>()`,
/// `JoinSet::from_iter(iter)`): reported when `iter` is over input-sized data with no limit.
fn check_collected(
    ctx: &Context<'_>,
    call: Node<'_>,
    at: Node<'_>,
    iter: Node<'_>,
    set: &str,
    out: &mut Vec<Finding>,
) {
    let Some(root) = input_root(ctx, iter) else {
        return;
    };
    if cluster_named(ctx, root) || has_limit(ctx, iter) || data_source(ctx, root).is_none() {
        return;
    }
    out.push(Finding::new(
        &META,
        at.start_byte()..call.end_byte(),
        format!(
            "`{set}` filled with a task for every item of `{}` with no concurrency limit: {}",
            squash(ctx.text(root)),
            size_claim(ctx, root, "tasks")
        ),
    ));
}

/// `set.extend(iter)` on a `JoinSet` / `FuturesUnordered` (a local created in this function, or
/// `self.x`/`a.x` where every struct field named `x` in the file is declared as one): reported
/// like a set collected from `iter`, unless a loop around the call waits for a task
/// (`join_next`) or holds a permit, which caps the set between extends.
fn check_extended(
    ctx: &Context<'_>,
    call: Node<'_>,
    m: Node<'_>,
    recv: Node<'_>,
    out: &mut Vec<Finding>,
) {
    let Some(set) = task_set_of(ctx, recv, call) else {
        return;
    };
    let Some(arg) = call
        .child_by_field_name("arguments")
        .and_then(|a| a.named_child(0))
    else {
        return;
    };
    if !creates_per_item(ctx, arg) {
        return;
    }
    for a in ancestors(call) {
        if matches!(
            a.kind(),
            "closure_expression" | "async_block" | "function_item"
        ) {
            break;
        }
        if matches!(
            a.kind(),
            "for_expression" | "loop_expression" | "while_expression"
        ) && has_limit(ctx, a)
        {
            return;
        }
    }
    check_collected(ctx, call, m, arg, set, out);
}

/// Whether the iterator chain `iter` makes its items itself (`.map(..)`, `.filter_map(..)`,
/// `.flat_map(..)` somewhere in the chain): one future or task per input item is created at this
/// site. A chain without one moves futures made elsewhere (`tasks.extend(pending.drain(..))` in
/// an executor), where the fan-out, if any, is at the code that made them.
fn creates_per_item(ctx: &Context<'_>, iter: Node<'_>) -> bool {
    let mut e = iter;
    for _ in 0..32 {
        match e.kind() {
            "call_expression" => {
                let Some((recv, m)) = rust_method_call(e) else {
                    return false;
                };
                if matches!(ctx.text(m), "map" | "filter_map" | "flat_map") {
                    return true;
                }
                e = recv;
            }
            "reference_expression" | "parenthesized_expression" => {
                let Some(n) = e.named_child(e.named_child_count().saturating_sub(1)) else {
                    return false;
                };
                e = n;
            }
            _ => return false,
        }
    }
    false
}

/// `"JoinSet"` / `"FuturesUnordered"` when `recv` is one: a local whose binding creates or
/// declares it (see [`receiver_is_task_set`]), or a field access whose struct fields of that
/// name (file facts) are all declared with that type.
fn task_set_of(ctx: &Context<'_>, recv: Node<'_>, at: Node<'_>) -> Option<&'static str> {
    let named = |t: &str| {
        if t.contains("JoinSet") {
            Some("JoinSet")
        } else if t.contains("FuturesUnordered") {
            Some("FuturesUnordered")
        } else {
            None
        }
    };
    match recv.kind() {
        "identifier" => {
            let f = enclosing_fn(at)?;
            let b = find_binding(ctx.source, f, ctx.text(recv), at.start_byte())?;
            if !receiver_is_task_set(ctx, recv, at) {
                return None;
            }
            named(&squash(ctx.text(b)))
        }
        "field_expression" => {
            let field = ctx.text(recv.child_by_field_name("field")?);
            let types = ctx.facts().field_types(field);
            let mut set = None;
            for t in types {
                let n = named(&t.text)?;
                if set.is_some_and(|s| s != n) {
                    return None;
                }
                set = Some(n);
            }
            set
        }
        _ => None,
    }
}

/// Is `recv` a `JoinSet` / `FuturesUnordered` created in this function?
fn receiver_is_task_set(ctx: &Context<'_>, recv: Node<'_>, at: Node<'_>) -> bool {
    if recv.kind() != "identifier" {
        return false;
    }
    let Some(f) = enclosing_fn(at) else {
        return false;
    };
    let Some(b) = find_binding(ctx.source, f, ctx.text(recv), at.start_byte()) else {
        return false;
    };
    let text = b
        .child_by_field_name("value")
        .and_then(|v| rust_call_path(ctx.source, v))
        .map(|p| ctx.imports.resolve_rust(&p))
        .unwrap_or_default();
    let ty = b
        .child_by_field_name("type")
        .map(|t| squash(ctx.text(t)))
        .unwrap_or_default();
    text.ends_with("JoinSet::new")
        || text.ends_with("FuturesUnordered::new")
        || ty.contains("JoinSet")
        || ty.contains("FuturesUnordered")
}

fn check_spawn_in_loop(
    ctx: &Context<'_>,
    call: Node<'_>,
    at: Node<'_>,
    what: &str,
    out: &mut Vec<Finding>,
) {
    // Nearest loop, not crossing a closure or async block.
    let mut lp = None;
    for a in ancestors(call) {
        if matches!(
            a.kind(),
            "closure_expression" | "async_block" | "function_item"
        ) {
            break;
        }
        if matches!(a.kind(), "loop_expression" | "while_expression") {
            break;
        }
        if a.kind() == "for_expression" {
            lp = Some(a);
            break;
        }
    }
    let Some(lp) = lp else { return };
    let Some(iterable) = lp.child_by_field_name("value") else {
        return;
    };
    let Some(root) = input_root(ctx, iterable) else {
        return;
    };
    if cluster_named(ctx, root)
        || has_limit(ctx, lp)
        || hands_semaphore(ctx, lp)
        || data_source(ctx, root).is_none()
    {
        return;
    }
    let range = if at.id() == call.id() {
        call.byte_range()
    } else {
        at.start_byte()..call.end_byte()
    };
    out.push(Finding::new(
        &META,
        range,
        format!(
            "{what} for every item of `{}` with no concurrency limit: {}",
            squash(ctx.text(root)),
            size_claim(ctx, root, "tasks")
        ),
    ));
}

fn check_join_all(ctx: &Context<'_>, call: Node<'_>, is_try: bool, out: &mut Vec<Finding>) {
    let Some(args) = call.child_by_field_name("arguments") else {
        return;
    };
    let Some(arg) = args.named_child(0) else {
        return;
    };
    let iter_expr = if arg.kind() == "identifier" {
        match follow_var(ctx, arg) {
            Some(e) => e,
            None => return,
        }
    } else {
        arg
    };
    // `try_join_all(handles)` over the `JoinHandle`s of tasks spawned in a loop only waits for
    // them: the fan-out is the spawn (reported there when unbounded), not the join.
    if arg.kind() == "identifier" && pushes_join_handles(ctx, arg) {
        return;
    }
    let Some(root) = input_root(ctx, iter_expr) else {
        return;
    };
    if cluster_named(ctx, root) || has_limit(ctx, iter_expr) || data_source(ctx, root).is_none() {
        return;
    }
    let name = if is_try { "try_join_all" } else { "join_all" };
    let root_text = squash(ctx.text(root));
    // Name the collection joined and, when it was filled in a loop, the one it was filled from.
    let over = if arg.kind() == "identifier" && ctx.text(arg) != root_text {
        format!("`{}` (one future per item of `{root_text}`)", ctx.text(arg))
    } else {
        format!("every item of `{root_text}`")
    };
    let mut f = Finding::new(
        &META,
        call.byte_range(),
        format!(
            "`{name}` over {over} with no concurrency limit: {}",
            size_claim(ctx, root, "futures")
        ),
    );
    let n = FANOUT_LIMIT;
    let (collect, trait_name) = if is_try {
        ("try_collect", "TryStreamExt")
    } else {
        ("collect", "StreamExt")
    };
    let mut edits = vec![TextEdit::replace(
        call.byte_range(),
        format!(
            "futures::stream::iter({}).buffered({n}).{collect}::<Vec<_>>()",
            ctx.text(arg)
        ),
    )];
    // `buffered` needs StreamExt; `try_collect` needs TryStreamExt.
    for tr in ["StreamExt", trait_name] {
        let imported = ctx
            .imports
            .names
            .get(tr)
            .is_some_and(|p| p.starts_with("futures"))
            || ctx
                .imports
                .globs
                .iter()
                .any(|g| g == "futures::prelude" || g == "futures::stream");
        if !imported
            && !edits
                .iter()
                .any(|e| e.replacement.contains(&format!("use futures::{tr};")))
        {
            edits.push(TextEdit::insert(
                import_offset(ctx),
                format!("use futures::{tr};\n"),
            ));
        }
    }
    // Merge the import insertions (same offset) into one edit.
    let mut imports = String::new();
    edits.retain(|e| {
        if e.replacement.starts_with("use futures::") && e.range.is_empty() {
            imports.push_str(&e.replacement);
            false
        } else {
            true
        }
    });
    if !imports.is_empty() {
        edits.push(TextEdit::insert(import_offset(ctx), imports));
    }
    f = f.with_fix(Fix::new(
        format!("Cap the fan-out (buffered({n}))"),
        Applicability::Unsafe,
        edits,
    ));
    out.push(f);
}

/// Where a new `use` goes: after the file's last top-level `use` declaration, or at the start
/// (after inner attributes and leading comments).
fn import_offset(ctx: &Context<'_>) -> usize {
    // Reads the file's top level: a fix with an import is recomputed after every edit.
    ctx.facts().whole_file();
    let mut c = ctx.root.walk();
    let mut last_use = None;
    let mut first_item = None;
    for ch in ctx.root.named_children(&mut c) {
        match ch.kind() {
            "use_declaration" => last_use = Some(ch),
            "line_comment" | "block_comment" | "inner_attribute_item" => {}
            _ => {
                if first_item.is_none() {
                    first_item = Some(ch);
                }
            }
        }
    }
    if let Some(u) = last_use {
        let end = u.end_byte();
        return ctx.source[end..]
            .find('\n')
            .map(|i| end + i + 1)
            .unwrap_or(ctx.source.len());
    }
    first_item.map(|f| f.start_byte()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_fanout_over_input() {
        check(
            "unbounded-fanout",
            r#"
use futures::future::join_all;
use tokio::task::JoinSet;

async fn fetch_all(client: &Client, ids: &[u64]) -> Vec<Item> {
    join_all(ids.iter().map(|id| client.fetch(*id))).await
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
}

async fn pushed(client: &Client, ids: Vec<u64>) -> Result<Vec<Item>, Error> {
    let mut futs = Vec::new();
    for id in &ids {
        futs.push(client.fetch(*id));
    }
    futures::future::try_join_all(futs).await
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
}

async fn spawn_each(jobs: Vec<Job>) {
    for job in jobs {
        tokio::spawn(async move { job.run().await });
      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
    }
}

async fn spawned_without_permits(req: Request) -> Result<Vec<R>, Error> {
    let stores = req.stores.clone();
    let mut handles = Vec::with_capacity(stores.len());
    for store in stores {
        let handle = tokio::spawn(single_store_handler(store));
                   //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
        handles.push(handle);
    }
    futures::future::try_join_all(handles).await
}
async fn join_set(urls: Vec<String>) {
    let mut set = JoinSet::new();
    for u in urls {
        set.spawn(download(u));
          //^^^^^^^^^^^^^^^^^^ unbounded-fanout
    }
    while let Some(r) = set.join_next().await {}
}
"#,
        );
    }

    #[test]
    fn silent_when_bounded() {
        check(
            "unbounded-fanout",
            r#"
use futures::future::join_all;
use futures::StreamExt;
use std::sync::Arc;
use tokio::sync::Semaphore;

async fn fixed(a: Fut, b: Fut) {
    join_all(vec![a, b]).await;
    join_all([1, 2, 3].iter().map(|x| work(*x))).await;
    join_all((0..4).map(|i| work(i))).await;
}

async fn limited(ids: Vec<u64>, sem: Arc<Semaphore>) {
    for id in ids {
        let permit = sem.clone().acquire_owned().await.unwrap();
        tokio::spawn(async move { let _p = permit; work(id).await });
    }
}

async fn buffered(ids: Vec<u64>) {
    let r: Vec<_> = futures::stream::iter(ids.into_iter().map(work)).buffered(8).collect().await;
}

async fn to_peers(peers: &[Peer]) {
    join_all(peers.iter().map(|p| p.append_entries())).await;
    for node in &self.nodes {
        tokio::spawn(heartbeat(node.clone()));
    }
}

fn custom_iter(approvals: ApprovalIter) -> FuturesUnordered<Fut> {
    let stream = FuturesUnordered::new();
    for approval in approvals {
        stream.push(connect(approval));
    }
    stream
}

async fn per_topic(topics: Vec<String>, p: &Producer) {
    futures::future::try_join_all(topics.iter().map(|t| p.send(t))).await;
}

async fn chunked(ids: Vec<u64>) {
    for chunk in ids.chunks(100) {
        tokio::spawn(process(chunk.to_vec()));
    }
}

async fn accept(listener: TcpListener) {
    loop {
        let (s, _) = listener.accept().await.unwrap();
        tokio::spawn(serve(s));
    }
}

// tikv-client's all-stores plan: the semaphore is acquired inside each spawned task, and the
// join only waits for the handles.
async fn all_stores(pd: &Pd) -> Result<Vec<R>, Error> {
    let permits = Arc::new(Semaphore::new(MULTI_STORES_CONCURRENCY));
    let stores = pd.all_stores().await?;
    let mut handles = Vec::with_capacity(stores.len());
    for store in stores {
        let handle = tokio::spawn(single_store_handler(store, permits.clone()));
        handles.push(handle);
    }
    futures::future::try_join_all(handles).await
}
async fn with_permits(jobs: Vec<Job>, sem: Arc<Semaphore>) {
    for job in jobs {
        tokio::spawn(run_with_permit(job, sem.clone()));
    }
}
// kube-client's port forwarder: one duplex stream per forwarded port, whatever it is called.
async fn message_loop(ports: Vec<u16>, duplexes: Vec<DuplexStream>, streams: &[tokio::net::TcpStream]) {
    let mut loops = Vec::with_capacity(ports.len() + 2);
    for (i, (r, w)) in duplexes.into_iter().map(tokio::io::split).enumerate() {
        loops.push(to_pod_loop(i, r).boxed());
    }
    futures::future::try_join_all(loops).await;
    join_all(streams.iter().map(|s| pump(s))).await;
}
// fred's cluster router: one connection per cluster node, the handle is the map's value.
async fn write_all_nodes(writers: &mut HashMap<Server, Connection>, frame: &Frame) -> Vec<Result<Server, Error>> {
    let mut write_ft = Vec::with_capacity(writers.len());
    for (server, conn) in writers.iter_mut() {
        let frame = frame.clone();
        write_ft.push(async move {
            conn.write(frame).await?;
            conn.flush().await?;
            Ok(server.clone())
        });
    }
    join_all(write_ft).await
}
async fn read_all_nodes(writers: &mut HashMap<Server, Connection>) -> Vec<Result<Frame, Error>> {
    join_all(writers.iter_mut().map(|(_, conn)| async { conn.read_frame().await })).await
}
// fred's pools and routers: per-connection handles built when the pool or router was
// constructed, held in `self` or in locals built from it; not established as data-sized.
impl Pool {
    async fn connect(&self) -> Result<(), Error> {
        futures::future::try_join_all(self.inner.clients.iter().map(|c| c.connect())).await?;
        let writers = self.connections.values_mut();
        join_all(writers.map(|w| w.flush())).await;
        let stores = self.pd.all_stores().await?;
        for store in stores {
            tokio::spawn(ping(store));
        }
        Ok(())
    }
}
async fn capped_set(urls: Vec<String>) {
    let mut set = tokio::task::JoinSet::new();
    for u in urls {
        if set.len() >= 16 {
            set.join_next().await;
        }
        set.spawn(download(u));
    }
}
"#,
        );
    }

    #[test]
    fn flags_task_sets_collected_from_input() {
        check(
            "unbounded-fanout",
            r#"
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::task::JoinSet;

async fn typed_let(client: &Client, items: &[Item]) {
    let mut futs: FuturesUnordered<_> = items.iter().map(|i| client.fetch(i)).collect();
                                                                            //^^^^^^^^^ unbounded-fanout
    while let Some(r) = futs.next().await {}
}

async fn turbofish(items: Vec<Item>) {
    let mut futs = items.into_iter().map(|i| fetch(i)).collect::<FuturesUnordered<_>>();
                                                     //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
    while let Some(r) = futs.next().await {}
}

async fn join_set_collect(urls: Vec<String>) {
    let mut set = urls.into_iter().map(download).collect::<tokio::task::JoinSet<_>>();
                                               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
    while let Some(r) = set.join_next().await {}
}

async fn from_iter(ids: &[u64]) {
    let set = FuturesUnordered::from_iter(ids.iter().map(|id| fetch(*id)));
            //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
    set.collect::<Vec<_>>().await;
}

async fn join_set_typed(jobs: Vec<Job>) {
    let set: JoinSet<()> = jobs.into_iter().map(|j| async move { j.run().await }).collect();
                                                                                //^^^^^^^^^ unbounded-fanout
    set.join_all().await;
}
"#,
        );
    }

    #[test]
    fn silent_on_bounded_or_configuration_sized_collected_sets() {
        check(
            "unbounded-fanout",
            r#"
use futures::stream::{FuturesUnordered, StreamExt};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const WORKERS: usize = 8;

async fn to_replicas(replicas: &[Replica], entry: Entry) {
    let acks: FuturesUnordered<_> = replicas.iter().map(|r| r.append(entry.clone())).collect();
    acks.collect::<Vec<_>>().await;
}

async fn fixed_workers() {
    let set: JoinSet<()> = (0..WORKERS).map(|i| worker(i)).collect();
    set.join_all().await;
}

async fn worker_pool(num_workers: usize) {
    (0..num_workers)
        .map(|_| tokio::spawn(run_processor()))
        .collect::<FuturesUnordered<_>>()
        .for_each(|_| async {})
        .await;
    for _ in 0..cfg.concurrency {
        tokio::spawn(run_processor());
    }
}

async fn taken(items: Vec<Item>) {
    let futs = items.iter().take(16).map(|i| fetch(i)).collect::<FuturesUnordered<_>>();
    futs.collect::<Vec<_>>().await;
}

async fn with_permit(items: Vec<Item>, sem: Arc<Semaphore>) {
    let futs: FuturesUnordered<_> = items
        .into_iter()
        .map(|i| {
            let sem = sem.clone();
            async move {
                let _p = sem.acquire_owned().await.unwrap();
                fetch(i).await
            }
        })
        .collect();
    futs.collect::<Vec<_>>().await;
}

async fn buffered(items: Vec<Item>) {
    let r: Vec<_> = futures::stream::iter(items.into_iter().map(fetch)).buffer_unordered(8).collect().await;
}

async fn plain_vec(items: Vec<Item>) -> Vec<Fut> {
    let v: Vec<_> = items.iter().map(|i| fetch(i)).collect();
    v
}

async fn literal_pair(a: Fut, b: Fut) {
    let futs: FuturesUnordered<_> = [a, b].into_iter().collect();
    futs.collect::<Vec<_>>().await;
}

fn custom(approvals: ApprovalIter) {
    let futs: FuturesUnordered<_> = approvals.map(connect).collect();
}

async fn chunked(items: Vec<Item>) {
    let futs: FuturesUnordered<_> = items.chunks(100).map(|c| process(c.to_vec())).collect();
    futs.collect::<Vec<_>>().await;
}
"#,
        );
    }

    #[test]
    fn flags_task_sets_extended_from_input() {
        check(
            "unbounded-fanout",
            r#"
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::task::JoinSet;

async fn join_set_extend(urls: Vec<String>) {
    let mut set = JoinSet::new();
    set.extend(urls.into_iter().map(download));
      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
    while let Some(r) = set.join_next().await {}
}

async fn futures_extend(client: &Client, ids: &[u64]) {
    let mut futs = FuturesUnordered::new();
    futs.extend(ids.iter().map(|id| client.fetch(*id)));
       //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
    while let Some(r) = futs.next().await {}
}

struct Indexer {
    tasks: JoinSet<anyhow::Result<()>>,
}

impl Indexer {
    fn index_all(&mut self, docs: Vec<Doc>) {
        self.tasks.extend(docs.into_iter().map(|d| async move { index(d).await }));
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-fanout
    }
}
"#,
        );
    }

    #[test]
    fn silent_on_bounded_extends_and_other_extends() {
        check(
            "unbounded-fanout",
            r#"
use futures::stream::{FuturesUnordered, StreamExt};
use tokio::task::JoinSet;

async fn taken(urls: Vec<String>) {
    let mut set = JoinSet::new();
    set.extend(urls.into_iter().take(16).map(download));
    set.join_all().await;
}

async fn waits_between_chunks(ids: Vec<u64>) {
    let mut set = JoinSet::new();
    for chunk in ids.chunks(16) {
        set.extend(chunk.iter().map(|id| fetch(*id)));
        while set.join_next().await.is_some() {}
    }
}

async fn to_replicas(replicas: &[Replica], e: Entry) {
    let mut acks = FuturesUnordered::new();
    acks.extend(replicas.iter().map(|r| r.append(e.clone())));
    acks.collect::<Vec<_>>().await;
}

async fn fixed(a: Fut, b: Fut) {
    let mut futs = FuturesUnordered::new();
    futs.extend([a, b]);
    futs.collect::<Vec<_>>().await;
}

fn plain_vec(ids: Vec<u64>, out: &mut Vec<u64>) {
    let mut v = Vec::new();
    v.extend(ids.iter().map(|i| i + 1));
    out.extend(ids);
}

struct Batch {
    rows: Vec<Row>,
    tasks: JoinSet<()>,
}

impl Batch {
    fn add(&mut self, rows: Vec<Row>) {
        self.rows.extend(rows.into_iter());
    }
    fn poll_spawned(&mut self, spawned: &mut Vec<BoxFuture>) {
        self.tasks.extend(spawned.drain(..));
    }
}

struct A { pending: JoinSet<()> }
struct B { pending: Vec<Job> }
impl B {
    fn queue(&mut self, jobs: Vec<Job>) {
        self.pending.extend(jobs.into_iter());
    }
}
"#,
        );
    }

    #[test]
    fn fix_join_all_becomes_buffered_stream_with_import() {
        check_fix(
            "unbounded-fanout",
            "Cap the fan-out",
            "use futures::future::join_all;\n\nasync fn f(ids: Vec<u64>) -> Vec<u64> {\n    join_all(ids.into_iter().map(work)).await\n}\n",
            "use futures::future::join_all;\nuse futures::StreamExt;\n\nasync fn f(ids: Vec<u64>) -> Vec<u64> {\n    futures::stream::iter(ids.into_iter().map(work)).buffered(16).collect::<Vec<_>>().await\n}\n",
        );
    }

    #[test]
    fn fix_try_join_all_uses_try_collect() {
        check_fix(
            "unbounded-fanout",
            "Cap the fan-out",
            "async fn f(ids: Vec<u64>) -> Result<Vec<u64>, E> {\n    futures::future::try_join_all(ids.into_iter().map(work)).await\n}\n",
            "use futures::StreamExt;\nuse futures::TryStreamExt;\nasync fn f(ids: Vec<u64>) -> Result<Vec<u64>, E> {\n    futures::stream::iter(ids.into_iter().map(work)).buffered(16).try_collect::<Vec<_>>().await\n}\n",
        );
    }

    #[test]
    fn messages_name_the_joined_and_the_source_collection_and_what_is_known() {
        let src = "use futures::future::join_all;\nasync fn pushed(client: &Client, ids: Vec<u64>) {\n    let mut futs = Vec::new();\n    for id in &ids {\n        futs.push(client.fetch(*id));\n    }\n    futures::future::try_join_all(futs).await;\n}\nasync fn local(pd: &Pd) {\n    let stores = pd.all_stores().await;\n    join_all(stores.iter().map(|s| s.ping())).await;\n}\nasync fn from_request(req: Request) {\n    join_all(req.items.iter().map(|i| fetch(i))).await;\n}\n";
        let f = crate::testing::raw("unbounded-fanout", src);
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:#?}");
        assert!(msgs[0].starts_with("`try_join_all` over `futs` (one future per item of `ids`) with no concurrency limit: `ids` comes from the caller's argument"), "{}", msgs[0]);
        // `stores` (a local built by a call on a client) is not established as data-sized:
        // silent. `req.items` is a field of the caller's argument.
        assert!(msgs[1].starts_with("`join_all` over every item of `req.items` with no concurrency limit: `req.items` comes from the caller's argument"), "{}", msgs[1]);
    }
}
