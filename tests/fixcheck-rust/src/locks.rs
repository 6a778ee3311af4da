//! `lock-held-across-await`: "Release the lock before awaiting".
use std::sync::{Arc, Mutex};

pub struct Stats {
    pub requests: Mutex<u64>,
}

pub async fn record(stats: Arc<Stats>) {
    let mut n = stats.requests.lock().unwrap();
    *n += 1;
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
}
