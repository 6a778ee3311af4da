//! Consumes `shipment.updated` events from Kafka and updates the tracking projection.

use std::time::Duration;

use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::ClientConfig;
use serde::Deserialize;
use sqlx::PgPool;
use tracing::{error, info};

#[derive(Debug, Deserialize)]
struct ShipmentUpdated {
    shipment_id: String,
    status: String,
    carrier: String,
    updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, thiserror::Error)]
enum ConsumeError {
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error("message has no payload at offset {0}")]
    EmptyPayload(i64),
    #[error("decode: {0}")]
    Decode(#[from] serde_json::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

pub struct TrackingProjector {
    consumer: StreamConsumer,
    pool: PgPool,
}

impl TrackingProjector {
    pub fn new(
        brokers: &str,
        group: &str,
        pool: PgPool,
    ) -> Result<Self, rdkafka::error::KafkaError> {
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .create()?;
        consumer.subscribe(&["shipment.updated"])?;
        Ok(Self { consumer, pool })
    }

    fn decode(msg: &BorrowedMessage<'_>) -> Result<ShipmentUpdated, ConsumeError> {
        let payload = msg
            .payload()
            .ok_or(ConsumeError::EmptyPayload(msg.offset()))?;
        Ok(serde_json::from_slice(payload)?)
    }

    async fn apply(&self, event: &ShipmentUpdated) -> Result<(), ConsumeError> {
        sqlx::query(
            "INSERT INTO tracking (shipment_id, status, carrier, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (shipment_id) DO UPDATE SET status = $2, carrier = $3, updated_at = $4
             WHERE tracking.updated_at < $4",
        )
        .bind(&event.shipment_id)
        .bind(&event.status)
        .bind(&event.carrier)
        .bind(event.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn consume(&self) -> Result<(), ConsumeError> {
        loop {
            let msg = self.consumer.recv().await?;
            let event = Self::decode(&msg)?;
            self.apply(&event).await?;
            self.consumer.commit_message(&msg, CommitMode::Async)?;
            info!(shipment = %event.shipment_id, status = %event.status, "tracking updated");
        }
    }

    /// Runs the projector until it fails; the process exits and the supervisor restarts it
    /// from the last committed offset.
    pub async fn run(self) -> Result<(), ConsumeError> {
        self.consume().await
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt::init();
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = PgPool::connect(&url)
        .await
        .expect("connect to the database");
    let brokers = std::env::var("KAFKA_BROKERS").unwrap_or_else(|_| "localhost:9092".into());
    let projector = TrackingProjector::new(&brokers, "tracking-projector", pool).expect("consumer");
    if let Err(err) = projector.run().await {
        error!(%err, "projector failed; exiting");
        tokio::time::sleep(Duration::from_secs(1)).await;
        std::process::exit(1);
    }
}
