//! Group commit (docs/decisions.md §42): the writers of one store that arrive while another
//! writer's transaction is open, or committing, run their work one after another in one
//! transaction, each undoable on its own (a savepoint where it may be needed, §67), and share
//! its commit: one lock acquisition and one `fsync` for the group instead of one each.
//!
//! Each writer runs its own work on its own thread, with the group's connection handed from
//! one to the next; nothing is shared but the connection. A writer whose work fails is rolled
//! back (to its savepoint, or it had written nothing) and gets its own error at once, the
//! others are untouched. A writer
//! whose work succeeded waits for the group's commit and gets its outcome. The last writer in
//! line commits: when nobody is waiting to join, or when the group has `max` members. So a
//! lone writer commits at once, exactly as without grouping; writers that queue behind a
//! commit form the next group.
//!
//! A panic inside a writer's work aborts the whole open group, as does a failure that cannot
//! be undone apart from the group (part of a writer's last writes sent without a savepoint, or
//! on PostgreSQL any failed statement without one): its transaction is rolled back (the
//! connection is closed), the members that were waiting get [`StorageError::GroupAborted`],
//! and the store keeps working.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::error::{Error, Result, StorageError};

/// The most commands a store's `group_commit` option may put in one transaction.
pub const MAX_GROUP: usize = 1024;

/// Refuses a group size of 0 or above [`MAX_GROUP`].
pub(crate) fn check_group(group: usize) -> Result<()> {
    if (1..=MAX_GROUP).contains(&group) {
        Ok(())
    } else {
        Err(Error::InvalidInput {
            attempt: None,
            field: "group_commit",
            reason: format!(
                "{group} commands per transaction: give 1 (no grouping) to {MAX_GROUP}"
            ),
        })
    }
}

/// What a backend does for a group.
pub(crate) trait Backend {
    /// The connection a group runs on.
    type Conn: Send;
    /// A connection for a new group, with its transaction begun (the write lock taken).
    fn begin(&self) -> Result<Self::Conn>;
    /// Runs one writer's work in the group's transaction, `first` in its group or not: what it
    /// wrote stays if the work succeeds, and is undone if it fails (a savepoint, or for a
    /// transaction's first command the whole transaction, begun again), the rest of the group
    /// kept. The outer error says the savepoint could not be released or rolled back to: the
    /// transaction can no longer be trusted.
    fn member(
        &self,
        conn: &mut Self::Conn,
        first: bool,
        work: crate::store::Work<'_>,
    ) -> std::result::Result<Result<()>, Error>;
    /// Commits the group's transaction.
    fn commit(&self, conn: &mut Self::Conn) -> Result<()>;
    /// Gives the connection back after a group; `broken` if its transaction may still be
    /// open (a failed commit, a panic): the backend then closes it, which rolls it back.
    fn give_back(&self, conn: Self::Conn, broken: bool);
}

/// The groups of one store.
pub(crate) struct Groups<C> {
    state: Mutex<State<C>>,
    /// Signalled (one writer) when the connection is free: every writer waiting on it waits
    /// for the same thing, so waking one is enough, and 64 writers do not all wake for each
    /// command (docs/decisions.md §58).
    turn: Condvar,
    /// Signalled (every writer) when a group's outcome is published.
    told: Condvar,
    max: usize,
}

struct State<C> {
    /// The open group's connection while no writer is using it.
    conn: Option<C>,
    /// A writer is using the connection (running its work, beginning or committing).
    busy: bool,
    /// Writers waiting for the connection.
    waiting: usize,
    /// Writers run in the open group so far.
    members: usize,
    /// The open group's number.
    group: u64,
    /// Writers of the open group whose work succeeded, waiting for its commit.
    to_tell: usize,
    /// The outcome of each finished group, with the writers still to read it.
    outcomes: HashMap<u64, (std::result::Result<(), String>, usize)>,
    /// Commands committed, and commits, since the store opened.
    written: u64,
    commits: u64,
}

impl<C> std::fmt::Debug for Groups<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Groups")
            .field("max", &self.max)
            .finish_non_exhaustive()
    }
}

