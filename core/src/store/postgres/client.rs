//! A PostgreSQL connection driven from the calling thread, that can pipeline (docs/decisions.md
//! §69).
//!
//! The connection is `tokio-postgres`'s, on a current-thread runtime of its own that runs only
//! while a caller waits, as the synchronous `postgres` driver does it. What that driver cannot
//! do is send a statement and go on without its answer: [`Client::send`] does. The statement
//! goes out at once, and its answer is read, and given to a check, at the connection's next
//! wait (the next statement, the `COMMIT`). The server runs requests in the order sent, so a
//! statement sent after it sees what it wrote; meanwhile the caller (or the next command of a
//! group, on another thread) computes, while the server runs what was sent.

use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio_postgres::tls::NoTlsStream;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Config, Connection, NoTls, Row, SimpleQueryMessage, Socket, Statement};

use crate::error::{Error, Result, StorageError};
use crate::store::sql::Cell;

use super::bound;

/// A statement sent whose answer is not read yet: reading it gives the check's outcome.
type InFlight = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

/// The driver's error as the store's.
pub(crate) fn pg(e: tokio_postgres::Error) -> Error {
    StorageError::Postgres(e).into()
}

/// One connection to the server, used by one thread at a time.
pub(crate) struct Client {
    // Dropped in this order: the statements in flight, then the client (which asks the
    // connection to end), then the wire (which sends that before it closes).
    in_flight: VecDeque<InFlight>,
    /// Whether a statement sent without waiting has failed since [`Client::clear_failed`].
    failed_in_flight: bool,
    api: Arc<tokio_postgres::Client>,
    wire: Wire,
}

/// The socket's side of the connection and the runtime it is driven on.
struct Wire {
    runtime: Runtime,
    link: Link,
}

/// The socket's side of the connection; `None` once it has ended (the server closed it, or it
/// failed). Dropping it then drops what waits for its answers, which so end with the driver's
/// "connection closed" error instead of waiting for ever.
struct Link {
    connection: Option<Connection<Socket, NoTlsStream>>,
}

/// How long closing a connection may take to say goodbye to the server.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

impl Link {
    /// Reads and writes what the connection can without waiting; an error if it failed.
    fn drive(&mut self, cx: &mut Context<'_>) -> std::result::Result<(), tokio_postgres::Error> {
        while let Some(connection) = self.connection.as_mut() {
            match connection.poll_message(cx) {
                // Notices and notifications: the store asks for none, and reads none.
                Poll::Ready(Some(Ok(_))) => {}
                Poll::Ready(Some(Err(e))) => {
                    self.connection = None;
                    return Err(e);
                }
                Poll::Ready(None) => self.connection = None,
                Poll::Pending => break,
            }
        }
        Ok(())
    }
}

impl Drop for Wire {
    /// Sends the goodbye the dropped client asked for, and lets the connection end.
    fn drop(&mut self) {
        let Wire { runtime, link } = self;
        let _ = runtime.block_on(async {
            tokio::time::timeout(
                CLOSE_WAIT,
                poll_fn(|cx| match link.drive(cx) {
                    Ok(()) if link.connection.is_some() => Poll::Pending,
                    _ => Poll::Ready(()),
                }),
            )
            .await
        });
    }
}

