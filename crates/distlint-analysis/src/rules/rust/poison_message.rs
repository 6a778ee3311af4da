//! `poison-message` (category `poison-message`): consumer loops that die on one bad message.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::{squash, Walk};
use crate::vocabulary::rust::{
    BROKER_MESSAGE_TYPES, CHANNEL_CONSTRUCTORS, CHANNEL_SEND_METHODS, CONSUMER_CRATES,
    CONSUMER_NAME_WORDS, DEAD_LETTER_WORDS, MESSAGE_DECODE_FNS, MESSAGE_NAME_WORDS,
};

use crate::facts::TypeRef;

use super::helpers::{
    args_of, chain, code_has, enclosing_loop, file_uses_crate, find_binding, functions,
    handle_name, is_loop, method_call, name_has, outer_value, own_nodes, pattern_bindings,
    simple_pattern_name, type_names,
};

/// The rule.
pub struct PoisonMessage;

/// Registered instance.
pub static RULE: PoisonMessage = PoisonMessage;

static META: RuleMeta = RuleMeta {
    id: "poison-message",
    language: Language::Rust,
    category: "poison-message",
    severity: Severity::Major,
    title: "Consumer dies on a poison message",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds message-consumer loops — `while let Some(m) = consumer.next().await`, \
`loop { let m = consumer.recv().await … }`, `for m in consumer.iter()` over an rdkafka, lapin or \
async-nats consumer/subscriber/message stream, or over a channel receiver fed by one (see below), \
in a file that uses one of those crates — in which \
decoding the message (`serde_json::from_slice`, `from_str`, `from_utf8`, `decode`, `parse`, \
`payload_view`) is `unwrap`ped, `expect`ed, or `?`-propagated out of the loop, when the loop shows \
no dead-letter path (`dead_letter`, `dlq`, `nack`, `reject`, `AckKind::Term`). Also finds \
async-nats JetStream consumer configs (`pull::Config { .. }`, `push::Config { .. }`) with no \
`max_deliver` (the server's default is unlimited redelivery) unless `ack_policy` is `None`.\n\n\
A channel receiver (`rx.recv()`, `rx.next()`, `for m in rx`) counts as a consumer when it is fed \
by a broker: its declared type carries a broker message (`mpsc::Receiver<OwnedMessage>`, \
`UnboundedReceiver<lapin::message::Delivery>`, `Receiver<async_nats::Message>` — a parameter, an \
annotated `let`, or a struct field of the file), or it comes from a `let (tx, rx) = \
mpsc::channel(..)` (`unbounded_channel`, `sync_channel`, flume/async-channel `bounded`/`unbounded`) \
whose sender, or a `let` clone of it, is sent to inside a broker consumer loop of the same \
function (typically a spawned forwarding task).",
        why: "One malformed message stops the whole stream:\n\n\
1. A producer deploys a change and publishes one message the consumer cannot decode (a new \
enum variant, a truncated payload).\n\
2. `from_slice(..).unwrap()` panics, or `?` returns out of the loop: the consumer task ends \
without acknowledging or committing the message.\n\
3. The supervisor restarts the consumer (or the broker redelivers to another instance), which \
receives the same message first and dies the same way.\n\
4. The partition or queue is stuck behind the poison message; lag grows for every message \
behind it until someone skips it by hand.\n\n\
Handle a decode failure per message: log it, send the raw message to a dead-letter \
topic/queue (or `nack` without requeue / `AckKind::Term`), acknowledge it, and continue. Cap \
redeliveries (`max_deliver`) so a message that keeps failing is parked instead of retried forever.",
        known_problems: "- Consumers are recognised by the receiver's name (consumer, \
subscriber, subscription, messages, deliveries, stream) in files that use rdkafka, lapin or \
async-nats. A channel receiver is recognised as broker-fed only by its declared item type or \
when the forwarding consumer loop is in the same function; a receiver of raw bytes \
(`Receiver<Vec<u8>>`) fed by a consumer in another function or another file is not.\n\
- Decode failures handled in a helper called from the loop are not followed.\n\
- Any mention of a dead-letter or negative acknowledgement in the loop keeps it silent, even if \
that path is not the one taken on a decode error.",
        example: "while let Some(delivery) = consumer.next().await {\n    let delivery = delivery?;\n    let order: Order = serde_json::from_slice(&delivery.data)?;\n    handle(order).await;\n    delivery.ack(BasicAckOptions::default()).await?;\n}",
        use_instead: "while let Some(delivery) = consumer.next().await {\n    let delivery = delivery?;\n    match serde_json::from_slice::<Order>(&delivery.data) {\n        Ok(order) => {\n            handle(order).await;\n            delivery.ack(BasicAckOptions::default()).await?;\n        }\n        Err(e) => {\n            tracing::warn!(error = %e, \"undecodable order, dead-lettering\");\n            // The queue's x-dead-letter-exchange receives it.\n            delivery.nack(BasicNackOptions { requeue: false, ..Default::default() }).await?;\n        }\n    }\n}",
        fix: "",
    },
};

