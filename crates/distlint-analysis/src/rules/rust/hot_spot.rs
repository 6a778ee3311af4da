//! `hot-partition-key` (category `hot-spot`): partition keys that are constant or built from the
//! current time.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::squash;
use crate::vocabulary::rust::TIME_KEY_SUBSTRINGS;

use super::helpers::{
    args_of, chain, enclosing_fn, is_screaming, let_name, method_call, own_nodes, peel,
};

/// The rule.
pub struct HotPartitionKey;

/// Registered instance.
pub static RULE: HotPartitionKey = HotPartitionKey;

static META: RuleMeta = RuleMeta {
    id: "hot-partition-key",
    language: Language::Rust,
    category: "hot-spot",
    severity: Severity::Minor,
    title: "Constant or time-based partition key",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds message partition keys that send every record to the same partition: the \
`.key(..)` of an rdkafka `FutureRecord::to(..)`/`BaseRecord::to(..)`, or a `.partition_key(..)` \
(Kinesis and similar builders), when the key is a string literal or a `CONSTANT`, or is built \
from the current time (`Utc::now()`, `SystemTime::now()`, `.timestamp()`, `UNIX_EPOCH`), \
directly or through a `let` in the same function.",
        why: "Partitioning spreads load only if keys spread:\n\n\
1. The producer keys every record with `\"orders\"` (or with the current minute).\n\
2. The partitioner hashes the key: all records (or all records of this minute) go to one \
partition, owned by one broker and read by one consumer.\n\
3. That broker's disk and network and that consumer's CPU saturate while the other partitions \
sit idle; adding partitions or consumers does not help.\n\
4. Consumer lag grows on the hot partition until messages expire unread (retention) or the \
broker falls behind on replication.\n\n\
Key by the entity whose order matters (order id, account id), which has many values.",
        known_problems: "- A constant key is sometimes deliberate, to get a total order over a \
low-volume topic; suppress it with the reason.\n\
- Keys built in another function are not followed.",
        example: "producer.send(FutureRecord::to(\"orders\").key(\"orders\").payload(&body), timeout).await;",
        use_instead: "producer.send(FutureRecord::to(\"orders\").key(&order.customer_id).payload(&body), timeout).await;",
        fix: "",
    },
};

fn is_record_chain(ctx: &Context<'_>, receiver: Node<'_>) -> bool {
    let (_, root) = chain(ctx, receiver);
    if root.kind() != "call_expression" {
        return false;
    }
    let Some(p) = crate::syntax::rust_call_path(ctx.source, root) else {
        return false;
    };
    p.ends_with("FutureRecord::to") || p.ends_with("BaseRecord::to")
}

fn time_text(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    TIME_KEY_SUBSTRINGS.iter().any(|x| l.contains(x))
}

/// Why `key` is a hot key, if it is one.
fn classify(ctx: &Context<'_>, call: Node<'_>, key: Node<'_>) -> Option<&'static str> {
    let k = peel(ctx, key);
    match k.kind() {
        "string_literal" => {
            return Some("constant partition key: every record goes to one partition")
        }
        "identifier" if is_screaming(ctx.text(k)) => {
            return Some("constant partition key: every record goes to one partition")
        }
        _ => {}
    }
    let time = "partition key from the current time: everything produced at the same moment lands on one partition";
    if time_text(ctx.text(k)) {
        return Some(time);
    }
    if k.kind() == "identifier" {
        let name = ctx.text(k);
        let f = enclosing_fn(call)?;
        let binding = own_nodes(f)
            .into_iter()
            .filter(|n| {
                n.kind() == "let_declaration"
                    && n.end_byte() <= call.start_byte()
                    && let_name(ctx, *n) == Some(name)
            })
            .last()?;
        let v = binding.child_by_field_name("value")?;
        if time_text(ctx.text(v)) {
            return Some(time);
        }
        let pv = peel(ctx, v);
        if pv.kind() == "string_literal" && !squash(ctx.text(pv)).contains('{') {
            return Some("constant partition key: every record goes to one partition");
        }
    }
    None
}

impl Rule for HotPartitionKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `.key(..)`/`.partition_key(..)` call.
        &[&["key"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        for n in crate::syntax::Walk::new(node) {
            let Some(m) = method_call(n) else { continue };
            let args = args_of(m.args);
            if args.len() != 1 {
                continue;
            }
            let relevant = match ctx.text(m.name) {
                "key" => is_record_chain(ctx, m.receiver),
                "partition_key" => true,
                _ => false,
            };
            if !relevant {
                continue;
            }
            if let Some(msg) = classify(ctx, n, args[0]) {
                out.push(Finding::new(&META, args[0].byte_range(), msg));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_constant_and_time_keys() {
        check(
            "hot-partition-key",
            r#"
use rdkafka::producer::FutureRecord;
const KEY: &str = "all";
async fn publish(producer: &FutureProducer, body: &[u8], kinesis: &aws_sdk_kinesis::Client) {
    producer.send(FutureRecord::to("orders").key("orders").payload(body), T).await.ok();
                                               //^^^^^^^^ hot-partition-key
    producer.send(FutureRecord::to("orders").key(KEY).payload(body), T).await.ok();
                                               //^^^ hot-partition-key
    let ts = chrono::Utc::now().timestamp().to_string();
    producer.send(FutureRecord::to("events").key(&ts).payload(body), T).await.ok();
                                               //^^^ hot-partition-key
    kinesis.put_record().stream_name("s").partition_key(chrono::Utc::now().format("%Y%m%d%H%M").to_string()).data(blob).send().await.ok();
                                                      //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ hot-partition-key
}
"#,
        );
    }

    #[test]
    fn silent_on_entity_keys_and_other_key_methods() {
        check(
            "hot-partition-key",
            r#"
use rdkafka::producer::FutureRecord;
async fn publish(producer: &FutureProducer, order: &Order, map: &mut HashMap<String, u8>) {
    producer.send(FutureRecord::to("orders").key(&order.customer_id).payload(b), T).await.ok();
    let key = format!("order-{}", order.id);
    producer.send(FutureRecord::to("orders").key(&key).payload(b), T).await.ok();
    let created = chrono::Utc::now();
    producer.send(FutureRecord::to("orders").key(&order.id.to_string()).payload(&created.to_rfc3339()), T).await.ok();
    let e = map.entry("x".into()).key();
    let k = btree.first_key_value().unwrap().0;
    cache.key("constant");
}
"#,
        );
    }
}
