//! Ships audit events to the compliance store in batches, off the request path.

use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{error, warn};

/// Events waiting to be shipped. Sized so that request handlers never wait on the store.
const AUDIT_BUFFER: usize = 1 << 22;
const BATCH_SIZE: usize = 500;
const FLUSH_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    pub actor: String,
    pub action: String,
    pub resource: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone)]
pub struct AuditLog {
    tx: mpsc::Sender<AuditEvent>,
}

pub struct AuditShipper {
    rx: mpsc::Receiver<AuditEvent>,
    http: reqwest::Client,
    url: String,
}

pub fn audit_log(http: reqwest::Client, url: String) -> (AuditLog, AuditShipper) {
    let (tx, rx) = mpsc::channel(AUDIT_BUFFER);
    (AuditLog { tx }, AuditShipper { rx, http, url })
}

impl AuditLog {
    /// Records an event; never blocks the caller.
    pub fn record(&self, event: AuditEvent) {
        if let Err(err) = self.tx.try_send(event) {
            warn!(%err, "audit event dropped");
        }
    }
}

impl AuditShipper {
    async fn ship(&self, batch: &[AuditEvent]) -> Result<(), reqwest::Error> {
        self.http
            .post(&self.url)
            .timeout(Duration::from_secs(10))
            .json(batch)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Runs until every `AuditLog` handle is dropped, flushing the last partial batch.
    pub fn spawn(mut self) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH_SIZE);
            let mut ticker = tokio::time::interval(FLUSH_EVERY);
            loop {
                tokio::select! {
                    maybe = self.rx.recv() => match maybe {
                        Some(event) => {
                            batch.push(event);
                            if batch.len() < BATCH_SIZE {
                                continue;
                            }
                        }
                        None => {
                            if !batch.is_empty() {
                                if let Err(err) = self.ship(&batch).await {
                                    error!(%err, lost = batch.len(), "final audit flush failed");
                                }
                            }
                            return;
                        }
                    },
                    _ = ticker.tick() => {
                        if batch.is_empty() {
                            continue;
                        }
                    }
                }
                if let Err(err) = self.ship(&batch).await {
                    error!(%err, lost = batch.len(), "audit batch failed");
                }
                batch.clear();
            }
        })
    }
}
