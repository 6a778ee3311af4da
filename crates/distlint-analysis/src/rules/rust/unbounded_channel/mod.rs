//! `unbounded-channel` (category `unbounded-queue`): channels created without a capacity.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{
    Applicability, Context, FileReads, Finding, Fix, Rule, RuleDocs, RuleMeta, Scope, Severity,
    TextEdit,
};
use crate::syntax::{rust_call_path, squash};

/// The rule.
pub struct UnboundedChannel;

/// Registered instance.
pub static RULE: UnboundedChannel = UnboundedChannel;

static META: RuleMeta = RuleMeta {
    id: "unbounded-channel",
    language: Language::Rust,
    category: "unbounded-queue",
    severity: Severity::Major,
    title: "Unbounded channel",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds channels created without a capacity: `tokio::sync::mpsc::unbounded_channel`, \
`std::sync::mpsc::channel`, `crossbeam_channel::unbounded`, `flume::unbounded`, \
`async_channel::unbounded` and `futures::channel::mpsc::unbounded`, however the path is imported \
(`use tokio::sync::mpsc;` then `mpsc::unbounded_channel()`, or the function imported by name).",
        why: "An unbounded channel turns a slow consumer into unbounded memory growth instead of \
back-pressure:\n\n\
1. A producer (an HTTP handler, a Kafka poller) pushes a message per request into the channel.\n\
2. The consumer slows down: its database is degraded, or a downstream call now takes 2 s.\n\
3. `send` never waits, so producers keep accepting work at full rate; the queue grows by \
thousands of messages a second.\n\
4. Memory climbs for minutes, latency of every queued message grows with the queue, and the \
process is OOM-killed, losing every message still in the queue. On restart the backlog that \
upstream retries built up arrives at once and the cycle repeats.\n\n\
A bounded channel makes producers wait (or fail fast with `try_send`) when the consumer falls \
behind, so overload shows up as latency or shed load at the edge instead of a crash.",
        known_problems: "- Silent when the file shows the queue is bounded: every use of the \
sender in the creating function (followed through `let` copies and clones, and into the \
parameter of a function of this file it is passed to — a free function, `Self::f`/`Type::f` or \
a method that is the only one of its name) is a `drop` or a send that runs a fixed number of \
times (outside any loop other than a `for` over a constant range such as `0..N` with `const N` \
or an array literal, and in no closure other than one handed to a `spawn`), with at least one \
send (an unused sender is still reported: the code is likely being written); or the receiver is \
only collected (`rx.iter().collect()`) where the channel was created, so every message is held \
by the collection anyway; or each message carries a reply the sender waits for: a `oneshot` sender in the channel's \
type, or, in every `send`/`unbounded_send` on the struct field the sender is stored in, a \
`oneshot` sender or the first half of a pair made by one call in the sending function whose \
other half that function awaits after the send (`let (msg, ack) = AcknowledgedMessage::package(x); \
tx.send(msg)?; ack.wait().await`, mongodb's topology updater), passed directly or inside a \
local built from it (`Request { messages, sender }`), so the queue holds at most one message \
per waiting caller; or the sender is stored into a field of a local value (`conn.stream.notifications \
= Some(tx)`) that is moved into the same struct as the receiver, with no other use of the \
sender in the creating function, so the producer runs only when the consumer's owner drives \
it (sqlx's `PgListener`; a producer that hands the sender to a task of its own is not seen); \
or the receiver is stored in a struct field and read only as a **drain** \
(`self.rx.try_recv()` in `Iterator::next`: the iterator stops at the first empty moment, so it \
reads what was produced before, which is held until then anyway, and a capacity would block the \
producers since nothing reads while they run) or as a **promise** (the holding type implements \
`Future` and neither `Stream` nor `Iterator`, each read is one `recv`/`try_recv` per call, and \
the sender, stored in a struct field, is sent on once per method call). A producer bounded in \
ways the file does not show is still reported; suppress with a reason: a channel passed to a \
constructor in another file that stores it (tokio-postgres's `Client::new`, whose every request \
carries its response channel), a channel where only some sends are acknowledged (mongodb's pool \
manager: check-ins are fire-and-forget, bounded by the pool size), notifications of work the \
consumer itself issued (openraft's `tx_notify`, replication events), and credit- or \
prefetch-controlled producers. Reads of the holding \
struct's field outside its own `impl` blocks are not seen.\n\
- Aliased re-exports from other crates (`my_crate::channel()` wrapping `unbounded_channel`) are not followed.\n\
- `use` declarations are collected file-wide, so a `use` inside one function is treated as visible in all of them.\n\
- The fix follows senders by name within a function; a sender variable shadowed by an unrelated \
value of the same name is not told apart. `blocking_send` panics when called on a runtime \
thread; the fix uses it only in synchronous functions the file never calls from async code, but \
callers in other files are not seen.",
        example: "use tokio::sync::mpsc;\n\nlet (tx, mut rx) = mpsc::unbounded_channel::<Job>();",
        use_instead: "use tokio::sync::mpsc;\n\n// Producers wait when 1024 jobs are queued.\nlet (tx, mut rx) = mpsc::channel::<Job>(1024);",
        fix: "**Bound this channel** (unsafe: adds back-pressure, so senders now wait when the \
channel is full). N is the configured channel capacity (default 1024).\n\n\
- crossbeam/flume/async-channel `unbounded()` → `bounded(N)` (same sender and receiver types).\n\
- std `mpsc::channel()` → `mpsc::sync_channel(N)`; `Sender<T>` types in the file (and their \
`use`) become `SyncSender<T>` when this is the only std channel created in the file.\n\
- tokio `mpsc::unbounded_channel()` → `mpsc::channel(N)`; `UnboundedSender<T>` / \
`UnboundedReceiver<T>` types and their `use` become `Sender<T>` / `Receiver<T>`; every send on \
the channel's sender (followed through `let` copies and clones, struct fields, and parameters of \
functions in the same file) becomes `.send(x).await` in async code or `.blocking_send(x)` in a \
synchronous function that the file never calls from async code (or a closure handed to \
`std::thread::spawn` / `spawn_blocking`). The error type (`SendError<T>`) is unchanged, so \
`.unwrap()`, `?` and `is_err()` keep compiling.\n\
- futures `mpsc::unbounded()` → `mpsc::channel(N)` with the types renamed, when the sender is \
only used through `SinkExt` (`send(x).await`), which behaves the same on both. `unbounded_send` \
has no like-for-like replacement (`try_send` fails instead of waiting and needs `&mut`), so then \
the fix is the constructor change only.\n\n\
When a sender cannot be followed within the file (passed to a function defined elsewhere, kept in \
a collection or an `Option`, used in a macro, several channels sharing the types), the action is \
the constructor change alone and its title says what is left to do by hand.",
    },
};