/// Whether a declared type is a channel receiver of broker messages
/// (`mpsc::Receiver<OwnedMessage>`, `UnboundedReceiver<lapin::message::Delivery>`).
fn broker_receiver_type(ctx: &Context<'_>, ty: &TypeRef) -> bool {
    let names = type_names(ctx, ty);
    let receiver = names.iter().any(|n| n.ends_with("Receiver"));
    let message = names.iter().any(|n| {
        let first = n.split("::").next().unwrap_or("");
        let last = n.rsplit("::").next().unwrap_or(n);
        CONSUMER_CRATES.contains(&first) && BROKER_MESSAGE_TYPES.contains(&last)
    });
    receiver && message
}

/// Whether the channel receiver `recv` (a receiver expression in `f`) is fed by a message broker:
///
/// - its declared type says so ([`broker_receiver_type`]): a parameter, an annotated `let`, or
///   `self.x` when every struct field named `x` in the file is declared so;
/// - or it is the receiver of a `let (tx, rx) = <channel ctor>(..)` in `f` whose sender (or a
///   `let` clone of it) is sent to inside a broker consumer loop of `f` (a spawned task or
///   closure included): [`consumer_loop`] with no fed receivers.
fn broker_fed(ctx: &Context<'_>, f: Node<'_>, recv: Node<'_>) -> bool {
    let e = super::helpers::peel(ctx, recv);
    match e.kind() {
        "field_expression" => {
            let Some(field) = e.child_by_field_name("field") else {
                return false;
            };
            let types = ctx.facts().field_types(ctx.text(field));
            !types.is_empty() && types.iter().all(|t| broker_receiver_type(ctx, t))
        }
        "identifier" => {
            let name = ctx.text(e);
            let Some(b) = find_binding(ctx.source, f, name, e.start_byte()) else {
                return false;
            };
            if let Some(ty) = b.child_by_field_name("type") {
                return broker_receiver_type(ctx, &TypeRef::of(ctx.source, ty));
            }
            if b.kind() != "let_declaration" {
                return false;
            }
            let (Some(p), Some(v)) = (
                b.child_by_field_name("pattern"),
                b.child_by_field_name("value"),
            ) else {
                return false;
            };
            let binds = pattern_bindings(ctx.source, p);
            let is_pair = p.kind() == "tuple_pattern"
                && binds.len() == 2
                && binds[1].0 == name
                && super::helpers::call_target(ctx, super::helpers::peel(ctx, v)).is_some_and(
                    |t| CHANNEL_CONSTRUCTORS.contains(&t.rsplit("::").next().unwrap_or(&t)),
                );
            is_pair && sender_fed_by_consumer(ctx, f, &binds[0].0)
        }
        _ => false,
    }
}

