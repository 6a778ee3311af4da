//! Fixture tests of `unbounded-channel`: findings, silences on look-alikes and visibly bounded
//! queues, and the fixes.

use crate::testing::{check, check_fix};

#[test]
fn flags_every_unbounded_constructor_however_imported() {
    check(
        "unbounded-channel",
        r#"
use tokio::sync::mpsc;
use flume::unbounded;

async fn run() {
    let (tx, rx) = mpsc::unbounded_channel::<u64>();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (a, b) = tokio::sync::mpsc::unbounded_channel();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (c, d) = std::sync::mpsc::channel::<String>();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (e, f) = crossbeam_channel::unbounded();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (g, h) = unbounded::<u8>();
               //^^^^^^^^^^^^^^^^^ unbounded-channel
    let (i, j) = async_channel::unbounded();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (k, l) = futures::channel::mpsc::unbounded::<u8>();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep((tx, a, c, e, g, i, k));
}
"#,
    );
}

#[test]
fn function_imported_by_name_is_the_same_call() {
    check(
        "unbounded-channel",
        r#"
use tokio::sync::mpsc::unbounded_channel;
fn spawn_worker() {
    let (tx, rx) = unbounded_channel::<u64>();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep(tx);
}
"#,
    );
}

#[test]
fn constructors_imported_under_an_alias_are_found() {
    check(
        "unbounded-channel",
        r#"
use flume::unbounded as queue;
use std::sync::mpsc::channel as pipe;
use tokio::sync::mpsc as m;
fn spawn_worker() {
    let (tx, rx) = queue::<u64>();
                 //^^^^^^^^^^^^^^ unbounded-channel
    let (a, b) = pipe();
               //^^^^^^ unbounded-channel
    let (c, d) = m::unbounded_channel::<u8>();
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep((tx, a, c));
    let truck = queued(); // contains the alias as a substring: not a constructor
}
"#,
    );
}

#[test]
fn silent_on_bounded_forms_and_look_alikes() {
    check(
        "unbounded-channel",
        r#"
use tokio::sync::mpsc;
mod queue { pub fn unbounded() {} }
fn unbounded_channel() -> u8 { 0 }

async fn run() {
    let (tx, rx) = mpsc::channel::<u64>(1024);
    let (a, b) = std::sync::mpsc::sync_channel::<u8>(16);
    let (c, d) = crossbeam_channel::bounded(8);
    let (e, f) = flume::bounded(8);
    let (g, h) = async_channel::bounded(8);
    let (i, j) = futures::channel::mpsc::channel::<u8>(8);
    let x = unbounded_channel();
    queue::unbounded();
    let (o, p) = tokio::sync::oneshot::channel::<u8>();
    let (q, r) = tokio::sync::broadcast::channel::<u8>(16);
}
"#,
    );
}

#[test]
fn tokio_channel_is_bounded_but_std_channel_is_not() {
    check(
        "unbounded-channel",
        r#"
mod a {
    use tokio::sync::mpsc;
    fn f() { let (tx, rx) = mpsc::channel::<u8>(8); }
}
fn g() {
    use std::sync::mpsc as smpsc;
    let (tx, rx) = smpsc::channel::<u8>();
                 //^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep(tx);
}
"#,
    );
}

#[test]
fn test_code_is_skipped_by_default() {
    check(
        "unbounded-channel",
        r#"
#[cfg(test)]
mod tests {
    #[test]
    fn t() { let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u8>(); }
}
#[tokio::test]
async fn t2() { let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u8>(); }
"#,
    );
}

#[test]
fn suppression_comment_on_line_above_or_same_line() {
    check(
        "unbounded-channel",
        r#"
fn f() {
    // distlint:ignore unbounded-channel one message per worker, fixed worker count
    let (tx, rx) = std::sync::mpsc::channel::<u8>();
    let (a, b) = std::sync::mpsc::channel::<u8>(); // distlint:ignore unbounded-channel shutdown signal only
    let (c, d) = std::sync::mpsc::channel::<u8>(); // distlint:ignore some-other-rule reason
               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep(c);
}
"#,
    );
}

