//! Ensures only one worker compacts a tenant's event log at a time.

use std::time::Duration;

use redis::AsyncCommands;
use tracing::{info, warn};

const LOCK_TTL: Duration = Duration::from_secs(60);

#[async_trait::async_trait]
pub trait SegmentStore: Send + Sync {
    async fn list_segments(&self, tenant: &str) -> anyhow::Result<Vec<String>>;
    async fn merge(&self, tenant: &str, segments: &[String]) -> anyhow::Result<String>;
    async fn replace(&self, tenant: &str, old: &[String], merged: &str) -> anyhow::Result<()>;
}

pub struct Compactor<S> {
    redis: redis::aio::ConnectionManager,
    store: S,
    worker_id: String,
}

impl<S: SegmentStore> Compactor<S> {
    pub fn new(redis: redis::aio::ConnectionManager, store: S, worker_id: String) -> Self {
        Self {
            redis,
            store,
            worker_id,
        }
    }

    fn lock_key(tenant: &str) -> String {
        format!("compaction-lock:{tenant}")
    }

    async fn try_lock(&mut self, tenant: &str) -> redis::RedisResult<bool> {
        let opts = redis::SetOptions::default()
            .conditional_set(redis::ExistenceCheck::NX)
            .with_expiration(redis::SetExpiry::PX(LOCK_TTL.as_millis() as u64));
        let reply: Option<String> = self
            .redis
            .set_options(Self::lock_key(tenant), &self.worker_id, opts)
            .await?;
        Ok(reply.is_some())
    }

    async fn unlock(&mut self, tenant: &str) {
        let script = redis::Script::new(
            r#"if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0"#,
        );
        let res: redis::RedisResult<i32> = script
            .key(Self::lock_key(tenant))
            .arg(&self.worker_id)
            .invoke_async(&mut self.redis)
            .await;
        if let Err(err) = res {
            warn!(tenant, %err, "unlock failed");
        }
    }

    /// Compacts the tenant's segments if no other worker is doing it.
    pub async fn compact(&mut self, tenant: &str) -> anyhow::Result<bool> {
        if !self.try_lock(tenant).await? {
            return Ok(false);
        }
        let result = async {
            let segments = self.store.list_segments(tenant).await?;
            if segments.len() < 2 {
                return Ok(());
            }
            let merged = self.store.merge(tenant, &segments).await?;
            self.store.replace(tenant, &segments, &merged).await?;
            info!(tenant, merged = %merged, inputs = segments.len(), "compacted");
            anyhow::Ok(())
        }
        .await;
        self.unlock(tenant).await;
        result.map(|_| true)
    }
}