/// Whether `sender` (or a `let x = sender.clone()` copy) is sent to inside a broker consumer loop
/// in `f`.
fn sender_fed_by_consumer(ctx: &Context<'_>, f: Node<'_>, sender: &str) -> bool {
    let nodes = own_nodes(f);
    let mut names = vec![sender.to_string()];
    for n in &nodes {
        if n.kind() != "let_declaration" {
            continue;
        }
        let (Some(p), Some(v)) = (
            n.child_by_field_name("pattern"),
            n.child_by_field_name("value"),
        ) else {
            continue;
        };
        let copies = handle_name(ctx, v).is_some_and(|h| names.iter().any(|x| x == h))
            && super::helpers::peel(ctx, v).kind() == "identifier";
        if let (true, Some(b)) = (copies, simple_pattern_name(ctx, p)) {
            names.push(b.to_string());
        }
    }
    nodes.iter().any(|n| {
        let Some(m) = method_call(*n) else {
            return false;
        };
        if !CHANNEL_SEND_METHODS.contains(&ctx.text(m.name))
            || !handle_name(ctx, m.receiver).is_some_and(|h| names.iter().any(|x| x == h))
        {
            return false;
        }
        crate::syntax::ancestors(*n)
            .take_while(|a| a.kind() != "function_item")
            .filter(|a| is_loop(*a))
            .any(|lp| consumer_loop(ctx, f, lp, false).is_some())
    })
}

/// The message source a loop pulls from and the name it binds, if the loop consumes one. With
/// `follow_channels`, a channel receiver fed by a broker ([`broker_fed`]) counts as a consumer.
fn consumer_loop<'s>(
    ctx: &Context<'s>,
    f: Node<'_>,
    lp: Node<'_>,
    follow_channels: bool,
) -> Option<Option<&'s str>> {
    let is_consumer_call = |n: Node<'_>| {
        method_call(n).is_some_and(|m| {
            matches!(
                ctx.text(m.name),
                "next" | "recv" | "try_next" | "iter" | "poll" | "stream" | "messages"
            ) && (handle_name(ctx, m.receiver)
                .is_some_and(|h| name_has(h, CONSUMER_NAME_WORDS) || h == "sub")
                || (follow_channels && broker_fed(ctx, f, m.receiver)))
        })
    };
    match lp.kind() {
        "while_expression" => {
            let cond = lp.child_by_field_name("condition")?;
            let bound = if cond.kind() == "let_condition" {
                cond.child_by_field_name("pattern")
                    .and_then(|p| first_binding(ctx, p))
            } else {
                None
            };
            Walk::new(cond).any(is_consumer_call).then_some(bound)
        }
        "for_expression" => {
            let v = lp.child_by_field_name("value")?;
            let bound = lp
                .child_by_field_name("pattern")
                .and_then(|p| first_binding(ctx, p));
            let (calls, root) = chain(ctx, v);
            let src = calls.iter().any(|c| is_consumer_call(c.call))
                || handle_name(ctx, root).is_some_and(|h| name_has(h, &["consumer", "subscri"]))
                || (follow_channels && calls.is_empty() && broker_fed(ctx, f, root));
            src.then_some(bound)
        }
        "loop_expression" => {
            let body = lp.child_by_field_name("body")?;
            let mut w = Walk::new(body);
            while let Some(n) = w.next() {
                if is_loop(n) || n.kind() == "closure_expression" || n.kind() == "function_item" {
                    w.skip_subtree();
                    continue;
                }
                if n.kind() == "await_expression" && n.named_child(0).is_some_and(is_consumer_call)
                {
                    let bound = n
                        .parent()
                        .filter(|p| p.kind() == "let_declaration")
                        .and_then(|p| p.child_by_field_name("pattern"))
                        .and_then(|p| first_binding(ctx, p));
                    return Some(bound);
                }
            }
            None
        }
        _ => None,
    }
}

/// The first identifier bound by a pattern (`Some(Ok(msg))` → `msg`).
fn first_binding<'s>(ctx: &Context<'s>, p: Node<'_>) -> Option<&'s str> {
    if let Some(n) = simple_pattern_name(ctx, p) {
        return Some(n);
    }
    Walk::new(p)
        .find(|n| n.kind() == "identifier")
        .map(|n| ctx.text(n))
}

