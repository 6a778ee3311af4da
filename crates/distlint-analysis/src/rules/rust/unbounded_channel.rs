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
by the collection anyway; or each message carries a `oneshot` reply sender (in the channel's \
type, or in every send on the struct field the sender is stored in), so each caller waits for \
its reply; or the receiver is stored in a struct field and read only as a **drain** \
(`self.rx.try_recv()` in `Iterator::next`: the iterator stops at the first empty moment, so it \
reads what was produced before, which is held until then anyway, and a capacity would block the \
producers since nothing reads while they run) or as a **promise** (the holding type implements \
`Future` and neither `Stream` nor `Iterator`, each read is one `recv`/`try_recv` per call, and \
the sender, stored in a struct field, is sent on once per method call). A producer bounded in \
ways the file does not show is still reported; suppress with a reason. Reads of the holding \
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
        if super::common::skip_test_file(ctx) {
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

/// Channels whose queue the file shows cannot grow without limit: every send happens a fixed
/// number of times, or every message carries a reply channel that the sender then waits on.
mod bounds {
    use tree_sitter::Node;

    use crate::rule::Context;
    use crate::syntax::{ancestors, squash, Walk};

    use super::super::common::{
        args_of, idents, in_macro, is_loop, is_screaming, method_call, simple_pattern_name,
    };
    use super::is_drop;

    /// True when the channel's queue is visibly bounded (see the rule's known problems).
    pub fn visibly_bounded(ctx: &Context<'_>, call: Node<'_>) -> bool {
        request_response_type(ctx, call)
            || receiver_collected(ctx, call)
            || producer_is_bounded(ctx, call).unwrap_or(false)
            || request_response_sends(ctx, call)
            || receiver_held_as_promise_or_drain(ctx, call)
    }

    /// The sender's binding: the `let (tx, rx) = <call>;` and the name `tx` (`None` for `_`).
    fn binding<'t>(ctx: &Context<'_>, call: Node<'t>) -> Option<(Node<'t>, Option<String>)> {
        let l = call.parent().filter(|p| p.kind() == "let_declaration")?;
        let pat = l
            .child_by_field_name("pattern")
            .filter(|p| p.kind() == "tuple_pattern")?;
        let first = pat.named_child(0)?;
        if ctx.text(first) == "_" {
            return Some((l, None));
        }
        Some((l, simple_pattern_name(ctx, first).map(String::from)))
    }

    /// The creating `let (tx, rx) = <call>;` and the name bound by element `i` of its tuple
    /// pattern (0 the sender, 1 the receiver), when that element is a plain name.
    fn tuple_half<'t>(ctx: &Context<'_>, call: Node<'t>, i: usize) -> Option<(Node<'t>, String)> {
        let l = call.parent().filter(|p| p.kind() == "let_declaration")?;
        let name = l
            .child_by_field_name("pattern")
            .filter(|p| p.kind() == "tuple_pattern")?
            .named_child(i)
            .and_then(|p| simple_pattern_name(ctx, p))?;
        Some((l, name.to_string()))
    }

    /// `unbounded_channel::<(Request, oneshot::Sender<Response>)>()`: each message carries its
    /// reply channel.
    fn request_response_type(ctx: &Context<'_>, call: Node<'_>) -> bool {
        let mut t = String::new();
        if let Some(f) = call
            .child_by_field_name("function")
            .filter(|f| f.kind() == "generic_function")
        {
            if let Some(a) = f.child_by_field_name("type_arguments") {
                t.push_str(ctx.text(a));
            }
        }
        if let Some(ty) = call
            .parent()
            .filter(|p| p.kind() == "let_declaration")
            .and_then(|l| l.child_by_field_name("type"))
        {
            t.push_str(ctx.text(ty));
        }
        t.to_ascii_lowercase().contains("oneshot")
    }

    /// Sends on a struct field that holds this sender all carry a `oneshot` sender created in the
    /// sending function (request/response: each caller waits for its reply).
    fn request_response_sends(ctx: &Context<'_>, call: Node<'_>) -> bool {
        let Some((l, Some(name))) = binding(ctx, call) else {
            return false;
        };
        let Some(scope) = ancestors(l).find(|a| a.kind() == "function_item") else {
            return false;
        };
        let mut field: Option<(String, Node<'_>)> = None;
        for n in Walk::new(scope) {
            match n.kind() {
                "field_initializer" => {
                    let v = n.child_by_field_name("value");
                    if v.is_some_and(|v| ctx.text(v) == name) {
                        field = n
                            .child_by_field_name("field")
                            .map(|f| (ctx.text(f).to_string(), n));
                    }
                }
                "shorthand_field_initializer" if ctx.text(n) == name => {
                    field = Some((name.clone(), n));
                }
                _ => {}
            }
        }
        let Some((field, init)) = field else {
            return false;
        };
        // The struct the sender is stored in; only its own methods' sends are looked at.
        let Some(owner) = ancestors(init)
            .find(|a| a.kind() == "struct_expression")
            .and_then(|se| se.child_by_field_name("name"))
            .map(|n| base_name(ctx.text(n)))
        else {
            return false;
        };
        let mut sends = 0;
        for imp in impls_of(ctx, &owner) {
            for n in Walk::new(imp) {
                let Some(m) = method_call(n) else { continue };
                if ctx.text(m.name) != "send" {
                    continue;
                }
                let on_field = m.receiver.kind() == "field_expression"
                    && m.receiver
                        .child_by_field_name("field")
                        .is_some_and(|f| ctx.text(f) == field);
                if !on_field || ancestors(n).find(|a| a.kind() == "impl_item") != Some(imp) {
                    continue;
                }
                if !carries_fresh_reply(ctx, n, m) {
                    return false;
                }
                sends += 1;
            }
        }
        sends > 0
    }

    /// `send` (on a struct field) passes a `oneshot` sender created in the sending function.
    fn carries_fresh_reply(
        ctx: &Context<'_>,
        n: Node<'_>,
        m: super::super::common::MethodCall<'_>,
    ) -> bool {
        let Some(f) = ancestors(n).find(|a| a.kind() == "function_item") else {
            return false;
        };
        let reply_senders: Vec<String> = Walk::new(f)
            .filter(|x| x.kind() == "let_declaration")
            .filter(|x| {
                x.child_by_field_name("value")
                    .is_some_and(|v| squash(ctx.text(v)).contains("oneshot::channel"))
            })
            .filter_map(|x| {
                let p = x.child_by_field_name("pattern")?;
                let first = p.named_child(0)?;
                simple_pattern_name(ctx, first).map(String::from)
            })
            .collect();
        args_of(m.args).iter().any(|a| {
            idents(ctx, *a)
                .iter()
                .any(|i| reply_senders.iter().any(|r| r == i))
        })
    }

    /// Byte offsets of `name` in `source` as a whole word (not inside a longer identifier).
    fn word_occurrences<'s>(source: &'s str, name: &'s str) -> impl Iterator<Item = usize> + 's {
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        let bytes = source.as_bytes();
        source
            .match_indices(name)
            .map(|(i, _)| i)
            .filter(move |&i| {
                (i == 0 || !ident(bytes[i - 1]))
                    && bytes.get(i + name.len()).is_none_or(|&c| !ident(c))
            })
    }

    /// The `impl` blocks of the file whose type's base name is `name` (`impl Name`,
    /// `impl<T> Name<T>`, `impl Trait for a::Name`). Found by a text search for the name and a
    /// lookup of each occurrence that follows `impl`, `for`, `>` or `::`: a scan of the text, not
    /// a walk of the tree or of the file's items (a generated file can have tens of thousands).
    fn impls_of<'t>(ctx: &Context<'t>, name: &str) -> Vec<Node<'t>> {
        let mut out: Vec<Node<'t>> = Vec::new();
        for i in word_occurrences(ctx.source, name) {
            let before = ctx.source[..i].trim_end();
            if !(before.ends_with("impl")
                || before.ends_with("for")
                || before.ends_with('>')
                || before.ends_with("::"))
            {
                continue;
            }
            let Some(mut t) = ctx.root.descendant_for_byte_range(i, i + name.len()) else {
                continue;
            };
            // type_identifier → (scoped_type_identifier | generic_type)* → impl_item, as `type`.
            for _ in 0..4 {
                let Some(p) = t.parent() else { break };
                if p.kind() == "impl_item" {
                    let is_type =
                        p.child_by_field_name("type") == Some(t) && base_name(ctx.text(t)) == name;
                    if is_type && !out.contains(&p) {
                        out.push(p);
                    }
                    break;
                }
                if !matches!(p.kind(), "scoped_type_identifier" | "generic_type") {
                    break;
                }
                t = p;
            }
        }
        out
    }

    /// Functions of the file named `name` (at any depth, trait items included), with the base
    /// name of the `impl` type they are methods of (`None` otherwise). Found by a text search
    /// for `fn name`, like [`impls_of`].
    fn functions_named<'t>(ctx: &Context<'t>, name: &str) -> Vec<(Node<'t>, Option<String>)> {
        let mut out = Vec::new();
        for i in word_occurrences(ctx.source, name) {
            if !ctx.source[..i].trim_end().ends_with("fn") {
                continue;
            }
            let Some(n) = ctx.root.descendant_for_byte_range(i, i + name.len()) else {
                continue;
            };
            let Some(f) = n.parent().filter(|f| {
                f.kind() == "function_item" && f.child_by_field_name("name") == Some(n)
            }) else {
                continue;
            };
            let owner = f
                .parent()
                .filter(|b| b.kind() == "declaration_list")
                .and_then(|b| b.parent())
                .filter(|i| i.kind() == "impl_item")
                .and_then(|i| i.child_by_field_name("type"))
                .map(|t| base_name(ctx.text(t)));
            out.push((f, owner));
        }
        out
    }

    /// `a::B<T>` → `B`.
    fn base_name(t: &str) -> String {
        let t = squash(t);
        let t = t.split('<').next().unwrap_or("");
        t.rsplit("::").next().unwrap_or(t).to_string()
    }

    /// One place where the sender is followed: the uses of `name` after byte `from` inside the
    /// function `scope` (the creating function, or a function of the file it is passed to).
    #[derive(Clone)]
    struct Site<'t> {
        scope: Node<'t>,
        from: usize,
        name: String,
    }

    /// What one use of the sender does with it.
    enum SenderUse<'t> {
        /// A send (`send`, `try_send`, ...): the `call_expression`.
        Send(Node<'t>),
        /// A use that queues nothing: `drop(tx)`, `tx.is_closed()`, a bare `tx;`.
        Inert,
        /// `let copy = tx.clone();`: the `let` and the new name.
        Copy(Node<'t>, String),
        /// `f(tx)`: the call and the argument's index.
        Passed(Node<'t>, usize),
    }

    /// Every use of the sender (and its clones) in the creating function is a send that runs a
    /// fixed number of times per call (outside any loop other than one over a constant range, and
    /// in no closure other than one handed to a `spawn`), or a `drop`, with at least one send:
    /// the channel holds at most that many messages. A sender passed to a function of this file
    /// (a free function, `Self::f`, `Type::f` or a method, the only one of its name) is followed
    /// into that function's parameter.
    /// `None` when the sender escapes where it cannot be followed.
    fn producer_is_bounded(ctx: &Context<'_>, call: Node<'_>) -> Option<bool> {
        let (l, name) = binding(ctx, call)?;
        // A sender that is dropped at once or never used yet (code being typed in the editor)
        // shows no bound: keep reporting.
        let name = name?;
        let scope = ancestors(l).find(|a| a.kind() == "function_item")?;
        let mut sites = vec![Site {
            scope,
            from: l.end_byte(),
            name,
        }];
        let mut sends = 0usize;
        let mut i = 0;
        while i < sites.len() {
            let Site { scope, from, name } = sites[i].clone();
            i += 1;
            for n in super::uses_after(ctx, scope, from, &name) {
                if in_macro(n) {
                    return None;
                }
                if rebinding_of_itself(ctx, n)? {
                    continue;
                }
                match sender_use(ctx, n)? {
                    SenderUse::Send(c) => {
                        if !runs_fixed_times(ctx, c, scope) {
                            return Some(false);
                        }
                        sends += 1;
                    }
                    SenderUse::Inert => {}
                    SenderUse::Copy(decl, nm) => {
                        if sites.len() > 32 {
                            return None;
                        }
                        sites.push(Site {
                            scope,
                            from: decl.end_byte(),
                            name: nm,
                        });
                    }
                    SenderUse::Passed(c, idx) => {
                        if !runs_fixed_times(ctx, c, scope) || sites.len() > 32 {
                            return None;
                        }
                        let (f, param) = callee_parameter(ctx, c, idx)?;
                        let body = f.child_by_field_name("body")?;
                        sites.push(Site {
                            scope: f,
                            from: body.start_byte(),
                            name: param,
                        });
                    }
                }
            }
        }
        Some(sends > 0)
    }

    /// For an identifier that is the pattern of a `let`: `Some(true)` when the `let` re-binds
    /// the same name from itself (`let tx = tx.clone();`, followed through its value), `None`
    /// when the name is shadowed by another value (uses after it are not the sender), and
    /// `Some(false)` when the identifier is not a `let` pattern.
    fn rebinding_of_itself(ctx: &Context<'_>, n: Node<'_>) -> Option<bool> {
        let mut p = n.parent()?;
        if p.kind() == "mut_pattern" {
            p = p.parent()?;
        }
        if p.kind() != "let_declaration" {
            return Some(false);
        }
        let pattern = p.child_by_field_name("pattern")?;
        let is_pattern =
            pattern == n || (pattern.kind() == "mut_pattern" && n.parent() == Some(pattern));
        if !is_pattern {
            return Some(false);
        }
        let value = p.child_by_field_name("value")?;
        let name = ctx.text(n);
        Walk::new(value)
            .any(|x| x.kind() == "identifier" && ctx.text(x) == name)
            .then_some(true)
    }

    /// Classifies one use of the sender (`n`, an identifier naming it).
    fn sender_use<'t>(ctx: &Context<'_>, n: Node<'t>) -> Option<SenderUse<'t>> {
        let mut e = n;
        loop {
            let p = e.parent()?;
            match p.kind() {
                "reference_expression" | "parenthesized_expression" => e = p,
                "field_expression" if p.child_by_field_name("value") == Some(e) => {
                    let c = p.parent().filter(|c| c.kind() == "call_expression")?;
                    let m = method_call(c)?;
                    match ctx.text(m.name) {
                        "send" | "try_send" | "send_async" | "unbounded_send" | "blocking_send"
                        | "send_timeout" | "send_deadline" => return Some(SenderUse::Send(c)),
                        "clone" => e = c,
                        "is_closed" | "closed" | "len" | "is_empty" | "same_channel"
                        | "is_disconnected" | "sender_count" | "receiver_count" => {
                            return Some(SenderUse::Inert)
                        }
                        _ => return None,
                    }
                }
                "let_declaration" if p.child_by_field_name("value") == Some(e) => {
                    let nm = p
                        .child_by_field_name("pattern")
                        .and_then(|x| simple_pattern_name(ctx, x))?;
                    return Some(SenderUse::Copy(p, nm.to_string()));
                }
                "arguments" => {
                    let c = p.parent()?;
                    let callee = c.child_by_field_name("function")?;
                    if is_drop(ctx, callee) {
                        return Some(SenderUse::Inert);
                    }
                    let idx = args_of(p).iter().position(|a| *a == e)?;
                    return Some(SenderUse::Passed(c, idx));
                }
                "expression_statement" => return Some(SenderUse::Inert),
                _ => return None,
            }
        }
    }

    /// The function of this file that `call` calls, and the name of its parameter that receives
    /// argument `idx`. Only a function that is the only one of its name in the file, and whose
    /// name is not also imported: a free function for `f(..)`, a function in an `impl` for
    /// `Self::f(..)` / `Type::f(..)` (of that type) and a method for `x.f(..)`.
    fn callee_parameter<'t>(
        ctx: &Context<'t>,
        call: Node<'_>,
        idx: usize,
    ) -> Option<(Node<'t>, String)> {
        let mut callee = call.child_by_field_name("function")?;
        if callee.kind() == "generic_function" {
            callee = callee.child_by_field_name("function")?;
        }
        // (name, the owner type's base name for paths, method-call syntax)
        let (fname, owner, method) = match callee.kind() {
            "identifier" => (ctx.text(callee), None, false),
            "scoped_identifier" => {
                let path = callee.child_by_field_name("path")?;
                let name = callee.child_by_field_name("name")?;
                (ctx.text(name), Some(ctx.text(path)), false)
            }
            "field_expression" => (ctx.text(callee.child_by_field_name("field")?), None, true),
            _ => return None,
        };
        if ctx.imports.names.contains_key(fname) {
            return None;
        }
        let found = functions_named(ctx, fname);
        let [(f, impl_type)] = found.as_slice() else {
            return None;
        };
        let f = *f;
        match (owner, impl_type) {
            (None, None) if !method => {}
            (None, Some(_)) if method => {}
            (Some("Self"), Some(_)) => {}
            (Some(o), Some(t)) if base_name(o) == *t => {}
            _ => return None,
        }
        let params = f.child_by_field_name("parameters")?;
        let all = crate::syntax::named_children(params);
        let has_self = all.iter().any(|p| p.kind() == "self_parameter");
        let plain: Vec<Node<'t>> = all
            .into_iter()
            .filter(|p| p.kind() == "parameter")
            .collect();
        let idx = if has_self && !method {
            idx.checked_sub(1)?
        } else {
            idx
        };
        let p = plain.get(idx)?;
        let name = p
            .child_by_field_name("pattern")
            .and_then(|x| simple_pattern_name(ctx, x))?;
        Some((f, name.to_string()))
    }

    /// The receiver half is only ever collected (`rx.iter().collect()`, `rx.try_iter()
    /// .collect()`, `rx.into_iter().collect()`, `rx.collect()`) in the creating function, outside
    /// any loop or closure the channel was not created in: every message ends up held in the
    /// collection anyway, so a capacity would not bound memory, and there is no consumer that
    /// can fall behind.
    fn receiver_collected(ctx: &Context<'_>, call: Node<'_>) -> bool {
        let Some((l, name)) = tuple_half(ctx, call, 1) else {
            return false;
        };
        let Some(scope) = ancestors(l).find(|a| a.kind() == "function_item") else {
            return false;
        };
        let mut collected = 0;
        let mut w = Walk::new(scope);
        while let Some(n) = w.next() {
            if n.kind() == "function_item" && n != scope {
                w.skip_subtree();
                continue;
            }
            if n.kind() != "identifier" || n.start_byte() < l.end_byte() || ctx.text(n) != name {
                continue;
            }
            if in_macro(n) {
                return false;
            }
            let Some(m) = n.parent().and_then(|f| f.parent()).and_then(method_call) else {
                return false;
            };
            if m.receiver != n {
                return false;
            }
            let collect = match ctx.text(m.name) {
                "collect" => m.call,
                "iter" | "try_iter" | "into_iter" => {
                    match m
                        .call
                        .parent()
                        .and_then(|f| f.parent())
                        .and_then(method_call)
                    {
                        Some(c) if c.receiver == m.call && ctx.text(c.name) == "collect" => c.call,
                        _ => return false,
                    }
                }
                _ => return false,
            };
            // A collect in a loop or closure that does not also create the channel is a
            // consumer draining batches: not this shape.
            for a in ancestors(collect) {
                if a == scope || (a.start_byte() <= l.start_byte() && l.end_byte() <= a.end_byte())
                {
                    break;
                }
                if is_loop(a) || a.kind() == "closure_expression" {
                    return false;
                }
            }
            collected += 1;
        }
        collected > 0
    }

    /// The struct field one half of the channel is stored in, when its only use after the
    /// creating `let` is a struct expression of this file's type: `T { rx }`, `T { field: rx }`,
    /// `T(rx)` (a tuple struct; the field is `0`, `1`, ...) or `Self { .. }` / `Self(..)` in an
    /// `impl` of `T`. `None` for any other use or more than one.
    fn holder<'t>(ctx: &Context<'_>, l: Node<'t>, name: &str) -> Option<(String, String)> {
        let scope = ancestors(l).find(|a| a.kind() == "function_item")?;
        let mut uses = super::uses_after(ctx, scope, l.end_byte(), name);
        let n = uses.next()?;
        if uses.next().is_some() || in_macro(n) {
            return None;
        }
        let p = n.parent()?;
        let (ty, field) = match p.kind() {
            "shorthand_field_initializer" => {
                let se = p.parent()?.parent()?;
                (se.child_by_field_name("name")?, name.to_string())
            }
            "field_initializer" if p.child_by_field_name("value") == Some(n) => {
                let se = p.parent()?.parent()?;
                let f = p.child_by_field_name("field")?;
                (se.child_by_field_name("name")?, ctx.text(f).to_string())
            }
            "arguments" => {
                let c = p.parent().filter(|c| c.kind() == "call_expression")?;
                let idx = args_of(p).iter().position(|a| *a == n)?;
                (c.child_by_field_name("function")?, idx.to_string())
            }
            _ => return None,
        };
        if ty.parent().is_some_and(|s| s.kind() == "arguments") {
            return None;
        }
        let mut base = base_name(ctx.text(ty));
        if base == "Self" {
            let imp = ancestors(l).find(|a| a.kind() == "impl_item")?;
            base = base_name(ctx.text(imp.child_by_field_name("type")?));
        }
        // A tuple struct's name is a type: `CompileCommands(rx)`, not `wrap(rx)`.
        base.starts_with(|c: char| c.is_ascii_uppercase())
            .then_some((base, field))
    }

    /// The method calls on `self.<field>` in the `impl` blocks of `ty`, with the `fn` each is
    /// in and the trait the `impl` implements (its base name, `None` for an inherent `impl`).
    /// `None` when the field is used there other than as a method call's receiver.
    #[allow(clippy::type_complexity)]
    fn field_calls<'t>(
        ctx: &Context<'t>,
        ty: &str,
        field: &str,
    ) -> Option<
        Vec<(
            super::super::common::MethodCall<'t>,
            Node<'t>,
            Option<String>,
        )>,
    > {
        let mut out = Vec::new();
        for imp in impls_of(ctx, ty) {
            let tr = imp
                .child_by_field_name("trait")
                .map(|t| base_name(ctx.text(t)));
            for n in Walk::new(imp) {
                if n.kind() != "field_expression"
                    || !n
                        .child_by_field_name("field")
                        .is_some_and(|f| ctx.text(f) == field)
                    || !n
                        .child_by_field_name("value")
                        .is_some_and(|v| v.kind() == "self")
                {
                    continue;
                }
                let m = n
                    .parent()
                    .filter(|p| p.kind() == "field_expression")
                    .and_then(|p| p.parent())
                    .and_then(method_call)
                    .filter(|m| m.receiver == n)?;
                let f = ancestors(n).find(|a| a.kind() == "function_item")?;
                out.push((m, f, tr.clone()));
            }
        }
        Some(out)
    }

    /// The receiver is stored in a struct field that is read in one of two shapes whose queue
    /// cannot build up behind a consumer that falls behind:
    ///
    /// - a **drain**: every read is `self.rx.try_recv()` in `Iterator::next` of the holding type
    ///   (outside any loop): the iterator ends at the first moment the queue is empty, so it
    ///   only reads what was produced before — every message is held until then anyway, like a
    ///   `Vec`, and a capacity would block the producers, since nothing reads while they run
    ///   (cc's `CompileCommands`);
    /// - a **promise**: the holding type implements `Future` (and neither `Stream` nor
    ///   `Iterator`), every read is one `recv`/`try_recv`/`recv_async` per call (outside any loop
    ///   or closure), and the sender is stored in a struct field too whose every send runs once
    ///   per call of its method: a value handed over once and awaited once (pinky-swear's
    ///   `PinkySwear`/`Pinky`).
    fn receiver_held_as_promise_or_drain(ctx: &Context<'_>, call: Node<'_>) -> bool {
        let Some((l, rx)) = tuple_half(ctx, call, 1) else {
            return false;
        };
        let Some((rx_ty, rx_field)) = holder(ctx, l, &rx) else {
            return false;
        };
        let Some(reads) = field_calls(ctx, &rx_ty, &rx_field) else {
            return false;
        };
        if reads.is_empty() {
            return false;
        }
        let once = |m: &super::super::common::MethodCall<'_>, f: Node<'_>| {
            !ancestors(m.call)
                .take_while(|a| *a != f)
                .any(|a| is_loop(a) || a.kind() == "closure_expression")
        };
        let drain = reads.iter().all(|(m, f, tr)| {
            ctx.text(m.name) == "try_recv"
                && tr.as_deref() == Some("Iterator")
                && f.child_by_field_name("name")
                    .is_some_and(|n| ctx.text(n) == "next")
                && once(m, *f)
        });
        if drain {
            return true;
        }
        let traits: Vec<Option<String>> = impls_of(ctx, &rx_ty)
            .into_iter()
            .map(|i| {
                i.child_by_field_name("trait")
                    .map(|t| base_name(ctx.text(t)))
            })
            .collect();
        let is_future = traits.iter().any(|t| t.as_deref() == Some("Future"));
        let is_sequence = traits.iter().any(|t| {
            matches!(
                t.as_deref(),
                Some("Stream" | "Iterator" | "AsyncIterator" | "FusedStream")
            )
        });
        let reads_once = reads.iter().all(|(m, f, _)| {
            matches!(
                ctx.text(m.name),
                "recv" | "try_recv" | "recv_async" | "recv_timeout" | "blocking_recv"
            ) && once(m, *f)
        });
        if !is_future || is_sequence || !reads_once {
            return false;
        }
        // The sender's side: stored in a struct field, sent on at most once per method call.
        let Some((tx_ty, tx_field)) =
            tuple_half(ctx, call, 0).and_then(|(_, tx)| holder(ctx, l, &tx))
        else {
            return false;
        };
        let Some(uses) = field_calls(ctx, &tx_ty, &tx_field) else {
            return false;
        };
        let mut sends = 0;
        for (m, f, _) in &uses {
            match ctx.text(m.name) {
                "send" | "try_send" | "send_async" | "send_timeout" => {
                    if !once(m, *f) {
                        return false;
                    }
                    sends += 1;
                }
                "clone" | "is_disconnected" | "is_closed" | "same_channel" => {}
                _ => return false,
            }
        }
        sends > 0
    }

    /// Whether `send` runs a fixed number of times per call of `scope`: inside no loop other
    /// than a `for` over a constant range or an array literal, and inside no closure other than
    /// one handed to a `spawn` (which runs it once).
    fn runs_fixed_times(ctx: &Context<'_>, send: Node<'_>, scope: Node<'_>) -> bool {
        for a in ancestors(send) {
            if a == scope {
                return true;
            }
            if is_loop(a) && !constant_trip_count(ctx, a) {
                return false;
            }
            if a.kind() == "closure_expression" {
                let spawned = a
                    .parent()
                    .filter(|p| p.kind() == "arguments")
                    .and_then(|p| p.parent())
                    .and_then(|c| c.child_by_field_name("function"))
                    .is_some_and(|f| squash(ctx.text(f)).ends_with("spawn"));
                if !spawned {
                    return false;
                }
            }
        }
        true
    }

    /// `for _ in 0..N` (ends that are integer literals or `SCREAMING_CASE` constants) and
    /// `for x in [a, b, c]` / `[x; N]`: a loop that runs a number of times fixed in the source.
    fn constant_trip_count(ctx: &Context<'_>, l: Node<'_>) -> bool {
        if l.kind() != "for_expression" {
            return false;
        }
        let Some(v) = l.child_by_field_name("value") else {
            return false;
        };
        let constant = |n: Node<'_>| match n.kind() {
            "integer_literal" => true,
            "identifier" => is_screaming(ctx.text(n)),
            "scoped_identifier" => n
                .child_by_field_name("name")
                .is_some_and(|x| is_screaming(ctx.text(x))),
            _ => false,
        };
        match v.kind() {
            "range_expression" => {
                // `0..N`, `0..=N`, `..N`; not `0..` (no end).
                let ends = crate::syntax::named_children(v);
                let closed = v
                    .child(v.child_count().saturating_sub(1))
                    .is_some_and(|last| last.is_named());
                closed && ends.into_iter().all(constant)
            }
            "array_expression" => v.child_by_field_name("length").is_none_or(constant),
            _ => false,
        }
    }
}

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

