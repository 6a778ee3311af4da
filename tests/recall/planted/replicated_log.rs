//! Appends entries to a small replicated log: the leader writes locally, ships the entry to its
//! followers and reports it committed once enough of them acknowledged it.

use std::sync::Arc;
use std::time::Duration;

use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::time::timeout;
use tracing::{debug, warn};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    pub term: u64,
    pub index: u64,
    pub payload: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("only {acks} of {needed} acknowledgements")]
    NoQuorum { acks: usize, needed: usize },
    #[error("local write failed: {0}")]
    Local(#[from] std::io::Error),
}

#[async_trait::async_trait]
pub trait Peer: Send + Sync {
    fn id(&self) -> &str;
    async fn append(&self, entry: &Entry) -> anyhow::Result<()>;
}

#[async_trait::async_trait]
pub trait LocalLog: Send + Sync {
    async fn write(&self, entry: &Entry) -> std::io::Result<()>;
}

pub struct Leader {
    log: Arc<dyn LocalLog>,
    /// Every other member of the cluster.
    followers: Vec<Arc<dyn Peer>>,
    rpc_timeout: Duration,
}

impl Leader {
    pub fn new(log: Arc<dyn LocalLog>, followers: Vec<Arc<dyn Peer>>) -> Self {
        Self {
            log,
            followers,
            rpc_timeout: Duration::from_millis(500),
        }
    }

    fn cluster_size(&self) -> usize {
        self.followers.len() + 1
    }

    /// Appends `entry` and returns once it is durable on a majority of the cluster.
    pub async fn append(&self, entry: Entry) -> Result<(), AppendError> {
        self.log.write(&entry).await?;
        let members = self.cluster_size();
        let needed = members / 2;

        // The leader's own copy counts as one acknowledgement.
        let mut acks = 1;
        let mut pending: FuturesUnordered<_> = self
            .followers
            .iter()
            .map(|peer| {
                let entry = &entry;
                async move {
                    let res = timeout(self.rpc_timeout, peer.append(entry)).await;
                    (peer.id().to_string(), res)
                }
            })
            .collect();

        while let Some((peer, res)) = pending.next().await {
            match res {
                Ok(Ok(())) => {
                    acks += 1;
                    debug!(%peer, index = entry.index, acks, "follower acknowledged");
                    if acks >= needed {
                        return Ok(());
                    }
                }
                Ok(Err(err)) => warn!(%peer, %err, "append rejected"),
                Err(_) => warn!(%peer, "append timed out"),
            }
        }
        Err(AppendError::NoQuorum { acks, needed })
    }
}