/// If `call` decodes, the expression through which a failure leaves the loop (`?`, `.unwrap()`,
/// `.expect(..)`), or `None`.
fn failing_exit<'t>(ctx: &Context<'_>, call: Node<'t>, lp: Node<'t>) -> Option<Node<'t>> {
    let outer = outer_value(call);
    // `x?` — leaves the loop when the `?` is directly in it (not in a closure).
    let mut n = call;
    while let Some(p) = n.parent() {
        if p.start_byte() > outer.start_byte() || p.end_byte() > outer.end_byte() {
            break;
        }
        if p.kind() == "try_expression" {
            return (enclosing_loop(p) == Some(lp)).then_some(p);
        }
        n = p;
    }
    // `x.unwrap()` / `x.expect(..)` (also `x.unwrap().unwrap()` for `payload_view`).
    let p = outer.parent()?;
    if p.kind() == "field_expression" && p.child_by_field_name("value") == Some(outer) {
        let c = p.parent()?;
        let m = method_call(c)?;
        if matches!(ctx.text(m.name), "unwrap" | "expect") {
            let mut top = c;
            while let Some(next) = top
                .parent()
                .filter(|q| q.kind() == "field_expression")
                .and_then(|q| q.parent())
                .and_then(method_call)
                .filter(|m| matches!(ctx.text(m.name), "unwrap" | "expect"))
            {
                top = next.call;
            }
            return Some(top);
        }
    }
    None
}

fn decoder_name<'s>(ctx: &Context<'s>, call: Node<'_>) -> Option<&'s str> {
    if let Some(m) = method_call(call) {
        return Some(ctx.text(m.name));
    }
    let mut f = call.child_by_field_name("function")?;
    if f.kind() == "generic_function" {
        f = f.child_by_field_name("function")?;
    }
    let t = ctx.text(f);
    Some(t.rsplit("::").next().unwrap_or(t))
}

/// Names in the loop body that hold the message or something derived from it: the loop's
/// binding and every `let` whose value mentions one of them or a message-like name.
fn message_names(ctx: &Context<'_>, body: Node<'_>, bound: Option<&str>) -> Vec<String> {
    let mut names: Vec<String> = bound.map(|b| vec![b.to_string()]).unwrap_or_default();
    for n in Walk::new(body) {
        if n.kind() != "let_declaration" {
            continue;
        }
        let (Some(p), Some(v)) = (
            n.child_by_field_name("pattern"),
            n.child_by_field_name("value"),
        ) else {
            continue;
        };
        let derived = super::helpers::idents(ctx, v)
            .iter()
            .any(|i| names.iter().any(|x| x == i) || name_has(i, MESSAGE_NAME_WORDS));
        if derived {
            if let Some(b) = first_binding(ctx, p) {
                names.push(b.to_string());
            }
        }
    }
    names
}

fn decodes_message(ctx: &Context<'_>, call: Node<'_>, names: &[String]) -> bool {
    let mut text = String::new();
    if let Some(args) = call.child_by_field_name("arguments") {
        for a in args_of(args) {
            text.push_str(ctx.text(a));
        }
    }
    if let Some(m) = method_call(call) {
        text.push_str(ctx.text(m.receiver));
    }
    if name_has(&text, MESSAGE_NAME_WORDS) {
        return true;
    }
    let mut ids = Vec::new();
    if let Some(args) = call.child_by_field_name("arguments") {
        ids.extend(super::helpers::idents(ctx, args));
    }
    if let Some(m) = method_call(call) {
        ids.extend(super::helpers::idents(ctx, m.receiver));
    }
    ids.iter().any(|i| names.iter().any(|n| n == i))
}

fn check_config(ctx: &Context<'_>, n: Node<'_>, out: &mut Vec<Finding>) {
    let Some(name) = n.child_by_field_name("name") else {
        return;
    };
    let path = squash(ctx.text(name));
    let full = ctx.imports.resolve_rust(&path);
    let is_js = full.contains("jetstream::consumer::pull::Config")
        || full.contains("jetstream::consumer::push::Config")
        || ((full.ends_with("pull::Config") || full.ends_with("push::Config"))
            && file_uses_crate(ctx, &["async_nats"]));
    if !is_js {
        return;
    }
    let body = ctx.text(n);
    if body.contains("max_deliver") || squash(body).contains("ack_policy:AckPolicy::None") {
        return;
    }
    out.push(Finding::new(
        &META,
        name.byte_range(),
        "JetStream consumer without `max_deliver`: a message that always fails is redelivered forever",
    ));
}

