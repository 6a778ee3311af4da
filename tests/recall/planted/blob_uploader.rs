//! Uploads finished video renditions to object storage.

use std::path::Path;
use std::time::Duration;

use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use rand::Rng;
use tracing::{info, warn};

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("read {0}: {1}")]
    Read(String, std::io::Error),
    #[error("upload rejected: {0}")]
    Rejected(String),
}

pub struct Uploader {
    s3: Client,
    bucket: String,
}

fn is_retryable<E, R>(err: &SdkError<E, R>) -> bool {
    matches!(
        err,
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_)
    )
}

impl Uploader {
    pub fn new(s3: Client, bucket: impl Into<String>) -> Self {
        Self {
            s3,
            bucket: bucket.into(),
        }
    }

    /// Uploads `file` as `key`. PUT of the same bytes to the same key is idempotent, so
    /// transient failures are simply retried.
    pub async fn upload(&self, file: &Path, key: &str) -> Result<(), UploadError> {
        let bytes = tokio::fs::read(file)
            .await
            .map_err(|e| UploadError::Read(file.display().to_string(), e))?;
        let mut delay = Duration::from_millis(200);

        loop {
            let result = self
                .s3
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .content_type("video/mp4")
                .body(ByteStream::from(bytes.clone()))
                .send()
                .await;

            match result {
                Ok(_) => {
                    info!(key, size = bytes.len(), "rendition uploaded");
                    return Ok(());
                }
                Err(err) if is_retryable(&err) => {
                    let jitter = rand::thread_rng().gen_range(0..=delay.as_millis() as u64);
                    warn!(key, %err, ?delay, "upload failed, retrying");
                    tokio::time::sleep(delay + Duration::from_millis(jitter)).await;
                    delay = (delay * 2).min(Duration::from_secs(30));
                }
                Err(err) => return Err(UploadError::Rejected(err.to_string())),
            }
        }
    }

    /// Uploads every rendition of a job, one after the other, under `prefix/`.
    pub async fn upload_all(&self, dir: &Path, prefix: &str) -> Result<usize, UploadError> {
        let mut entries = tokio::fs::read_dir(dir)
            .await
            .map_err(|e| UploadError::Read(dir.display().to_string(), e))?;
        let mut count = 0;
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| UploadError::Read(dir.display().to_string(), e))?
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            self.upload(&entry.path(), &format!("{prefix}/{name}"))
                .await?;
            count += 1;
        }
        Ok(count)
    }
}
