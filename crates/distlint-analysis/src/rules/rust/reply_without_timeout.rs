//! `reply-without-timeout` (category `timeouts-deadlines`): a reply channel (`oneshot` or a
//! one-reply `mpsc`) whose sender was handed to another task with `send`, awaited in an async
//! request path with no timeout.

use tree_sitter::Node;

use super::helpers::{is_body_boundary, pattern_bindings, uses_of};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{ancestors, rust_call_path, rust_fn_is_async, rust_method_call, squash, Walk};
use crate::vocabulary::rust::{CHANNEL_SEND_METHODS, NETWORK_MODULES, REPLY_CHANNEL_CONSTRUCTORS};

/// The rule.
pub struct ReplyWithoutTimeout;

/// Registered instance.
pub static RULE: ReplyWithoutTimeout = ReplyWithoutTimeout;

static META: RuleMeta = RuleMeta {
    id: "reply-without-timeout",
    language: Language::Rust,
    category: "timeouts-deadlines",
    severity: Severity::Major,
    title: "Reply awaited without a timeout",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds the request/reply pattern of actor-style code awaited with no bound: in an \
`async fn` (or an `async` block that is not handed to `spawn`), a reply channel is created \
(`tokio::sync::oneshot::channel()`, `futures::channel::oneshot::channel()`, or a \
`tokio::sync::mpsc`/`futures::channel::mpsc` channel), its sender is handed to another task \
inside a `send`/`try_send`/`unbounded_send`/`send_async`/`blocking_send` call on some other \
channel or handle (`self.commands.send(Command::Get { key, reply: tx })`), and the receiver is \
then awaited once (`rx.await`, `rx.recv().await`) outside any loop, with no \
`tokio::time::timeout`, `.timeout(..)`, `sleep` or deadline anywhere in the function.",
        why: "The caller now waits for another task, and through it for whatever that task \
waits for, with no limit:\n\n\
1. A request handler calls `client.get(key)`, which sends `Command::Get { key, reply: tx }` to \
the connection task and awaits `rx`.\n\
2. The connection task writes the command to a peer (a Redis server, a broker, a Raft leader) \
that accepts the bytes but never answers: it is paused, partitioned after the write, or stuck \
behind its own slow disk. The TCP connection stays open, so the task neither fails nor drops \
`tx`.\n\
3. `rx.await` only returns when `tx` is used or dropped, so the handler waits forever. Every \
later request queues behind the same connection task and waits too.\n\
4. Handler tasks, their memory and the callers' connections pile up; upstream timeouts fire \
and clients retry, adding more waiting requests. A single stuck peer has hung the service, and \
nothing in it reports an error.\n\n\
A timeout around the reply turns the stuck peer into an error this request can return, log and \
retry elsewhere.",
        known_problems: "- A timeout applied by the caller (`timeout(d, client.get(key))` in \
another function, or a `tower` timeout layer) is not seen: the finding is then redundant; \
suppress with that reason.\n\
- Silent when the function mentions a timeout, sleep or deadline anywhere (`timeout`, \
`sleep`, `deadline` in its text): an optional timeout handled on another branch \
(`match timeout { Some(d) => timeout(d, rx).await, None => rx.await }`) or a `select!` with a \
timer branch. A `select!` whose other branch is a shutdown signal, not a timer, is not reported \
either: its awaits are inside a macro.\n\
- Silent in a file that mentions `response_timeout`: the task holding the sender is taken to \
bound each response itself (redis's cluster connection passes its configurable \
`response_timeout` to the node connections it drives). That timeout may be unset (redis \
defaults it to none), which is then missed.\n\
- Only senders handed off with a `send`-like call are followed. A sender moved into \
`tokio::spawn(async move { .. })`, passed to a function, or stored in a struct is not, so those \
waits are missed.\n\
- A receiver returned to the caller (as `rx` or wrapped in a future type) is not followed: the \
caller's await is in another function.\n\
- Whether the reply waits on remote I/O is not established: the task that answers usually lives \
in another file. The message says what the file shows: a `use` of a network or stream I/O \
module (`tokio::net`, `tokio::io`, `futures::io`, `std::net`, `tokio_util::codec`, `tonic`, \
`hyper`, `h2`, `reqwest`, `quinn`, `rustls`, `tungstenite`; not `std::io`) is named as a sign \
that the task may wait on a peer; otherwise the message says that what the task waits for is \
not known here. A task that answers from memory (mongodb's connection-pool worker handing out \
idle connections) is bounded by that work, and the finding is then a false positive in spirit; \
suppress with that reason.\n\
- Awaits inside a loop (a receive loop of a worker) and inside `main` are not request paths \
and are not reported. No automatic fix: wrapping in `tokio::time::timeout` changes the result \
type, and the error to return depends on the function.",
        example: "pub async fn get(&self, key: String) -> Result<Bytes, Error> {\n    let (tx, rx) = oneshot::channel();\n    self.commands.send(Command::Get { key, reply: tx }).await?;\n    rx.await?\n}",
        use_instead: "pub async fn get(&self, key: String) -> Result<Bytes, Error> {\n    let (tx, rx) = oneshot::channel();\n    self.commands.send(Command::Get { key, reply: tx }).await?;\n    tokio::time::timeout(self.request_timeout, rx)\n        .await\n        .map_err(|_| Error::Timeout)??\n}",
        fix: "",
    },
};

