//! `unbounded-channel`: "Bound this channel" for std, crossbeam, flume and async-channel.
use std::sync::mpsc;

pub fn std_channel() -> u8 {
    let (tx, rx) = mpsc::channel::<u8>();
    tx.send(1).unwrap();
    rx.recv().unwrap()
}

pub fn crossbeam() -> u8 {
    let (tx, rx) = crossbeam_channel::unbounded::<u8>();
    tx.send(1).unwrap();
    rx.recv().unwrap()
}

pub fn flume_channel() -> u8 {
    let (tx, rx) = flume::unbounded::<u8>();
    tx.send(1).unwrap();
    rx.recv().unwrap()
}

pub async fn async_channel_pair() -> u8 {
    let (tx, rx) = async_channel::unbounded::<u8>();
    tx.send(1).await.unwrap();
    rx.recv().await.unwrap()
}
