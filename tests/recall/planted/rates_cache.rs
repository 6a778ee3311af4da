//! Caches FX rates from the treasury service for the pricing endpoints.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde::Deserialize;
use tokio::sync::RwLock;
use tracing::debug;

const RATE_TTL: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, Deserialize)]
pub struct Rate {
    pub base: String,
    pub quote: String,
    pub mid: Decimal,
}

#[derive(Clone)]
struct Cached {
    rate: Rate,
    fetched: Instant,
}

#[derive(Debug, thiserror::Error)]
pub enum RateError {
    #[error("treasury: {0}")]
    Treasury(#[from] reqwest::Error),
    #[error("unsupported pair {0}/{1}")]
    Unsupported(String, String),
}

#[derive(Clone)]
pub struct RatesCache {
    http: reqwest::Client,
    treasury_url: String,
    entries: Arc<RwLock<HashMap<(String, String), Cached>>>,
}

impl RatesCache {
    pub fn new(treasury_url: String) -> reqwest::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(3))
            .build()?;
        Ok(Self {
            http,
            treasury_url,
            entries: Arc::new(RwLock::new(HashMap::new())),
        })
    }

    async fn fetch(&self, base: &str, quote: &str) -> Result<Rate, RateError> {
        let resp = self
            .http
            .get(format!("{}/rates/{}/{}", self.treasury_url, base, quote))
            .send()
            .await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(RateError::Unsupported(base.into(), quote.into()));
        }
        Ok(resp.error_for_status()?.json().await?)
    }

    /// Returns the mid rate for base/quote, at most `RATE_TTL` old.
    pub async fn rate(&self, base: &str, quote: &str) -> Result<Rate, RateError> {
        let key = (base.to_string(), quote.to_string());
        let hit = {
            let entries = self.entries.read().await;
            entries
                .get(&key)
                .filter(|c| c.fetched.elapsed() < RATE_TTL)
                .map(|c| c.rate.clone())
        };
        if let Some(rate) = hit {
            return Ok(rate);
        }

        debug!(base, quote, "rate cache miss");
        let rate = self.fetch(base, quote).await?;
        self.entries.write().await.insert(
            key,
            Cached {
                rate: rate.clone(),
                fetched: Instant::now(),
            },
        );
        Ok(rate)
    }
}
