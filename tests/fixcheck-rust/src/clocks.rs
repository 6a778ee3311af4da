//! `wall-clock-elapsed` (clock-ordering): "Use a monotonic clock".
use std::time::SystemTime;

pub fn measure() -> u128 {
    let start = SystemTime::now();
    std::hint::black_box(1 + 1);
    start.elapsed().unwrap().as_millis()
}

pub fn measure_between() -> u64 {
    let t0 = SystemTime::now();
    std::hint::black_box(2 * 2);
    let took = SystemTime::now().duration_since(t0).expect("clock went backwards");
    took.as_secs()
}