impl Rule for ReplyWithoutTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a channel constructor in the unit (or a `use .. as` alias of one, which
        // the prefilter follows through the imports).
        &[&["channel", "unbounded"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for decl in Walk::new(node) {
            if decl.kind() != "let_declaration" {
                continue;
            }
            let Some(kind) = reply_channel(ctx, decl) else {
                continue;
            };
            let Some(pattern) = decl.child_by_field_name("pattern") else {
                continue;
            };
            let names = pattern_bindings(ctx.source, pattern);
            let [(tx, _), (rx, _)] = names.as_slice() else {
                continue;
            };
            let Some(block) = decl.parent() else { continue };
            let Some(frame) = frame_of(decl) else {
                continue;
            };
            if !is_request_path(ctx, frame) || mentions_a_bound(ctx, frame) {
                continue;
            }
            let after: Vec<(usize, Node<'_>)> = uses_of(ctx.source, block, tx)
                .into_iter()
                .filter(|(at, _)| *at >= decl.end_byte())
                .collect();
            let Some(handoff) = after
                .iter()
                .find_map(|(_, u)| hand_off_call(ctx, *u, block))
            else {
                continue;
            };
            let rx_uses = uses_of(ctx.source, block, rx);
            for (at, u) in rx_uses {
                if at < handoff.end_byte() {
                    continue;
                }
                let Some(aw) = awaited(ctx, u) else { continue };
                // Same future as the channel (not a spawned or wrapped async block), and not a
                // receive loop inside it.
                if frame_of(aw).map(|f| f.id()) != Some(frame.id()) || in_loop_below(aw, block) {
                    continue;
                }
                // The task holding the senders applies a per-response timeout (redis's cluster
                // connection passes its `response_timeout` to every node connection it drives).
                // A text fact of the whole file: the engine re-runs the rule here only when it
                // changes.
                if ctx.facts().response_timeout_in_file() {
                    return;
                }
                // What the file shows of the task that answers: whether it may wait on a peer.
                let waits = match network_import(ctx) {
                    Some(path) => format!(
                        "this file does network I/O (`{path}`), so that task may be waiting on a peer"
                    ),
                    None => "this file shows no network I/O, so what that task waits for before it answers is not known here".to_string(),
                };
                out.push(Finding::new(
                    &META,
                    aw.byte_range(),
                    format!(
                        "{kind} reply awaited with no timeout: `{tx}` was handed to another task (`{}`); {waits}; if it never answers, this request waits forever",
                        handoff_name(ctx, handoff)
                    ),
                ));
                break;
            }
        }
    }
}

/// The first `use` path of the file (in path order) under one of [`NETWORK_MODULES`]
/// (`tonic::transport::Channel`, `tokio::io::AsyncRead`), a leading `::` ignored. Reads only
/// the file's imports, a tracked dependency of every unit.
fn network_import(ctx: &Context<'_>) -> Option<String> {
    ctx.imports
        .names
        .values()
        .chain(ctx.imports.globs.iter())
        .map(|full| full.trim_start_matches("::"))
        .filter(|full| {
            NETWORK_MODULES.iter().any(|m| {
                full.strip_prefix(m)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
            })
        })
        .min()
        .map(str::to_string)
}

/// `let (tx, rx) = <reply channel>(..)`: the channel's kind (`oneshot` or `mpsc`).
fn reply_channel(ctx: &Context<'_>, decl: Node<'_>) -> Option<&'static str> {
    let value = decl.child_by_field_name("value")?;
    if value.kind() != "call_expression" {
        return None;
    }
    let path = rust_call_path(ctx.source, value)?;
    let full = ctx.imports.resolve_rust(&path);
    if !REPLY_CHANNEL_CONSTRUCTORS.contains(&full.as_str()) {
        return None;
    }
    Some(if full.contains("oneshot") {
        "oneshot"
    } else {
        "mpsc"
    })
}

/// The function or async block whose body holds `node` (the nearest body boundary).
fn frame_of(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|a| is_body_boundary(a.kind()))
}

