//! Time: an injectable clock, and the one text format every store uses.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Datelike, DurationRound, TimeDelta, Timelike, Utc};

/// Where the library gets "now" from.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that can be pinned to a given time (for replays, imports and tests), and otherwise
/// follows the system clock.
///
/// ```
/// use license_inventory::{Clock, ManualClock};
/// let clock = ManualClock::default();
/// let t = "2017-10-20T01:45:00Z".parse().unwrap();
/// clock.set(Some(t));
/// assert_eq!(clock.now(), t);
/// ```
#[derive(Debug, Default)]
pub struct ManualClock {
    pinned: Mutex<Option<DateTime<Utc>>>,
}

impl ManualClock {
    /// Pins the clock to `at`, or lets it follow the system clock again with `None`.
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        *self.pinned.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.pinned
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .unwrap_or_else(Utc::now)
    }
}

/// The latest moment every store can keep: 9999-12-31T23:59:59.999999Z (the stored text form
/// has four-digit years).
pub(crate) fn latest() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(253_402_300_799, 999_999_000)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Refuses a moment past [`latest`] (naming `field`) before anything is written: a store could
/// write it but no later read could decode it.
pub(crate) fn storable(field: &'static str, at: DateTime<Utc>) -> crate::Result<DateTime<Utc>> {
    if at > latest() {
        return Err(crate::Error::invalid(
            field,
            format!(
                "{} is past the end of year 9999, the latest time a store keeps; check the clock, or shorten the validity",
                format(at)
            ),
        ));
    }
    Ok(at)
}

/// Truncates to whole microseconds: the precision every store keeps.
pub(crate) fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

/// The stored text form: RFC 3339, UTC, microseconds; sorts lexicographically in time order.
pub(crate) fn format(at: DateTime<Utc>) -> String {
    if let Some(text) = Rfc3339::new(&at, Fraction::Micros) {
        return text.as_str().to_owned();
    }
    // chrono's RFC 3339 writer gives the same text for years 0 to 9999 (a leap second is what
    // is left here for them); other years keep the format string's form.
    if (0..=9999).contains(&at.year()) {
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    } else {
        at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

/// How many digits of the second's fraction [`Rfc3339`] writes, as chrono's `SecondsFormat`.
#[derive(Clone, Copy, Debug)]
enum Fraction {
    /// Always six (`SecondsFormat::Micros`): the stored form.
    Micros,
    /// None, three, six or nine, the fewest that hold it (`SecondsFormat::AutoSi`): chrono's
    /// serde form.
    AutoSi,
}

/// The RFC 3339 text of a UTC time (`…Z`), written on the stack in one pass: the bytes chrono
/// writes, without its formatting machinery, which writes a character at a time (and through
/// `serde_json`'s `collect_str`, escapes each character as a string of its own: about a fifth
/// of hashing an order row, docs/decisions.md §66). `None` for a year outside 0–9999 or a leap
/// second, which keep chrono's own writer.
struct Rfc3339 {
    bytes: [u8; 30],
    len: usize,
}

impl Rfc3339 {
    fn new(at: &DateTime<Utc>, fraction: Fraction) -> Option<Self> {
        let (year, nano) = (at.year(), at.nanosecond());
        if !(0..=9999).contains(&year) || nano >= 1_000_000_000 {
            return None;
        }
        let year = year.unsigned_abs();
        // A digit's byte: b'0' is 0x30, so OR adds a digit below 16 without arithmetic.
        let digit = |v: u32| b'0' | (v % 10) as u8;
        let two = |v: u32| [digit(v / 10), digit(v)];
        let ([y0, y1], [y2, y3]) = (two(year / 100), two(year % 100));
        let ([mo0, mo1], [d0, d1]) = (two(at.month()), two(at.day()));
        let ([h0, h1], [mi0, mi1], [s0, s1]) = (two(at.hour()), two(at.minute()), two(at.second()));
        let mut bytes = [0u8; 30];
        bytes[..19].copy_from_slice(&[
            y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0,
            s1,
        ]);
        // Where the fraction's digits end (19: none), and their value.
        let (end, mut value) = match fraction {
            Fraction::Micros => (26, nano / 1_000),
            Fraction::AutoSi if nano == 0 => (19, 0),
            Fraction::AutoSi if nano % 1_000_000 == 0 => (23, nano / 1_000_000),
            Fraction::AutoSi if nano % 1_000 == 0 => (26, nano / 1_000),
            Fraction::AutoSi => (29, nano),
        };
        if let Some(fraction) = bytes.get_mut(20..end) {
            for slot in fraction.iter_mut().rev() {
                *slot = digit(value);
                value /= 10;
            }
            bytes[19] = b'.';
        }
        let len = match bytes.get_mut(end) {
            Some(z) => {
                *z = b'Z';
                end.checked_add(1)?
            }
            None => return None,
        };
        Some(Rfc3339 { bytes, len })
    }

    fn as_str(&self) -> &str {
        let ascii = self.bytes.get(..self.len).unwrap_or_default();
        std::str::from_utf8(ascii).unwrap_or_default()
    }
}

/// `#[serde(serialize_with)]` for the times of the rows hashed on every command (orders and
/// draws): exactly what chrono's `Serialize` writes (so the hashed bytes and the API's JSON do
/// not change, docs/decisions.md §38), in one piece.
pub(crate) mod serde_text {
    use chrono::{DateTime, Utc};
    use serde::{Serialize, Serializer};

    use super::{Fraction, Rfc3339};

    /// A time.
    pub(crate) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        match Rfc3339::new(at, Fraction::AutoSi) {
            Some(text) => s.serialize_str(text.as_str()),
            None => at.serialize(s),
        }
    }

    /// A time that may be absent.
    pub(crate) fn option<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        struct Text<'a>(&'a DateTime<Utc>);
        impl Serialize for Text<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serialize(self.0, s)
            }
        }
        match at {
            Some(at) => s.serialize_some(&Text(at)),
            None => s.serialize_none(),
        }
    }
}

