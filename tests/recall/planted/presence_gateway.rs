//! Pushes presence changes (online/offline) to the subscribers of each chat room over the
//! internal pub/sub bus.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::RwLock;
use tracing::debug;

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Online,
    Away,
    Offline,
}

#[derive(Serialize)]
struct PresenceChanged<'a> {
    user_id: &'a str,
    room: &'a str,
    status: Status,
}

#[derive(Clone)]
pub struct PresenceGateway {
    bus: async_nats::Client,
    rooms: Arc<RwLock<HashMap<String, HashSet<String>>>>,
    last: Arc<RwLock<HashMap<String, Status>>>,
}

impl PresenceGateway {
    pub fn new(bus: async_nats::Client) -> Self {
        Self {
            bus,
            rooms: Arc::new(RwLock::new(HashMap::new())),
            last: Arc::new(RwLock::new(HashMap::new())),
        }
    }

    pub async fn join(&self, user_id: &str, room: &str) {
        self.rooms
            .write()
            .await
            .entry(user_id.to_string())
            .or_default()
            .insert(room.to_string());
    }

    /// Records a status change and fans it out to every room the user is in.
    pub async fn set_status(&self, user_id: &str, status: Status) {
        let previous = self.last.write().await.insert(user_id.to_string(), status);
        if previous == Some(status) {
            return;
        }
        let rooms: Vec<String> = self
            .rooms
            .read()
            .await
            .get(user_id)
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default();
        for room in rooms {
            let event = PresenceChanged {
                user_id,
                room: &room,
                status,
            };
            let payload = match serde_json::to_vec(&event) {
                Ok(p) => p,
                Err(_) => continue,
            };
            let subject = format!("rooms.{room}.presence");
            let _ = self.bus.publish(subject, payload.into()).await;
            debug!(user_id, room = %room, ?status, "presence published");
        }
    }

    pub async fn status(&self, user_id: &str) -> Status {
        self.last
            .read()
            .await
            .get(user_id)
            .copied()
            .unwrap_or(Status::Offline)
    }
}
