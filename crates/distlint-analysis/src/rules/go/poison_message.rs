//! `poison-message-go` (category `poison-message`): message consumers that crash, stop, or
//! requeue forever when a message does not decode.

use tree_sitter::Node;

use super::helpers::{
    arg, arg_count, assigned_to, call_name, callee, enclosing_function, imports_any, inside,
    is_fatal_name, next_statement, pkg_call, statement_of, uses_after, FUNCTION_KINDS,
};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;
use crate::vocabulary::go::{AMQP_IMPORTS, KAFKA_GO_IMPORTS, NATS_IMPORTS, SARAMA_IMPORTS};

/// The rule.
pub struct PoisonMessage;

/// Registered instance.
pub static RULE: PoisonMessage = PoisonMessage;

static META: RuleMeta = RuleMeta {
    id: "poison-message-go",
    language: Language::Go,
    category: "poison-message",
    severity: Severity::Major,
    title: "Consumer without poison-message handling",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds message consumers whose decode-error branch (the `if err != nil` after \
`json.Unmarshal`, `proto.Unmarshal`, `Decode`, ... of a message) does one of:\n\
- `panic(...)`, `log.Fatal*`/`Panic*` (any logger), `os.Exit` — in any consumer;\n\
- `return` out of a consumer loop (kafka-go `ReadMessage`/`FetchMessage` loops, sarama \
`claim.Messages()` loops, amqp `range` over `Consume` deliveries);\n\
- `d.Nack(multiple, true)` or `d.Reject(true)` (AMQP requeue).\n\
Consumers recognised: loops calling kafka-go `ReadMessage`/`FetchMessage` (file imports \
`segmentio/kafka-go`), loops over sarama `claim.Messages()`, loops ranging over amqp \
`Consume`/`ConsumeWithContext` deliveries (file imports amqp091-go or streadway/amqp), and \
handler function literals passed to nats `Subscribe`/`QueueSubscribe`/`Consume`. The finding \
sits on the `panic`/`Fatal`/`return`/`Nack` in the decode-error branch.",
        why: "A message that cannot be decoded will never decode, however often it is delivered:\n\n\
1. A producer deploys a schema change (or a bug writes a truncated payload) and one bad \
message lands on the topic.\n\
2. The consumer reads it, `Unmarshal` fails, the handler panics (or returns from \
`ConsumeClaim`, or `log.Fatal`s).\n\
3. The offset is not committed / the delivery is not acknowledged, so after the restart or \
rebalance the same message is delivered first again.\n\
4. The consumer crash-loops on message 1 of the partition; every good message behind it waits. \
With `Nack(requeue=true)` the broker redelivers it immediately, forever, burning CPU while \
the queue backs up.\n\n\
A poison message must be taken out of the stream: log it with its offset, publish it to a \
dead-letter topic/queue (or `Nack` with `requeue=false` onto a dead-letter exchange), \
acknowledge or commit it, and continue.",
        known_problems: "- Only the branch right after the decode call is examined; an error \
returned from a helper that decodes (`msg, err := parse(m)`) is missed unless the helper's name \
starts with `Unmarshal`/`Decode`.\n\
- \"Retried forever with no dead-letter path\" for processing errors (not decode errors) is not \
yet detected.\n\
- A nats handler that simply returns is not reported: core NATS drops the message, and for \
JetStream the redelivery bound (`MaxDeliver`) is configured elsewhere.",
        example: "for {\n\
\tm, err := r.FetchMessage(ctx)\n\
\tif err != nil {\n\t\treturn err\n\t}\n\
\tvar evt OrderEvent\n\
\tif err := json.Unmarshal(m.Value, &evt); err != nil {\n\
\t\treturn fmt.Errorf(\"decode: %w\", err) // stops the consumer; restart rereads the same message\n\t}\n\
\thandle(evt)\n\
\tr.CommitMessages(ctx, m)\n}",
        use_instead: "for {\n\
\tm, err := r.FetchMessage(ctx)\n\
\tif err != nil {\n\t\treturn err\n\t}\n\
\tvar evt OrderEvent\n\
\tif err := json.Unmarshal(m.Value, &evt); err != nil {\n\
\t\tlog.Printf(\"poison message at %s/%d/%d: %v\", m.Topic, m.Partition, m.Offset, err)\n\
\t\tdlq.WriteMessages(ctx, kafka.Message{Key: m.Key, Value: m.Value})\n\
\t\tr.CommitMessages(ctx, m)\n\
\t\tcontinue\n\t}\n\
\thandle(evt)\n\
\tr.CommitMessages(ctx, m)\n}",
        fix: "",
    },
};

