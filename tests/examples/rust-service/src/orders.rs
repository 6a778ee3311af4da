//! Creating orders: database write, event publish, read-back.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::Json;
use rdkafka::producer::{FutureProducer, FutureRecord};
use sqlx::PgPool;

use crate::events::{CreateOrder, Order};

pub struct AppState {
    pub primary: PgPool,
    pub replica: PgPool,
    pub producer: FutureProducer,
    pub http: reqwest::Client,
}

impl AppState {
    pub async fn connect() -> anyhow::Result<Self> {
        todo!("pools and producer from configuration")
    }
}

pub async fn create_order(
    State(state): State<Arc<AppState>>,
    Json(req): Json<CreateOrder>,
) -> Result<Json<Order>, crate::events::ApiError> {
    let id = uuid::Uuid::new_v4();
    let mut tx = state.primary.begin().await?;
    sqlx::query("INSERT INTO orders (id, customer_id, total_cents) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(&req.customer_id)
        .bind(req.total_cents)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;

    // Footgun: commit, then publish — a crash in between loses the event (no outbox).
    // Footgun: every order event is keyed "orders", so one partition takes all traffic.
    let payload = serde_json::to_vec(&req)?;
    state
        .producer
        .send(
            FutureRecord::to("orders").key("orders").payload(&payload),
            Duration::from_secs(5),
        )
        .await
        .map_err(|(e, _)| e)?;

    // Footgun: the notification's failure is dropped without a trace.
    let _ = state
        .http
        .post("http://notifications.internal/v1/order-created")
        .json(&req)
        .send()
        .await;

    Ok(Json(read_back(&state, id).await?))
}

async fn read_back(state: &AppState, id: uuid::Uuid) -> Result<Order, sqlx::Error> {
    sqlx::query("UPDATE orders SET state = 'created' WHERE id = $1")
        .bind(id)
        .execute(&state.primary)
        .await?;
    // Footgun: read-your-write from the replica — replication lag returns nothing.
    sqlx::query_as::<_, Order>("SELECT * FROM orders WHERE id = $1")
        .bind(id)
        .fetch_one(&state.replica)
        .await
}
