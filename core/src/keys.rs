//! License keys and activation codes: random, human-friendly, self-checking.
//!
//! A key is 24 symbols of Crockford base32 (120 bits from the operating system's CSPRNG)
//! followed by one check symbol, written in five groups of five:
//! `7KQ2M-XR4TD-9WZPH-BN3CV-0G6JA`. The check symbol is Luhn mod 32 over the same alphabet, so
//! any single mistyped symbol is caught before any lookup. Reading is forgiving the Crockford
//! way: case is ignored, `I`/`L` read as `1`, `O` as `0`, and dashes and spaces are optional.
//!
//! Rules: docs/rules.md §7.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The shortest key [`LicenseKey::imported`] accepts.
pub const MIN_IMPORTED_KEY: usize = 4;
/// The longest key [`LicenseKey::imported`] accepts.
pub const MAX_IMPORTED_KEY: usize = 64;
/// The characters an imported key may hold besides ASCII letters and digits.
pub const IMPORTED_KEY_PUNCTUATION: &str = "-_.+/=:";
const DATA: usize = 24;
const BYTES: usize = 15;

/// A license key or activation code, in its canonical dashed form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LicenseKey(String);

fn value(symbol: char) -> Option<u8> {
    let c = match symbol.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        c => c,
    };
    ALPHABET
        .iter()
        .position(|&a| a == c as u8)
        .and_then(|p| u8::try_from(p).ok())
}

/// Luhn mod 32 over `digits` (check symbol excluded): the value of the check symbol.
fn check_of(digits: &[u8]) -> u8 {
    // Every value stays below 128: digits are < 32, the factor is 1 or 2, and the running sum
    // is kept modulo 32 (the check only needs the sum modulo 32). The wrapping operations
    // therefore never wrap.
    let mut sum: u32 = 0;
    let mut factor: u32 = 2;
    for &d in digits.iter().rev() {
        let addend = factor.wrapping_mul(u32::from(d));
        sum = sum
            .wrapping_add(addend.wrapping_div(32))
            .wrapping_add(addend.wrapping_rem(32))
            .wrapping_rem(32);
        factor = if factor == 2 { 1 } else { 2 };
    }
    // (32 - sum) % 32 < 32
    (32_u32.wrapping_sub(sum).wrapping_rem(32)) as u8
}

fn render(digits: &[u8]) -> String {
    let mut s = String::with_capacity(29);
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && i % 5 == 0 {
            s.push('-');
        }
        // Digits are 5-bit values, so every one has a symbol.
        if let Some(symbol) = ALPHABET.get(usize::from(*d)) {
            s.push(char::from(*symbol));
        }
    }
    s
}

impl LicenseKey {
    /// `n` fresh keys from the operating system's CSPRNG.
    pub fn generate(n: usize) -> Result<Vec<LicenseKey>> {
        let mut bytes = vec![0u8; n.checked_mul(BYTES).ok_or_else(crate::checked::overflow)?];
        getrandom::fill(&mut bytes).map_err(Error::Randomness)?;
        Ok(bytes.chunks_exact(BYTES).map(Self::from_entropy).collect())
    }

    fn from_entropy(bytes: &[u8]) -> LicenseKey {
        // 15 bytes = 120 bits = 24 symbols of 5 bits.
        let mut digits = Vec::with_capacity(DATA + 1);
        let mut acc: u32 = 0;
        let mut bits: u32 = 0;
        for &b in bytes {
            acc = (acc << 8) | u32::from(b);
            // `bits` stays below 13: at most 4 left over, plus 8.
            bits = bits.wrapping_add(8);
            while bits >= 5 {
                bits = bits.wrapping_sub(5);
                digits.push(((acc >> bits) & 31) as u8);
            }
            acc &= (1_u32 << bits).wrapping_sub(1);
        }
        let check = check_of(&digits);
        digits.push(check);
        LicenseKey(render(&digits))
    }

