//! Concurrent writers for criterion's `iter_custom`: `threads` threads run `total` pairs
//! between them; the time is the wall time from a common start to the last one's end, and
//! each pair's latency is kept for the percentiles.

use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

/// Pair latencies gathered over every sample of one bench function.
#[derive(Default)]
pub struct Latencies(Mutex<Vec<Duration>>);

impl Latencies {
    /// The `p`th percentile (0–100) and the count, or `None` before any pair ran.
    pub fn percentile(&self, p: f64) -> Option<(Duration, usize)> {
        let mut all = self.0.lock().unwrap().clone();
        if all.is_empty() {
            return None;
        }
        all.sort_unstable();
        let last = all.len() - 1;
        let i = ((last as f64) * p / 100.0).round() as usize;
        Some((all[i.min(last)], all.len()))
    }

    /// Prints p50 and p99 of `name`.
    pub fn report(&self, name: &str) {
        if let (Some((p50, n)), Some((p99, _))) = (self.percentile(50.0), self.percentile(99.0)) {
            eprintln!("{name}: pair latency p50 {p50:.2?}, p99 {p99:.2?} over {n} pairs");
        }
    }
}

/// Runs `total` pairs on `threads` threads. `worker(i)` builds thread `i`'s pair function
/// (opening its connection, say) before the clock starts.
pub fn run<W, F>(threads: usize, total: u64, latencies: &Latencies, worker: W) -> Duration
where
    W: Fn(usize) -> F + Sync,
    F: FnMut(),
{
    let threads_u64 = threads as u64;
    let start = Barrier::new(threads + 1);
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads);
        for i in 0..threads {
            let (start, worker) = (&start, &worker);
            let share = total / threads_u64 + u64::from((i as u64) < total % threads_u64);
            handles.push(scope.spawn(move || {
                let mut pair = worker(i);
                let mut mine = Vec::with_capacity(share as usize);
                start.wait();
                for _ in 0..share {
                    let t = Instant::now();
                    pair();
                    mine.push(t.elapsed());
                }
                mine
            }));
        }
        start.wait();
        let t = Instant::now();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().unwrap());
        }
        let elapsed = t.elapsed();
        latencies.0.lock().unwrap().extend(all);
        elapsed
    })
}
