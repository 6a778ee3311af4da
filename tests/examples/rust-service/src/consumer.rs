//! Consumes payment events from Kafka and NATS JetStream.

use futures::StreamExt;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::Message;

use crate::events::PaymentCaptured;

pub async fn run_payments(consumer: StreamConsumer) -> anyhow::Result<()> {
    consumer.subscribe(&["payments"])?;
    loop {
        let msg = consumer.recv().await?;
        let payload = msg.payload().unwrap_or_default();
        // Footgun: one malformed event ends the loop; on restart it is read again, forever.
        let event: PaymentCaptured = serde_json::from_slice(payload)?;
        apply_payment(event).await?;
    }
}

async fn apply_payment(_e: PaymentCaptured) -> anyhow::Result<()> {
    Ok(())
}

pub async fn run_refunds(js: async_nats::jetstream::Context) -> anyhow::Result<()> {
    let stream = js.get_stream("REFUNDS").await?;
    // Footgun: no max_deliver — a refund that always fails is redelivered forever.
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            durable_name: Some("refunds".into()),
            ..Default::default()
        })
        .await?;
    let mut messages = consumer.messages().await?;
    while let Some(message) = messages.next().await {
        let message = message.map_err(|e| anyhow::anyhow!(e))?;
        let refund: PaymentCaptured = serde_json::from_slice(&message.payload).unwrap();
        apply_payment(refund).await?;
        message.ack().await.map_err(|e| anyhow::anyhow!(e))?;
    }
    Ok(())
}
