//! Nightly report job, guarded by a Redis lock, and the in-process job dispatcher.

use std::collections::VecDeque;

use tokio::sync::mpsc;

pub struct Job {
    pub id: u64,
    pub payload: Vec<u8>,
}

pub async fn rebuild_report(
    con: &mut redis::aio::MultiplexedConnection,
    pool: &sqlx::PgPool,
    worker_id: &str,
) -> anyhow::Result<()> {
    // Footgun: the lock has a 30 s lease but writes carry no fencing token; a worker that pauses
    // past the lease overwrites the next holder's report.
    let acquired: bool = redis::cmd("SET")
        .arg("lock:nightly-report")
        .arg(worker_id)
        .arg("NX")
        .arg("PX")
        .arg(30_000)
        .query_async(con)
        .await?;
    if !acquired {
        return Ok(());
    }
    let body = build_report(pool).await?;
    sqlx::query("UPDATE reports SET body = $1 WHERE name = 'nightly'")
        .bind(body)
        .execute(pool)
        .await?;
    Ok(())
}

async fn build_report(_pool: &sqlx::PgPool) -> anyhow::Result<String> {
    Ok(String::new())
}

pub struct Dispatcher {
    queue: VecDeque<Job>,
}

impl Dispatcher {
    pub fn start(mut incoming: tokio::net::TcpListener) -> mpsc::UnboundedSender<Job> {
        // Footgun: unbounded channel between the accept loop and the workers.
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move { Dispatcher { queue: VecDeque::new() }.run(rx).await });
        let accept_tx = tx.clone();
        tokio::spawn(async move {
            loop {
                let (socket, _) = incoming.accept().await.unwrap();
                let job = Job { id: 0, payload: read_job(socket).await };
                accept_tx.send(job).unwrap();
            }
        });
        tx
    }

    async fn run(&mut self, mut rx: mpsc::UnboundedReceiver<Job>) {
        // Footgun: the backlog grows without a cap while the workers are slow.
        while let Some(job) = rx.recv().await {
            self.queue.push_back(job);
        }
    }
}

async fn read_job(_socket: tokio::net::TcpStream) -> Vec<u8> {
    Vec::new()
}
