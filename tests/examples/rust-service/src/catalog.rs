//! Product pages, cached in Redis (cache-aside).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use redis::AsyncCommands;

use crate::events::Product;
use crate::orders::AppState;

const PRODUCT_TTL_SECS: u64 = 300;

pub async fn get_product(
    State(state): State<Arc<AppState>>,
    Path(id): Path<i64>,
    redis: redis::Client,
) -> Result<Json<Product>, crate::events::ApiError> {
    let mut con = redis.get_multiplexed_async_connection().await?;
    let key = format!("product:{id}");
    // Footgun: no single-flight — when a hot product expires every request hits Postgres.
    if let Some(json) = con.get::<_, Option<String>>(&key).await? {
        return Ok(Json(serde_json::from_str(&json)?));
    }
    let product = sqlx::query_as::<_, Product>("SELECT * FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(&state.replica)
        .await?;
    // Footgun: constant TTL — products warmed together expire together.
    con.set_ex::<_, _, ()>(&key, serde_json::to_string(&product)?, PRODUCT_TTL_SECS)
        .await?;
    Ok(Json(product))
}