#[test]
fn syntax_errors_elsewhere_do_not_hide_findings() {
    check(
        "unbounded-channel",
        r#"
fn broken( {
    let = ;
}
fn ok() {
    let (tx, rx) = flume::unbounded::<u8>();
                 //^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    keep(tx);
}
"#,
    );
}

#[test]
fn fix_swaps_std_channel_for_sync_channel() {
    check_fix(
        "unbounded-channel",
        "Bound this channel",
        "use std::sync::mpsc;\nfn f() {\n    let (tx, rx) = mpsc::channel::<u8>();\n    loop { tx.send(1).unwrap(); }\n}\n",
        "use std::sync::mpsc;\nfn f() {\n    let (tx, rx) = mpsc::sync_channel::<u8>(1024);\n    loop { tx.send(1).unwrap(); }\n}\n",
    );
}

#[test]
fn fix_spells_out_path_for_bare_imported_name() {
    check_fix(
        "unbounded-channel",
        "Bound this channel",
        "use crossbeam_channel::unbounded;\nfn f() {\n    let (tx, rx) = unbounded::<u8>();\n    keep(tx);\n}\n",
        "use crossbeam_channel::unbounded;\nfn f() {\n    let (tx, rx) = crossbeam_channel::bounded::<u8>(1024);\n    keep(tx);\n}\n",
    );
}
#[test]
fn tokio_fix_awaits_sends_in_async_code_and_follows_clones() {
    check_fix(
        "unbounded-channel",
        "Bound this channel (capacity 1024)",
        "use tokio::sync::mpsc;\nasync fn run() {\n    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();\n    let tx2 = tx.clone();\n    tokio::spawn(async move {\n        loop {\n            tx2.send(1).unwrap();\n        }\n    });\n    if tx.send(2).is_err() {\n        return;\n    }\n    while let Some(v) = rx.recv().await {}\n}\n",
        "use tokio::sync::mpsc;\nasync fn run() {\n    let (tx, mut rx) = mpsc::channel::<u64>(1024);\n    let tx2 = tx.clone();\n    tokio::spawn(async move {\n        loop {\n            tx2.send(1).await.unwrap();\n        }\n    });\n    if tx.send(2).await.is_err() {\n        return;\n    }\n    while let Some(v) = rx.recv().await {}\n}\n",
    );
}

#[test]
fn tokio_fix_renames_types_and_uses_blocking_send_in_sync_code() {
    check_fix(
        "unbounded-channel",
        "Bound this channel (capacity 1024)",
        r#"use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
struct Worker {
    tx: UnboundedSender<String>,
}
impl Worker {
    fn new() -> (Self, UnboundedReceiver<String>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Worker { tx }, rx)
    }
    fn submit(&self, job: String) {
        let _ = self.tx.send(job);
    }
}
async fn produce(tx: &mpsc::UnboundedSender<String>) {
    tx.send("x".into()).unwrap();
}
"#,
        r#"use tokio::sync::mpsc::{self, Receiver, Sender};
struct Worker {
    tx: Sender<String>,
}
impl Worker {
    fn new() -> (Self, Receiver<String>) {
        let (tx, rx) = mpsc::channel(1024);
        (Worker { tx }, rx)
    }
    fn submit(&self, job: String) {
        let _ = self.tx.blocking_send(job);
    }
}
async fn produce(tx: &mpsc::Sender<String>) {
    tx.send("x".into()).await.unwrap();
}
"#,
    );
}

#[test]
fn tokio_fix_follows_a_sender_into_a_local_function() {
    check_fix(
        "unbounded-channel",
        "Bound this channel (capacity 1024)",
        "use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};\nasync fn produce(tx: UnboundedSender<u8>) {\n    while let Some(v) = next().await {\n        let _ = tx.send(v);\n    }\n}\nasync fn run() {\n    let (tx, mut rx) = unbounded_channel();\n    tokio::spawn(produce(tx.clone()));\n    drop(tx);\n    rx.recv().await;\n}\n",
        "use tokio::sync::mpsc::{unbounded_channel, Sender};\nasync fn produce(tx: Sender<u8>) {\n    while let Some(v) = next().await {\n        let _ = tx.send(v).await;\n    }\n}\nasync fn run() {\n    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);\n    tokio::spawn(produce(tx.clone()));\n    drop(tx);\n    rx.recv().await;\n}\n",
    );
}

