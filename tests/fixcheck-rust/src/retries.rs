//! `retry-backoff` ("Add jitter") and `retry-idempotency` ("Add an idempotency key").
use backon::{ExponentialBuilder, Retryable};
use tokio_retry::strategy::FixedInterval;
use tokio_retry::Retry;

async fn fetch() -> Result<u8, std::io::Error> {
    Ok(1)
}

pub async fn with_backon() -> Result<u8, std::io::Error> {
    fetch.retry(ExponentialBuilder::default().with_max_times(3)).await
}

pub async fn with_tokio_retry() -> Result<u8, std::io::Error> {
    Retry::spawn(FixedInterval::from_millis(10).take(3), fetch).await
}

pub async fn create_order(
    client: &reqwest::Client,
    url: &str,
    body: String,
) -> Result<reqwest::Response, reqwest::Error> {
    let mut attempt = 0;
    loop {
        match client.post(url).body(body.clone()).send().await {
            Ok(resp) => return Ok(resp),
            Err(_) if attempt < 3 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}