impl Client {
    /// Connects with `config`, without TLS (a Unix socket or a trusted network).
    pub(crate) fn connect(config: &Config) -> Result<Client> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StorageError::PostgresDriver)?;
        let (api, connection) = runtime.block_on(config.connect(NoTls)).map_err(pg)?;
        Ok(Client {
            in_flight: VecDeque::new(),
            failed_in_flight: false,
            api: Arc::new(api),
            wire: Wire {
                runtime,
                link: Link {
                    connection: Some(connection),
                },
            },
        })
    }

    /// Whether the connection has ended: it cannot be used again.
    pub(crate) fn is_closed(&self) -> bool {
        self.wire.link.connection.is_none() || self.api.is_closed()
    }

    /// Whether statements were sent whose answers are not read yet.
    pub(crate) fn has_in_flight(&self) -> bool {
        !self.in_flight.is_empty()
    }

    /// Whether a statement sent without waiting has failed (its transaction is then aborted)
    /// since the last call, which forgets it.
    pub(crate) fn clear_failed(&mut self) -> bool {
        std::mem::take(&mut self.failed_in_flight)
    }

    /// Forgets the statements in flight (their answers are read and dropped by the
    /// connection), and that one failed.
    pub(crate) fn forget_in_flight(&mut self) {
        self.in_flight.clear();
        self.failed_in_flight = false;
    }

    /// Runs `own` to its end, with the connection driven, and reads the answers of the
    /// statements in flight before it (they were sent before it). A statement in flight that
    /// failed is this wait's error, and [`Client::clear_failed`] says so after.
    fn wait<T>(
        &mut self,
        own: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        let mut own = pin!(own);
        let Client {
            in_flight,
            failed_in_flight,
            wire,
            ..
        } = self;
        let mut mine = None;
        let mut earlier: Option<Error> = None;
        let Wire { runtime, link } = wire;
        runtime.block_on(poll_fn(|cx| {
            if mine.is_none() {
                if let Poll::Ready(r) = own.as_mut().poll(cx) {
                    mine = Some(r);
                }
            }
            while let Some(front) = in_flight.front_mut() {
                match front.as_mut().poll(cx) {
                    Poll::Ready(outcome) => {
                        in_flight.pop_front();
                        if let Err(e) = outcome {
                            *failed_in_flight = true;
                            earlier.get_or_insert(e);
                        }
                    }
                    Poll::Pending => break,
                }
            }
            if let Err(e) = link.drive(cx) {
                // The connection failed: nothing more will be answered.
                in_flight.clear();
                if mine.is_none() {
                    mine = Some(Err(e));
                }
            }
            if mine.is_some() && in_flight.is_empty() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }));
        if let Some(e) = earlier {
            return Err(e);
        }
        match mine {
            Some(r) => r.map_err(pg),
            None => Err(Error::InvariantViolated(
                "a PostgreSQL request ended without an answer".into(),
            )),
        }
    }

    /// Sends `statement` with `params` and goes on without waiting: its rows are read, and given
    /// to `check`, at the next wait on this connection, whose error a failure of either becomes.
    /// The request is written to the socket before this returns, so the server starts on it
    /// while the caller goes on.
    pub(crate) fn send<F>(&mut self, statement: Statement, params: Vec<Cell>, check: F)
    where
        F: FnOnce(Vec<Row>) -> Result<()> + Send + 'static,
    {
        let api = Arc::clone(&self.api);
        let mut request: InFlight = Box::pin(async move {
            let rows = api.query(&statement, &bound(&params)).await.map_err(pg)?;
            check(rows)
        });
        let Wire { runtime, link } = &mut self.wire;
        // One poll of the request queues it (it encodes its parameters and hands them to the
        // connection); one of the connection writes it out.
        let done = runtime.block_on(poll_fn(|cx| {
            let done = request.as_mut().poll(cx);
            let driven = link.drive(cx);
            Poll::Ready((done, driven))
        }));
        match done {
            (Poll::Ready(outcome), _) => {
                // Answered at once (a failure to encode, or a closed connection): kept for the
                // next wait to report.
                self.in_flight.push_back(Box::pin(async move { outcome }));
            }
            (Poll::Pending, Err(e)) => {
                self.in_flight
                    .push_back(Box::pin(async move { Err(pg(e)) }));
            }
            (Poll::Pending, Ok(())) => self.in_flight.push_back(request),
        }
    }

    /// Prepares `sql` with its parameters' `types` (empty: the server infers them).
    pub(crate) fn prepare_typed(
        &mut self,
        sql: &str,
        types: &[tokio_postgres::types::Type],
    ) -> Result<Statement> {
        let api = Arc::clone(&self.api);
        self.wait(async move { api.prepare_typed(sql, types).await })
    }

    /// Runs `statement` (prepared, or a text to prepare unnamed) with `params`; its rows.
    pub(crate) fn query<T>(
        &mut self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>>
    where
        T: ?Sized + tokio_postgres::ToStatement + Sync,
    {
        let api = Arc::clone(&self.api);
        self.wait(async move { api.query(statement, params).await })
    }

    /// Runs `statement` with `params`; the rows it changed.
    pub(crate) fn execute<T>(
        &mut self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64>
    where
        T: ?Sized + tokio_postgres::ToStatement + Sync,
    {
        let api = Arc::clone(&self.api);
        self.wait(async move { api.execute(statement, params).await })
    }

    /// Runs `sql`, one or more statements without parameters, in the simple protocol.
    pub(crate) fn batch_execute(&mut self, sql: &str) -> Result<()> {
        let api = Arc::clone(&self.api);
        self.wait(async move { api.batch_execute(sql).await })
    }

    /// Runs `sql` in the simple protocol; its messages (rows as text).
    pub(crate) fn simple_query(&mut self, sql: &str) -> Result<Vec<SimpleQueryMessage>> {
        let api = Arc::clone(&self.api);
        self.wait(async move { api.simple_query(sql).await })
    }
}