#[test]
fn tokio_fix_is_constructor_only_when_a_sender_escapes() {
    check_fix(
        "unbounded-channel",
        "constructor only: a sender is passed to a function outside this file",
        "use tokio::sync::mpsc;\nasync fn run() {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n    other_crate::spawn_reader(tx);\n}\n",
        "use tokio::sync::mpsc;\nasync fn run() {\n    let (tx, rx) = mpsc::channel::<u8>(1024);\n    other_crate::spawn_reader(tx);\n}\n",
    );
    check_fix(
        "unbounded-channel",
        "constructor only: a send inside a closure",
        "use tokio::sync::mpsc;\nasync fn run(items: Vec<u8>) {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n    items.into_iter().for_each(|i| { tx.send(i).unwrap(); });\n}\n",
        "use tokio::sync::mpsc;\nasync fn run(items: Vec<u8>) {\n    let (tx, rx) = mpsc::channel::<u8>(1024);\n    items.into_iter().for_each(|i| { tx.send(i).unwrap(); });\n}\n",
    );
    check_fix(
        "unbounded-channel",
        "constructor only: a synchronous function that sends is called from async code",
        "use tokio::sync::mpsc::{self, UnboundedSender};\nfn emit(tx: &UnboundedSender<u8>) {\n    for i in 0.. {\n        tx.send(i).unwrap();\n    }\n}\nasync fn run() {\n    let (tx, rx) = mpsc::unbounded_channel::<u8>();\n    emit(&tx);\n}\n",
        "use tokio::sync::mpsc::{self, UnboundedSender};\nfn emit(tx: &UnboundedSender<u8>) {\n    for i in 0.. {\n        tx.send(i).unwrap();\n    }\n}\nasync fn run() {\n    let (tx, rx) = mpsc::channel::<u8>(1024);\n    emit(&tx);\n}\n",
    );
}

#[test]
fn futures_fix_keeps_sink_sends_but_not_unbounded_send() {
    check_fix(
        "unbounded-channel",
        "Bound this channel (capacity 1024)",
        "use futures::channel::mpsc::{self, UnboundedReceiver};\nuse futures::SinkExt;\nasync fn run() -> UnboundedReceiver<u8> {\n    let (mut tx, rx) = mpsc::unbounded();\n    while tick().await {\n        tx.send(1).await.unwrap();\n    }\n    rx\n}\n",
        "use futures::channel::mpsc::{self, Receiver};\nuse futures::SinkExt;\nasync fn run() -> Receiver<u8> {\n    let (mut tx, rx) = mpsc::channel(1024);\n    while tick().await {\n        tx.send(1).await.unwrap();\n    }\n    rx\n}\n",
    );
    check_fix(
        "unbounded-channel",
        "constructor only: `unbounded_send`",
        "use futures::channel::mpsc;\nfn run() {\n    let (tx, rx) = mpsc::unbounded::<u8>();\n    loop {\n        tx.unbounded_send(1).unwrap();\n    }\n}\n",
        "use futures::channel::mpsc;\nfn run() {\n    let (tx, rx) = mpsc::channel::<u8>(1024);\n    loop {\n        tx.unbounded_send(1).unwrap();\n    }\n}\n",
    );
}

