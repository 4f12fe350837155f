//! Time: an injectable clock, and the one text format every store uses.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

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
    // chrono's RFC 3339 writer gives the same text for years 0 to 9999 without parsing a
    // format string on every call (a hot path: every stored time); other years keep the
    // format string's form.
    if (0..=9999).contains(&chrono::Datelike::year(&at)) {
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    } else {
        at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
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