    /// Parses a key as a person typed it; a malformed or mistyped key is
    /// [`Error::MistypedKey`], without any lookup.
    pub fn parse(input: &str) -> Result<LicenseKey> {
        let mistyped = |reason: &str| Error::MistypedKey {
            attempt: None,
            key: redact(input),
            reason: reason.to_owned(),
        };
        let mut digits = Vec::with_capacity(DATA + 1);
        for c in input.chars() {
            if c == '-' || c == ' ' {
                continue;
            }
            let v = value(c).ok_or_else(|| mistyped(&format!("'{c}' is not a key symbol")))?;
            digits.push(v);
        }
        if digits.len() != DATA + 1 {
            return Err(mistyped(&format!(
                "a key has {} symbols, this has {}",
                DATA + 1,
                digits.len()
            )));
        }
        let (data, check) = digits.split_at(DATA);
        if check.first() != Some(&check_of(data)) {
            return Err(mistyped(
                "the check symbol does not match: a symbol is mistyped",
            ));
        }
        Ok(LicenseKey(render(&digits)))
    }

    /// A key from another system, in the vendor's own format, for
    /// [`crate::Session::import_licenses`]: trimmed, [`MIN_IMPORTED_KEY`] to
    /// [`MAX_IMPORTED_KEY`] characters, ASCII letters, digits and
    /// [`IMPORTED_KEY_PUNCTUATION`] only; kept exactly as given (case included). A key in this
    /// library's own format becomes its canonical form. `InvalidInput` (field `license key`)
    /// otherwise, naming the key by its first symbols only.
    ///
    /// ```
    /// # use license_inventory::LicenseKey;
    /// assert_eq!(LicenseKey::imported(" ACME-2017-0042 ").unwrap().as_str(), "ACME-2017-0042");
    /// assert_eq!(LicenseKey::imported("no spaces").unwrap_err().code(), "INVALID_INPUT");
    /// ```
    pub fn imported(input: &str) -> Result<LicenseKey> {
        if let Ok(native) = LicenseKey::parse(input) {
            return Ok(native);
        }
        let t = input.trim();
        let invalid = |reason: String| Error::InvalidInput {
            attempt: None,
            field: "license key",
            reason: format!("'{}' {reason}", redact(t)),
        };
        let n = t.chars().count();
        if !(MIN_IMPORTED_KEY..=MAX_IMPORTED_KEY).contains(&n) {
            return Err(invalid(format!(
                "has {n} characters; an imported key has {MIN_IMPORTED_KEY} to {MAX_IMPORTED_KEY}"
            )));
        }
        if let Some(c) = t
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || IMPORTED_KEY_PUNCTUATION.contains(*c)))
        {
            return Err(invalid(format!(
                "holds {c:?}; an imported key holds ASCII letters, digits and \
                 {IMPORTED_KEY_PUNCTUATION} only"
            )));
        }
        Ok(LicenseKey(t.to_owned()))
    }

    /// A key as a store holds it (written by this library: not checked again).
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn stored(text: String) -> LicenseKey {
        LicenseKey(text)
    }

    /// The canonical form, `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as errors show it: its first group only, `7KQ2M-…`.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

/// How many leading symbols of a key errors show: enough to tell keys apart in a support
/// conversation (25 of a key's 120 bits), far too few to use one.
const KEY_PREFIX: usize = 5;

/// A key (or what someone typed as one) as error messages and error fields show it: its first
/// [`KEY_PREFIX`] symbols (dashes and spaces skipped), then `-…` when there were more. A key
/// never appears whole in an error or an idempotency record (docs/decisions.md §34).
pub(crate) fn redact(input: &str) -> String {
    let mut symbols = input.chars().filter(|c| *c != '-' && *c != ' ');
    let mut out: String = symbols.by_ref().take(KEY_PREFIX).collect();
    if symbols.next().is_some() {
        out.push_str("-…");
    }
    out
}

/// What someone typed as a key, for a lookup: a key of this library's own format (checked
/// before any lookup), or else the exact text of an imported key, remembering why it is not a
/// native key so that a miss reports the mistyped native key (docs/rules.md §7).
pub(crate) struct KeyQuery {
    pub(crate) key: LicenseKey,
    not_native: Option<(String, String)>,
}