#[test]
fn std_fix_renames_sender_types_to_sync_sender() {
    check_fix(
        "unbounded-channel",
        "Bound this channel (capacity 1024)",
        "use std::sync::mpsc::{channel, Sender};\nfn worker(tx: Sender<u8>) {\n    loop {\n        tx.send(1).unwrap();\n    }\n}\nfn main() {\n    let (tx, rx) = channel();\n    std::thread::spawn(move || worker(tx));\n    rx.recv().unwrap();\n}\n",
        "use std::sync::mpsc::{channel, SyncSender};\nfn worker(tx: SyncSender<u8>) {\n    loop {\n        tx.send(1).unwrap();\n    }\n}\nfn main() {\n    let (tx, rx) = std::sync::mpsc::sync_channel(1024);\n    std::thread::spawn(move || worker(tx));\n    rx.recv().unwrap();\n}\n",
    );
}
#[test]
fn silent_when_the_file_shows_the_queue_is_bounded() {
    check(
        "unbounded-channel",
        r#"
use tokio::sync::{mpsc, oneshot};
fn one_shot_signal() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        tx.send(compute()).unwrap();
    });
    let (done_tx, done_rx) = flume::unbounded();
    done_tx.send(()).unwrap();
    drop(done_tx);
}
fn request_channel() -> Handle {
    let (tx, rx) = mpsc::unbounded_channel::<(Request, oneshot::Sender<Response>)>();
    Handle { tx }
}
struct Client { inner: mpsc::UnboundedSender<Envelope> }
fn client() -> Client {
    let (tx, rx) = mpsc::unbounded_channel();
    Client { inner: tx }
}
impl Client {
    async fn call(&self, req: Request) -> Response {
        let (reply, wait) = oneshot::channel();
        self.inner.send(Envelope { req, reply }).unwrap();
        wait.await.unwrap()
    }
}
"#,
    );
}

/// Production look-alikes from the blind triage of the pinned corpus (issue 14): mongodb's
/// `TopologyUpdater` (`sdam/topology.rs:782`: every send carries an acknowledgment the
/// sender awaits), a tokio-postgres-style request carrying its own response channel, and
/// sqlx's `PgListener` (`listener.rs:64`: the sender lives in the connection the listener
/// owns and reads).
#[test]
fn silent_on_acknowledged_requests_and_producers_owned_by_the_consumer() {
    check(
        "unbounded-channel",
        r#"
use tokio::sync::mpsc;
use futures_channel::mpsc as fmpsc;

pub struct TopologyUpdater {
    sender: mpsc::UnboundedSender<AcknowledgedMessage<UpdateMessage, bool>>,
}
impl TopologyUpdater {
    pub fn channel() -> (TopologyUpdater, TopologyUpdateReceiver) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let updater = TopologyUpdater { sender: tx };
        (updater, TopologyUpdateReceiver { update_receiver: rx })
    }
    async fn send_message(&self, update: UpdateMessage) -> bool {
        let (message, receiver) = AcknowledgedMessage::package(update);
        match self.sender.send(message) {
            Ok(_) => receiver.wait_for_acknowledgment().await.unwrap_or(false),
            _ => false,
        }
    }
}

pub struct InnerClient {
    sender: fmpsc::UnboundedSender<Request>,
}
pub fn connect() -> InnerClient {
    let (sender, receiver) = fmpsc::unbounded();
    spawn_connection(receiver);
    InnerClient { sender }
}
impl InnerClient {
    pub async fn send(&self, messages: RequestMessages) -> Result<Responses, Error> {
        let (sender, mut receiver) = fmpsc::channel(1);
        let request = Request { messages, sender };
        self.sender.unbounded_send(request).map_err(|_| Error::closed())?;
        Ok(Responses::new((&mut receiver).await))
    }
}

pub struct PgListener {
    connection: Option<PoolConnection>,
    buffer_rx: fmpsc::UnboundedReceiver<Notification>,
}
impl PgListener {
    pub async fn connect_with(pool: &Pool) -> Result<Self, Error> {
        let mut connection = pool.acquire().await?;
        let (sender, receiver) = fmpsc::unbounded();
        connection.inner.stream.notifications = Some(sender);
        Ok(Self {
            connection: Some(connection),
            buffer_rx: receiver,
        })
    }
}
"#,
    );
}

