//! Anchors: a ledger head signed with an Ed25519 key the host keeps outside the database, so
//! that a rewrite of history before it is seen even by someone who recomputes the hash chain
//! (docs/decisions.md §38).
//!
//! Keys cross every boundary as 64 hex digits (the 32 bytes of an Ed25519 secret or public key);
//! a signature as 128 hex digits.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::TenantId;

pub use ed25519_dalek::{SigningKey, VerifyingKey};

/// A ledger head signed by the host: "tenant's ledger had entry `seq` with hash `hash` at `at`".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The tenant.
    pub tenant: TenantId,
    /// Sequence number of the ledger's newest entry when signed.
    pub seq: u64,
    /// That entry's hash (hex).
    pub hash: String,
    /// When it was signed (whole seconds, so that it survives every binding's time type).
    pub at: DateTime<Utc>,
    /// Ed25519 signature of [`Checkpoint::message`], 128 hex digits.
    pub signature: String,
}

impl Checkpoint {
    /// The bytes signed: a versioned line of the tenant, seq, hash and time.
    pub fn message(&self) -> Vec<u8> {
        format!(
            "license-inventory checkpoint v1\n{}\n{}\n{}\n{}",
            self.tenant,
            self.seq,
            self.hash,
            crate::time::format(self.at)
        )
        .into_bytes()
    }

    pub(crate) fn sign(
        tenant: TenantId,
        seq: u64,
        hash: String,
        at: DateTime<Utc>,
        key: &SigningKey,
    ) -> Self {
        let mut c = Checkpoint {
            tenant,
            seq,
            hash,
            at,
            signature: String::new(),
        };
        c.signature = to_hex(&key.sign(&c.message()).to_bytes());
        c
    }

    /// True when the signature is `key`'s over this checkpoint's content (strict verification:
    /// no malleable or small-order signatures).
    pub fn verify(&self, key: &VerifyingKey) -> bool {
        let Some(bytes) = from_hex::<64>(&self.signature) else {
            return false;
        };
        key.verify_strict(&self.message(), &Signature::from_bytes(&bytes))
            .is_ok()
    }
}

/// A new random signing key (from the operating system's randomness).
pub fn generate_signing_key() -> Result<SigningKey> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(Error::Randomness)?;
    Ok(SigningKey::from_bytes(&secret))
}

/// A signing key from its 32 secret bytes as 64 hex digits.
pub fn signing_key_from_hex(hex: &str) -> Result<SigningKey> {
    from_hex::<32>(hex)
        .map(|b| SigningKey::from_bytes(&b))
        .ok_or_else(|| Error::invalid("signing key", "must be 64 hex digits (32 bytes)"))
}

/// A verifying (public) key from its 32 bytes as 64 hex digits.
pub fn verifying_key_from_hex(hex: &str) -> Result<VerifyingKey> {
    from_hex::<32>(hex)
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| {
            Error::invalid(
                "verifying key",
                "must be 64 hex digits (32 bytes) of a valid Ed25519 public key",
            )
        })
}

/// Lower-case hex of bytes (of a key: `key.to_bytes()`, `key.verifying_key().to_bytes()`).
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex<const N: usize>(hex: &str) -> Option<[u8; N]> {
    if hex.len() != N.checked_mul(2)? || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_hex_and_signatures_verify() {
        let key = generate_signing_key().unwrap();
        let again = signing_key_from_hex(&to_hex(&key.to_bytes())).unwrap();
        assert_eq!(again.to_bytes(), key.to_bytes());
        let public = verifying_key_from_hex(&to_hex(&key.verifying_key().to_bytes())).unwrap();
        let c = Checkpoint::sign(TenantId::new(), 7, "ab".repeat(32), Utc::now(), &key);
        assert!(c.verify(&public));
        let mut forged = c.clone();
        forged.seq = 8;
        assert!(!forged.verify(&public));
        let other = generate_signing_key().unwrap().verifying_key();
        assert!(!c.verify(&other));
        assert!(signing_key_from_hex("zz").is_err());
        assert!(signing_key_from_hex(&"g".repeat(64)).is_err());
        assert!(verifying_key_from_hex(&"é".repeat(32)).is_err());
    }
}
