//! An SQLite store's WAL checkpoints, run on a thread of their own instead of by the writer
//! whose commit crossed the threshold: stores with synchronous=NORMAL (docs/decisions.md §63).
//!
//! SQLite's default is that the commit which leaves the WAL longer than `wal_autocheckpoint`
//! pages copies the WAL into the database file and `fsync`s it, inside that writer's call:
//! about a tenth of a request+approve pair's time, in bursts that stall every writer of the
//! store. Here each pooled connection's WAL hook only wakes the store's checkpoint thread, once
//! per threshold of new frames, and the thread runs `PASSIVE` checkpoints on its own connection
//! (they copy what no reader still needs and never block a writer) while the writers go on. Two
//! things keep the WAL bounded whatever the thread does: a commit that finds the WAL at four
//! times the threshold (the limit) checkpoints inline, as SQLite would; and a store whose thread
//! could not be started checkpoints inline at the threshold, exactly as before.

use std::ffi::c_int;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use rusqlite::Connection;
use rusqlite::hooks::Wal;
use rusqlite::wal::CheckpointMode;

/// How many times the threshold the WAL may reach before a committing writer checkpoints it
/// itself.
const LIMIT_FACTOR: i64 = 4;

/// The most checkpoints the thread runs in a row to catch up with the writers.
const PASSES: usize = 4;

/// What the writers' hooks and the thread share.
#[derive(Debug)]
struct Shared {
    /// WAL pages at which a commit asks the thread for a checkpoint.
    threshold: AtomicI64,
    /// WAL pages at which a commit checkpoints inline.
    limit: AtomicI64,
    /// Whether a checkpoint is wanted, and whether the thread is to stop (or was never
    /// started).
    state: Mutex<State>,
    wake: Condvar,
    /// The WAL's length at the last commit: a shorter one means the WAL started again.
    last: AtomicI64,
    /// The WAL's length when the thread was last asked (0 since the WAL started again): it is
    /// asked again once the WAL has grown by another threshold, so once per threshold of new
    /// frames, not at every commit while a checkpoint that ran beside the writers (and so could
    /// not start the WAL again) left it long.
    asked_at: AtomicI64,
    background: AtomicU64,
    inline: AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    wanted: bool,
    stop: bool,
}

/// The checkpoints of one store: its thread and the counters tests read.
#[derive(Debug)]
pub(crate) struct Checkpoints {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// How many checkpoints a store ran since it opened, by who ran them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CheckpointCounts {
    /// `PASSIVE` checkpoints run by the store's checkpoint thread.
    pub background: u64,
    /// Checkpoints run by a committing writer (the WAL reached the limit, or no thread).
    pub inline: u64,
}

impl Checkpoints {
    /// Starts the thread, which checkpoints on `conn` (a connection of its own to the store's
    /// file), when the WAL reaches `threshold` pages. If the thread cannot be started, the
    /// writers checkpoint at the threshold themselves.
    pub(crate) fn start(conn: Connection, threshold: i64) -> Checkpoints {
        let shared = Arc::new(Shared {
            threshold: AtomicI64::new(threshold),
            limit: AtomicI64::new(threshold.saturating_mul(LIMIT_FACTOR)),
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            last: AtomicI64::new(0),
            asked_at: AtomicI64::new(0),
            background: AtomicU64::new(0),
            inline: AtomicU64::new(0),
        });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("license-inventory-checkpoint".into())
            .spawn(move || for_thread.run(&conn))
            .ok();
        if thread.is_none() {
            // No thread to ask: the hooks checkpoint at the threshold, as for a stopped one.
            shared.lock().stop = true;
        }
        Checkpoints {
            shared,
            thread: Mutex::new(thread),
        }
    }