/// The look-alikes' near misses stay findings: an acknowledgment returned instead of
/// awaited, one fire-and-forget send among acknowledged ones, a sender stored in a value
/// that a spawned task owns, and redis's pub/sub push channel (`aio/pubsub.rs:395`, true in
/// the triage: messages pushed by a driver task, read by the user).
#[test]
fn flags_unacknowledged_sends_and_producers_not_owned_by_the_consumer() {
    check(
        "unbounded-channel",
        r#"
use tokio::sync::mpsc;

pub struct PoolManager {
    sender: mpsc::UnboundedSender<PoolManagementRequest>,
}
pub fn channel() -> (PoolManager, ManagementRequestReceiver) {
    let (sender, receiver) = mpsc::unbounded_channel();
                           //^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    (PoolManager { sender }, ManagementRequestReceiver { receiver })
}
impl PoolManager {
    pub async fn clear(&self) {
        let (message, ack) = AcknowledgedMessage::package(());
        if self.sender.send(PoolManagementRequest::Clear(message)).is_ok() {
            ack.wait_for_acknowledgment().await;
        }
    }
    pub fn check_in(&self, conn: Connection) {
        let _ = self.sender.send(PoolManagementRequest::CheckIn(conn));
    }
}

pub struct Emitter {
    sender: mpsc::UnboundedSender<AcknowledgedMessage<Event>>,
}
pub fn emitter() -> (Emitter, mpsc::UnboundedReceiver<AcknowledgedMessage<Event>>) {
    let (tx, rx) = mpsc::unbounded_channel();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    (Emitter { sender: tx }, rx)
}
impl Emitter {
    pub fn emit(&self, event: Event) -> AcknowledgmentReceiver<()> {
        let (msg, ack) = AcknowledgedMessage::package(event);
        let _ = self.sender.send(msg);
        ack
    }
}

pub struct Listener {
    buffer_rx: mpsc::UnboundedReceiver<Notification>,
}
pub async fn listen(mut conn: Connection) -> Listener {
    let (sender, receiver) = mpsc::unbounded_channel();
                           //^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    conn.notifications = Some(sender);
    tokio::spawn(conn.run());
    Listener { buffer_rx: receiver }
}

pub struct PubSub {
    sink: PubSubSink,
    stream: PubSubStream,
}
impl PubSub {
    pub async fn new<C>(stream: C) -> RedisResult<Self> {
        let mut codec = ValueCodec::default().framed(stream);
        let (sender, receiver) = mpsc::unbounded_channel();
                               //^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
        let (sink, driver) = PubSubSink::new(codec, sender);
        let handle = tokio::spawn(driver);
        let stream = PubSubStream { receiver, handle };
        Ok(PubSub { sink, stream })
    }
}
"#,
    );
}

#[test]
fn flags_producers_in_loops_and_callbacks() {
    check(
        "unbounded-channel",
        r#"
async fn pump(mut socket: Socket) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                     //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    tokio::spawn(async move {
        while let Some(frame) = socket.next().await {
            tx.send(frame).unwrap();
        }
    });
    let (etx, erx) = flume::unbounded();
                   //^^^^^^^^^^^^^^^^^^ unbounded-channel
    bus.on_event(move |e| { etx.send(e).ok(); });
}
"#,
    );
}

/// The receiver kept in a struct and read as a promise (pinky-swear `lib.rs:60`) or as a
/// drain of what was produced so far (cc `compile_commands.rs:112`), from the extended
/// trial's false positives (docs/precision.md).
#[test]
fn silent_on_promises_and_drains_held_in_structs() {
    check(
        "unbounded-channel",
        r#"
use flume::{Receiver, Sender};
use std::sync::mpsc;
use std::future::Future;

pub struct PinkySwear<T> { recv: Receiver<T>, pinky: Pinky<T> }
pub struct Pinky<T> { send: Sender<T> }
impl<T: Send + 'static> PinkySwear<T> {
    pub fn new() -> (Self, Pinky<T>) {
        let (send, recv) = flume::unbounded();
        let pinky = Pinky { send };
        let promise = Self { recv, pinky };
        let pinky = promise.pinky.clone();
        (promise, pinky)
    }
    pub fn try_wait(&self) -> Option<T> { self.recv.try_recv().ok() }
    pub fn wait(&self) -> T { self.recv.recv().unwrap() }
}
impl<T: Send + 'static> Future for PinkySwear<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        self.try_wait().map(Poll::Ready).unwrap_or(Poll::Pending)
    }
}
impl<T> Pinky<T> {
    pub fn swear(&self, data: T) {
        if let Err(err) = self.send.send(data) { warn(err); }
    }
}
impl<T> Clone for Pinky<T> {
    fn clone(&self) -> Self { Self { send: self.send.clone() } }
}

