//! Replicates customer profile edits between regions; each region applies the other's edits.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use tracing::{debug, info};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Profile {
    pub customer_id: String,
    pub email: String,
    pub display_name: String,
    pub marketing_opt_in: bool,
    /// Milliseconds since the Unix epoch when the edit was made, on the region that made it.
    pub edited_at: u64,
    pub region: String,
}

#[derive(Debug, Deserialize)]
pub struct ProfileEdit {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub marketing_opt_in: Option<bool>,
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

#[derive(Clone)]
pub struct ProfileStore {
    region: String,
    profiles: Arc<RwLock<HashMap<String, Profile>>>,
}

impl ProfileStore {
    pub fn new(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            profiles: Arc::new(RwLock::new(HashMap::new())),
        }
    }

    /// Applies a local edit and returns the new version, which the caller ships to the
    /// other regions.
    pub async fn edit(&self, customer_id: &str, edit: ProfileEdit) -> Option<Profile> {
        let mut profiles = self.profiles.write().await;
        let current = profiles.get_mut(customer_id)?;
        if let Some(email) = edit.email {
            current.email = email;
        }
        if let Some(name) = edit.display_name {
            current.display_name = name;
        }
        if let Some(opt_in) = edit.marketing_opt_in {
            current.marketing_opt_in = opt_in;
        }
        current.edited_at = now_millis();
        current.region = self.region.clone();
        Some(current.clone())
    }

    /// Applies a version replicated from another region, keeping whichever edit is newer.
    pub async fn apply_remote(&self, incoming: Profile) -> bool {
        let mut profiles = self.profiles.write().await;
        match profiles.get(&incoming.customer_id) {
            Some(local) if local.edited_at >= incoming.edited_at => {
                debug!(
                    customer = %incoming.customer_id,
                    from = %incoming.region,
                    "remote edit is older, ignored"
                );
                false
            }
            _ => {
                info!(customer = %incoming.customer_id, from = %incoming.region, "remote edit applied");
                profiles.insert(incoming.customer_id.clone(), incoming);
                true
            }
        }
    }

    pub async fn get(&self, customer_id: &str) -> Option<Profile> {
        self.profiles.read().await.get(customer_id).cloned()
    }
}
