//! Large results without blocking the event loop. Building 100,000 JS objects at once holds
//! the event loop for about a second, so the methods that can return that many (`issue`,
//! `importLicenses`, `importLicensesCsv`) resolve to a [`LicenseChunks`] holding the converted
//! records, and `api.js` builds the JS objects a page at a time, yielding to the event loop
//! between pages. A CSV export to a stream runs on a thread of its own and hands its bytes
//! over in pieces through a bounded channel ([`CsvChunks`]); `api.js` writes them to the
//! stream, honouring its back-pressure.
//!
//! Neither is part of the typed API: they cross to JS as opaque `External` values, handled by
//! the untyped functions `__takeLicenses`, `__nextCsvPiece` and `__cancelCsv`, which `api.js`
//! wraps.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use license_inventory as li;
use napi::bindgen_prelude::{AsyncTask, Buffer, Either, External};
use napi_derive::napi;

use crate::convert::num;
use crate::lifetime::InFlight;
use crate::records::License;
use crate::task::{Op, run};

/// Licenses converted on the libuv pool, handed to JS a page at a time (`api.js`).
pub struct LicenseChunks {
    /// The licenses not taken yet, last first (so a page is taken from the end).
    rest: Vec<License>,
}

impl LicenseChunks {
    pub(crate) fn new(licenses: Vec<li::License>) -> Self {
        let mut rest: Vec<License> = licenses.into_iter().map(Into::into).collect();
        rest.reverse();
        LicenseChunks { rest }
    }
}

/// The next `count` licenses of `chunks` (fewer at the end; none once all were taken).
#[napi(js_name = "__takeLicenses", skip_typescript)]
#[cfg_attr(test, allow(dead_code))]
pub fn take_licenses(chunks: &mut External<LicenseChunks>, count: u32) -> Vec<License> {
    let rest = &mut chunks.rest;
    let count = (count as usize).min(rest.len());
    let mut page = rest.split_off(rest.len() - count);
    page.reverse();
    page
}

/// The size of a piece of CSV handed to JS.
const PIECE: usize = 64 * 1024;

/// Pieces the export may run ahead of the stream (with [`PIECE`]: 1 MiB).
const AHEAD: usize = 16;

/// What the export thread sends: a piece of CSV, then how it ended.
enum Piece {
    Bytes(Vec<u8>),
    Done(li::Result<u64>),
}

/// A CSV export running on a thread of its own; `__nextCsvPiece` resolves with its pieces in
/// order.
pub struct CsvChunks {
    pieces: Arc<Mutex<Option<Receiver<Piece>>>>,
    cancelled: Arc<AtomicBool>,
}

impl CsvChunks {
    /// Starts `export` (writing the CSV to the writer it is given) on a thread of its own;
    /// `in_flight` keeps the store open until it ends.
    pub(crate) fn start<F>(in_flight: InFlight, export: F) -> napi::Result<Self>
    where
        F: FnOnce(&mut dyn Write) -> li::Result<u64> + Send + 'static,
    {
        let (tx, rx) = sync_channel(AHEAD);
        let cancelled = Arc::new(AtomicBool::new(false));
        let stop = cancelled.clone();
        std::thread::Builder::new()
            .name("license-inventory-export".into())
            .spawn(move || {
                let _in_flight = in_flight;
                let mut out = Sender {
                    tx: tx.clone(),
                    buf: Vec::with_capacity(PIECE),
                    cancelled: stop,
                };
                let result = export(&mut out).and_then(|rows| {
                    out.flush().map_err(|e| li::Error::Export(e.into()))?;
                    Ok(rows)
                });
                // The receiver is gone when JS cancelled: nothing to tell it.
                let _ = tx.send(Piece::Done(result));
            })
            .map_err(|err| napi::Error::from_reason(format!("cannot start the export: {err}")))?;
        Ok(CsvChunks {
            pieces: Arc::new(Mutex::new(Some(rx))),
            cancelled,
        })
    }
}

/// The next piece of an export: bytes of CSV (a `Buffer`), or at the end the number of data
/// rows; `null` once cancelled. A failed export rejects with its error (`EXPORT_FAILED`,
/// `NOT_FOUND`, …).
#[napi(js_name = "__nextCsvPiece", skip_typescript)]
#[cfg_attr(test, allow(dead_code))]
pub fn next_csv_piece(chunks: &External<CsvChunks>) -> AsyncTask<Op<Option<Either<Buffer, f64>>>> {
    let pieces = chunks.pieces.clone();
    run(move || {
        let guard = pieces.lock().unwrap_or_else(PoisonError::into_inner);
        match guard.as_ref().and_then(|rx| rx.recv().ok()) {
            Some(Piece::Bytes(bytes)) => Ok(Some(Either::A(bytes.into()))),
            Some(Piece::Done(result)) => Ok(Some(Either::B(num(result?)))),
            None => Ok(None),
        }
    })
}

/// Stops an export (its thread ends at its next write) and frees what it buffered. Never
/// waits: a `__nextCsvPiece` in progress keeps the pieces until it settles.
#[napi(js_name = "__cancelCsv", skip_typescript)]
#[cfg_attr(test, allow(dead_code))]
pub fn cancel_csv(chunks: &External<CsvChunks>) {
    chunks.cancelled.store(true, Ordering::Release);
    if let Ok(mut pieces) = chunks.pieces.try_lock() {
        drop(pieces.take());
    }
}

/// The export's writer: sends the CSV in pieces of [`PIECE`] bytes, waiting while [`AHEAD`]
/// pieces are unread.
struct Sender {
    tx: SyncSender<Piece>,
    buf: Vec<u8>,
    cancelled: Arc<AtomicBool>,
}

impl Sender {
    fn send(&mut self) -> io::Result<()> {
        if self.cancelled.load(Ordering::Acquire) {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the stream's export was cancelled",
            ));
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE));
        self.tx.send(Piece::Bytes(piece)).map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the stream's export was cancelled",
            )
        })
    }
}

impl Write for Sender {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= PIECE {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}