/// An `async fn` other than `main` (nor `#[tokio::main]`), or an `async` block not handed to a
/// `spawn` (a spawned task is background work, not a request).
fn is_request_path(ctx: &Context<'_>, frame: Node<'_>) -> bool {
    match frame.kind() {
        "function_item" => {
            let named_main = frame
                .child_by_field_name("name")
                .is_some_and(|n| ctx.text(n) == "main");
            rust_fn_is_async(ctx.source, frame) && !named_main
        }
        "async_block" => !ancestors(frame)
            .take_while(|a| !matches!(a.kind(), "function_item" | "closure_expression"))
            .filter(|a| a.kind() == "call_expression")
            .any(|call| {
                let name = rust_call_path(ctx.source, call)
                    .map(|p| p.rsplit("::").next().unwrap_or("").to_string())
                    .or_else(|| rust_method_call(call).map(|(_, m)| ctx.text(m).to_string()))
                    .unwrap_or_default();
                name.starts_with("spawn")
            }),
        _ => false,
    }
}

/// The frame's text mentions a timeout, a sleep or a deadline (a bound on some branch, or a
/// `select!` with a timer).
fn mentions_a_bound(ctx: &Context<'_>, frame: Node<'_>) -> bool {
    let t = ctx.text(frame).to_ascii_lowercase();
    t.contains("timeout") || t.contains("sleep") || t.contains("deadline")
}

/// When the use `u` of the sender lies in the arguments of a `recv.send(..)`-like call whose
/// receiver does not contain it, that call.
fn hand_off_call<'t>(ctx: &Context<'_>, u: Node<'t>, block: Node<'t>) -> Option<Node<'t>> {
    let mut child = u;
    for a in ancestors(u) {
        if a.id() == block.id() || is_body_boundary(a.kind()) {
            return None;
        }
        if a.kind() == "call_expression" {
            if let Some((recv, m)) = rust_method_call(a) {
                let in_args = a
                    .child_by_field_name("arguments")
                    .is_some_and(|args| args.id() == child.id());
                if in_args
                    && CHANNEL_SEND_METHODS.contains(&ctx.text(m))
                    && !(recv.start_byte() <= u.start_byte() && u.end_byte() <= recv.end_byte())
                {
                    return Some(a);
                }
            }
        }
        child = a;
    }
    None
}

/// `self.commands.send` for a hand-off call.
fn handoff_name(ctx: &Context<'_>, call: Node<'_>) -> String {
    call.child_by_field_name("function")
        .map(|f| squash(ctx.text(f)))
        .unwrap_or_else(|| "send".to_string())
}

/// For a use of the receiver: the `await_expression` that waits on it directly (`rx.await`,
/// `(&mut rx).await`, `rx.recv().await`).
fn awaited<'t>(ctx: &Context<'_>, u: Node<'t>) -> Option<Node<'t>> {
    let mut e = u;
    loop {
        let p = e.parent()?;
        match p.kind() {
            "reference_expression" | "parenthesized_expression" => e = p,
            "field_expression" => {
                // `rx.recv()` / `rx.recv_async()`: the receiver of the call.
                let field = p.child_by_field_name("field")?;
                if p.child_by_field_name("value").map(|v| v.id()) != Some(e.id())
                    || !matches!(ctx.text(field), "recv" | "recv_async")
                {
                    return None;
                }
                let call = p.parent().filter(|c| c.kind() == "call_expression")?;
                e = call;
            }
            "await_expression" => return Some(p),
            _ => return None,
        }
    }
}