pub struct CompileCommandCollector { sender: Mutex<mpsc::Sender<Command>> }
impl CompileCommandCollector {
    pub fn new() -> (Self, CompileCommands) {
        let (sender, receiver) = mpsc::channel();
        let collector = Self { sender: Mutex::new(sender) };
        (collector, CompileCommands(receiver))
    }
}
impl Logger for CompileCommandCollector {
    fn log(&self, command: Command) {
        let _ = self.sender.lock().unwrap().send(command);
    }
}
pub struct CompileCommands(mpsc::Receiver<Command>);
impl Iterator for CompileCommands {
    type Item = Command;
    fn next(&mut self) -> Option<Command> { self.0.try_recv().ok() }
}
"#,
    );
}

/// Look-alikes of the promise and the drain that do queue behind a slow consumer.
#[test]
fn flags_struct_held_receivers_read_as_streams_or_waited_on() {
    check(
        "unbounded-channel",
        r#"
use std::sync::mpsc;
use futures::Stream;

// lapin consumer.rs: deliveries from the broker, read as a Stream.
pub struct Consumer { deliveries_in: flume::Sender<Delivery>, deliveries_out: flume::Receiver<Delivery> }
impl Consumer {
    fn new() -> Self {
        let (sender, receiver) = flume::unbounded();
                               //^^^^^^^^^^^^^^^^^^ unbounded-channel
        Self { deliveries_in: sender, deliveries_out: receiver }
    }
    fn next_delivery(&mut self) -> Option<Delivery> { self.deliveries_out.try_recv().ok() }
    fn new_delivery(&self, d: Delivery) { let _ = self.deliveries_in.send(d); }
}
impl Stream for Consumer {
    type Item = Delivery;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Delivery>> {
        Poll::Ready(self.next_delivery())
    }
}

// An iterator that waits for each message: a live consumer the producers can outrun.
pub struct Jobs(mpsc::Receiver<Job>);
fn jobs() -> (mpsc::Sender<Job>, Jobs) {
    let (tx, rx) = mpsc::channel();
                 //^^^^^^^^^^^^^^^ unbounded-channel
    (tx, Jobs(rx))
}
impl Iterator for Jobs {
    type Item = Job;
    fn next(&mut self) -> Option<Job> { self.0.recv().ok() }
}

// A future whose sender sends in a loop: every value after the first piles up unread.
pub struct Reply { rx: flume::Receiver<u8> }
pub struct Replier { tx: flume::Sender<u8> }
fn reply() -> (Reply, Replier) {
    let (tx, rx) = flume::unbounded();
                 //^^^^^^^^^^^^^^^^^^ unbounded-channel
    (Reply { rx }, Replier { tx })
}
impl Future for Reply {
    type Output = u8;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> { self.rx.try_recv().map(Poll::Ready).unwrap_or(Poll::Pending) }
}
impl Replier {
    fn pump(&self, src: &Source) { for v in src.iter() { let _ = self.tx.send(v); } }
}
"#,
    );
}

