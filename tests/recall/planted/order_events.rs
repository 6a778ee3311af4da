//! Consumes order lifecycle events published by the checkout service (a separate team,
//! deployed on its own schedule) and keeps the fulfilment queue up to date.

use serde::Deserialize;
use sqlx::PgPool;
use tracing::{info, warn};

/// Shared settings for every message type this service reads from other teams' topics.
macro_rules! wire_message {
    ($item:item) => {
        #[derive(Debug, Clone, Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        $item
    };
}

wire_message! {
    pub struct OrderLine {
        pub sku: String,
        pub quantity: u32,
    }
}

wire_message! {
    pub struct OrderPaid {
        pub order_id: String,
        pub customer_id: String,
        pub lines: Vec<OrderLine>,
        pub shipping_method: String,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    #[error("malformed order event: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

pub struct FulfilmentQueue {
    pool: PgPool,
}

impl FulfilmentQueue {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Handles one `order.paid` payload. Malformed payloads are acknowledged and dropped by the
    /// caller after this returns `Malformed`.
    pub async fn on_order_paid(&self, payload: &[u8]) -> Result<(), HandleError> {
        let event: OrderPaid = serde_json::from_slice(payload)?;
        if event.lines.is_empty() {
            warn!(order = %event.order_id, "paid order without lines");
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for line in &event.lines {
            sqlx::query(
                "INSERT INTO picks (order_id, sku, quantity, shipping_method) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (order_id, sku) DO NOTHING",
            )
            .bind(&event.order_id)
            .bind(&line.sku)
            .bind(line.quantity as i32)
            .bind(&event.shipping_method)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        info!(order = %event.order_id, lines = event.lines.len(), "queued for picking");
        Ok(())
    }

    /// Dispatches a message by subject; unknown subjects are ignored.
    pub async fn handle(&self, subject: &str, payload: &[u8]) -> Result<(), HandleError> {
        match subject {
            "order.paid" => self.on_order_paid(payload).await,
            other => {
                info!(subject = other, "ignoring event");
                Ok(())
            }
        }
    }
}
