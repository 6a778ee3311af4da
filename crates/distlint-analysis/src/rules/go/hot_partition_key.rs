//! `hot-partition-key-go` (category `hot-spot`): Kafka message keys that are constants or
//! timestamps.

use tree_sitter::Node;

use super::helpers::{is_time_now, selector_in_pkg};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;

/// The rule.
pub struct HotPartitionKey;

/// Registered instance.
pub static RULE: HotPartitionKey = HotPartitionKey;

static META: RuleMeta = RuleMeta {
    id: "hot-partition-key-go",
    language: Language::Go,
    category: "hot-spot",
    severity: Severity::Minor,
    title: "Partition key from a constant or a timestamp",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds the `Key` of a kafka-go `kafka.Message{...}` or sarama \
`sarama.ProducerMessage{...}` literal when it is a constant (`[]byte(\"orders\")`, \
`sarama.StringEncoder(\"global\")`, a string literal) or is built from `time.Now()`. The finding \
sits on the key expression.",
        why: "The key picks the partition (hash of the key modulo the partition count):\n\n\
1. Every message is produced with the key `\"orders\"`, so every message hashes to the same \
partition.\n\
2. That partition's leader broker takes all the write load, and only one consumer in the group \
— the one that owns the partition — does any work, however many consumers are deployed.\n\
3. Under a traffic peak the one consumer falls behind; lag grows on that partition while the \
other partitions sit idle, and scaling out the consumer group does nothing.\n\n\
A timestamp key does the same in bursts: every message produced within the same second (or \
millisecond) goes to one partition. Key by the entity whose order matters (order id, account \
id), or leave the key empty for round-robin when no ordering is needed.",
        known_problems: "- A single partition can be deliberate when a global total order is \
required; suppress with a reason.\n\
- Keys built in a helper or stored in a variable first are not followed.",
        example: "w.WriteMessages(ctx, kafka.Message{Key: []byte(\"orders\"), Value: payload})",
        use_instead: "w.WriteMessages(ctx, kafka.Message{Key: []byte(order.ID), Value: payload})",
        fix: "",
    },
};

/// True when `lit` is a `kafka.Message` or `sarama.ProducerMessage` literal.
fn is_message_literal(ctx: &Context<'_>, lit: Node<'_>) -> bool {
    let Some(ty) = lit.child_by_field_name("type") else {
        return false;
    };
    let kafka = selector_in_pkg(ctx, ty, |p| p == "github.com/segmentio/kafka-go")
        .is_some_and(|n| n == "Message");
    let sarama = selector_in_pkg(ctx, ty, |p| {
        p == "github.com/Shopify/sarama" || p == "github.com/IBM/sarama"
    })
    .is_some_and(|n| n == "ProducerMessage");
    kafka || sarama
}

/// Why the key expression is a hot spot, if it is.
fn hot_key(ctx: &Context<'_>, key: Node<'_>) -> Option<&'static str> {
    if Walk::new(key).any(|n| is_time_now(ctx, n)) {
        return Some("is built from `time.Now()`: every message produced in the same instant goes to the same partition");
    }
    // A constant: only string literals, conversions and encoders around them.
    let mut has_literal = false;
    let mut walk = Walk::new(key);
    while let Some(n) = walk.next() {
        match n.kind() {
            "interpreted_string_literal" | "raw_string_literal" => {
                has_literal = true;
                walk.skip_subtree();
            }
            "call_expression"
            | "type_conversion_expression"
            | "argument_list"
            | "slice_type"
            | "parenthesized_expression"
            | "("
            | ")"
            | "["
            | "]"
            | ","
            | "type_identifier" => {}
            "identifier" => {
                // Conversion callees only: `string`, `byte`.
                if !matches!(ctx.text(n), "byte" | "string") {
                    return None;
                }
            }
            "selector_expression" => {
                // `sarama.StringEncoder` / `sarama.ByteEncoder` as the callee.
                let is_callee = n.parent().is_some_and(|p| {
                    p.kind() == "call_expression" && p.child_by_field_name("function") == Some(n)
                });
                if !is_callee || !ctx.text(n).ends_with("Encoder") {
                    return None;
                }
                walk.skip_subtree();
            }
            _ => return None,
        }
    }
    has_literal.then_some(
        "is a constant: every message goes to the same partition, so one broker and one consumer take all the load",
    )
}

impl Rule for HotPartitionKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `Key:` field.
        &[&["Key"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        for lit in Walk::new(node) {
            if lit.kind() != "composite_literal" || !is_message_literal(ctx, lit) {
                continue;
            }
            let Some(body) = lit.child_by_field_name("body") else {
                continue;
            };
            let mut c = body.walk();
            for el in body.named_children(&mut c) {
                if el.kind() != "keyed_element" {
                    continue;
                }
                let (Some(k), Some(v)) = (el.named_child(0), el.named_child(1)) else {
                    continue;
                };
                if ctx.text(k).trim() != "Key" {
                    continue;
                }
                let v = if v.kind() == "literal_element" {
                    v.named_child(0).unwrap_or(v)
                } else {
                    v
                };
                if let Some(why) = hot_key(ctx, v) {
                    out.push(Finding::new(
                        &META,
                        v.byte_range(),
                        format!("partition key `{}` {why}", ctx.text(v)),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_constant_and_timestamp_keys() {
        check(
            "hot-partition-key-go",
            r#"
package producer

import (
    "strconv"
    "time"

    "github.com/Shopify/sarama"
    "github.com/segmentio/kafka-go"
)

func send(ctx context.Context, w *kafka.Writer, p sarama.SyncProducer, payload []byte) {
    w.WriteMessages(ctx, kafka.Message{Key: []byte("orders"), Value: payload})
                                          //^^^^^^^^^^^^^^^^ hot-partition-key-go
    p.SendMessage(&sarama.ProducerMessage{Topic: "t", Key: sarama.StringEncoder("global")})
                                                         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ hot-partition-key-go
    w.WriteMessages(ctx, kafka.Message{Key: []byte(strconv.FormatInt(time.Now().Unix(), 10))})
                                          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ hot-partition-key-go
}
"#,
        );
    }

    #[test]
    fn silent_for_entity_keys_and_other_types() {
        check(
            "hot-partition-key-go",
            r#"
package producer

import (
    "time"

    "github.com/Shopify/sarama"
    kafka "github.com/segmentio/kafka-go"
)

func send(ctx context.Context, w *kafka.Writer, p sarama.SyncProducer, o Order) {
    w.WriteMessages(ctx, kafka.Message{Key: []byte(o.ID), Value: o.Payload})
    w.WriteMessages(ctx, kafka.Message{Value: o.Payload, Time: time.Now()})
    p.SendMessage(&sarama.ProducerMessage{Topic: "t", Key: sarama.StringEncoder(o.Account)})
    m := Message{Key: []byte("constant")}
    _ = cache.Entry{Key: "global"}
    _ = m
}
"#,
        );
    }
}