/// Shapes of the extended trial's false positives (docs/precision.md): each queue holds a
/// number of messages fixed by the code the file shows.
#[test]
fn silent_on_fixed_count_producers_the_file_shows() {
    check(
        "unbounded-channel",
        r#"
use std::sync::mpsc;
use std::thread;

// event-listener examples/mutex.rs: one clone per thread of a constant count.
fn main() {
    const N: usize = 10;
    let counter = Arc::new(Mutex::new(0));
    let (tx, rx) = mpsc::channel();
    for _ in 0..N {
        let counter = counter.clone();
        let tx = tx.clone();
        thread::spawn(move || {
            let mut counter = counter.lock();
            *counter += 1;
            if *counter == N {
                tx.send(()).unwrap();
            }
        });
    }
    rx.recv().unwrap();
}

// tokio-util spawn_pinned.rs: the init result is sent once from the thread's function (and the
// file's own `Drop::drop` does not hide the prelude's `drop`).
struct AbortGuard(AbortHandle);
impl Drop for AbortGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}
struct Worker { handle: Handle }
impl Worker {
    fn new_worker() -> Worker {
        let (handle_sender, handle_receiver) = std::sync::mpsc::channel();
        std::thread::spawn(|| Self::run(handle_sender));
        let handle = handle_receiver.recv().unwrap().unwrap();
        Worker { handle }
    }
    fn run(handle_sender: std::sync::mpsc::Sender<std::io::Result<Handle>>) {
        let runtime = match Runtime::new() {
            Ok(runtime) => runtime,
            Err(err) => {
                let _ = handle_sender.send(Err(err));
                return;
            }
        };
        handle_sender.send(Ok(runtime.handle())).expect("send");
        drop(handle_sender);
        runtime.block_on(serve());
    }
}

// parking_lot_core parking_lot.rs: the receiver is collected into a Vec in the iteration that
// created it (every message is held by the Vec anyway).
fn deadlocks(cycles: Vec<Vec<*const ThreadData>>) -> Vec<Vec<Backtrace>> {
    let mut results = Vec::with_capacity(cycles.len());
    for cycle in cycles {
        let (sender, receiver) = mpsc::channel();
        for td in cycle {
            unsafe { *(*td).backtrace_sender.get() = Some(sender.clone()) };
        }
        drop(sender);
        results.push(receiver.iter().collect());
    }
    results
}

fn one_result_per_free_function() {
    let (tx, rx) = flume::unbounded();
    std::thread::spawn(move || report(42, tx));
    rx.recv().unwrap();
}
fn report(code: u32, out: flume::Sender<u32>) {
    out.send(code).ok();
}

fn gather_over_a_literal_list() {
    let (tx, rx) = crossbeam_channel::unbounded();
    for host in ["a", "b", "c"] {
        let tx = tx.clone();
        std::thread::spawn(move || tx.send(probe(host)));
    }
    drop(tx);
    let answers: Vec<_> = rx.try_iter().collect();
}
"#,
    );
}

/// Shapes of the trials' true findings, and look-alikes of the silent shapes above where the
/// count is not fixed.
#[test]
fn flags_queues_whose_producers_are_not_fixed_count() {
    check(
        "unbounded-channel",
        r#"
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender, UnboundedReceiver};

// tokio-util spawn_pinned.rs:380: tasks queued to a worker, one per `spawn_pinned` call.
struct LocalWorkerHandle { spawner: UnboundedSender<Job> }
impl LocalWorkerHandle {
    fn new_worker() -> LocalWorkerHandle {
        let (sender, receiver) = unbounded_channel();
                               //^^^^^^^^^^^^^^^^^^^ unbounded-channel
        std::thread::spawn(|| Self::run(receiver));
        LocalWorkerHandle { spawner: sender }
    }
    fn run(mut task_receiver: UnboundedReceiver<Job>) {
        while let Some(job) = task_receiver.blocking_recv() {
            job();
        }
    }
}

// async-task examples/spawn.rs: an executor's run queue, the sender returned from a `Lazy`.
fn spawn(future: F) -> Task<T> {
    static QUEUE: Lazy<flume::Sender<Runnable>> = Lazy::new(|| {
        let (sender, receiver) = flume::unbounded::<Runnable>();
                               //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
        thread::spawn(|| {
            for runnable in receiver {
                runnable.run();
            }
        });
        sender
    });
    let schedule = |runnable| QUEUE.send(runnable).unwrap();
    async_task::spawn(future, schedule)
}

// redis aio/pubsub.rs: the sender goes to a type defined in another file.
async fn pubsub(codec: Codec) -> PubSub {
    let (sender, receiver) = unbounded_channel();
                           //^^^^^^^^^^^^^^^^^^^ unbounded-channel
    let (sink, driver) = PubSubSink::new(codec, sender);
    PubSub { sink, stream: PubSubStream { receiver } }
}

// Look-alikes: a local function that sends in a loop; a local function called in a loop; a
// loop over a count known only at run time; a collect that drains batches in a loop.
fn forwards(socket: Socket) {
    let (tx, rx) = std::sync::mpsc::channel();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    std::thread::spawn(move || pump(socket, tx));
    consume(rx);
}
fn pump(socket: Socket, tx: std::sync::mpsc::Sender<Frame>) {
    while let Some(frame) = socket.read() {
        tx.send(frame).unwrap();
    }
}
fn called_in_a_loop(jobs: Vec<Job>) {
    let (tx, rx) = flume::unbounded();
                 //^^^^^^^^^^^^^^^^^^ unbounded-channel
    for job in jobs {
        submit(job, &tx);
    }
    consume(rx);
}
fn submit(job: Job, tx: &flume::Sender<Job>) {
    tx.send(job).unwrap();
}
fn workers(n: usize) {
    let (tx, rx) = crossbeam_channel::unbounded();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    for _ in 0..n {
        let tx = tx.clone();
        std::thread::spawn(move || tx.send(work()));
    }
    consume(rx);
}
fn batches() {
    let (tx, rx) = crossbeam_channel::unbounded();
                 //^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ unbounded-channel
    std::thread::spawn(move || loop {
        tx.send(read()).unwrap();
    });
    loop {
        let batch: Vec<u8> = rx.try_iter().collect();
        process(batch);
    }
}
"#,
    );
}