/// A consumer region: a loop or a handler literal; `is_loop` decides whether `return` leaves
/// the consumer.
struct Consumer<'t> {
    region: Node<'t>,
    is_loop: bool,
}

fn consumers<'t>(ctx: &Context<'_>, unit: Node<'t>) -> Vec<Consumer<'t>> {
    let kafka = imports_any(ctx, KAFKA_GO_IMPORTS);
    let sarama = imports_any(ctx, SARAMA_IMPORTS);
    let amqp = imports_any(ctx, AMQP_IMPORTS);
    let nats = imports_any(ctx, NATS_IMPORTS);
    if !(kafka || sarama || amqp || nats) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for n in Walk::new(unit) {
        match n.kind() {
            "for_statement" if kafka || sarama || amqp => {
                let Some(body) = n.child_by_field_name("body") else {
                    continue;
                };
                let mut is_consumer = false;
                // Range clause: `for m := range claim.Messages()` / `range deliveries`.
                let mut c = n.walk();
                let range = n
                    .named_children(&mut c)
                    .find(|ch| ch.kind() == "range_clause");
                if let Some(right) = range.and_then(|r| r.child_by_field_name("right")) {
                    if right.kind() == "call_expression" {
                        let name = call_name(ctx.source, right).unwrap_or("");
                        is_consumer |= sarama && name == "Messages";
                        is_consumer |= amqp && name.starts_with("Consume");
                    } else if right.kind() == "identifier" && amqp {
                        is_consumer |= from_consume(ctx, n, ctx.text(right));
                    }
                }
                if !is_consumer {
                    // A loop body that reads the next message itself.
                    is_consumer = own_calls(body).into_iter().any(|call| {
                        let name = call_name(ctx.source, call).unwrap_or("");
                        (kafka && matches!(name, "ReadMessage" | "FetchMessage"))
                            || (sarama && name == "Messages")
                    });
                }
                if is_consumer {
                    out.push(Consumer {
                        region: body,
                        is_loop: true,
                    });
                }
            }
            "call_expression" if nats => {
                let Some((Some(_), name)) = callee(ctx.source, n) else {
                    continue;
                };
                if !matches!(name, "Subscribe" | "QueueSubscribe" | "Consume") {
                    continue;
                }
                let Some(args) = n.child_by_field_name("arguments") else {
                    continue;
                };
                let mut c = args.walk();
                for a in args.named_children(&mut c) {
                    if a.kind() == "func_literal" {
                        if let Some(b) = a.child_by_field_name("body") {
                            out.push(Consumer {
                                region: b,
                                is_loop: false,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// True when `var` was assigned from a `Consume*` call in the function around `at`, or is a
/// parameter whose type mentions `Delivery`.
fn from_consume(ctx: &Context<'_>, at: Node<'_>, var: &str) -> bool {
    let Some(func) = enclosing_function(at) else {
        return false;
    };
    for n in Walk::new(func) {
        if n.start_byte() >= at.start_byte() {
            break;
        }
        if n.kind() == "call_expression"
            && call_name(ctx.source, n).is_some_and(|m| m.starts_with("Consume"))
            && assigned_to(n).is_some_and(|v| ctx.text(v) == var)
        {
            return true;
        }
        if n.kind() == "parameter_declaration"
            && n.child_by_field_name("name")
                .is_some_and(|p| ctx.text(p) == var)
            && n.child_by_field_name("type")
                .is_some_and(|t| ctx.text(t).contains("Delivery"))
        {
            return true;
        }
    }
    false
}

/// Calls in `node` that are not inside a nested function literal.
fn own_calls(node: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut walk = Walk::new(node);
    while let Some(n) = walk.next() {
        if FUNCTION_KINDS.contains(&n.kind()) {
            walk.skip_subtree();
            continue;
        }
        if n.kind() == "call_expression" {
            out.push(n);
        }
    }
    out
}

fn is_decode(ctx: &Context<'_>, call: Node<'_>) -> bool {
    let Some(name) = call_name(ctx.source, call) else {
        return false;
    };
    (name.starts_with("Unmarshal") || name == "Decode" || name == "DecodeMsg")
        && arg_count(call) >= 1
}

/// The block that handles the decode call's error: `if err := decode(); err != nil { B }`,
/// or `err := decode()` followed by `if err != nil { B }`.
fn error_branch<'t>(ctx: &Context<'_>, call: Node<'t>) -> Option<Node<'t>> {
    let stmt = statement_of(call)?;
    if stmt.kind() == "if_statement" {
        if stmt
            .child_by_field_name("initializer")
            .is_some_and(|i| inside(call, i))
            || stmt
                .child_by_field_name("condition")
                .is_some_and(|c| inside(call, c))
        {
            return checks_err(ctx, stmt);
        }
        return None;
    }
    // `err := decode(...)` / `err = decode(...)` then `if err != nil`.
    let err_var = assigned_to(call).map(|v| ctx.text(v))?;
    let next = next_statement(stmt)?;
    if next.kind() != "if_statement" {
        return None;
    }
    let cond = next.child_by_field_name("condition")?;
    if !uses_after(cond, ctx.source, err_var, cond.start_byte()).is_empty() {
        return checks_err(ctx, next);
    }
    None
}

/// The consequence of `if ... err != nil { B }` (not `err == nil`).
fn checks_err<'t>(ctx: &Context<'_>, if_stmt: Node<'t>) -> Option<Node<'t>> {
    let cond = ctx.text(if_stmt.child_by_field_name("condition")?);
    if !cond.contains("!= nil") {
        return None;
    }
    if_stmt.child_by_field_name("consequence")
}

/// The first statement in `block` that crashes, leaves the loop, or requeues forever.
fn poison_exit<'t>(
    ctx: &Context<'_>,
    block: Node<'t>,
    is_loop: bool,
) -> Option<(Node<'t>, &'static str)> {
    let mut walk = Walk::new(block);
    while let Some(n) = walk.next() {
        if FUNCTION_KINDS.contains(&n.kind()) {
            walk.skip_subtree();
            continue;
        }
        match n.kind() {
            "return_statement" if is_loop => {
                return Some((n, "returns out of the consumer loop: the consumer stops, and the undecodable message is delivered first again after the restart or rebalance"));
            }
            "call_expression" => {
                let Some((recv, name)) = callee(ctx.source, n) else {
                    continue;
                };
                if recv.is_none() && name == "panic" {
                    return Some((n, "panics: the process restarts and the same message is delivered again, a crash loop"));
                }
                if recv.is_some() && is_fatal_name(name) {
                    let os_exit = matches!(pkg_call(ctx, n), Some(("os", "Exit")));
                    if name != "Exit" || os_exit {
                        return Some((n, "exits the process: it restarts and the same message is delivered again, a crash loop"));
                    }
                }
                let requeue = match name {
                    "Nack" => arg(n, 1).is_some_and(|a| ctx.text(a) == "true"),
                    "Reject" => arg(n, 0).is_some_and(|a| ctx.text(a) == "true"),
                    _ => false,
                };
                if requeue && recv.is_some() {
                    return Some((n, "requeues a message that will never decode: the broker redelivers it immediately, forever"));
                }
            }
            _ => {}
        }
    }
    None
}

impl Rule for PoisonMessage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a decode call (`Unmarshal*`, `Decode`, `DecodeMsg`).
        &[&["Unmarshal", "Decode"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        let mut seen = std::collections::HashSet::new();
        for consumer in consumers(ctx, node) {
            for call in own_calls(consumer.region) {
                if !is_decode(ctx, call) {
                    continue;
                }
                let Some(branch) = error_branch(ctx, call) else {
                    continue;
                };
                let Some((at, why)) = poison_exit(ctx, branch, consumer.is_loop) else {
                    continue;
                };
                if !seen.insert(at.id()) {
                    continue;
                }
                let decode = call_name(ctx.source, call).unwrap_or("decode");
                out.push(Finding::new(
                    &META,
                    at.byte_range(),
                    format!("on a `{decode}` error this consumer {why}; log it, send it to a dead-letter queue, acknowledge it and continue"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_crash_return_and_requeue_on_decode_errors() {
        check(
            "poison-message-go",
            r#"
package consumer

import (
    "encoding/json"
    "log"

    "github.com/segmentio/kafka-go"
    "github.com/Shopify/sarama"
    amqp "github.com/rabbitmq/amqp091-go"
    "github.com/nats-io/nats.go"
)

func run(ctx context.Context, r *kafka.Reader) error {
    for {
        m, err := r.FetchMessage(ctx)
        if err != nil {
            return err
        }
        var evt Event
        if err := json.Unmarshal(m.Value, &evt); err != nil {
            return err
          //^^^^^^^^^^ poison-message-go
        }
        handle(evt)
    }
}

func (h handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
    for msg := range claim.Messages() {
        var evt Event
        err := proto.Unmarshal(msg.Value, &evt)
        if err != nil {
            log.Fatalf("bad message: %v", err)
          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ poison-message-go
        }
        sess.MarkMessage(msg, "")
    }
    return nil
}

func work(ch *amqp.Channel) {
    deliveries, _ := ch.Consume("orders", "", false, false, false, false, nil)
    for d := range deliveries {
        var o Order
        if err := json.Unmarshal(d.Body, &o); err != nil {
            d.Nack(false, true)
          //^^^^^^^^^^^^^^^^^^^ poison-message-go
            continue
        }
        d.Ack(false)
    }
}

func subscribe(nc *nats.Conn) {
    nc.Subscribe("orders", func(m *nats.Msg) {
        var o Order
        if err := json.Unmarshal(m.Data, &o); err != nil {
            panic(err)
          //^^^^^^^^^^ poison-message-go
        }
    })
}
"#,
        );
    }

    #[test]
    fn silent_with_dead_letter_skip_and_non_consumers() {
        check(
            "poison-message-go",
            r#"
package consumer

import (
    "encoding/json"
    "log"

    "github.com/segmentio/kafka-go"
    amqp "github.com/rabbitmq/amqp091-go"
    "github.com/nats-io/nats.go"
)

func run(ctx context.Context, r *kafka.Reader) error {
    for {
        m, err := r.FetchMessage(ctx)
        if err != nil {
            return err
        }
        var evt Event
        if err := json.Unmarshal(m.Value, &evt); err != nil {
            log.Printf("poison at %d: %v", m.Offset, err)
            dlq.WriteMessages(ctx, kafka.Message{Value: m.Value})
            r.CommitMessages(ctx, m)
            continue
        }
        if err := handle(evt); err != nil {
            return err
        }
    }
}

func work(deliveries <-chan amqp.Delivery) {
    for d := range deliveries {
        var o Order
        if err := json.Unmarshal(d.Body, &o); err != nil {
            d.Nack(false, false)
            continue
        }
        d.Ack(false)
    }
}

func subscribe(nc *nats.Conn) {
    nc.Subscribe("orders", func(m *nats.Msg) {
        var o Order
        if err := json.Unmarshal(m.Data, &o); err != nil {
            log.Printf("bad: %v", err)
            return
        }
    })
}

func loadConfig(path string) Config {
    var c Config
    for _, p := range paths {
        if err := json.Unmarshal(read(p), &c); err != nil {
            log.Fatalf("config: %v", err)
        }
    }
    return c
}
"#,
        );
    }

    #[test]
    fn websocket_read_message_is_not_kafka() {
        check(
            "poison-message-go",
            r#"
package ws

import (
    "encoding/json"

    "github.com/gorilla/websocket"
)

func read(c *websocket.Conn) error {
    for {
        _, data, err := c.ReadMessage()
        if err != nil {
            return err
        }
        var m Msg
        if err := json.Unmarshal(data, &m); err != nil {
            return err
        }
    }
}
"#,
        );
    }
}
