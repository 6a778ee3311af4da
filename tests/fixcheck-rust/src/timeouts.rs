//! `reqwest-client-without-timeout` and `connect-without-timeout`: "Add a timeout", "Bound the wait".
use std::io;
use tokio::net::TcpStream;

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

pub fn built() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder().user_agent("fixcheck/0").build()
}

pub async fn one_shot(url: &str) -> reqwest::Result<reqwest::StatusCode> {
    Ok(reqwest::get(url).await?.status())
}

pub async fn dial(addr: &str) -> io::Result<TcpStream> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}