/// A sender passed to another function of the file is judged by that function's sends; an
/// edit there must change the finding of the unchanged unit that creates the channel, in the
/// editor (incremental analysis) as in a from-scratch analysis.
#[test]
fn editing_the_function_a_sender_is_passed_to_updates_the_finding() {
    use crate::config::RuleLevel;
    use crate::document::TextChange;
    use crate::host::AnalysisHost;
    use crate::{Analyzer, Config, Document, Language, PositionEncoding};

    let mut config = Config::default();
    for r in crate::rules::all() {
        if r.meta().id != "unbounded-channel" {
            config.rules.insert(r.meta().id.to_string(), RuleLevel::Off);
        }
    }
    let before = "fn start() {\n    let (tx, rx) = flume::unbounded();\n    std::thread::spawn(move || report(tx));\n    rx.recv().ok();\n}\nfn report(tx: flume::Sender<u8>) {\n    tx.send(1).ok();\n}\n";
    let host = AnalysisHost::new(Analyzer::new(config.clone()));
    host.open("k", Document::new(Language::Rust, before, 0));
    assert_eq!(
        host.analyze("k").unwrap().findings.len(),
        0,
        "one send: bounded"
    );
    // Wrap the send in `loop { ... }` (line 6, 0-based), in one edit that keeps the file
    // parsing, so only `report` is re-parsed and `start` is a cached unit.
    let at = |line, character| crate::TextPosition::new(line, character);
    let edit = TextChange {
        range: Some((at(6, 4), at(6, 20))),
        text: "loop { tx.send(1).ok(); }".into(),
    };
    host.change("k", &[edit], 1, PositionEncoding::Utf16)
        .unwrap();
    host.analyze("k").unwrap();
    let stats = host.last_stats("k").unwrap();
    assert!(
        !stats.from_scratch && stats.units_analysed == 1,
        "{stats:?}"
    );
    let doc = host.snapshot("k").unwrap();
    assert!(
        doc.text().contains("loop { tx.send(1).ok(); }"),
        "{}",
        doc.text()
    );
    let incremental = host.analyze("k").unwrap().findings;
    let scratch = Analyzer::new(config).analyze(&doc);
    assert_eq!(*incremental, scratch);
    assert_eq!(scratch.len(), 1, "a send in a loop: reported");
    assert_eq!(&doc.text()[scratch[0].range.clone()], "flume::unbounded()");
}

/// A constructor imported under another name is judged like any other: its sender is
/// followed into the function of the file it is passed to.
#[test]
fn aliased_constructor_sender_is_followed_into_local_functions() {
    check(
        "unbounded-channel",
        r#"
use flume::unbounded as queue;
fn start() {
    let (tx, rx) = queue::<u8>();
    std::thread::spawn(move || report(tx));
    rx.recv().ok();
}
fn report(tx: flume::Sender<u8>) {
    tx.send(1).ok();
}
fn start_pump() {
    let (tx, rx) = queue::<u8>();
                 //^^^^^^^^^^^^^ unbounded-channel
    std::thread::spawn(move || pump(tx));
    rx.recv().ok();
}
fn pump(tx: flume::Sender<u8>) {
    loop {
        tx.send(1).ok();
    }
}
"#,
    );
}
