//! Clients for the services this one calls: `reqwest-client-without-timeout`,
//! `connect-without-timeout`.

use std::time::Duration;

use tokio::net::TcpStream;
use tonic::transport::{Channel, Endpoint};

pub struct Upstreams {
    pub http: reqwest::Client,
    pub inventory: Channel,
}

impl Upstreams {
    pub async fn connect(cfg: &Config) -> anyhow::Result<Self> {
        // No timeout: a hung pricing service holds every request that calls it.
        let http = reqwest::Client::builder()
            .user_agent("orders/1.4")
            .pool_max_idle_per_host(8)
            .build()?;
        // The gRPC connect waits for the kernel's SYN retries if inventory is down.
        let inventory = Endpoint::from_shared(cfg.inventory_url.clone())?
            .tcp_nodelay(true)
            .connect()
            .await?;
        Ok(Self { http, inventory })
    }

    /// Fine: a client with a request timeout.
    pub fn with_timeout() -> reqwest::Result<reqwest::Client> {
        reqwest::Client::builder().timeout(Duration::from_secs(10)).build()
    }
}

/// Raw TCP health probe of the cache tier.
pub async fn probe(addr: &str) -> std::io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(())
}

/// One-off call used by the admin endpoint.
pub async fn fetch_flags(url: &str) -> reqwest::Result<String> {
    reqwest::get(url).await?.text().await
}

pub struct Config {
    pub inventory_url: String,
}
