//! `dual-write` (category `dual-write`): a database commit and a broker publish in one function.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};

use super::helpers::{args_of, broker_publish, code_has, functions, method_call, own_nodes};

/// The rule.
pub struct DualWrite;

/// Registered instance.
pub static RULE: DualWrite = DualWrite;

static META: RuleMeta = RuleMeta {
    id: "dual-write",
    language: Language::Rust,
    category: "dual-write",
    severity: Severity::Blocker,
    title: "Dual write: database commit and broker publish",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds a function that both commits a database transaction (`tx.commit()` with no \
arguments — sqlx, tokio-postgres, sea-orm, rusqlite — or a `transaction(|tx| …)` closure) and \
publishes to a message broker (rdkafka `send(FutureRecord::to(..), ..)`, lapin \
`basic_publish`, NATS/JetStream `publish(subject, payload)`), in either order, with no sign of a \
transactional outbox (`outbox` anywhere in the function). The finding is on the publish.",
        why: "Two systems, two writes, no atomicity:\n\n\
**Commit, then publish.** 1. The order row commits. 2. The process is killed by a deploy (or \
the broker is unreachable and the error is logged and dropped) before the publish. 3. The \
`OrderCreated` event is never sent: billing never charges, the warehouse never ships, and \
nothing retries because the database says the work is done.\n\n\
**Publish, then commit.** 1. The event goes out. 2. The commit fails (a constraint, a \
serialization failure, a crash). 3. Consumers act on an order that does not exist: an email \
for a purchase that was rolled back, a shipment with no order.\n\n\
The transactional outbox pattern writes the event to an `outbox` table in the same transaction \
as the row; a relay publishes it afterwards with retries, so the event is sent if and only if \
the row committed (at least once).",
        known_problems: "- Only commits and publishes visible in the same function are related; \
a publish in a helper called after the commit is not seen.\n\
- `publish` is recognised by name and argument count (see `swallowed-send-error`).\n\
- A publish that is deliberately best-effort (a cache-invalidation hint) is reported; suppress \
it with the reason.",
        example: "let mut tx = pool.begin().await?;\nsqlx::query(\"INSERT INTO orders (id, total) VALUES ($1, $2)\").bind(id).bind(total).execute(&mut *tx).await?;\ntx.commit().await?;\nproducer.send(FutureRecord::to(\"orders\").key(&id).payload(&event), Timeout::Never).await.map_err(|(e, _)| e)?;",
        use_instead: "let mut tx = pool.begin().await?;\nsqlx::query(\"INSERT INTO orders (id, total) VALUES ($1, $2)\").bind(id).bind(total).execute(&mut *tx).await?;\nsqlx::query(\"INSERT INTO outbox (topic, key, payload) VALUES ('orders', $1, $2)\").bind(id).bind(&event).execute(&mut *tx).await?;\ntx.commit().await?;\n// A relay task reads the outbox and publishes with retries.",
        fix: "",
    },
};

/// A transaction commit: `x.commit()` with no arguments, or the end of `x.transaction(|t| …)`.
/// Returns the byte offset at which the data becomes visible.
fn commit_point(ctx: &Context<'_>, call: Node<'_>) -> Option<usize> {
    let m = method_call(call)?;
    let args = args_of(m.args);
    match ctx.text(m.name) {
        "commit" if args.is_empty() => Some(call.start_byte()),
        "transaction" if args.iter().any(|a| a.kind() == "closure_expression") => {
            Some(call.end_byte())
        }
        _ => None,
    }
}

impl Rule for DualWrite {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a broker publish: `publish*`, `basic_publish`, or `send(..Record::to(..))`.
        &[&["publish", "Record::to"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        for f in functions(node) {
            let nodes = own_nodes(f);
            let commits: Vec<usize> = nodes.iter().filter_map(|n| commit_point(ctx, *n)).collect();
            if commits.is_empty() {
                continue;
            }
            let publishes: Vec<Node<'_>> = nodes
                .iter()
                .copied()
                .filter(|n| broker_publish(ctx, *n))
                .collect();
            if publishes.is_empty() || code_has(ctx, f, &["outbox"]) {
                continue;
            }
            for p in publishes {
                let after = commits.iter().any(|c| *c <= p.start_byte());
                let message = if after {
                    "publish after the database commit: a crash or broker error between them loses the event for a committed row (use an outbox)"
                } else {
                    "publish before the database commit: if the commit fails, consumers act on a row that never existed (use an outbox)"
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
    fn flags_commit_and_publish_in_either_order() {
        check(
            "dual-write",
            r#"
use rdkafka::producer::{FutureProducer, FutureRecord};
async fn create_order(pool: &PgPool, producer: &FutureProducer, order: Order) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO orders (id) VALUES ($1)").bind(order.id).execute(&mut *tx).await?;
    tx.commit().await?;
    producer.send(FutureRecord::to("orders").key(&order.id).payload(&body), Duration::ZERO).await.map_err(|(e, _)| e)?;
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ dual-write
    Ok(())
}
async fn cancel(client: &tokio_postgres::Client, js: &async_nats::jetstream::Context, id: i64) -> anyhow::Result<()> {
    let tx = client.transaction().await?;
    js.publish("orders.cancelled", id.to_string().into()).await?;
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ dual-write
    tx.execute("UPDATE orders SET state = 'cancelled' WHERE id = $1", &[&id]).await?;
    tx.commit().await?;
    Ok(())
}
"#,
        );
    }

    #[test]
    fn silent_with_outbox_or_without_both_writes() {
        check(
            "dual-write",
            r#"
use rdkafka::producer::{FutureProducer, FutureRecord};
async fn with_outbox(pool: &PgPool, order: Order) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO orders (id) VALUES ($1)").bind(order.id).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO outbox (topic, payload) VALUES ('orders', $1)").bind(&body).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
async fn relay(pool: &PgPool, producer: &FutureProducer) {
    let rows = sqlx::query("SELECT id, payload FROM outbox").fetch_all(pool).await.unwrap();
    for r in rows { producer.send(FutureRecord::to("orders").payload(&r.payload), Duration::ZERO).await.ok(); }
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM outbox").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
}
async fn only_publish(producer: &FutureProducer) {
    producer.send(FutureRecord::to("t").payload("x"), Duration::ZERO).await.ok();
}
async fn only_commit(pool: &PgPool, tx_events: tokio::sync::mpsc::Sender<u8>) {
    let tx = pool.begin().await.unwrap();
    tx.commit().await.unwrap();
    tx_events.send(1).await.unwrap();
    consumer.commit(&offsets, CommitMode::Sync).unwrap();
}
"#,
        );
    }
}
