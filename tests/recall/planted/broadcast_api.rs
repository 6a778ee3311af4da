//! HTTP endpoint that sends an announcement to a list of devices through the push gateway.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use tracing::warn;

#[derive(Deserialize)]
pub struct BroadcastRequest {
    pub title: String,
    pub body: String,
    pub device_tokens: Vec<String>,
}

#[derive(Serialize, Default)]
pub struct BroadcastResponse {
    pub sent: usize,
    pub failed: Vec<String>,
}

#[derive(Serialize)]
struct PushPayload<'a> {
    to: &'a str,
    title: &'a str,
    body: &'a str,
}

pub struct PushGateway {
    http: reqwest::Client,
    url: String,
    api_key: String,
}

impl PushGateway {
    pub fn new(url: String, api_key: String) -> reqwest::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()?;
        Ok(Self { http, url, api_key })
    }

    async fn push(&self, token: &str, title: &str, body: &str) -> Result<(), reqwest::Error> {
        self.http
            .post(&self.url)
            .bearer_auth(&self.api_key)
            .json(&PushPayload {
                to: token,
                title,
                body,
            })
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }
}

pub async fn broadcast(
    State(gateway): State<Arc<PushGateway>>,
    Json(req): Json<BroadcastRequest>,
) -> Result<Json<BroadcastResponse>, StatusCode> {
    if req.title.is_empty() || req.device_tokens.is_empty() {
        return Err(StatusCode::BAD_REQUEST);
    }
    let BroadcastRequest {
        title,
        body,
        device_tokens,
    } = req;
    let title = Arc::new(title);
    let body = Arc::new(body);

    let mut handles = Vec::with_capacity(device_tokens.len());
    for token in device_tokens {
        let gateway = Arc::clone(&gateway);
        let (title, body) = (Arc::clone(&title), Arc::clone(&body));
        handles.push(tokio::spawn(async move {
            let result = gateway.push(&token, &title, &body).await;
            (token, result)
        }));
    }

    let mut response = BroadcastResponse::default();
    for handle in handles {
        match handle.await {
            Ok((_, Ok(()))) => response.sent += 1,
            Ok((token, Err(err))) => {
                warn!(%err, "push failed");
                response.failed.push(token);
            }
            Err(join_err) => warn!(%join_err, "push task panicked"),
        }
    }
    Ok(Json(response))
}