/// Following a channel's sender through the file: type mentions, `use` declarations, bindings,
/// clones, fields, parameters and sends. Every function returns `Err(reason)` as soon as it
/// meets something it cannot follow; the reason ends up in the action title.
mod follow {
    use std::collections::HashSet;

    use tree_sitter::Node;

    use crate::rule::{Context, TextEdit};
    use crate::syntax::{ancestors, rust_in_async, squash, Walk};

    use super::super::common::{args_of, in_macro, method_call, simple_pattern_name};
    use super::unbounded_constructor;
    use super::ChannelKind;

    #[derive(Clone, Copy, PartialEq, Eq)]
    pub enum Flavor {
        Tokio,
        Futures,
    }

    impl Flavor {
        fn module(self) -> &'static str {
            match self {
                Flavor::Tokio => "tokio::sync::mpsc",
                Flavor::Futures => "futures::channel::mpsc",
            }
        }
        fn kind(self) -> ChannelKind {
            match self {
                Flavor::Tokio => ChannelKind::Tokio,
                Flavor::Futures => ChannelKind::Futures,
            }
        }
    }

    type R<T> = Result<T, &'static str>;

    /// A type written in the file that names `module::name` (through imports).
    struct Mention<'t> {
        node: Node<'t>,
        /// The written name equals the canonical one (not an alias), so it is renamed in place.
        canonical: bool,
    }

    fn module_matches(full: &str, module: &str, name: &str) -> bool {
        if full == format!("{module}::{name}") {
            return true;
        }
        // futures re-exports: `futures_channel::mpsc::X`.
        module == "futures::channel::mpsc" && full == format!("futures_channel::mpsc::{name}")
    }

    fn mentions<'t>(
        ctx: &Context<'_>,
        root: Node<'t>,
        module: &str,
        name: &str,
    ) -> Vec<Mention<'t>> {
        let mut out = Vec::new();
        for n in Walk::new(root) {
            if n.kind() != "type_identifier" {
                continue;
            }
            let path = match n.parent() {
                Some(p)
                    if p.kind() == "scoped_type_identifier"
                        && p.child_by_field_name("name") == Some(n) =>
                {
                    squash(ctx.text(p))
                }
                _ => ctx.text(n).to_string(),
            };
            let full = ctx.imports.resolve_rust(&path);
            if module_matches(&full, module, name) {
                out.push(Mention {
                    node: n,
                    canonical: ctx.text(n) == name,
                });
            }
        }
        out
    }

    /// Edits renaming `old` to `new` in `use` declarations that import it from `module`.
    fn use_edits(ctx: &Context<'_>, module: &str, old: &str, new: &str) -> R<Vec<TextEdit>> {
        let imported = ctx
            .imports
            .names
            .iter()
            .filter(|(_, full)| module_matches(full, module, old))
            .map(|(local, _)| local.clone())
            .collect::<Vec<_>>();
        if imported.is_empty() {
            return Ok(Vec::new());
        }
        if imported.iter().any(|l| l == old) && ctx.imports.names.contains_key(new) {
            return Err("the bounded type's name is already imported");
        }
        let crate_name = module.split("::").next().unwrap_or("");
        let mut edits = Vec::new();
        for n in Walk::new(ctx.root) {
            if n.kind() != "use_declaration" || !ctx.text(n).contains(crate_name) {
                continue;
            }
            for id in Walk::new(n) {
                if id.kind() == "identifier" && ctx.text(id) == old {
                    edits.push(TextEdit::replace(id.byte_range(), new));
                }
            }
        }
        Ok(edits)
    }

    /// Expressions other than types that spell the type's name (`UnboundedSender::clone(&tx)`).
    fn named_in_expressions(ctx: &Context<'_>, name: &str) -> bool {
        Walk::new(ctx.root).any(|n| {
            n.kind() == "identifier"
                && ctx.text(n) == name
                && !ancestors(n).any(|a| a.kind() == "use_declaration")
        })
    }

    fn constructors_in_file(ctx: &Context<'_>, kind: ChannelKind) -> usize {
        Walk::new(ctx.root)
            .filter(|n| n.kind() == "call_expression")
            .filter(|n| unbounded_constructor(ctx, *n).is_some_and(|(k, _, _)| k == kind))
            .count()
    }

    /// The sender half bound by `let (tx, rx) = <call>;`: `Ok(None)` for `_`.
    fn sender_binding<'t>(ctx: &Context<'_>, call: Node<'t>) -> R<Option<(Node<'t>, String)>> {
        let let_decl = call
            .parent()
            .filter(|p| p.kind() == "let_declaration")
            .ok_or("the channel is not bound by `let (tx, rx) = …`")?;
        let pat = let_decl
            .child_by_field_name("pattern")
            .filter(|p| p.kind() == "tuple_pattern")
            .ok_or("the channel is not bound by `let (tx, rx) = …`")?;
        let first = pat
            .named_child(0)
            .ok_or("the channel is not bound by `let (tx, rx) = …`")?;
        if ctx.text(first) == "_" {
            return Ok(None);
        }
        let name =
            simple_pattern_name(ctx, first).ok_or("the sender pattern is not a plain name")?;
        Ok(Some((let_decl, name.to_string())))
    }

    /// Where a sender lives.
    #[derive(Default)]
    struct Tracked<'t> {
        /// (scope, first byte after the binding, name)
        locals: Vec<(Node<'t>, usize, String)>,
        /// Struct fields typed as the sender.
        fields: HashSet<String>,
        /// (function name, index among non-self parameters) typed as the sender.
        params: HashSet<(String, usize)>,
    }

    fn scope_of(node: Node<'_>) -> Option<Node<'_>> {
        ancestors(node).find(|a| matches!(a.kind(), "function_item" | "closure_expression"))
    }

    /// Records where a sender-typed mention puts a sender; `Err` for positions not followed.
    fn track_mention<'t>(ctx: &Context<'_>, m: Node<'t>, t: &mut Tracked<'t>) -> R<()> {
        let mut node = m;
        if let Some(p) = node
            .parent()
            .filter(|p| p.kind() == "scoped_type_identifier")
        {
            node = p;
        }
        if let Some(p) = node.parent().filter(|p| p.kind() == "generic_type") {
            node = p;
        }
        while let Some(p) = node.parent().filter(|p| p.kind() == "reference_type") {
            node = p;
        }
        let p = node
            .parent()
            .ok_or("a sender type is used where it cannot be followed")?;
        let is_type = p.child_by_field_name("type") == Some(node);
        match p.kind() {
            "parameter" if is_type => {
                let name = p
                    .child_by_field_name("pattern")
                    .and_then(|x| simple_pattern_name(ctx, x))
                    .ok_or("a sender parameter is not a plain name")?;
                let scope = scope_of(p).ok_or("a sender parameter outside a function")?;
                let body = scope
                    .child_by_field_name("body")
                    .ok_or("a sender parameter outside a function")?;
                t.locals.push((body, body.start_byte(), name.to_string()));
                if scope.kind() == "function_item" {
                    let fname = scope
                        .child_by_field_name("name")
                        .map(|n| ctx.text(n).to_string())
                        .unwrap_or_default();
                    let params = p.parent().ok_or("no parameter list")?;
                    let idx = crate::syntax::named_children(params)
                        .into_iter()
                        .filter(|x| x.kind() == "parameter")
                        .position(|x| x == p)
                        .ok_or("no parameter index")?;
                    t.params.insert((fname, idx));
                }
                Ok(())
            }
            "field_declaration" if is_type => {
                let name = p.child_by_field_name("name").ok_or("unnamed field")?;
                t.fields.insert(ctx.text(name).to_string());
                Ok(())
            }
            "let_declaration" if is_type => {
                let name = p
                    .child_by_field_name("pattern")
                    .and_then(|x| simple_pattern_name(ctx, x))
                    .ok_or("a sender `let` is not a plain name")?;
                let scope = scope_of(p).ok_or("a sender outside a function")?;
                t.locals.push((scope, p.end_byte(), name.to_string()));
                Ok(())
            }
            _ => Err("a sender type is used where it cannot be followed (a collection, an `Option`, a return type)"),
        }
    }

    /// Fields named like a tracked field must all be declared with the sender type.
    fn fields_unambiguous(
        ctx: &Context<'_>,
        t: &Tracked<'_>,
        sender_mentions: &[Node<'_>],
    ) -> R<()> {
        for n in Walk::new(ctx.root) {
            if n.kind() != "field_declaration" {
                continue;
            }
            let Some(name) = n.child_by_field_name("name") else {
                continue;
            };
            if !t.fields.contains(ctx.text(name)) {
                continue;
            }
            let ty = n.child_by_field_name("type");
            let ok = ty.is_some_and(|ty| {
                sender_mentions
                    .iter()
                    .any(|m| ty.start_byte() <= m.start_byte() && m.end_byte() <= ty.end_byte())
            });
            if !ok {
                return Err("another struct has a field of the same name with a different type");
            }
        }
        Ok(())
    }

    /// What happens to a sender value at `e`.
    enum Use<'t> {
        Fine,
        Send(Node<'t>),
        NewLocal(Node<'t>, String),
    }

    fn classify<'t>(
        ctx: &Context<'_>,
        flavor: Flavor,
        t: &Tracked<'_>,
        mut e: Node<'t>,
    ) -> R<Use<'t>> {
        if in_macro(e) {
            return Err("a sender is used inside a macro");
        }
        loop {
            let p = e
                .parent()
                .ok_or("a sender is used where it cannot be followed")?;
            match p.kind() {
                "reference_expression" | "parenthesized_expression" | "unary_expression" => e = p,
                "field_expression" if p.child_by_field_name("value") == Some(e) => {
                    let call = p
                        .parent()
                        .filter(|c| {
                            c.kind() == "call_expression"
                                && c.child_by_field_name("function") == Some(p)
                        })
                        .ok_or("a sender's field is read")?;
                    let m =
                        method_call(call).ok_or("a sender is used where it cannot be followed")?;
                    let name = ctx.text(m.name);
                    match (flavor, name) {
                        (_, "clone") => e = call,
                        (Flavor::Tokio, "send") => return Ok(Use::Send(call)),
                        (Flavor::Tokio, "is_closed" | "closed" | "same_channel") => {
                            return Ok(Use::Fine)
                        }
                        (Flavor::Futures, "unbounded_send") => {
                            return Err("`unbounded_send` has no like-for-like bounded form")
                        }
                        (
                            Flavor::Futures,
                            "send" | "feed" | "send_all" | "flush" | "close" | "close_channel"
                            | "is_closed" | "disconnect" | "same_receiver" | "is_connected_to",
                        ) => return Ok(Use::Fine),
                        _ => return Err("a sender method has no bounded equivalent"),
                    }
                }
                "let_declaration" if p.child_by_field_name("value") == Some(e) => {
                    let name = p
                        .child_by_field_name("pattern")
                        .and_then(|x| simple_pattern_name(ctx, x))
                        .ok_or("a sender is destructured")?;
                    return Ok(Use::NewLocal(p, name.to_string()));
                }
                "arguments" => {
                    let call = p.parent().ok_or("no call")?;
                    let idx = args_of(p)
                        .iter()
                        .position(|a| *a == e)
                        .ok_or("no argument index")?;
                    let callee = call.child_by_field_name("function").ok_or("no callee")?;
                    let fname = match callee.kind() {
                        "identifier" => ctx.text(callee),
                        "scoped_identifier" | "field_expression" => callee
                            .child_by_field_name("name")
                            .or_else(|| callee.child_by_field_name("field"))
                            .map(|n| ctx.text(n))
                            .unwrap_or(""),
                        _ => "",
                    };
                    if super::is_drop(ctx, callee) {
                        return Ok(Use::Fine);
                    }
                    if t.params.contains(&(fname.to_string(), idx))
                        && all_fns_named(ctx, fname, idx, t)
                    {
                        return Ok(Use::Fine);
                    }
                    return Err("a sender is passed to a function outside this file");
                }
                "field_initializer" => {
                    let f = p
                        .child_by_field_name("field")
                        .map(|f| ctx.text(f))
                        .unwrap_or("");
                    return if t.fields.contains(f) {
                        Ok(Use::Fine)
                    } else {
                        Err("a sender is stored in a field of another type")
                    };
                }
                "shorthand_field_initializer" => {
                    return if t.fields.contains(ctx.text(e)) {
                        Ok(Use::Fine)
                    } else {
                        Err("a sender is stored in a field of another type")
                    };
                }
                "expression_statement" => return Ok(Use::Fine),
                _ => return Err("a sender escapes where it cannot be followed"),
            }
        }
    }

    /// Every function in the file named `fname` has a tracked sender parameter at `idx`.
    fn all_fns_named(ctx: &Context<'_>, fname: &str, idx: usize, t: &Tracked<'_>) -> bool {
        let _ = idx;
        let fns: Vec<Node<'_>> = Walk::new(ctx.root)
            .filter(|n| n.kind() == "function_item")
            .filter(|n| {
                n.child_by_field_name("name")
                    .is_some_and(|x| ctx.text(x) == fname)
            })
            .collect();
        !fns.is_empty()
            && t.params.iter().filter(|(n, _)| n == fname).count() >= 1
            && fns.len() == 1
    }

    /// The edit that makes a tokio `send` wait for capacity: `.await` in async code, otherwise
    /// `blocking_send` (only where that cannot run on a runtime thread as far as the file shows).
    fn send_edit(ctx: &Context<'_>, send: Node<'_>) -> R<TextEdit> {
        if send
            .parent()
            .is_some_and(|p| p.kind() == "await_expression")
        {
            return Err("a send is already awaited");
        }
        if rust_in_async(ctx.source, send) {
            return Ok(TextEdit::insert(send.end_byte(), ".await"));
        }
        let m = method_call(send).ok_or("not a method call")?;
        let boundary = ancestors(send)
            .find(|a| matches!(a.kind(), "function_item" | "closure_expression"))
            .ok_or("a send outside any function")?;
        if boundary.kind() == "closure_expression" {
            // Only closures handed to a thread (`std::thread::spawn`, `spawn_blocking`) are known
            // to run off the runtime, where `blocking_send` is allowed.
            let spawned = boundary
                .parent()
                .filter(|a| a.kind() == "arguments")
                .and_then(|a| a.parent())
                .and_then(|c| c.child_by_field_name("function"))
                .is_some_and(|f| {
                    let t = squash(ctx.text(f));
                    t.ends_with("thread::spawn")
                        || t.ends_with("spawn_blocking")
                        || t.ends_with(".spawn")
                });
            if !spawned {
                return Err("a send inside a closure that may run on the async runtime");
            }
            return Ok(TextEdit::replace(m.name.byte_range(), "blocking_send"));
        }
        let fname = boundary
            .child_by_field_name("name")
            .map(|n| ctx.text(n))
            .unwrap_or("");
        let called_from_async = Walk::new(ctx.root).any(|c| {
            if c.kind() != "call_expression" {
                return false;
            }
            let Some(f) = c.child_by_field_name("function") else {
                return false;
            };
            let last = match f.kind() {
                "identifier" => Some(f),
                "scoped_identifier" => f.child_by_field_name("name"),
                "field_expression" => f.child_by_field_name("field"),
                _ => None,
            };
            last.is_some_and(|l| ctx.text(l) == fname) && rust_in_async(ctx.source, c)
        });
        if called_from_async {
            return Err("a synchronous function that sends is called from async code (`blocking_send` would panic there)");
        }
        Ok(TextEdit::replace(m.name.byte_range(), "blocking_send"))
    }

    /// Type renames, `use` renames and send rewrites for a tokio or futures channel.
    pub fn typed_edits(ctx: &Context<'_>, call: Node<'_>, flavor: Flavor) -> R<Vec<TextEdit>> {
        let module = flavor.module();
        let senders = mentions(ctx, ctx.root, module, "UnboundedSender");
        let receivers = mentions(ctx, ctx.root, module, "UnboundedReceiver");
        for odd in ["WeakUnboundedSender", "UnboundedReceiverStream"] {
            if Walk::new(ctx.root).any(|n| ctx.text(n) == odd && n.child_count() == 0) {
                return Err("the file uses a wrapper of the unbounded types");
            }
        }
        if (!senders.is_empty() || !receivers.is_empty())
            && constructors_in_file(ctx, flavor.kind()) > 1
        {
            return Err(
                "several unbounded channels in this file share the sender and receiver types",
            );
        }
        if named_in_expressions(ctx, "UnboundedSender")
            || named_in_expressions(ctx, "UnboundedReceiver")
        {
            return Err("a sender or receiver type is named in an expression");
        }
        let mut edits = Vec::new();
        for m in senders.iter().filter(|m| m.canonical) {
            edits.push(TextEdit::replace(m.node.byte_range(), "Sender"));
        }
        for m in receivers.iter().filter(|m| m.canonical) {
            edits.push(TextEdit::replace(m.node.byte_range(), "Receiver"));
        }
        edits.extend(use_edits(ctx, module, "UnboundedSender", "Sender")?);
        edits.extend(use_edits(ctx, module, "UnboundedReceiver", "Receiver")?);

        let mut t = Tracked::default();
        for m in &senders {
            track_mention(ctx, m.node, &mut t)?;
        }
        let sender_nodes: Vec<Node<'_>> = senders.iter().map(|m| m.node).collect();
        fields_unambiguous(ctx, &t, &sender_nodes)?;
        if let Some((let_decl, name)) = sender_binding(ctx, call)? {
            let scope = scope_of(let_decl).ok_or("the channel is created outside a function")?;
            t.locals.push((scope, let_decl.end_byte(), name));
        }
        let mut uses: Vec<Node<'_>> = Vec::new();
        let mut i = 0;
        while i < t.locals.len() {
            let (scope, from, name) = t.locals[i].clone();
            i += 1;
            for n in super::uses_after(ctx, scope, from, &name) {
                match classify(ctx, flavor, &t, n)? {
                    Use::Fine => {}
                    Use::Send(s) => uses.push(s),
                    Use::NewLocal(l, nm) => {
                        let sc = scope_of(l).ok_or("no scope")?;
                        if t.locals.len() > 64 {
                            return Err("too many sender copies to follow");
                        }
                        t.locals.push((sc, l.end_byte(), nm));
                    }
                }
            }
        }
        if !t.fields.is_empty() {
            for n in Walk::new(ctx.root) {
                if n.kind() != "field_expression" {
                    continue;
                }
                let Some(f) = n.child_by_field_name("field") else {
                    continue;
                };
                if !t.fields.contains(ctx.text(f)) {
                    continue;
                }
                match classify(ctx, flavor, &t, n)? {
                    Use::Fine => {}
                    Use::Send(s) => uses.push(s),
                    Use::NewLocal(..) => {
                        return Err("a sender field is copied into a variable");
                    }
                }
            }
        }
        if flavor == Flavor::Tokio {
            uses.sort_by_key(|n| n.start_byte());
            uses.dedup();
            for s in uses {
                edits.push(send_edit(ctx, s)?);
            }
        }
        Ok(edits)
    }

    /// For `std::sync::mpsc::channel()` → `sync_channel(N)`: `Sender` types become `SyncSender`
    /// (same `send`/`clone` API), when this is the only std channel created in the file.
    pub fn std_type_edits(ctx: &Context<'_>, _call: Node<'_>) -> R<Vec<TextEdit>> {
        let module = "std::sync::mpsc";
        let senders = mentions(ctx, ctx.root, module, "Sender");
        if senders.is_empty() {
            return Ok(Vec::new());
        }
        if constructors_in_file(ctx, ChannelKind::Std) > 1 {
            return Err("several std channels in this file share the `Sender` type");
        }
        let mut edits: Vec<TextEdit> = senders
            .iter()
            .filter(|m| m.canonical)
            .map(|m| TextEdit::replace(m.node.byte_range(), "SyncSender"))
            .collect();
        edits.extend(use_edits(ctx, module, "Sender", "SyncSender")?);
        Ok(edits)
    }
}

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
mod tests {
    use crate::testing::{check, check_fix};

