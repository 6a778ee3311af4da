//! Session cache shared by the HTTP handlers: `lock-held-across-await`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::store::SessionStore;

pub struct SessionCache {
    sessions: Mutex<HashMap<String, Session>>,
    store: Arc<SessionStore>,
}

#[derive(Clone)]
pub struct Session {
    pub user_id: u64,
    pub hits: u64,
}

impl SessionCache {
    /// Counts a hit and persists the session. The std guard is still held while the store
    /// write is awaited: every other handler that touches the cache blocks its worker thread.
    pub async fn touch(&self, id: &str) -> anyhow::Result<()> {
        let mut sessions = self.sessions.lock().unwrap();
        let session = sessions.get_mut(id).ok_or_else(|| anyhow::anyhow!("no session"))?;
        session.hits += 1;
        self.store.save(id, session.clone()).await?;
        Ok(())
    }

    /// Fixed shape: the guard lives in an inner block that ends before the await.
    pub async fn touch_fixed(&self, id: &str) -> anyhow::Result<()> {
        let snapshot = {
            let mut sessions = self.sessions.lock().unwrap();
            let session = sessions.get_mut(id).ok_or_else(|| anyhow::anyhow!("no session"))?;
            session.hits += 1;
            session.clone()
        };
        self.store.save(id, snapshot).await?;
        Ok(())
    }

    /// The `match` scrutinee keeps the guard alive through the arms (rust-clippy#8777).
    pub async fn refresh(&self, id: &str) -> anyhow::Result<()> {
        match self.sessions.lock().unwrap().get(id) {
            Some(s) => self.store.save(id, s.clone()).await?,
            None => {}
        }
        Ok(())
    }
}
