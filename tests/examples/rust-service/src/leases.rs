//! Leader lease and request timing: `wall-clock-elapsed` (category `clock-ordering`).

use std::time::{Duration, SystemTime};

pub struct Lease {
    pub holder: String,
    pub expires_at: SystemTime,
}

/// Expiry decided on the wall clock: an NTP step back keeps an expired lease "valid" here while
/// another node already took it.
pub fn still_leader(lease: &Lease) -> bool {
    SystemTime::now() < lease.expires_at
}

/// Latency measured on the wall clock.
pub async fn timed_call(client: &reqwest::Client, url: &str) -> reqwest::Result<Duration> {
    let started = SystemTime::now();
    client.get(url).send().await?;
    Ok(started.elapsed().unwrap_or_default())
}
