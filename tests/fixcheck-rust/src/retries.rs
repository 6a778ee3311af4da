//! `retry-backoff` ("Add jitter") and `retry-idempotency` ("Add an idempotency key", and moving
//! a key generated per attempt before the loop).
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

pub async fn create_payment(
    client: &reqwest::Client,
    url: &str,
) -> Result<reqwest::Response, reqwest::Error> {
    let mut last = None;
    for _ in 0..3 {
        let key = uuid::Uuid::new_v4().to_string();
        match client.post(url).header("Idempotency-Key", &key).send().await {
            Ok(resp) => return Ok(resp),
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("three attempts"))
}
