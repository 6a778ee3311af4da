//! `unbounded-channel`: "Bound this channel" for tokio, sender in a struct field. The fix turns
//! `unbounded_channel()` into `channel(N)`, the `UnboundedSender`/`UnboundedReceiver` types (and
//! their `use`) into `Sender`/`Receiver`, and the send in a synchronous method the file never
//! calls from async code into `.blocking_send(x)`. (One tokio channel per file: channels that
//! share the sender type get the constructor change only.)
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

pub struct Worker {
    tx: UnboundedSender<String>,
}

impl Worker {
    pub fn new() -> (Self, UnboundedReceiver<String>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Worker { tx }, rx)
    }

    /// Synchronous: called from plain threads.
    pub fn submit(&self, job: String) -> bool {
        self.tx.send(job).is_ok()
    }
}
