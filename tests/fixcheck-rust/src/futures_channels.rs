//! `unbounded-channel`: "Bound this channel" for `futures::channel::mpsc`. `unbounded()` becomes
//! `channel(N)` and `UnboundedReceiver`/`UnboundedSender` become `Receiver`/`Sender` when the
//! sender is only used through `SinkExt::send(x).await` (same behaviour on both).
use futures::channel::mpsc::{self, UnboundedReceiver};
use futures::SinkExt;

/// Compile fixture: after the fix the sends wait for the receiver once N are queued.
pub async fn ticks(n: u8) -> UnboundedReceiver<u8> {
    let (mut tx, rx) = mpsc::unbounded();
    for i in 0..n {
        tx.send(i).await.unwrap();
    }
    rx
}
