//! `swallowed-send-error` (category `observability`): results of network sends discarded.

use tree_sitter::Node;

use crate::language::Language;
use crate::rule::{Context, Finding, Rule, RuleDocs, RuleMeta, Scope, Severity};
use crate::syntax::Walk;
use crate::vocabulary::rust::{
    BROKER_CRATES_BUT_AMQPRS, OUTGOING_REQUEST_METHODS, PUBLISHER_NAME_WORDS,
};

use super::helpers::{args_of, chain, handle_name, method_call, name_has, MethodCall};

/// The rule.
pub struct SwallowedSendError;

/// Registered instance.
pub static RULE: SwallowedSendError = SwallowedSendError;

static META: RuleMeta = RuleMeta {
    id: "swallowed-send-error",
    language: Language::Rust,
    category: "observability",
    severity: Severity::Nit,
    title: "Network send result discarded",
    scope: Scope::Unit,
    default_enabled: true,
    docs: RuleDocs {
        what: "Finds the result of a network send or publish thrown away with `let _ = …;` or \
`….ok();`: reqwest requests (`client.post(url)….send().await`), Kafka \
`producer.send(FutureRecord::to(..), ..)`, lapin `basic_publish`, and `publish(subject, payload)` \
on NATS/Redis/AMQP handles (when the file uses `async_nats`, `lapin`, `rdkafka` or `redis`, or \
the receiver is named like a client, producer or publisher). Silent on in-process channel \
`send`s (`let _ = tx.send(x)` for a dropped receiver is a common, deliberate idiom) and on \
results propagated with `?`.",
        why: "A discarded send error is a failure that leaves no trace:\n\n\
1. The broker's credentials rotate, or the downstream service starts returning 503.\n\
2. Every publish fails, and `let _ =` drops the error: no log line, no metric, no retry.\n\
3. Dashboards stay green while events stop flowing; consumers downstream silently starve.\n\
4. Days later someone notices missing data; the window of lost events cannot be reconstructed \
because nothing recorded which sends failed.",
        known_problems: "- A send whose failure is genuinely irrelevant (a best-effort \
notification) is reported; suppress with the reason, or log at debug level.\n\
- `publish` is recognised by name and argument count; a local event bus with a \
`publish(topic, event)` method is reported when the file also uses a broker crate.\n\
- Results bound to a named variable and then ignored are not followed.",
        example: "let _ = producer.send(FutureRecord::to(\"orders\").key(&id).payload(&body), Timeout::Never).await;",
        use_instead: "if let Err((e, _)) = producer\n    .send(FutureRecord::to(\"orders\").key(&id).payload(&body), Timeout::Never)\n    .await\n{\n    tracing::warn!(error = %e, order = %id, \"order event not published\");\n    metrics::counter!(\"order_events_failed\").increment(1);\n}",
        fix: "",
    },
};

fn file_uses_broker(ctx: &Context<'_>) -> bool {
    ctx.imports
        .names
        .values()
        .chain(ctx.imports.globs.iter())
        .any(|p| {
            let first = p.split("::").next().unwrap_or("");
            BROKER_CRATES_BUT_AMQPRS.contains(&first)
        })
}

/// Whether the discarded value `v` is the result of a network send; the call to point at.
pub fn network_send<'t>(ctx: &Context<'_>, v: Node<'t>) -> Option<MethodCall<'t>> {
    let (calls, _root) = chain(ctx, v);
    let outer = *calls.first()?;
    let name = ctx.text(outer.name);
    let args = args_of(outer.args);
    match name {
        "basic_publish" => Some(outer),
        "send" if args.is_empty() => calls[1..]
            .iter()
            .any(|m| {
                OUTGOING_REQUEST_METHODS.contains(&ctx.text(m.name)) && !args_of(m.args).is_empty()
            })
            .then_some(outer),
        "send" => {
            let first = ctx.text(args[0]);
            (first.contains("Record::to(") || first.contains("Record::to::<")).then_some(outer)
        }
        "publish" | "publish_with_headers" | "publish_with_reply" if args.len() >= 2 => {
            let recv = handle_name(ctx, outer.receiver).unwrap_or("");
            (file_uses_broker(ctx) || name_has(recv, PUBLISHER_NAME_WORDS)).then_some(outer)
        }
        _ => None,
    }
}

impl Rule for SwallowedSendError {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn literals(&self) -> &'static [&'static [&'static str]] {
        // A finding needs a `send`/`publish*`/`basic_publish` call.
        &[&["send", "publish"]]
    }

    fn check(&self, ctx: &Context<'_>, node: Node<'_>, out: &mut Vec<Finding>) {
        if super::helpers::skip_test_file(ctx) {
            return;
        }
        for n in Walk::new(node) {
            let discarded = match n.kind() {
                "let_declaration" => {
                    let is_wild = n
                        .child_by_field_name("pattern")
                        .is_some_and(|p| ctx.text(p) == "_");
                    if !is_wild {
                        continue;
                    }
                    n.child_by_field_name("value")
                }
                "expression_statement" => {
                    let Some(e) = n.named_child(0) else { continue };
                    match method_call(e) {
                        Some(m) if ctx.text(m.name) == "ok" && args_of(m.args).is_empty() => {
                            Some(m.receiver)
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            let Some(v) = discarded else { continue };
            // `let _ = x.send().await?;` propagates the error.
            if v.kind() == "try_expression" {
                continue;
            }
            if let Some(send) = network_send(ctx, v) {
                out.push(Finding::new(
                    &META,
                    send.call.byte_range(),
                    "network send result discarded: when it fails nothing is logged, counted or retried",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::check;

    #[test]
    fn flags_discarded_network_sends() {
        check(
            "swallowed-send-error",
            r#"
use rdkafka::producer::{FutureProducer, FutureRecord};
async fn notify(client: &reqwest::Client, producer: &FutureProducer, nats: &async_nats::Client, ch: &lapin::Channel) {
    let _ = client.post("http://billing/charge").json(&body).send().await;
          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ swallowed-send-error
    let _ = producer.send(FutureRecord::to("orders").key("k").payload("p"), Duration::from_secs(0)).await;
          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ swallowed-send-error
    nats.publish("orders.created", payload.into()).await.ok();
  //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ swallowed-send-error
    let _ = ch.basic_publish("", "q", BasicPublishOptions::default(), &body, props).await;
          //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ swallowed-send-error
}
"#,
        );
    }

    #[test]
    fn silent_on_channels_propagation_and_handled_errors() {
        check(
            "swallowed-send-error",
            r#"
async fn run(tx: tokio::sync::mpsc::Sender<u8>, client: reqwest::Client, bus: EventBus) -> anyhow::Result<()> {
    let _ = tx.send(1).await;
    let _ = done_tx.send(());
    let _ = client.post(url).send().await?;
    let resp = client.post(url).send().await;
    if let Err(e) = client.post(url).send().await { tracing::warn!(%e, "failed"); }
    bus.publish("topic", event);
    let _ = bus.publish(event);
    let _ = local.publish("topic", event);
    client.get(url).send().await.ok()?;
    let _ = file.write_all(b"x");
    Ok(())
}
"#,
        );
    }
}
