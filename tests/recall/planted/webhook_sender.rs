//! Delivers signed webhooks to merchant endpoints on behalf of the billing service.

use std::time::Duration;

use hmac::{Hmac, Mac};
use rand::Rng;
use serde::Serialize;
use sha2::Sha256;
use tracing::{info, warn};

#[derive(Debug, Serialize)]
pub struct InvoicePaid {
    pub invoice_id: String,
    pub merchant_id: String,
    pub amount_cents: i64,
    pub currency: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("endpoint rejected the webhook: {0}")]
    Rejected(reqwest::StatusCode),
    #[error("gave up after {attempts} attempts: {last}")]
    Exhausted { attempts: u32, last: String },
    #[error(transparent)]
    Encode(#[from] serde_json::Error),
}

pub struct WebhookSender {
    http: reqwest::Client,
    secret: Vec<u8>,
    max_attempts: u32,
}

impl WebhookSender {
    pub fn new(secret: Vec<u8>) -> reqwest::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self {
            http,
            secret,
            max_attempts: 5,
        })
    }

    fn sign(&self, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length works");
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Posts the event to the merchant's endpoint, retrying transport errors and 5xx answers.
    pub async fn deliver(&self, url: &str, event: &InvoicePaid) -> Result<(), DeliveryError> {
        let body = serde_json::to_vec(event)?;
        let signature = self.sign(&body);
        let mut attempt = 0;
        let mut last = String::new();

        while attempt < self.max_attempts {
            attempt += 1;
            let request = self
                .http
                .post(url)
                .header("content-type", "application/json")
                .header("x-signature", &signature)
                .body(body.clone());

            match request.send().await {
                Ok(resp) if resp.status().is_success() => {
                    info!(invoice = %event.invoice_id, attempt, "webhook delivered");
                    return Ok(());
                }
                Ok(resp) if resp.status().is_client_error() => {
                    return Err(DeliveryError::Rejected(resp.status()));
                }
                Ok(resp) => last = format!("status {}", resp.status()),
                Err(err) => last = err.to_string(),
            }

            let base = 250u64 << attempt.min(6);
            let jitter = rand::thread_rng().gen_range(0..base);
            warn!(invoice = %event.invoice_id, attempt, %last, "webhook failed, retrying");
            tokio::time::sleep(Duration::from_millis(base + jitter)).await;
        }

        Err(DeliveryError::Exhausted {
            attempts: attempt,
            last,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_stable() {
        let sender = WebhookSender::new(b"k".to_vec()).unwrap();
        assert_eq!(sender.sign(b"{}"), sender.sign(b"{}"));
    }
}
