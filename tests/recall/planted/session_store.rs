//! Keeps upstream API sessions per tenant and refreshes them when they expire.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tracing::debug;

#[derive(Clone, Debug)]
struct Session {
    token: String,
    expires: Instant,
}

#[derive(Deserialize)]
struct LoginResponse {
    token: String,
    ttl_secs: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("unknown tenant {0}")]
    UnknownTenant(String),
    #[error("login failed: {0}")]
    Login(#[from] reqwest::Error),
}

/// Credentials per tenant, loaded from the secret store at start-up.
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

#[derive(Clone)]
pub struct SessionStore {
    http: reqwest::Client,
    login_url: String,
    credentials: Arc<HashMap<String, Credentials>>,
    sessions: Arc<Mutex<HashMap<String, Session>>>,
}

impl SessionStore {
    pub fn new(
        login_url: String,
        credentials: HashMap<String, Credentials>,
    ) -> reqwest::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()?;
        Ok(Self {
            http,
            login_url,
            credentials: Arc::new(credentials),
            sessions: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    async fn login(&self, creds: &Credentials) -> Result<Session, SessionError> {
        let resp: LoginResponse = self
            .http
            .post(&self.login_url)
            .basic_auth(&creds.user, Some(&creds.password))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(Session {
            token: resp.token,
            expires: Instant::now() + Duration::from_secs(resp.ttl_secs.saturating_sub(30)),
        })
    }

    /// Returns a valid token for the tenant, logging in again when the cached one expired.
    pub async fn token(&self, tenant: &str) -> Result<String, SessionError> {
        let creds = self
            .credentials
            .get(tenant)
            .ok_or_else(|| SessionError::UnknownTenant(tenant.to_string()))?;

        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = sessions.get(tenant) {
            if s.expires > Instant::now() {
                return Ok(s.token.clone());
            }
        }
        debug!(tenant, "session expired, logging in");
        let fresh = self.login(creds).await?;
        let token = fresh.token.clone();
        sessions.insert(tenant.to_string(), fresh);
        Ok(token)
    }

    /// Drops a tenant's session after the upstream answered 401.
    pub fn invalidate(&self, tenant: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant);
    }
}