impl Rule for PoisonMessage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a JetStream `Config { .. }` literal or a decoder call (`MESSAGE_DECODE_FNS`).
        &[&[
            "Config",
            "from_slice",
            "from_str",
            "from_reader",
            "from_utf8",
            "decode",
            "deserialize",
            "parse",
            "payload_view",
            "from_bytes",
        ]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        for n in Walk::new(node) {
            if n.kind() == "struct_expression" {
                check_config(ctx, n, out);
            }
        }
        if !file_uses_crate(ctx, CONSUMER_CRATES) {
            return;
        }
        for f in functions(node) {
            for lp in own_nodes(f).into_iter().filter(|n| is_loop(*n)) {
                let Some(bound) = consumer_loop(ctx, f, lp, true) else {
                    continue;
                };
                let Some(body) = lp.child_by_field_name("body") else {
                    continue;
                };
                if code_has(ctx, body, DEAD_LETTER_WORDS) {
                    continue;
                }
                let names = message_names(ctx, body, bound);
                for call in Walk::new(body) {
                    if call.kind() != "call_expression" {
                        continue;
                    }
                    let Some(name) = decoder_name(ctx, call) else {
                        continue;
                    };
                    if !MESSAGE_DECODE_FNS.contains(&name) || !decodes_message(ctx, call, &names) {
                        continue;
                    }
                    // Only decodes that belong to this loop, not to a nested consumer loop.
                    if super::helpers::ancestors_loop(call) != Some(lp) {
                        continue;
                    }
                    if let Some(exit) = failing_exit(ctx, call, lp) {
                        out.push(Finding::new(
                            &META,
                            call.start_byte()..exit.end_byte(),
                            "decode failure ends the consumer loop: one malformed message is redelivered and kills every consumer (no dead-letter path)",
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_decode_failures_that_leave_consumer_loops() {
        check(
            "poison-message",
            r#"
use futures::StreamExt;
use lapin::options::BasicAckOptions;
use rdkafka::consumer::StreamConsumer;
async fn amqp(mut consumer: lapin::Consumer) -> anyhow::Result<()> {
    while let Some(delivery) = consumer.next().await {
        let delivery = delivery?;
        let order: Order = serde_json::from_slice(&delivery.data)?;
                         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ poison-message
        handle(order).await;
        delivery.ack(BasicAckOptions::default()).await?;
    }
    Ok(())
}
async fn kafka(consumer: StreamConsumer) {
    loop {
        let msg = consumer.recv().await.unwrap();
        let text = msg.payload_view::<str>().unwrap().unwrap();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ poison-message
        let ev: Event = serde_json::from_str(text).expect("valid event");
                      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ poison-message
        process(ev).await;
    }
}
fn cfg() -> async_nats::jetstream::consumer::pull::Config {
    async_nats::jetstream::consumer::pull::Config { durable_name: Some("orders".into()), ..Default::default() }
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ poison-message
}
"#,
        );
    }

    #[test]
    fn silent_with_dead_letters_handled_errors_and_non_consumers() {
        check(
            "poison-message",
            r#"
use futures::StreamExt;
use rdkafka::consumer::StreamConsumer;
use async_nats::jetstream::consumer::pull;
async fn amqp(mut consumer: lapin::Consumer) -> anyhow::Result<()> {
    while let Some(delivery) = consumer.next().await {
        let delivery = delivery?;
        match serde_json::from_slice::<Order>(&delivery.data) {
            Ok(order) => handle(order).await,
            Err(e) => { delivery.nack(BasicNackOptions { requeue: false, ..Default::default() }).await?; }
        }
    }
    Ok(())
}
async fn kafka(consumer: StreamConsumer, dlq: FutureProducer) {
    loop {
        let msg = consumer.recv().await.unwrap();
        let ev: Event = match serde_json::from_slice(msg.payload().unwrap_or_default()) {
            Ok(ev) => ev,
            Err(_) => { send_to_dlq(&dlq, &msg).await; continue; }
        };
        process(ev).await;
    }
}
async fn logged(consumer: StreamConsumer) {
    while let Ok(msg) = consumer.recv().await {
        if let Err(e) = handle(&msg).await { tracing::warn!(%e); }
        let n: u32 = "42".parse().unwrap();
    }
}
async fn lines(mut stream: TcpStream) -> anyhow::Result<()> {
    for line in input.lines() {
        let v: u32 = line.parse()?;
    }
    Ok(())
}
fn capped() -> pull::Config {
    pull::Config { durable_name: Some("orders".into()), max_deliver: 5, ..Default::default() }
}
"#,
        );
    }

    #[test]
    fn flags_channel_receivers_fed_by_a_broker_consumer() {
        check(
            "poison-message",
            r#"
use rdkafka::consumer::StreamConsumer;
use rdkafka::message::OwnedMessage;
use rdkafka::Message;
use tokio::sync::mpsc;
async fn pipeline(consumer: StreamConsumer) {
    let (tx, mut rx) = mpsc::channel(100);
    let forward = tx.clone();
    tokio::spawn(async move {
        loop {
            let m = consumer.recv().await.unwrap();
            forward.send(m.detach()).await.unwrap();
        }
    });
    while let Some(m) = rx.recv().await {
        let ev: Event = serde_json::from_slice(m.payload().unwrap_or_default()).unwrap();
                      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ poison-message
        handle(ev).await;
    }
}
async fn worker(mut rx: mpsc::Receiver<OwnedMessage>) -> anyhow::Result<()> {
    while let Some(msg) = rx.recv().await {
        let order: Order = serde_json::from_slice(msg.payload().unwrap_or_default())?;
                         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ poison-message
        place(order).await;
    }
    Ok(())
}
fn blocking_worker(rx: std::sync::mpsc::Receiver<OwnedMessage>) {
    for msg in rx {
        let ev: Event = serde_json::from_slice(msg.payload().unwrap_or_default()).unwrap();
                      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ poison-message
    }
}
struct Amqp {
    deliveries: mpsc::UnboundedReceiver<lapin::message::Delivery>,
}
impl Amqp {
    async fn run(&mut self) {
        loop {
            let Some(d) = self.deliveries.recv().await else { break };
            let o: Order = serde_json::from_slice(&d.data).expect("order");
                         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ poison-message
        }
    }
}
"#,
        );
    }

    #[test]
    fn silent_on_channels_fed_by_other_sources_or_with_handled_decodes() {
        check(
            "poison-message",
            r#"
use rdkafka::consumer::StreamConsumer;
use rdkafka::message::OwnedMessage;
use tokio::sync::mpsc;
use crate::proto::Message;
async fn from_lines(lines: Vec<String>) {
    let (tx, mut rx) = mpsc::channel(8);
    tokio::spawn(async move {
        for line in lines {
            tx.send(line).await.unwrap();
        }
    });
    while let Some(l) = rx.recv().await {
        let cmd: Cmd = serde_json::from_str(&l).unwrap();
    }
}
async fn handled(consumer: StreamConsumer) {
    let (tx, mut rx) = mpsc::channel(100);
    tokio::spawn(async move {
        while let Ok(m) = consumer.recv().await {
            tx.send(m.detach()).await.unwrap();
        }
    });
    while let Some(m) = rx.recv().await {
        match serde_json::from_slice::<Event>(m.payload().unwrap_or_default()) {
            Ok(ev) => handle(ev).await,
            Err(e) => { tracing::warn!(%e, "undecodable event skipped"); continue; }
        }
    }
}
async fn decoded_already(mut rx: mpsc::Receiver<Event>) {
    while let Some(ev) = rx.recv().await {
        let n: u64 = ev.body.parse().unwrap();
    }
}
async fn own_message_type(mut rx: mpsc::Receiver<Message>) {
    while let Some(msg) = rx.recv().await {
        let v: Cmd = serde_json::from_slice(&msg.payload).unwrap();
    }
}
async fn dead_lettered(mut rx: mpsc::Receiver<OwnedMessage>, dlq: &Producer) {
    while let Some(msg) = rx.recv().await {
        let order: Order = match serde_json::from_slice(msg.payload().unwrap_or_default()) {
            Ok(o) => o,
            Err(_) => { send_to_dead_letter(dlq, &msg).await; continue; }
        };
        let n: u64 = serde_json::from_slice(msg.key().unwrap_or_default()).unwrap_or(0);
    }
}
"#,
        );
    }
}