    #[test]
    fn flags_every_unbounded_constructor_however_imported() {
        check(
            "unbounded-channel",
            r#"
use tokio::sync::mpsc;
use flume::unbounded;

async fn run() {
    let (tx, rx) = mpsc::unbounded_channel::<u64>();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (a, b) = tokio::sync::mpsc::unbounded_channel();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (c, d) = std::sync::mpsc::channel::<String>();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (e, f) = crossbeam_channel::unbounded();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (g, h) = unbounded::<u8>();
               //^^^^^^^^^^^^^^^^^ unbounded-channel
    let (i, j) = async_channel::unbounded();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (k, l) = futures::channel::mpsc::unbounded::<u8>();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep((tx, a, c, e, g, i, k));
}
"#,
        );
    }

    #[test]
    fn function_imported_by_name_is_the_same_call() {
        check(
            "unbounded-channel",
            r#"
use tokio::sync::mpsc::unbounded_channel;
fn spawn_worker() {
    let (tx, rx) = unbounded_channel::<u64>();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep(tx);
}
"#,
        );
    }

    #[test]
    fn constructors_imported_under_an_alias_are_found() {
        check(
            "unbounded-channel",
            r#"
use flume::unbounded as queue;
use std::sync::mpsc::channel as pipe;
use tokio::sync::mpsc as m;
fn spawn_worker() {
    let (tx, rx) = queue::<u64>();
                 //^^^^^^^^^^^^^^ unbounded-channel
    let (a, b) = pipe();
               //^^^^^^ unbounded-channel
    let (c, d) = m::unbounded_channel::<u8>();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep((tx, a, c));
    let truck = queued(); // contains the alias as a substring: not a constructor
}
"#,
        );
    }

