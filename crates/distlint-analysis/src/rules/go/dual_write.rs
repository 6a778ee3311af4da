//! `dual-write-go` (category `dual-write`): a database transaction commit and a broker publish
//! in one function, with no transactional outbox.

use tree_sitter::Node;

use super::helpers::{
    arg_count, assigned_to, call_name, callee, functions, imports_any, own_nodes, words,
};
use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::vocabulary::go::{BROKER_IMPORTS_WITH_SNS_SQS, PUBLISH_METHODS, TX_NAMES};

/// The rule.
pub struct DualWrite;

/// Registered instance.
pub static RULE: DualWrite = DualWrite;

static META: RuleMeta = RuleMeta {
    id: "dual-write-go",
    language: Language::Go,
    category: "dual-write",
    severity: Severity::Blocker,
    title: "Database commit and broker publish without an outbox",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds a function that commits a database transaction (`tx.Commit()` on a value \
from `Begin`/`BeginTx`, or a receiver named `tx`/`txn`/`transaction`) and publishes to a \
message broker (`WriteMessages`, `Publish`, `PublishWithContext`, `PublishMsg`, `SendMessage`, \
`SendMessages`, `Produce`) in a file that imports a broker client (kafka-go, sarama, nats, \
amqp, confluent-kafka-go, Google Pub/Sub, AWS SNS/SQS, go-redis), in either order, when nothing \
in the file mentions an outbox. The finding sits on the publish call.",
        why: "The database and the broker are two systems with no shared transaction:\n\n\
**Commit, then publish.**\n\
1. `CreateOrder` commits the order row.\n\
2. The process is killed by a deploy (or the broker is unreachable and the error is logged) \
before `WriteMessages` returns.\n\
3. The order exists but `OrderCreated` was never sent: billing, shipping and search never hear \
of it, and nothing retries, because the request already succeeded.\n\n\
**Publish, then commit.**\n\
1. The event is sent, then the commit fails (serialization failure, constraint, timeout).\n\
2. Consumers ship an order that does not exist; a consumer that reads it back gets 404.\n\n\
The transactional outbox fixes both: insert the event into an `outbox` table in the same \
transaction, and let a relay (or CDC such as Debezium) publish committed rows at least once.",
        known_problems: "- A publish that is deliberately best-effort (a cache-invalidation \
hint, a metric) is reported; suppress with a reason.\n\
- Commits and publishes split across functions (a repository commits, the service publishes) \
are not related.\n\
- Any mention of `outbox` in the file silences the rule for the whole file.",
        example: "tx, _ := db.BeginTx(ctx, nil)\n\
tx.ExecContext(ctx, `INSERT INTO orders ...`, o.ID)\n\
if err := tx.Commit(); err != nil {\n\treturn err\n}\n\
return w.WriteMessages(ctx, kafka.Message{Key: []byte(o.ID), Value: payload})",
        use_instead: "tx, _ := db.BeginTx(ctx, nil)\n\
tx.ExecContext(ctx, `INSERT INTO orders ...`, o.ID)\n\
tx.ExecContext(ctx, `INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, $3)`, \"orders\", o.ID, payload)\n\
return tx.Commit() // a relay publishes outbox rows after commit, at least once",
        fix: "",
    },
};

/// Case-insensitive search for `outbox` without allocating a lower-cased copy of the file.
fn mentions_outbox(source: &str) -> bool {
    source
        .as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"outbox"))
}