    /// Installs the hook on a writer's connection (it replaces SQLite's automatic checkpoint).
    pub(crate) fn hook(&self, conn: &mut Connection) -> rusqlite::Result<()> {
        let shared = Arc::clone(&self.shared);
        conn.wal_hook(Some(move |wal: &mut Wal, pages: c_int| {
            shared.committed(wal, i64::from(pages));
            // The commit has happened whatever a checkpoint does: an error returned here would
            // make SQLite report the committed statement as failed. A failed checkpoint is
            // retried at the next commit (or by the thread), as SQLite's own hook does.
            Ok(())
        }))
    }

    /// Checkpoints run so far.
    pub(crate) fn counts(&self) -> CheckpointCounts {
        CheckpointCounts {
            background: self.shared.background.load(Ordering::Relaxed),
            inline: self.shared.inline.load(Ordering::Relaxed),
        }
    }

    /// Sets the threshold and the limit (tests: a WAL of a few pages).
    #[cfg(test)]
    pub(crate) fn set_pages(&self, threshold: i64, limit: i64) {
        self.shared.threshold.store(threshold, Ordering::Relaxed);
        self.shared.limit.store(limit, Ordering::Relaxed);
    }

    /// The WAL's length, in frames, after the last commit.
    #[cfg(test)]
    pub(crate) fn wal_frames(&self) -> i64 {
        self.shared.last.load(Ordering::Relaxed)
    }

    /// Stops the thread now (tests: a store without its thread).
    #[cfg(test)]
    pub(crate) fn halt(&self) {
        self.stop();
    }

    fn stop(&self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            // The thread only loops on its condition variable and runs checkpoints: it
            // cannot panic, and if it did there would be nothing to do about it here.
            let _ = thread.join();
        }
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// After a commit that left `pages` in the WAL: below the threshold nothing; from it, a
    /// word to the thread; at the limit, or with no thread to ask, a checkpoint here.
    fn committed(&self, wal: &mut Wal, pages: i64) {
        if pages < self.last.swap(pages, Ordering::Relaxed) {
            self.asked_at.store(0, Ordering::Relaxed);
        }
        let asked = pages < self.limit.load(Ordering::Relaxed)
            && (pages < self.threshold.load(Ordering::Relaxed) || self.ask(pages));
        if !asked && wal.checkpoint_v2(CheckpointMode::PASSIVE).is_ok() {
            self.inline.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Asks the thread for a checkpoint of a WAL of `pages`, unless it was asked within the
    /// last threshold of frames; false if there is no thread to ask.
    fn ask(&self, pages: i64) -> bool {
        let again = self
            .asked_at
            .load(Ordering::Relaxed)
            .saturating_add(self.threshold.load(Ordering::Relaxed));
        let mut state = self.lock();
        if state.stop {
            return false;
        }
        if pages >= again {
            self.asked_at.store(pages, Ordering::Relaxed);
            state.wanted = true;
            self.wake.notify_one();
        }
        true
    }

    /// The thread: a `PASSIVE` checkpoint each time one is wanted, until stopped.
    fn run(&self, conn: &Connection) {
        loop {
            {
                let mut state = self.lock();
                while !state.wanted && !state.stop {
                    state = self
                        .wake
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                if state.stop {
                    return;
                }
                state.wanted = false;
            }
            self.catch_up(conn);
        }
    }

    /// `PASSIVE` checkpoints until one copies the whole WAL (the next write then starts it
    /// again), at most [`PASSES`] of them and while each copies more than the last: a pass
    /// that ran beside commits leaves their frames behind, and the next copies just those.
    /// Busy (another process is checkpointing) or failed: the next threshold of frames asks
    /// again, and the limit bounds the WAL meanwhile.
    fn catch_up(&self, conn: &Connection) {
        let mut copied = -1;
        for _ in 0..PASSES {
            let Ok((log, done)) = conn.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE)
            else {
                return;
            };
            self.background.fetch_add(1, Ordering::Relaxed);
            if done >= log || done <= copied {
                return;
            }
            copied = done;
        }
    }
}
