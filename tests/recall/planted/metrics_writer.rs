//! Writes device metrics to the time-series table in DynamoDB.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tracing::warn;

#[derive(Debug, Clone, Deserialize)]
pub struct Sample {
    pub device_id: String,
    pub metric: String,
    pub value: f64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("dynamodb: {0}")]
    Dynamo(String),
    #[error("{0} samples left unprocessed")]
    Unprocessed(usize),
}

pub struct MetricsWriter {
    client: Client,
    table: String,
}

/// Samples are grouped per hour so that dashboards can query one partition per hour.
fn partition_key(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H").to_string()
}

impl MetricsWriter {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn item(sample: &Sample) -> HashMap<String, AttributeValue> {
        let pk = partition_key(&sample.at);
        let sk = format!(
            "{}#{}#{}",
            sample.device_id,
            sample.metric,
            sample.at.timestamp_millis()
        );
        HashMap::from([
            ("pk".to_string(), AttributeValue::S(pk)),
            ("sk".to_string(), AttributeValue::S(sk)),
            (
                "value".to_string(),
                AttributeValue::N(sample.value.to_string()),
            ),
        ])
    }

    /// Writes up to 25 samples in one BatchWriteItem call.
    pub async fn write(&self, samples: &[Sample]) -> Result<(), WriteError> {
        let requests: Vec<WriteRequest> = samples
            .iter()
            .take(25)
            .map(|s| {
                let put = PutRequest::builder()
                    .set_item(Some(Self::item(s)))
                    .build()
                    .expect("item is set");
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        let out = self
            .client
            .batch_write_item()
            .request_items(&self.table, requests)
            .send()
            .await
            .map_err(|e| WriteError::Dynamo(e.to_string()))?;
        let left = out
            .unprocessed_items()
            .and_then(|m| m.get(&self.table))
            .map_or(0, |v| v.len());
        if left > 0 {
            warn!(left, "throttled samples");
            return Err(WriteError::Unprocessed(left));
        }
        Ok(())
    }
}