impl Rule for DualWrite {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `Commit()` and a publish method.
        &[&["Commit"], PUBLISH_METHODS]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if !imports_any(ctx, BROKER_IMPORTS_WITH_SNS_SQS) {
            return;
        }
        for func in functions(node) {
            let nodes = own_nodes(func);
            // Variables bound to `x.Begin*()` results in this function.
            let mut tx_vars: Vec<&str> = Vec::new();
            for n in &nodes {
                if n.kind() == "call_expression"
                    && call_name(ctx.source, *n).is_some_and(|m| m.starts_with("Begin"))
                {
                    if let Some(v) = assigned_to(*n) {
                        tx_vars.push(ctx.text(v));
                    }
                }
            }
            let mut commit: Option<Node<'_>> = None;
            let mut publishes: Vec<(Node<'_>, &str)> = Vec::new();
            for n in &nodes {
                if n.kind() != "call_expression" {
                    continue;
                }
                let Some((Some(recv), name)) = callee(ctx.source, *n) else {
                    continue;
                };
                let recv_text = ctx.text(recv);
                if name == "Commit" && arg_count(*n) == 0 {
                    let last = words(recv_text).pop().unwrap_or_default();
                    if tx_vars.contains(&recv_text) || TX_NAMES.contains(&last.as_str()) {
                        commit.get_or_insert(*n);
                    }
                } else if PUBLISH_METHODS.contains(&name) {
                    publishes.push((*n, name));
                }
            }
            let Some(commit) = commit else { continue };
            if publishes.is_empty() || mentions_outbox(ctx.source) {
                continue;
            }
            for (p, name) in publishes {
                let message = if p.start_byte() < commit.start_byte() {
                    format!("`{name}` sends the event before the transaction commits: if the commit fails, consumers act on a record that does not exist; write it to an outbox table in the transaction instead")
                } else {
                    format!("`{name}` after `Commit()`: a crash or broker error between the two loses the event for a committed record; write it to an outbox table in the transaction instead")
                };
                out.push(Finding::new(&META, p.byte_range(), message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_publish_after_and_before_commit() {
        check(
            "dual-write-go",
            r#"
package orders

import (
    "database/sql"

    "github.com/segmentio/kafka-go"
)

func (s *Service) Create(ctx context.Context, o Order) error {
    tx, err := s.db.BeginTx(ctx, nil)
    if err != nil {
        return err
    }
    if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id) VALUES ($1)`, o.ID); err != nil {
        tx.Rollback()
        return err
    }
    if err := tx.Commit(); err != nil {
        return err
    }
    return s.writer.WriteMessages(ctx, kafka.Message{Key: []byte(o.ID)})
         //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ dual-write-go
}

func (s *Service) Cancel(ctx context.Context, id string) error {
    t, _ := s.db.Begin()
    s.writer.WriteMessages(ctx, kafka.Message{Key: []byte(id)})
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ dual-write-go
    t.Exec(`UPDATE orders SET cancelled = true WHERE id = $1`, id)
    return t.Commit()
}
"#,
        );
    }

    #[test]
    fn silent_without_commit_broker_or_with_outbox() {
        check(
            "dual-write-go",
            r#"
package orders

import (
    "github.com/Shopify/sarama"
)

func (h handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
    for msg := range claim.Messages() {
        h.producer.SendMessage(&sarama.ProducerMessage{Topic: "out", Value: sarama.ByteEncoder(msg.Value)})
        sess.MarkMessage(msg, "")
        sess.Commit()
    }
    return nil
}

func (s *Service) Publish(ctx context.Context, o Order) error {
    _, err := s.producer.SendMessage(&sarama.ProducerMessage{Topic: "orders"})
    return err
}

func (s *Service) Save(ctx context.Context, o Order) error {
    tx, _ := s.db.Begin()
    tx.Exec(`INSERT INTO orders (id) VALUES ($1)`, o.ID)
    return tx.Commit()
}

func (s *Service) Txn(ctx context.Context) error {
    s.producer.BeginTxn()
    s.producer.SendMessage(&sarama.ProducerMessage{Topic: "orders"})
    return s.producer.CommitTxn()
}
"#,
        );
        check(
            "dual-write-go",
            r#"
package orders

func (s *Service) Create(ctx context.Context, o Order) error {
    tx, _ := s.db.BeginTx(ctx, nil)
    tx.Exec(`INSERT INTO orders (id) VALUES ($1)`, o.ID)
    tx.Commit()
    s.bus.Publish("order.created", o)
    return nil
}
"#,
        );
        check(
            "dual-write-go",
            r#"
package orders

import "github.com/nats-io/nats.go"

func (s *Service) Create(ctx context.Context, o Order, nc *nats.Conn) error {
    tx, _ := s.db.BeginTx(ctx, nil)
    tx.Exec(`INSERT INTO orders (id) VALUES ($1)`, o.ID)
    tx.Exec(`INSERT INTO outbox (subject, payload) VALUES ($1, $2)`, "orders", o.ID)
    if err := tx.Commit(); err != nil {
        return err
    }
    nc.Publish("orders.wakeup", nil)
    return nil
}
"#,
        );
    }
}
