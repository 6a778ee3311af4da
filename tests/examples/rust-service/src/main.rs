//! Order service entry point.

mod catalog;
mod cluster;
mod consumer;
mod events;
mod jobs;
mod orders;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().init();
    let state = Arc::new(orders::AppState::connect().await?);
    let app = Router::new()
        .route("/orders", post(orders::create_order))
        .route("/products/:id", get(catalog::get_product))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    // Footgun: no with_graceful_shutdown — a deploy cuts every in-flight request.
    axum::serve(listener, app).await?;
    Ok(())
}
