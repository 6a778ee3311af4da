//! `connect-without-timeout` for tonic: "Add a timeout" inserts `.connect_timeout(..)` after the
//! endpoint constructor (after its `?` when it is fallible).
use tonic::transport::{Channel, Endpoint, Error};

pub async fn connect(url: String) -> Result<Channel, Error> {
    Endpoint::from_shared(url)?.connect().await
}

pub async fn connect_static() -> Result<Channel, Error> {
    let endpoint = Channel::from_static("http://[::1]:50051");
    endpoint.connect().await
}
