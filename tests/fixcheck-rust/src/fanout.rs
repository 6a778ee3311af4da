//! `unbounded-fanout`: "Cap the fan-out".
use futures::future::{join_all, try_join_all};

async fn fetch(id: u64) -> u64 {
    id
}

async fn try_fetch(id: u64) -> Result<u64, std::io::Error> {
    Ok(id)
}

pub async fn fetch_all(ids: Vec<u64>) -> Vec<u64> {
    join_all(ids.into_iter().map(fetch)).await
}

pub async fn try_fetch_all(ids: &[u64]) -> Result<Vec<u64>, std::io::Error> {
    try_join_all(ids.iter().map(|id| try_fetch(*id))).await
}
