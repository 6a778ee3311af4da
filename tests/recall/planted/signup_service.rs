//! Creates user accounts and announces them to the other services.

use async_nats::jetstream;
use serde::Serialize;
use sqlx::PgPool;
use tracing::info;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum SignupError {
    #[error("email already registered")]
    Duplicate,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("publish: {0}")]
    Publish(String),
}

#[derive(Serialize)]
struct UserCreated<'a> {
    user_id: Uuid,
    email: &'a str,
    plan: &'a str,
}

pub struct SignupService {
    pool: PgPool,
    js: jetstream::Context,
}

impl SignupService {
    pub fn new(pool: PgPool, js: jetstream::Context) -> Self {
        Self { pool, js }
    }

    /// Registers a user on the free plan and returns the new id.
    pub async fn register(&self, email: &str, password_hash: &str) -> Result<Uuid, SignupError> {
        let user_id = Uuid::new_v4();
        let plan = "free";

        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO users (id, email, password_hash, plan) VALUES ($1, $2, $3, $4)
             ON CONFLICT (email) DO NOTHING",
        )
        .bind(user_id)
        .bind(email)
        .bind(password_hash)
        .bind(plan)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(SignupError::Duplicate);
        }
        sqlx::query("INSERT INTO quotas (user_id, monthly_requests) VALUES ($1, 1000)")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;

        let event = UserCreated {
            user_id,
            email,
            plan,
        };
        let payload =
            serde_json::to_vec(&event).map_err(|e| SignupError::Publish(e.to_string()))?;
        self.js
            .publish("users.created", payload.into())
            .await
            .map_err(|e| SignupError::Publish(e.to_string()))?
            .await
            .map_err(|e| SignupError::Publish(e.to_string()))?;
        info!(%user_id, "user registered");
        Ok(user_id)
    }

    /// Closes an account; other services learn about it from the nightly export.
    pub async fn close(&self, user_id: Uuid) -> Result<(), SignupError> {
        sqlx::query("UPDATE users SET closed_at = now() WHERE id = $1 AND closed_at IS NULL")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