/// Which library created the channel; decides the bounded replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// `tokio::sync::mpsc::unbounded_channel`
    Tokio,
    /// `std::sync::mpsc::channel`
    Std,
    /// `crossbeam_channel::unbounded`
    Crossbeam,
    /// `flume::unbounded`
    Flume,
    /// `async_channel::unbounded`
    AsyncChannel,
    /// `futures::channel::mpsc::unbounded`
    Futures,
}

/// Full paths of unbounded constructors and their bounded counterparts (same module).
const CONSTRUCTORS: &[(&str, ChannelKind, &str)] = &[
    (
        "tokio::sync::mpsc::unbounded_channel",
        ChannelKind::Tokio,
        "channel",
    ),
    ("std::sync::mpsc::channel", ChannelKind::Std, "sync_channel"),
    (
        "crossbeam_channel::unbounded",
        ChannelKind::Crossbeam,
        "bounded",
    ),
    (
        "crossbeam::channel::unbounded",
        ChannelKind::Crossbeam,
        "bounded",
    ),
    ("flume::unbounded", ChannelKind::Flume, "bounded"),
    (
        "async_channel::unbounded",
        ChannelKind::AsyncChannel,
        "bounded",
    ),
    (
        "futures::channel::mpsc::unbounded",
        ChannelKind::Futures,
        "channel",
    ),
    (
        "futures_channel::mpsc::unbounded",
        ChannelKind::Futures,
        "channel",
    ),
];

/// If `call` creates an unbounded channel, its kind, full path and bounded counterpart's name.
pub fn unbounded_constructor(
    ctx: &Context<'_>,
    call: Node<'_>,
) -> Option<(ChannelKind, &'static str, &'static str)> {
    let path = rust_call_path(ctx.source, call)?;
    let full = ctx.imports.resolve_rust(&path);
    CONSTRUCTORS
        .iter()
        .find(|(p, _, _)| *p == full)
        .map(|(p, k, b)| (*k, *p, *b))
}

