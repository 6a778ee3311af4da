//! Charging customers through the payment provider: `retry-idempotency`, `unbounded-retry`,
//! `retry-backoff`.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use serde::Serialize;

#[derive(Serialize)]
pub struct Charge {
    pub order_id: u64,
    pub amount_cents: u64,
}

/// Retries a POST without an idempotency key: a lost response double-charges the customer.
/// The loop also never gives up and always waits the same 200 ms.
pub async fn charge(client: &reqwest::Client, url: &str, charge: &Charge) -> reqwest::Response {
    loop {
        match client.post(url).json(charge).send().await {
            Ok(resp) => break resp,
            Err(err) => {
                tracing::warn!(%err, "charge failed, retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// The key is made inside the retried closure: every attempt carries a new one.
pub async fn refund(client: &reqwest::Client, url: &str) -> reqwest::Result<reqwest::Response> {
    (|| async {
        let key = uuid::Uuid::new_v4().to_string();
        client.post(url).header("Idempotency-Key", key).send().await
    })
    .retry(ExponentialBuilder::default().with_max_times(4))
    .await
}

/// Fine: one key for all attempts, bounded, jittered.
pub async fn capture(client: &reqwest::Client, url: &str) -> reqwest::Result<reqwest::Response> {
    let key = uuid::Uuid::new_v4();
    (|| async move {
        client
            .post(url)
            .header("Idempotency-Key", key.to_string())
            .send()
            .await
    })
    .retry(ExponentialBuilder::default().with_jitter().with_max_times(4))
    .await
}
