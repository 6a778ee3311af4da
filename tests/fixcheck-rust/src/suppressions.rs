//! `unused-suppression` (engine pseudo-rule): "Remove unused suppression" and "Remove unused rule
//! ids from the suppression" (safe).
pub fn nothing_to_suppress() -> u8 {
    // distlint:ignore unbounded-channel the channel moved to the worker module
    1
}

pub fn one_id_too_many(n: u8) -> u8 {
    // distlint:ignore unbounded-channel,quorum-math one message per worker, n is small
    let (tx, rx) = std::sync::mpsc::channel::<u8>();
    for i in 0..n {
        tx.send(i).unwrap();
    }
    rx.recv().unwrap()
}