/// True when a loop lies between `node` and `block` (the block holding the channel).
fn in_loop_below(node: Node<'_>, block: Node<'_>) -> bool {
    ancestors(node)
        .take_while(|a| a.id() != block.id())
        .any(|a| {
            matches!(
                a.kind(),
                "loop_expression" | "while_expression" | "for_expression"
            )
        })
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_replies_awaited_without_a_bound() {
        check(
            "reply-without-timeout",
            r#"
use tokio::sync::{mpsc, oneshot};

enum Command {
    Get { key: String, reply: oneshot::Sender<Vec<u8>> },
    Flush(mpsc::Sender<()>),
}

pub struct Client {
    commands: mpsc::Sender<Command>,
}

impl Client {
    pub async fn get(&self, key: String) -> Option<Vec<u8>> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(Command::Get { key, reply: tx }).await.ok()?;
        rx.await.ok()
      //^^^^^^^^ reply-without-timeout
    }

    pub async fn flush(&self) -> Result<(), ()> {
        let (done_tx, mut done_rx) = mpsc::channel(1);
        self.commands.try_send(Command::Flush(done_tx)).map_err(|_| ())?;
        done_rx.recv().await.ok_or(())
      //^^^^^^^^^^^^^^^^^^^^ reply-without-timeout
    }
}

async fn ask(queue: &futures::channel::mpsc::UnboundedSender<(u32, futures::channel::oneshot::Sender<u32>)>) -> u32 {
    let (reply, mut answer) = futures::channel::oneshot::channel();
    queue.unbounded_send((7, reply)).unwrap();
    let v = (&mut answer).await;
          //^^^^^^^^^^^^^^^^^^^ reply-without-timeout
    v.unwrap_or(0)
}
"#,
        );
    }

    #[test]
    fn flags_the_fixture_positive_through_a_renamed_import() {
        check(
            "reply-without-timeout",
            r#"
use tokio::sync::oneshot::channel as make_reply;

pub async fn lookup(actor: &tokio::sync::mpsc::Sender<(u64, tokio::sync::oneshot::Sender<u64>)>) -> u64 {
    let (tx, rx) = make_reply();
    actor.send((1, tx)).await.unwrap();
    rx.await.unwrap()
  //^^^^^^^^ reply-without-timeout
}
"#,
        );
    }

    #[test]
    fn silent_for_bounded_background_and_local_replies() {
        check(
            "reply-without-timeout",
            r#"
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

enum Command {
    Get { key: String, reply: oneshot::Sender<Vec<u8>> },
}

pub struct Client {
    commands: mpsc::Sender<Command>,
    request_timeout: Option<Duration>,
}

impl Client {
    // Wrapped in a timeout.
    pub async fn get(&self, key: String) -> Option<Vec<u8>> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(Command::Get { key, reply: tx }).await.ok()?;
        tokio::time::timeout(Duration::from_secs(5), rx).await.ok()?.ok()
    }

    // An optional timeout handled on another branch.
    pub async fn get_maybe(&self, key: String) -> Option<Vec<u8>> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(Command::Get { key, reply: tx }).await.ok()?;
        match self.request_timeout {
            Some(d) => tokio::time::timeout(d, rx).await.ok()?.ok(),
            None => rx.await.ok(),
        }
    }

    // select! with a timer branch.
    pub async fn get_select(&self, key: String) -> Option<Vec<u8>> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(Command::Get { key, reply: tx }).await.ok()?;
        tokio::select! {
            r = rx => r.ok(),
            _ = tokio::time::sleep(Duration::from_secs(1)) => None,
        }
    }

    // The sender is kept, not handed off: the reply comes from this function.
    pub async fn local(&self) -> u8 {
        let (tx, rx) = oneshot::channel();
        tx.send(1).unwrap();
        rx.await.unwrap()
    }

    // A worker's receive loop over its own queue is not a request path.
    pub async fn run(&self) {
        let (tx, mut rx) = mpsc::channel::<u8>(16);
        self.commands.send(Command::Register(tx)).await.ok();
        while let Some(v) = rx.recv().await {
            let _ = v;
        }
    }

    // The wait happens in a spawned background task.
    pub async fn detach(&self, key: String) {
        let (tx, rx) = oneshot::channel();
        self.commands.send(Command::Get { key, reply: tx }).await.ok();
        tokio::spawn(async move {
            let _ = rx.await;
        });
    }

    // Synchronous code: blocking_recv, not a future.
    pub fn blocking(&self, key: String) -> Option<Vec<u8>> {
        let (tx, rx) = oneshot::channel();
        self.commands.blocking_send(Command::Get { key, reply: tx }).ok()?;
        rx.blocking_recv().ok()
    }
}