impl KeyQuery {
    pub(crate) fn parse(input: &str) -> Result<KeyQuery> {
        match LicenseKey::parse(input) {
            Ok(key) => Ok(KeyQuery {
                key,
                not_native: None,
            }),
            Err(native) => match (LicenseKey::imported(input), native) {
                (
                    Ok(key),
                    Error::MistypedKey {
                        key: shown, reason, ..
                    },
                ) => Ok(KeyQuery {
                    key,
                    not_native: Some((shown, reason)),
                }),
                (_, native) => Err(native),
            },
        }
    }

    /// The error when no license has this key: not found for a native key; for anything else,
    /// the native check's verdict (a mistyped key stays a mistyped key).
    pub(crate) fn missing(&self) -> Error {
        match &self.not_native {
            Some((key, reason)) => Error::MistypedKey {
                attempt: None,
                key: key.clone(),
                reason: reason.clone(),
            },
            None => Error::NotFound {
                attempt: None,
                entity: crate::error::Entity::License,
                id: self.key.redacted(),
            },
        }
    }
}

impl fmt::Debug for KeyQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Hashed into idempotency fingerprints like the key itself.
        fmt::Debug::fmt(&self.key, f)
    }
}

impl fmt::Display for LicenseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for LicenseKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        LicenseKey::parse(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn generated_keys_parse_back_and_are_distinct() {
        let keys = LicenseKey::generate(2000).unwrap();
        let set: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(set.len(), keys.len());
        for k in &keys {
            assert_eq!(k.as_str().len(), 29);
            assert_eq!(LicenseKey::parse(k.as_str()).unwrap(), *k);
            // Forgiving reading: lower case, no dashes.
            let sloppy = k.as_str().replace('-', "").to_lowercase();
            assert_eq!(LicenseKey::parse(&sloppy).unwrap(), *k);
        }
    }

    #[test]
    fn errors_show_a_prefix_of_a_key_never_the_whole_key() {
        let key = LicenseKey::generate(1).unwrap().remove(0);
        assert_eq!(key.redacted(), format!("{}-…", &key.as_str()[..5]));
        // A mistyped key: one symbol changed at the end.
        let mut typo: Vec<char> = key.as_str().chars().collect();
        let last = typo.len() - 1;
        typo[last] = if typo[last] == '0' { '1' } else { '0' };
        let typo: String = typo.into_iter().collect();
        let err = LicenseKey::parse(&typo).unwrap_err();
        assert!(
            matches!(&err, Error::MistypedKey { key: shown, .. } if *shown == key.redacted()),
            "{err:?}"
        );
        assert!(!err.to_string().contains(&typo[6..]), "{err}");
        assert!(!format!("{err:?}").contains(&typo[6..]), "{err:?}");
        // Something short is shown as typed; dashes and spaces are skipped.
        assert_eq!(redact("ab"), "ab");
        assert_eq!(redact("7K-Q2 M9"), "7KQ2M-…");
    }

    /// Every key, with any single symbol replaced by any other symbol, is rejected.
    #[test]
    fn any_single_changed_symbol_is_caught() {
        for key in LicenseKey::generate(200).unwrap() {
            let chars: Vec<char> = key.as_str().chars().collect();
            for (i, original) in chars.iter().enumerate() {
                if *original == '-' {
                    continue;
                }
                for &sym in ALPHABET.iter() {
                    let sym = char::from(sym);
                    if sym == *original {
                        continue;
                    }
                    let mut typo = chars.clone();
                    typo[i] = sym;
                    let typo: String = typo.into_iter().collect();
                    let err = LicenseKey::parse(&typo).unwrap_err();
                    assert_eq!(err.code(), "MISTYPED_KEY", "{typo} accepted for {key}");
                }
            }
        }
    }

    #[test]
    fn malformed_keys_are_mistyped() {
        for bad in [
            "",
            "ABC",
            "UUUUU-UUUUU-UUUUU-UUUUU-UUUUU",
            "0000000000000000000000000000",
        ] {
            assert_eq!(LicenseKey::parse(bad).unwrap_err().code(), "MISTYPED_KEY");
        }
    }
}