/// Parses the stored text form.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod format_tests {
    use chrono::{DateTime, TimeZone, Utc};
    use proptest::prelude::*;
    use serde::Serialize;

    /// A row with the two fields `serde_text` serves, beside chrono's own.
    #[derive(Serialize)]
    struct Fast {
        #[serde(serialize_with = "super::serde_text::serialize")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "super::serde_text::option")]
        maybe: Option<DateTime<Utc>>,
    }
    #[derive(Serialize)]
    struct Chrono {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    /// What `format` wrote before it had its own writer.
    fn chrono_stored(at: DateTime<Utc>) -> String {
        if (0..=9999).contains(&chrono::Datelike::year(&at)) {
            at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        } else {
            at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        }
    }

    fn same_text(at: DateTime<Utc>) {
        assert_eq!(super::format(at), chrono_stored(at), "{at:?}");
        for maybe in [None, Some(at)] {
            assert_eq!(
                serde_json::to_string(&Fast { at, maybe }).unwrap(),
                serde_json::to_string(&Chrono { at, maybe }).unwrap(),
                "{at:?}"
            );
        }
    }

    /// The fraction's edges (none, whole milli- and microseconds, nanoseconds), the years'
    /// (0, 9999, and beyond, which go through chrono), and a leap second.
    #[test]
    fn the_writer_writes_chronos_text_at_the_edges() {
        let base = Utc.with_ymd_and_hms(2026, 12, 7, 9, 5, 3).unwrap();
        for nanos in [0, 1, 999, 1_000, 120_000, 1_000_000, 7_000_000, 999_999_999] {
            same_text(base + chrono::TimeDelta::nanoseconds(nanos));
        }
        for at in [
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(-1, 6, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap(),
            DateTime::<Utc>::from_timestamp(1_483_228_799, 1_500_000_000).unwrap(),
        ] {
            same_text(at);
        }
    }

    proptest! {
        /// Any instant (leap seconds among them) gives chrono's text, stored and serialised.
        #[test]
        fn the_writer_writes_chronos_text(
            secs in -70_000_000_000i64..260_000_000_000,
            nanos in prop_oneof![
                0u32..2_000_000_000,
                (0u32..1_000).prop_map(|m| m * 1_000_000),
                (0u32..1_000_000).prop_map(|u| u * 1_000),
            ],
        ) {
            if let Some(at) = DateTime::<Utc>::from_timestamp(secs, nanos) {
                same_text(at);
            }
        }
    }

    /// The fast writer gives exactly the text of the format string it replaced.
    #[test]
    fn format_is_the_format_strings_text() {
        let samples: Vec<DateTime<Utc>> = vec![
            Utc.with_ymd_and_hms(2017, 10, 20, 1, 45, 0).unwrap(),
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(99, 2, 3, 4, 5, 6).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap()
                + chrono::TimeDelta::microseconds(999_999),
            Utc.with_ymd_and_hms(2024, 2, 29, 12, 0, 0).unwrap()
                + chrono::TimeDelta::microseconds(1),
            Utc.with_ymd_and_hms(-1, 6, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap(),
        ];
        for at in samples {
            assert_eq!(
                super::format(at),
                at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
                "{at:?}"
            );
        }
    }
}
