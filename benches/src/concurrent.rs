//! Concurrent writers for criterion's `iter_custom`: `threads` threads (or worker processes,
//! [`Workers`]) run `total` pairs between them; the time is the wall time from a common start
//! to the last one's end, and each pair's latency is kept for the percentiles.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
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

    /// Adds latencies measured elsewhere (by a worker process).
    pub fn extend(&self, more: impl IntoIterator<Item = Duration>) {
        self.0.lock().unwrap().extend(more);
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
    let start = Barrier::new(threads + 1);
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads);
        for i in 0..threads {
            let (start, worker) = (&start, &worker);
            let share = share(total, threads, i);
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

/// Shares `total` among `writers`: writer `i`'s share.
fn share(total: u64, writers: usize, i: usize) -> u64 {
    let n = writers as u64;
    total / n + u64::from((i as u64) < total % n)
}

/// Writer processes: `bench-worker pairs …` children, each with its own store handle or
/// connection, started (and connected) before any clock runs. Each waits on its stdin for a
/// line `run N`, runs N pairs, and answers one line `done` followed by each pair's latency in
/// nanoseconds. Closing stdin (dropping `Workers`) ends them.
pub struct Workers {
    children: Vec<(Child, ChildStdin, BufReader<ChildStdout>)>,
}

impl Workers {
    /// Starts `count` processes of `exe` (the `bench-worker` binary, whose path a bench gets
    /// from `env!("CARGO_BIN_EXE_bench-worker")`) with `args`, and waits until each has
    /// said `ready`.
    pub fn spawn(exe: &str, count: usize, args: &[String]) -> Self {
        let mut children = Vec::with_capacity(count);
        for _ in 0..count {
            let mut child = Command::new(exe)
                .arg("pairs")
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let stdin = child.stdin.take().unwrap();
            let stdout = BufReader::new(child.stdout.take().unwrap());
            children.push((child, stdin, stdout));
        }
        for (_, _, out) in &mut children {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            assert_eq!(line.trim(), "ready", "a worker failed to start");
        }
        Workers { children }
    }

    /// Runs `total` pairs shared among the processes: the wall time from the first `run`
    /// line written to the last `done` line read.
    pub fn run(&mut self, total: u64, latencies: &Latencies) -> Duration {
        let count = self.children.len();
        let t = Instant::now();
        for (i, (_, stdin, _)) in self.children.iter_mut().enumerate() {
            writeln!(stdin, "run {}", share(total, count, i)).unwrap();
            stdin.flush().unwrap();
        }
        let mut lines = Vec::with_capacity(count);
        for (_, _, out) in &mut self.children {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            lines.push(line);
        }
        let elapsed = t.elapsed();
        for line in lines {
            let mut words = line.split_whitespace();
            assert_eq!(words.next(), Some("done"), "a worker failed: {line:?}");
            latencies.extend(words.map(|w| Duration::from_nanos(w.parse().unwrap())));
        }
        elapsed
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for (mut child, stdin, _) in self.children.drain(..) {
            drop(stdin);
            let _ = child.wait();
        }
    }
}
