//! Wishlist endpoints. Writes go to the primary; reads are served from the read replicas.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Clone)]
pub struct Pools {
    /// Read-write connection to the primary.
    pub writer: PgPool,
    /// Asynchronous streaming replicas behind a load balancer.
    pub reader: PgPool,
}

#[derive(Deserialize)]
pub struct AddItem {
    pub product_id: i64,
    pub note: Option<String>,
}

#[derive(Serialize, sqlx::FromRow)]
pub struct Item {
    pub product_id: i64,
    pub note: Option<String>,
}

#[derive(Serialize)]
pub struct Wishlist {
    pub user_id: i64,
    pub items: Vec<Item>,
}

async fn load(pool: &PgPool, user_id: i64) -> Result<Wishlist, sqlx::Error> {
    let items = sqlx::query_as::<_, Item>(
        "SELECT product_id, note FROM wishlist_items WHERE user_id = $1 ORDER BY added_at",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(Wishlist { user_id, items })
}

/// GET /users/:id/wishlist
pub async fn get_wishlist(
    State(pools): State<Pools>,
    Path(user_id): Path<i64>,
) -> Result<Json<Wishlist>, StatusCode> {
    load(&pools.reader, user_id)
        .await
        .map(Json)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

/// POST /users/:id/wishlist — adds an item and returns the updated list for the UI to render.
pub async fn add_item(
    State(pools): State<Pools>,
    Path(user_id): Path<i64>,
    Json(body): Json<AddItem>,
) -> Result<Json<Wishlist>, StatusCode> {
    sqlx::query(
        "INSERT INTO wishlist_items (user_id, product_id, note, added_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (user_id, product_id) DO UPDATE SET note = EXCLUDED.note",
    )
    .bind(user_id)
    .bind(body.product_id)
    .bind(&body.note)
    .execute(&pools.writer)
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;

    let db = &pools.reader;
    let list = load(db, user_id)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(list))
}

/// DELETE /users/:id/wishlist/:product_id
pub async fn remove_item(
    State(pools): State<Pools>,
    Path((user_id, product_id)): Path<(i64, i64)>,
) -> Result<StatusCode, StatusCode> {
    sqlx::query("DELETE FROM wishlist_items WHERE user_id = $1 AND product_id = $2")
        .bind(user_id)
        .bind(product_id)
        .execute(&pools.writer)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(StatusCode::NO_CONTENT)
}