    #[test]
    fn silent_on_bounded_forms_and_look_alikes() {
        check(
            "unbounded-channel",
            r#"
use tokio::sync::mpsc;
mod queue { pub fn unbounded() {} }
fn unbounded_channel() -> u8 { 0 }

async fn run() {
    let (tx, rx) = mpsc::channel::<u64>(1024);
    let (a, b) = std::sync::mpsc::sync_channel::<u8>(16);
    let (c, d) = crossbeam_channel::bounded(8);
    let (e, f) = flume::bounded(8);
    let (g, h) = async_channel::bounded(8);
    let (i, j) = futures::channel::mpsc::channel::<u8>(8);
    let x = unbounded_channel();
    queue::unbounded();
    let (o, p) = tokio::sync::oneshot::channel::<u8>();
    let (q, r) = tokio::sync::broadcast::channel::<u8>(16);
}
"#,
        );
    }

    #[test]
    fn tokio_channel_is_bounded_but_std_channel_is_not() {
        check(
            "unbounded-channel",
            r#"
mod a {
    use tokio::sync::mpsc;
    fn f() { let (tx, rx) = mpsc::channel::<u8>(8); }
}
fn g() {
    use std::sync::mpsc as smpsc;
    let (tx, rx) = smpsc::channel::<u8>();
                 //^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep(tx);
}
"#,
        );
    }

