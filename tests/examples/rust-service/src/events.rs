//! Wire types shared with other services.

use serde::{Deserialize, Serialize};

/// HTTP request body for `POST /orders`.
#[derive(Debug, Deserialize, Serialize)]
// Footgun: a newer client adding one field gets 400 from every old instance.
#[serde(deny_unknown_fields)]
pub struct CreateOrder {
    pub customer_id: String,
    pub total_cents: i64,
}

#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct Order {
    pub id: uuid::Uuid,
    pub customer_id: String,
    pub total_cents: i64,
}

#[derive(Debug, Serialize, Deserialize, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub name: String,
}

/// Kafka event from the payments service. Tolerant: unknown fields are ignored.
#[derive(Debug, Deserialize)]
pub struct PaymentCaptured {
    pub order_id: uuid::Uuid,
    pub amount_cents: i64,
}

pub struct ApiError(anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

pub fn decode_create(body: &[u8]) -> serde_json::Result<CreateOrder> {
    serde_json::from_slice::<CreateOrder>(body)
}
