//! `unbounded-channel`: "Bound this channel" for tokio in async code. Sends on the sender, its
//! clone and a function parameter it is passed to become `.send(x).await`; the error type
//! (`SendError<T>`) is unchanged, so `?` and `is_err()` keep compiling.
use tokio::sync::mpsc;

pub async fn produce(
    tx: &mpsc::UnboundedSender<u64>,
    n: u64,
) -> Result<(), mpsc::error::SendError<u64>> {
    for i in 0..n {
        tx.send(i)?;
    }
    Ok(())
}

pub async fn pump(lines: Vec<u64>) -> u64 {
    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
    let tx2 = tx.clone();
    tokio::spawn(async move {
        for l in lines {
            if tx2.send(l).is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        let _ = produce(&tx, 3).await;
    });
    let mut sum = 0;
    while let Some(v) = rx.recv().await {
        sum += v;
    }
    sum
}