    #[test]
    fn test_code_is_skipped_by_default() {
        check(
            "unbounded-channel",
            r#"
#[cfg(test)]
mod tests {
    #[test]
    fn t() { let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u8>(); }
}
#[tokio::test]
async fn t2() { let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u8>(); }
"#,
        );
    }

    #[test]
    fn suppression_comment_on_line_above_or_same_line() {
        check(
            "unbounded-channel",
            r#"
fn f() {
    // distlint:ignore unbounded-channel one message per worker, fixed worker count
    let (tx, rx) = std::sync::mpsc::channel::<u8>();
    let (a, b) = std::sync::mpsc::channel::<u8>(); // distlint:ignore unbounded-channel shutdown signal only
    let (c, d) = std::sync::mpsc::channel::<u8>(); // distlint:ignore some-other-rule reason
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep(c);
}
"#,
        );
    }

    #[test]
    fn syntax_errors_elsewhere_do_not_hide_findings() {
        check(
            "unbounded-channel",
            r#"
fn broken( {
    let = ;
}
fn ok() {
    let (tx, rx) = flume::unbounded::<u8>();
                 //^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep(tx);
}
"#,
        );
    }

    #[test]
    fn fix_swaps_std_channel_for_sync_channel() {
        check_fix(
            "unbounded-channel",
            "Bound this channel",
            "use std::sync::mpsc;\nfn f() {\n    let (tx, rx) = mpsc::channel::<u8>();\n    loop { tx.send(1).unwrap(); }\n}\n",
            "use std::sync::mpsc;\nfn f() {\n    let (tx, rx) = mpsc::sync_channel::<u8>(1024);\n    loop { tx.send(1).unwrap(); }\n}\n",
        );
    }

    #[test]
    fn fix_spells_out_path_for_bare_imported_name() {
        check_fix(
            "unbounded-channel",
            "Bound this channel",
            "use crossbeam_channel::unbounded;\nfn f() {\n    let (tx, rx) = unbounded::<u8>();\n    keep(tx);\n}\n",
            "use crossbeam_channel::unbounded;\nfn f() {\n    let (tx, rx) = crossbeam_channel::bounded::<u8>(1024);\n    keep(tx);\n}\n",
        );
    }
    #[test]
    fn tokio_fix_awaits_sends_in_async_code_and_follows_clones() {
        check_fix(
            "unbounded-channel",
            "Bound this channel (capacity 1024)",
            "use tokio::sync::mpsc;\nasync fn run() {\n    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();\n    let tx2 = tx.clone();\n    tokio::spawn(async move {\n        loop {\n            tx2.send(1).unwrap();\n        }\n    });\n    if tx.send(2).is_err() {\n        return;\n    }\n    while let Some(v) = rx.recv().await {}\n}\n",
            "use tokio::sync::mpsc;\nasync fn run() {\n    let (tx, mut rx) = mpsc::channel::<u64>(1024);\n    let tx2 = tx.clone();\n    tokio::spawn(async move {\n        loop {\n            tx2.send(1).await.unwrap();\n        }\n    });\n    if tx.send(2).await.is_err() {\n        return;\n    }\n    while let Some(v) = rx.recv().await {}\n}\n",
        );
    }

    #[test]
    fn tokio_fix_renames_types_and_uses_blocking_send_in_sync_code() {
        check_fix(
            "unbounded-channel",
            "Bound this channel (capacity 1024)",
            r#"use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
struct Worker {
    tx: UnboundedSender<String>,
}
impl Worker {
    fn new() -> (Self, UnboundedReceiver<String>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Worker { tx }, rx)
    }
    fn submit(&self, job: String) {
        let _ = self.tx.send(job);
    }
}
async fn produce(tx: &mpsc::UnboundedSender<String>) {
    tx.send("x".into()).unwrap();
}
"#,
            r#"use tokio::sync::mpsc::{self, Receiver, Sender};
struct Worker {
    tx: Sender<String>,
}
impl Worker {
    fn new() -> (Self, Receiver<String>) {
        let (tx, rx) = mpsc::channel(1024);
        (Worker { tx }, rx)
    }
    fn submit(&self, job: String) {
        let _ = self.tx.blocking_send(job);
    }
}
async fn produce(tx: &mpsc::Sender<String>) {
    tx.send("x".into()).await.unwrap();
}
"#,
        );
    }