impl Rule for UnboundedChannel {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs the last segment of a constructor path (`unbounded_channel`, `unbounded`, `channel`).
        &[&["unbounded", "channel"]]
    }

    fn file_reads(&self) -> FileReads {
        // Finding the constructor calls reads only the unit and the file's imports (a tracked
        // dependency). Whether a channel counts as bounded reads outside the unit — the function
        // of the file a sender is passed to, the `impl`s of the struct a half is stored in — so
        // `check` declares `whole_file()` for the units that have a constructor, and only those
        // are re-run after every edit (was every unit the literal prefilter let through: ~570
        // of the 5 MB benchmark file's units, 41 % of a keystroke). The fix reads the whole file
        // but is deferred (`resolve_fix`), so it costs nothing per keystroke.
        FileReads::Nothing
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        let cap = ctx.config.fix.channel_capacity;
        for call in constructor_candidates(ctx, node) {
            let Some((kind, full, bounded)) = unbounded_constructor(ctx, call) else {
                continue;
            };
            // What follows reads the rest of the file, which no fact describes.
            ctx.facts().whole_file();
            if bounds::visibly_bounded(ctx, call) {
                continue;
            }
            let message = match kind {
                ChannelKind::Std => "unbounded `std::sync::mpsc::channel`: a slow receiver lets the queue grow until the process runs out of memory",
                _ => "unbounded channel: a slow consumer lets the queue grow until the process runs out of memory",
            };
            let mut finding = Finding::new(&META, call.byte_range(), message);
            // The constructor swap is always possible when the call has no arguments; the rest
            // of the fix (types, `use`s, sends) follows the sender through the whole file, so
            // it is computed only when asked for, in `resolve_fix`.
            if constructor_edits(ctx, call, full, bounded, cap).is_some() {
                finding = finding.with_fix(Fix::deferred(
                    format!("Bound this channel (capacity {cap})"),
                    Applicability::Unsafe,
                ));
            }
            out.push(finding);
        }
    }

    fn resolve_fix(&self, ctx: &Context<'_>, finding: &Finding, _fix: &Fix) -> Option<Fix> {
        let call = ctx.node_at(finding.range.clone(), "call_expression")?;
        let (kind, full, bounded) = unbounded_constructor(ctx, call)?;
        bound_fix(ctx, call, kind, full, bounded)
    }
}

/// Substrings that every constructor call's path contains unless the constructor is imported
/// under another name: the last segments `unbounded_channel`, `channel`, `unbounded`. (The same
/// literals as [`Rule::literals`], case-sensitive here.)
const NAME_PARTS: &[&str] = &["unbounded", "channel"];

/// The `call_expression`s in `unit` whose callee path contains `unbounded` or `channel`, or a
/// local name the file imports a constructor as (`use flume::unbounded as queue;`): every call
/// [`unbounded_constructor`] can accept (a resolved path is an import's path with the rest of
/// the written path appended, and every constructor's last segment contains one of the two).
/// Found by a substring search of the unit's text and a climb from each occurrence through the
/// callee path, so a unit without a constructor costs a text scan, not a tree walk. Sorted by
/// position, outer calls first (the order of a pre-order walk).
fn constructor_candidates<'t>(ctx: &Context<'_>, unit: Node<'t>) -> Vec<Node<'t>> {
    let text = ctx.text(unit);
    let base = unit.start_byte();
    let mut needles: Vec<&str> = NAME_PARTS.to_vec();
    // Every import is looked at once per unit, so the test is ordered cheapest first: a path
    // that does not end in a constructor's name is rejected by its last bytes alone.
    for (local, full) in &ctx.imports.names {
        if (full.ends_with("channel") || full.ends_with("unbounded"))
            && CONSTRUCTORS.iter().any(|(p, _, _)| p == full)
            && !NAME_PARTS.iter().any(|t| local.contains(t))
        {
            needles.push(local);
        }
    }
    let mut calls: Vec<Node<'t>> = Vec::new();
    for needle in needles {
        for (off, _) in text.match_indices(needle) {
            let start = base + off;
            let Some(mut n) = unit.descendant_for_byte_range(start, start + needle.len()) else {
                continue;
            };
            if n.kind() != "identifier" {
                continue;
            }
            while let Some(p) = n.parent() {
                match p.kind() {
                    "scoped_identifier" | "generic_function" => n = p,
                    "call_expression" => {
                        if p.child_by_field_name("function") == Some(n) {
                            calls.push(p);
                        }
                        break;
                    }
                    _ => break,
                }
            }
        }
    }
    calls.sort_by_key(|c| (c.start_byte(), std::cmp::Reverse(c.end_byte())));
    calls.dedup();
    calls
}

