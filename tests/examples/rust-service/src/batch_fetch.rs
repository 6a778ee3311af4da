//! The bulk lookup endpoint: `unbounded-fanout`.

use futures::future::join_all;

use crate::catalog::{CatalogClient, Product};

/// One request per id, all at once: a 20,000-id batch opens 20,000 connections to the catalog.
pub async fn lookup(catalog: &CatalogClient, ids: &[u64]) -> Vec<Option<Product>> {
    join_all(ids.iter().map(|id| catalog.get(*id))).await
}

/// One task per order to re-index, with no limit.
pub async fn reindex(orders: Vec<u64>) {
    for order in orders {
        tokio::spawn(async move { crate::search::reindex(order).await });
    }
}