    #[test]
    fn tokio_fix_follows_a_sender_into_a_local_function() {
        check_fix(
            "unbounded-channel",
            "Bound this channel (capacity 1024)",
            "use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};\nasync fn produce(tx: UnboundedSender<u8>) {\n    while let Some(v) = next().await {\n        let _ = tx.send(v);\n    }\n}\nasync fn run() {\n    let (tx, mut rx) = unbounded_channel();\n    tokio::spawn(produce(tx.clone()));\n    drop(tx);\n    rx.recv().await;\n}\n",
            "use tokio::sync::mpsc::{unbounded_channel, Sender};\nasync fn produce(tx: Sender<u8>) {\n    while let Some(v) = next().await {\n        let _ = tx.send(v).await;\n    }\n}\nasync fn run() {\n    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);\n    tokio::spawn(produce(tx.clone()));\n    drop(tx);\n    rx.recv().await;\n}\n",
        );
    }

    #[test]
    fn tokio_fix_is_constructor_only_when_a_sender_escapes() {
        check_fix(
            "unbounded-channel",
            "constructor only: a sender is passed to a function outside this file",
            "use tokio::sync::mpsc;\nasync fn run() {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n    other_crate::spawn_reader(tx);\n}\n",
            "use tokio::sync::mpsc;\nasync fn run() {\n    let (tx, rx) = mpsc::channel::<u8>(1024);\n    other_crate::spawn_reader(tx);\n}\n",
        );
        check_fix(
            "unbounded-channel",
            "constructor only: a send inside a closure",
            "use tokio::sync::mpsc;\nasync fn run(items: Vec<u8>) {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n    items.into_iter().for_each(|i| { tx.send(i).unwrap(); });\n}\n",
            "use tokio::sync::mpsc;\nasync fn run(items: Vec<u8>) {\n    let (tx, rx) = mpsc::channel::<u8>(1024);\n    items.into_iter().for_each(|i| { tx.send(i).unwrap(); });\n}\n",
        );
        check_fix(
            "unbounded-channel",
            "constructor only: a synchronous function that sends is called from async code",
            "use tokio::sync::mpsc::{self, UnboundedSender};\nfn emit(tx: &UnboundedSender<u8>) {\n    for i in 0.. {\n        tx.send(i).unwrap();\n    }\n}\nasync fn run() {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n    emit(&tx);\n}\n",
            "use tokio::sync::mpsc::{self, UnboundedSender};\nfn emit(tx: &UnboundedSender<u8>) {\n    for i in 0.. {\n        tx.send(i).unwrap();\n    }\n}\nasync fn run() {\n    let (tx, rx) = mpsc::channel::<u8>(1024);\n    emit(&tx);\n}\n",
        );
    }

