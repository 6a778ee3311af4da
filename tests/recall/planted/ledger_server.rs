//! HTTP front end of the ledger service.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::info;

#[derive(Clone)]
struct AppState {
    pool: PgPool,
}

#[derive(Serialize, sqlx::FromRow)]
struct Balance {
    account_id: i64,
    cents: i64,
}

#[derive(Deserialize)]
struct Transfer {
    from: i64,
    to: i64,
    cents: i64,
}

async fn balance(
    State(state): State<Arc<AppState>>,
    Path(account_id): Path<i64>,
) -> Result<Json<Balance>, StatusCode> {
    sqlx::query_as::<_, Balance>("SELECT account_id, cents FROM balances WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(&state.pool)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .map(Json)
        .ok_or(StatusCode::NOT_FOUND)
}

async fn transfer(
    State(state): State<Arc<AppState>>,
    Json(t): Json<Transfer>,
) -> Result<StatusCode, StatusCode> {
    if t.cents <= 0 || t.from == t.to {
        return Err(StatusCode::BAD_REQUEST);
    }
    let mut tx = state
        .pool
        .begin()
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    for (account, delta) in [(t.from, -t.cents), (t.to, t.cents)] {
        sqlx::query("UPDATE balances SET cents = cents + $1 WHERE account_id = $2")
            .bind(delta)
            .bind(account)
            .execute(&mut *tx)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    }
    tx.commit()
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(StatusCode::NO_CONTENT)
}

fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/balances/:account_id", get(balance))
        .route("/transfers", post(transfer))
        .layer(TimeoutLayer::new(Duration::from_secs(10)))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();
    let url = std::env::var("DATABASE_URL")?;
    let pool = PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(3))
        .connect(&url)
        .await?;
    let state = Arc::new(AppState { pool });

    let addr = SocketAddr::from(([0, 0, 0, 0], 8080));
    let listener = TcpListener::bind(addr).await?;
    info!(%addr, "ledger listening");
    let server = axum::serve(listener, app(state));
    server.await?;
    Ok(())
}
