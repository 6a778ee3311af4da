//! Client for the warehouse inventory service, used by the order pipeline.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tracing::instrument;

#[derive(Debug, Serialize)]
struct ReserveRequest<'a> {
    order_id: &'a str,
    sku: &'a str,
    quantity: u32,
}

#[derive(Debug, Deserialize)]
pub struct Reservation {
    pub reservation_id: String,
    pub expires_in_secs: u64,
}

#[derive(Debug, Deserialize)]
pub struct StockLevel {
    pub sku: String,
    pub available: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("out of stock: {0}")]
    OutOfStock(String),
    #[error("inventory service: {0}")]
    Http(#[from] reqwest::Error),
}

/// Settings read from the service configuration.
#[derive(Clone, Debug, Deserialize)]
pub struct InventoryConfig {
    pub base_url: String,
    pub user_agent: String,
    #[serde(default = "default_pool_idle")]
    pub pool_idle_secs: u64,
}

fn default_pool_idle() -> u64 {
    90
}

pub struct InventoryClient {
    base_url: String,
    client: reqwest::Client,
}

impl InventoryClient {
    pub fn from_config(cfg: &InventoryConfig) -> Result<Self, InventoryError> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .pool_idle_timeout(Duration::from_secs(cfg.pool_idle_secs))
            .pool_max_idle_per_host(16)
            .build()?;
        Ok(Self {
            base_url: cfg.base_url.trim_end_matches('/').to_string(),
            client,
        })
    }

    #[instrument(skip(self))]
    pub async fn stock(&self, sku: &str) -> Result<StockLevel, InventoryError> {
        let url = format!("{}/v1/stock/{}", self.base_url, sku);
        Ok(self
            .client
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    #[instrument(skip(self))]
    pub async fn reserve(
        &self,
        order_id: &str,
        sku: &str,
        quantity: u32,
    ) -> Result<Reservation, InventoryError> {
        let resp = self
            .client
            .post(format!("{}/v1/reservations", self.base_url))
            .header("idempotency-key", format!("{order_id}:{sku}"))
            .json(&ReserveRequest {
                order_id,
                sku,
                quantity,
            })
            .send()
            .await?;
        if resp.status() == reqwest::StatusCode::CONFLICT {
            return Err(InventoryError::OutOfStock(sku.to_string()));
        }
        Ok(resp.error_for_status()?.json().await?)
    }
}