    #[test]
    fn futures_fix_keeps_sink_sends_but_not_unbounded_send() {
        check_fix(
            "unbounded-channel",
            "Bound this channel (capacity 1024)",
            "use futures::channel::mpsc::{self, UnboundedReceiver};\nuse futures::SinkExt;\nasync fn run() -> UnboundedReceiver<u8> {\n    let (mut tx, rx) = mpsc::unbounded();\n    while tick().await {\n        tx.send(1).await.unwrap();\n    }\n    rx\n}\n",
            "use futures::channel::mpsc::{self, Receiver};\nuse futures::SinkExt;\nasync fn run() -> Receiver<u8> {\n    let (mut tx, rx) = mpsc::channel(1024);\n    while tick().await {\n        tx.send(1).await.unwrap();\n    }\n    rx\n}\n",
        );
        check_fix(
            "unbounded-channel",
            "constructor only: `unbounded_send`",
            "use futures::channel::mpsc;\nfn run() {\n    let (tx, rx) = mpsc::unbounded::<u8>();\n    loop {\n        tx.unbounded_send(1).unwrap();\n    }\n}\n",
            "use futures::channel::mpsc;\nfn run() {\n    let (tx, rx) = mpsc::channel::<u8>(1024);\n    loop {\n        tx.unbounded_send(1).unwrap();\n    }\n}\n",
        );
    }

    #[test]
    fn std_fix_renames_sender_types_to_sync_sender() {
        check_fix(
            "unbounded-channel",
            "Bound this channel (capacity 1024)",
            "use std::sync::mpsc::{channel, Sender};\nfn worker(tx: Sender<u8>) {\n    loop {\n        tx.send(1).unwrap();\n    }\n}\nfn main() {\n    let (tx, rx) = channel();\n    std::thread::spawn(move || worker(tx));\n    rx.recv().unwrap();\n}\n",
            "use std::sync::mpsc::{channel, SyncSender};\nfn worker(tx: SyncSender<u8>) {\n    loop {\n        tx.send(1).unwrap();\n    }\n}\nfn main() {\n    let (tx, rx) = std::sync::mpsc::sync_channel(1024);\n    std::thread::spawn(move || worker(tx));\n    rx.recv().unwrap();\n}\n",
        );
    }
    #[test]
    fn silent_when_the_file_shows_the_queue_is_bounded() {
        check(
            "unbounded-channel",
            r#"
use tokio::sync::{mpsc, oneshot};
fn one_shot_signal() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tx.send(compute()).unwrap();
    });
    let (done_tx, done_rx) = flume::unbounded();
    done_tx.send(()).unwrap();
    drop(done_tx);
}
fn request_channel() -> Handle {
    let (tx, rx) = mpsc::unbounded_channel::<(Request, oneshot::Sender<Response>)>();
    Handle { tx }
}
struct Client { inner: mpsc::UnboundedSender<Envelope> }
fn client() -> Client {
    let (tx, rx) = mpsc::unbounded_channel();
    Client { inner: tx }
}
impl Client {
    async fn call(&self, req: Request) -> Response {
        let (reply, wait) = oneshot::channel();
        self.inner.send(Envelope { req, reply }).unwrap();
        wait.await.unwrap()
    }
}
"#,
        );
    }

    #[test]
    fn flags_producers_in_loops_and_callbacks() {
        check(
            "unbounded-channel",
            r#"
async fn pump(mut socket: Socket) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                     //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    tokio::spawn(async move {
        while let Some(frame) = socket.next().await {
            tx.send(frame).unwrap();
        }
    });
    let (etx, erx) = flume::unbounded();
                   //^^^^^^^^^^^^^^^^^^ unbounded-channel
    bus.on_event(move |e| { etx.send(e).ok(); });
}
"#,
        );
    }

    /// The receiver kept in a struct and read as a promise (pinky-swear `lib.rs:60`) or as a
    /// drain of what was produced so far (cc `compile_commands.rs:112`), from the extended
    /// trial's false positives (docs/precision.md).
    #[test]
    fn silent_on_promises_and_drains_held_in_structs() {
        check(
            "unbounded-channel",
            r#"
use flume::{Receiver, Sender};
use std::sync::mpsc;
use std::future::Future;

pub struct PinkySwear<T> { recv: Receiver<T>, pinky: Pinky<T> }
pub struct Pinky<T> { send: Sender<T> }
impl<T: Send + 'static> PinkySwear<T> {
    pub fn new() -> (Self, Pinky<T>) {
        let (send, recv) = flume::unbounded();
        let pinky = Pinky { send };
        let promise = Self { recv, pinky };
        let pinky = promise.pinky.clone();
        (promise, pinky)
    }
    pub fn try_wait(&self) -> Option<T> { self.recv.try_recv().ok() }
    pub fn wait(&self) -> T { self.recv.recv().unwrap() }
}
impl<T: Send + 'static> Future for PinkySwear<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.try_wait().map(Poll::Ready).unwrap_or(Poll::Pending)
    }
}
impl<T> Pinky<T> {
    pub fn swear(&self, data: T) {
        if let Err(err) = self.send.send(data) { warn(err); }
    }
}
impl<T> Clone for Pinky<T> {
    fn clone(&self) -> Self { Self { send: self.send.clone() } }
}

