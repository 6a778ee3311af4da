//! `unbounded-channel`: "Bound this channel" for std, crossbeam, flume and async-channel. Each
//! producer sends in a loop (a channel with a fixed number of sends outside loops is visibly
//! bounded and not reported).
use std::sync::mpsc;

pub fn std_channel(n: u8) -> u8 {
    let (tx, rx) = mpsc::channel::<u8>();
    for i in 0..n {
        tx.send(i).unwrap();
    }
    rx.recv().unwrap()
}

pub fn crossbeam(n: u8) -> u8 {
    let (tx, rx) = crossbeam_channel::unbounded::<u8>();
    for i in 0..n {
        tx.send(i).unwrap();
    }
    rx.recv().unwrap()
}

pub fn flume_channel(n: u8) -> u8 {
    let (tx, rx) = flume::unbounded::<u8>();
    for i in 0..n {
        tx.send(i).unwrap();
    }
    rx.recv().unwrap()
}

pub async fn async_channel_pair(n: u8) -> u8 {
    let (tx, rx) = async_channel::unbounded::<u8>();
    for i in 0..n {
        tx.send(i).await.unwrap();
    }
    rx.recv().await.unwrap()
}