#[tokio::main]
async fn main() {
    let (tx, rx) = oneshot::channel::<u8>();
    let (q, _r) = mpsc::channel(1);
    q.send(tx).await.unwrap();
    let _ = rx.await;
}

// Not a tokio/futures channel.
mod other {
    pub fn channel() -> (u8, u8) { (0, 0) }
}
async fn not_a_channel(q: &tokio::sync::mpsc::Sender<u8>) {
    let (tx, rx) = other::channel();
    q.send(tx).await.unwrap();
    let _ = rx;
}
"#,
        );
    }

    /// The message says what the file shows of the answering task: tikv-client's TSO client
    /// (`pd/timestamp.rs:73`, true in the triage) imports tonic, so that task may wait on a
    /// peer; mongodb's connection requester (`cmap/connection_requester.rs:46`, whose pool
    /// worker answers from memory) shows no network I/O, and the message no longer claims a peer.
    #[test]
    fn message_says_whether_the_file_shows_network_io() {
        let tso = r#"
use tokio::sync::{mpsc, oneshot};
use tonic::transport::Channel;

pub struct TimestampOracle {
    request_tx: mpsc::Sender<oneshot::Sender<Timestamp>>,
}
impl TimestampOracle {
    pub async fn get_timestamp(self) -> Result<Timestamp> {
        let (request, response) = oneshot::channel();
        self.request_tx.send(request).await?;
        Ok(response.await?)
    }
}
"#;
        let found = crate::testing::raw("reply-without-timeout", tso);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "oneshot reply awaited with no timeout: `request` was handed to another task (`self.request_tx.send`); this file does network I/O (`tonic::transport::Channel`), so that task may be waiting on a peer; if it never answers, this request waits forever"
        );

        let pool = r#"
use tokio::sync::{mpsc, oneshot};

pub struct ConnectionRequester {
    sender: mpsc::UnboundedSender<ConnectionRequest>,
}
impl ConnectionRequester {
    pub async fn request(&self) -> ConnectionRequestResult {
        let (sender, receiver) = oneshot::channel();
        self.sender.send(ConnectionRequest { sender, warm_pool: false }).unwrap();
        receiver.await.unwrap()
    }
}
"#;
        let found = crate::testing::raw("reply-without-timeout", pool);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "oneshot reply awaited with no timeout: `sender` was handed to another task (`self.sender.send`); this file shows no network I/O, so what that task waits for before it answers is not known here; if it never answers, this request waits forever"
        );
        // `std::io` alone is not network I/O; a re-rooted `::tokio::io` is.
        let std_io = format!("use std::io;\n{pool}");
        assert!(crate::testing::raw("reply-without-timeout", &std_io)[0]
            .message
            .contains("shows no network I/O"));
        let tokio_io = format!("use ::tokio::io::{{AsyncRead, AsyncWrite}};\n{pool}");
        assert!(crate::testing::raw("reply-without-timeout", &tokio_io)[0]
            .message
            .contains("(`tokio::io::AsyncRead`)"));
    }

    #[test]
    fn silent_when_the_connection_task_has_a_response_timeout() {
        check(
            "reply-without-timeout",
            r#"
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

pub struct Params {
    pub response_timeout: Duration,
}

pub struct Cluster {
    sender: mpsc::Sender<(String, oneshot::Sender<String>)>,
}

impl Cluster {
    pub async fn route(&self, cmd: String) -> Option<String> {
        let (tx, rx) = oneshot::channel();
        self.sender.send((cmd, tx)).await.ok()?;
        rx.await.ok()
    }
}
"#,
        );
    }
}