pub struct CompileCommandCollector { sender: Mutex<mpsc::Sender<Command>> }
impl CompileCommandCollector {
    pub fn new() -> (Self, CompileCommands) {
        let (sender, receiver) = mpsc::channel();
        let collector = Self { sender: Mutex::new(sender) };
        (collector, CompileCommands(receiver))
    }
}
impl Logger for CompileCommandCollector {
    fn log(&self, command: Command) {
        let _ = self.sender.lock().unwrap().send(command);
    }
}
pub struct CompileCommands(mpsc::Receiver<Command>);
impl Iterator for CompileCommands {
    type Item = Command;
    fn next(&mut self) -> Option<Command> { self.0.try_recv().ok() }
}
"#,
        );
    }

    /// Look-alikes of the promise and the drain that do queue behind a slow consumer.
    #[test]
    fn flags_struct_held_receivers_read_as_streams_or_waited_on() {
        check(
            "unbounded-channel",
            r#"
use std::sync::mpsc;
use futures::Stream;

// lapin consumer.rs: deliveries from the broker, read as a Stream.
pub struct Consumer { deliveries_in: flume::Sender<Delivery>, deliveries_out: flume::Receiver<Delivery> }
impl Consumer {
    fn new() -> Self {
        let (sender, receiver) = flume::unbounded();
                               //^^^^^^^^^^^^^^^^^^ unbounded-channel
        Self { deliveries_in: sender, deliveries_out: receiver }
    }
    fn next_delivery(&mut self) -> Option<Delivery> { self.deliveries_out.try_recv().ok() }
    fn new_delivery(&self, d: Delivery) { let _ = self.deliveries_in.send(d); }
}
impl Stream for Consumer {
    type Item = Delivery;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Delivery>> {
        Poll::Ready(self.next_delivery())
    }
}

// An iterator that waits for each message: a live consumer the producers can outrun.
pub struct Jobs(mpsc::Receiver<Job>);
fn jobs() -> (mpsc::Sender<Job>, Jobs) {
    let (tx, rx) = mpsc::channel();
                 //^^^^^^^^^^^^^^^ unbounded-channel
    (tx, Jobs(rx))
}
impl Iterator for Jobs {
    type Item = Job;
    fn next(&mut self) -> Option<Job> { self.0.recv().ok() }
}

// A future whose sender sends in a loop: every value after the first piles up unread.
pub struct Reply { rx: flume::Receiver<u8> }
pub struct Replier { tx: flume::Sender<u8> }
fn reply() -> (Reply, Replier) {
    let (tx, rx) = flume::unbounded();
                 //^^^^^^^^^^^^^^^^^^ unbounded-channel
    (Reply { rx }, Replier { tx })
}
impl Future for Reply {
    type Output = u8;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> { self.rx.try_recv().map(Poll::Ready).unwrap_or(Poll::Pending) }
}
impl Replier {
    fn pump(&self, src: &Source) { for v in src.iter() { let _ = self.tx.send(v); } }
}
"#,
        );
    }

    /// Shapes of the extended trial's false positives (docs/precision.md): each queue holds a
    /// number of messages fixed by the code the file shows.
    #[test]
    fn silent_on_fixed_count_producers_the_file_shows() {
        check(
            "unbounded-channel",
            r#"
use std::sync::mpsc;
use std::thread;

// event-listener examples/mutex.rs: one clone per thread of a constant count.
fn main() {
    const N: usize = 10;
    let counter = Arc::new(Mutex::new(0));
    let (tx, rx) = mpsc::channel();
    for _ in 0..N {
        let counter = counter.clone();
        let tx = tx.clone();
        thread::spawn(move || {
            let mut counter = counter.lock();
            *counter += 1;
            if *counter == N {
                tx.send(()).unwrap();
            }
        });
    }
    rx.recv().unwrap();
}

// tokio-util spawn_pinned.rs: the init result is sent once from the thread's function (and the
// file's own `Drop::drop` does not hide the prelude's `drop`).
struct AbortGuard(AbortHandle);
impl Drop for AbortGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}
struct Worker { handle: Handle }
impl Worker {
    fn new_worker() -> Worker {
        let (handle_sender, handle_receiver) = std::sync::mpsc::channel();
        std::thread::spawn(|| Self::run(handle_sender));
        let handle = handle_receiver.recv().unwrap().unwrap();
        Worker { handle }
    }
    fn run(handle_sender: std::sync::mpsc::Sender<std::io::Result<Handle>>) {
        let runtime = match Runtime::new() {
            Ok(runtime) => runtime,
            Err(err) => {
                let _ = handle_sender.send(Err(err));
                return;
            }
        };
        handle_sender.send(Ok(runtime.handle())).expect("send");
        drop(handle_sender);
        runtime.block_on(serve());
    }
}

// parking_lot_core parking_lot.rs: the receiver is collected into a Vec in the iteration that
// created it (every message is held by the Vec anyway).
fn deadlocks(cycles: Vec<Vec<*const ThreadData>>) -> Vec<Vec<Backtrace>> {
    let mut results = Vec::with_capacity(cycles.len());
    for cycle in cycles {
        let (sender, receiver) = mpsc::channel();
        for td in cycle {
            unsafe { *(*td).backtrace_sender.get() = Some(sender.clone()) };
        }
        drop(sender);
        results.push(receiver.iter().collect());
    }
    results
}

fn one_result_per_free_function() {
    let (tx, rx) = flume::unbounded();
    std::thread::spawn(move || report(42, tx));
    rx.recv().unwrap();
}
fn report(code: u32, out: flume::Sender<u32>) {
    out.send(code).ok();
}

fn gather_over_a_literal_list() {
    let (tx, rx) = crossbeam_channel::unbounded();
    for host in ["a", "b", "c"] {
        let tx = tx.clone();
        std::thread::spawn(move || tx.send(probe(host)));
    }
    drop(tx);
    let answers: Vec<_> = rx.try_iter().collect();
}
"#,
        );
    }

    /// Shapes of the trials' true findings, and look-alikes of the silent shapes above where the
    /// count is not fixed.
    #[test]
    fn flags_queues_whose_producers_are_not_fixed_count() {
        check(
            "unbounded-channel",
            r#"
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender, UnboundedReceiver};

// tokio-util spawn_pinned.rs:380: tasks queued to a worker, one per `spawn_pinned` call.
struct LocalWorkerHandle { spawner: UnboundedSender<Job> }
impl LocalWorkerHandle {
    fn new_worker() -> LocalWorkerHandle {
        let (sender, receiver) = unbounded_channel();
                               //^^^^^^^^^^^^^^^^^^^ unbounded-channel
        std::thread::spawn(|| Self::run(receiver));
        LocalWorkerHandle { spawner: sender }
    }
    fn run(mut task_receiver: UnboundedReceiver<Job>) {
        while let Some(job) = task_receiver.blocking_recv() {
            job();
        }
    }
}

// async-task examples/spawn.rs: an executor's run queue, the sender returned from a `Lazy`.
fn spawn(future: F) -> Task<T> {
    static QUEUE: Lazy<flume::Sender<Runnable>> = Lazy::new(|| {
        let (sender, receiver) = flume::unbounded::<Runnable>();
                               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
        thread::spawn(|| {
            for runnable in receiver {
                runnable.run();
            }
        });
        sender
    });
    let schedule = |runnable| QUEUE.send(runnable).unwrap();
    async_task::spawn(future, schedule)
}

// redis aio/pubsub.rs: the sender goes to a type defined in another file.
async fn pubsub(codec: Codec) -> PubSub {
    let (sender, receiver) = unbounded_channel();
                           //^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (sink, driver) = PubSubSink::new(codec, sender);
    PubSub { sink, stream: PubSubStream { receiver } }
}

// Look-alikes: a local function that sends in a loop; a local function called in a loop; a
// loop over a count known only at run time; a collect that drains batches in a loop.
fn forwards(socket: Socket) {
    let (tx, rx) = std::sync::mpsc::channel();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    std::thread::spawn(move || pump(socket, tx));
    consume(rx);
}
fn pump(socket: Socket, tx: std::sync::mpsc::Sender<Frame>) {
    while let Some(frame) = socket.read() {
        tx.send(frame).unwrap();
    }
}
fn called_in_a_loop(jobs: Vec<Job>) {
    let (tx, rx) = flume::unbounded();
                 //^^^^^^^^^^^^^^^^^^ unbounded-channel
    for job in jobs {
        submit(job, &tx);
    }
    consume(rx);
}
fn submit(job: Job, tx: &flume::Sender<Job>) {
    tx.send(job).unwrap();
}
fn workers(n: usize) {
    let (tx, rx) = crossbeam_channel::unbounded();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    for _ in 0..n {
        let tx = tx.clone();
        std::thread::spawn(move || tx.send(work()));
    }
    consume(rx);
}
fn batches() {
    let (tx, rx) = crossbeam_channel::unbounded();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    std::thread::spawn(move || loop {
        tx.send(read()).unwrap();
    });
    loop {
        let batch: Vec<u8> = rx.try_iter().collect();
        process(batch);
    }
}
"#,
        );
    }

    /// A sender passed to another function of the file is judged by that function's sends; an
    /// edit there must change the finding of the unchanged unit that creates the channel, in the
    /// editor (incremental analysis) as in a from-scratch analysis.
    #[test]
    fn editing_the_function_a_sender_is_passed_to_updates_the_finding() {
        use crate::config::RuleLevel;
        use crate::document::TextChange;
        use crate::host::AnalysisHost;
        use crate::{Analyzer, Config, Document, Language, PositionEncoding};

        let mut config = Config::default();
        for r in crate::rules::all() {
            if r.meta().id != "unbounded-channel" {
                config.rules.insert(r.meta().id.to_string(), RuleLevel::Off);
            }
        }
        let before = "fn start() {\n    let (tx, rx) = flume::unbounded();\n    std::thread::spawn(move || report(tx));\n    rx.recv().ok();\n}\nfn report(tx: flume::Sender<u8>) {\n    tx.send(1).ok();\n}\n";
        let host = AnalysisHost::new(Analyzer::new(config.clone()));
        host.open("k", Document::new(Language::Rust, before, 0));
        assert_eq!(
            host.analyze("k").unwrap().findings.len(),
            0,
            "one send: bounded"
        );
        // Wrap the send in `loop { ... }` (line 6, 0-based), in one edit that keeps the file
        // parsing, so only `report` is re-parsed and `start` is a cached unit.
        let at = |line, character| crate::TextPosition::new(line, character);
        let edit = TextChange {
            range: Some((at(6, 4), at(6, 20))),
            text: "loop { tx.send(1).ok(); }".into(),
        };
        host.change("k", &[edit], 1, PositionEncoding::Utf16)
            .unwrap();
        host.analyze("k").unwrap();
        let stats = host.last_stats("k").unwrap();
        assert!(
            !stats.from_scratch && stats.units_analysed == 1,
            "{stats:?}"
        );
        let doc = host.snapshot("k").unwrap();
        assert!(
            doc.text().contains("loop { tx.send(1).ok(); }"),
            "{}",
            doc.text()
        );
        let incremental = host.analyze("k").unwrap().findings;
        let scratch = Analyzer::new(config).analyze(&doc);
        assert_eq!(*incremental, scratch);
        assert_eq!(scratch.len(), 1, "a send in a loop: reported");
        assert_eq!(&doc.text()[scratch[0].range.clone()], "flume::unbounded()");
    }

    /// A constructor imported under another name is judged like any other: its sender is
    /// followed into the function of the file it is passed to.
    #[test]
    fn aliased_constructor_sender_is_followed_into_local_functions() {
        check(
            "unbounded-channel",
            r#"
use flume::unbounded as queue;
fn start() {
    let (tx, rx) = queue::<u8>();
    std::thread::spawn(move || report(tx));
    rx.recv().ok();
}
fn report(tx: flume::Sender<u8>) {
    tx.send(1).ok();
}
fn start_pump() {
    let (tx, rx) = queue::<u8>();
                 //^^^^^^^^^^^^^ unbounded-channel
    std::thread::spawn(move || pump(tx));
    rx.recv().ok();
}
fn pump(tx: flume::Sender<u8>) {
    loop {
        tx.send(1).ok();
    }
}
"#,
        );
    }
}