impl<C: Send> Groups<C> {
    /// Groups of at most `max` writers (1: every writer commits alone).
    pub(crate) fn new(max: usize) -> Self {
        Groups {
            state: Mutex::new(State {
                conn: None,
                busy: false,
                waiting: 0,
                members: 0,
                group: 0,
                to_tell: 0,
                outcomes: HashMap::new(),
                written: 0,
                commits: 0,
            }),
            turn: Condvar::new(),
            told: Condvar::new(),
            max: max.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<C>> {
        // Every change to the state is made whole under the lock (no code that can panic runs
        // while it is held), so a poisoned lock still guards a consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, on: &Condvar, guard: MutexGuard<'a, State<C>>) -> MutexGuard<'a, State<C>> {
        on.wait(guard).unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` as a member of a group on `backend`; returns its own outcome.
    pub(crate) fn write<B>(&self, backend: &B, work: crate::store::Work<'_>) -> Result<()>
    where
        B: Backend<Conn = C>,
    {
        let mut st = self.lock();
        st.waiting = st.waiting.saturating_add(1);
        while st.busy {
            st = self.wait(&self.turn, st);
        }
        st.waiting = st.waiting.saturating_sub(1);
        st.busy = true;
        let conn = match st.conn.take() {
            Some(conn) => conn,
            None => {
                drop(st);
                let begun = backend.begin();
                st = self.lock();
                match begun {
                    Ok(conn) => {
                        st.group = st.group.wrapping_add(1);
                        st.members = 0;
                        st.to_tell = 0;
                        conn
                    }
                    Err(e) => {
                        self.release(st);
                        return Err(e);
                    }
                }
            }
        };
        st.members = st.members.saturating_add(1);
        let first = st.members == 1;
        let group = st.group;
        drop(st);

        // The connection is this writer's until it hands it back. If the work panics, the
        // guard aborts the group during the unwind.
        let mut held = Held {
            groups: self,
            backend,
            conn: Some(conn),
            group,
        };
        let outcome = match held.conn.as_mut() {
            Some(conn) => backend.member(conn, first, work),
            None => Err(Error::InvariantViolated(
                "a group writer lost its connection".into(),
            )),
        };
        let result = match outcome {
            Ok(result) => result,
            Err(broken) => {
                held.abort("a command's writes could not be undone apart from the group's");
                return Err(broken);
            }
        };
        let Some(mut conn) = held.conn.take() else {
            return result;
        };
        let mut st = self.lock();
        if st.waiting == 0 || st.members >= self.max {
            // The last in line: commit for everyone (still busy: nobody else takes the
            // connection meanwhile).
            drop(st);
            let committed = backend.commit(&mut conn);
            backend.give_back(conn, committed.is_err());
            let mut st = self.lock();
            let told = committed
                .as_ref()
                .map(|_| ())
                .map_err(|e| format!("the group's commit failed: {e}"));
            if st.to_tell > 0 {
                let n = st.to_tell;
                st.outcomes.insert(group, (told, n));
            }
            if committed.is_ok() {
                let mine = u64::from(result.is_ok());
                let others = u64::try_from(st.to_tell).unwrap_or(u64::MAX);
                st.written = st.written.saturating_add(others).saturating_add(mine);
                st.commits = st.commits.saturating_add(1);
            }
            self.release(st);
            return result.and(committed);
        }
        st.conn = Some(conn);
        if result.is_ok() {
            st.to_tell = st.to_tell.saturating_add(1);
        }
        st.busy = false;
        self.turn.notify_one();
        // A refusal is rolled back to its savepoint: nothing of it is in the group.
        result?;
        loop {
            if let Some((outcome, left)) = st.outcomes.get_mut(&group) {
                let outcome = outcome.clone();
                *left = left.saturating_sub(1);
                if *left == 0 {
                    st.outcomes.remove(&group);
                }
                return outcome.map_err(|reason| StorageError::GroupAborted { reason }.into());
            }
            st = self.wait(&self.told, st);
        }
    }

    /// (commands committed, commits) since the store opened.
    pub(crate) fn counts(&self) -> (u64, u64) {
        let st = self.lock();
        (st.written, st.commits)
    }

    /// Frees the connection after a group ends (or could not begin), and wakes the writers
    /// waiting for an outcome.
    fn release(&self, mut st: MutexGuard<'_, State<C>>) {
        st.busy = false;
        drop(st);
        self.turn.notify_one();
        self.told.notify_all();
    }
}

/// The group's connection in a writer's hands; aborts the group if dropped while panicking.
struct Held<'a, C: Send, B: Backend<Conn = C>> {
    groups: &'a Groups<C>,
    backend: &'a B,
    conn: Option<C>,
    group: u64,
}

impl<C: Send, B: Backend<Conn = C>> Held<'_, C, B> {
    /// Rolls the open group back (the connection is closed) and tells its waiting members.
    fn abort(&mut self, why: &str) {
        let Some(conn) = self.conn.take() else { return };
        self.backend.give_back(conn, true);
        let mut st = self.groups.lock();
        if st.to_tell > 0 {
            let n = st.to_tell;
            st.outcomes.insert(
                self.group,
                (
                    Err(format!("{why}, and the whole group was rolled back")),
                    n,
                ),
            );
        }
        st.conn = None;
        self.groups.release(st);
    }
}

impl<C: Send, B: Backend<Conn = C>> Drop for Held<'_, C, B> {
    /// Only a panic in the work leaves the connection here: the open transaction cannot be
    /// trusted.
    fn drop(&mut self) {
        self.abort("a command in the same group panicked");
    }
}
