//! Order pipeline: a producer thread hands orders to a consumer thread.
use std::sync::mpsc;
use std::thread;

fn main() {
    let label = "注文 📦"; let (tx, rx) = mpsc::channel::<String>(); // expect: unbounded-channel "mpsc::channel::<String>()"

    // A bounded channel: back-pressure on the producer. Must stay silent.
    let (done_tx, done_rx) = mpsc::sync_channel::<usize>(1);

    // One message per order line read from stdin: as many as arrive, as fast as they arrive.
    let producer = thread::spawn(move || {
        for (i, line) in std::io::stdin().lines().enumerate() {
            tx.send(format!("{label} #{i}: {}", line.unwrap())).unwrap();
        }
    });
    let consumer = thread::spawn(move || {
        let mut n = 0;
        for order in rx {
            println!("{order}");
            n += 1;
        }
        done_tx.send(n).unwrap();
    });
    producer.join().unwrap();
    consumer.join().unwrap();
    println!("processed {}", done_rx.recv().unwrap());
}