/// `drop(x)`, `mem::drop(x)`, `std::mem::drop(x)`. A bare `drop` is the prelude's even when the
/// file implements `Drop::drop` (a method, which cannot be called by its bare name) or has a
/// glob import, which the import resolution would otherwise take it from.
pub fn is_drop(ctx: &Context<'_>, callee: Node<'_>) -> bool {
    let text = squash(ctx.text(callee));
    text == "drop"
        || matches!(
            ctx.imports.resolve_rust(&text).as_str(),
            "std::mem::drop" | "core::mem::drop"
        )
}

mod bounds;

/// "Bound this channel": the constructor swap plus, where it can be followed within the file,
/// the edits that keep the file compiling (see the rule's `fix` docs). When something cannot be
/// followed, the fix is the constructor swap alone and its title says why.
fn bound_fix(
    ctx: &Context<'_>,
    call: Node<'_>,
    kind: ChannelKind,
    full: &str,
    bounded: &str,
) -> Option<Fix> {
    let cap = ctx.config.fix.channel_capacity;
    let ctor = constructor_edits(ctx, call, full, bounded, cap)?;
    let rest = match kind {
        ChannelKind::Tokio => follow::typed_edits(ctx, call, follow::Flavor::Tokio),
        ChannelKind::Futures => follow::typed_edits(ctx, call, follow::Flavor::Futures),
        ChannelKind::Std => follow::std_type_edits(ctx, call),
        _ => Ok(Vec::new()),
    };
    Some(match rest {
        Ok(more) => {
            let mut edits = ctor;
            edits.extend(more);
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            edits.dedup();
            Fix::new(
                format!("Bound this channel (capacity {cap})"),
                Applicability::Unsafe,
                edits,
            )
        }
        Err(reason) => Fix::new(
            format!("Bound this channel (capacity {cap}; constructor only: {reason})"),
            Applicability::Unsafe,
            ctor,
        ),
    })
}

/// The constructor swap: the callee's last segment becomes the bounded name and `()` becomes
/// `(N)`. `None` when the call already has arguments.
fn constructor_edits(
    ctx: &Context<'_>,
    call: Node<'_>,
    full: &str,
    bounded: &str,
    cap: u32,
) -> Option<Vec<TextEdit>> {
    let mut callee = call.child_by_field_name("function")?;
    if callee.kind() == "generic_function" {
        callee = callee.child_by_field_name("function")?;
    }
    let args = call.child_by_field_name("arguments")?;
    if ctx
        .text(args)
        .chars()
        .any(|c| !c.is_whitespace() && c != '(' && c != ')')
    {
        return None;
    }
    let name_edit = match callee.kind() {
        // `mpsc::channel` / `flume::unbounded`: swap the last segment only.
        "scoped_identifier" => {
            let name = callee.child_by_field_name("name")?;
            TextEdit::replace(name.byte_range(), bounded)
        }
        // A bare imported name: spell out the full path of the bounded form (no new import needed).
        _ => {
            let module = full.rsplit_once("::")?.0;
            TextEdit::replace(callee.byte_range(), format!("{module}::{bounded}"))
        }
    };
    let args_edit = TextEdit::replace(args.byte_range(), format!("({cap})"));
    Some(vec![name_edit, args_edit])
}

mod follow;

/// The identifiers spelled `name` in `scope` that start at or after byte `from`, in source order,
/// not entering nested `fn` items (their locals are other variables).
fn uses_after<'t, 'a>(
    ctx: &'a Context<'_>,
    scope: Node<'t>,
    from: usize,
    name: &'a str,
) -> impl Iterator<Item = Node<'t>> + 'a
where
    't: 'a,
{
    let mut w = crate::syntax::Walk::new(scope);
    std::iter::from_fn(move || {
        while let Some(n) = w.next() {
            if n.kind() == "function_item" && n != scope {
                w.skip_subtree();
                continue;
            }
            if n.kind() == "identifier" && n.start_byte() >= from && ctx.text(n) == name {
                return Some(n);
            }
        }
        None
    })
}

#[cfg(test)]
mod tests;
