//! Notification ids that name their row on SQLite (docs/decisions.md §72).
//!
//! SQLite's outbox is a rowid table whose integer `key` is the rowid. A notification written
//! since schema 18 has an id that holds its key: a UUID of version 8 (RFC 9562's layout for
//! ids of an application's own design) with the key's 63 bits first and 59 random bits after
//! them. Finding a notification by id is then a lookup of the key the id names (the row's own
//! id is compared too, so an id made up to name a key finds nothing), and the table needs no
//! index on its ids. Ids written before (time-ordered version 7) do not name a key; the
//! `notification_ids` table maps each of them to its row.
//!
//! The key's bits come first, in order, between the fixed version and variant bits, so ids sort
//! as their keys do: within a ledger entry, the outbox's order (by id) is the order the
//! notifications were written in.

use uuid::Uuid;

use crate::ids::NotificationId;

/// The id of the notification at `key` (1 or more), with fresh random bits; `None` for a key
/// below 1.
///
/// Layout, from the first byte: the key's bits 62–15 (48 bits); the version (`8`) and bits
/// 14–11; bits 10–3; the variant (`0b10`), bits 2–0 and three random bits; 56 random bits.
pub(crate) fn id_for(key: i64) -> Option<NotificationId> {
    let key = u64::try_from(key).ok().filter(|k| *k >= 1)?;
    // Random bits from the crate's fast generator (a time-ordered id's random tail).
    let random = Uuid::now_v7().into_bytes();
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&(key >> 15).to_be_bytes()[2..]);
    b[6] = 0x80 | ((key >> 11) & 0x0f) as u8;
    b[7] = ((key >> 3) & 0xff) as u8;
    b[8] = 0x80 | (((key & 0x07) as u8) << 3) | (random[8] & 0x07);
    b[9..].copy_from_slice(&random[9..]);
    Some(NotificationId::from_uuid(Uuid::from_bytes(b)))
}

/// The key an id of [`id_for`]'s layout names; `None` for any other id (version 7 ids written
/// before schema 18, or an id of another version or variant).
pub(crate) fn key_of(id: NotificationId) -> Option<i64> {
    let b = id.as_uuid().into_bytes();
    if b[6] & 0xf0 != 0x80 || b[8] & 0xc0 != 0x80 {
        return None;
    }
    let mut high = [0u8; 8];
    high[2..].copy_from_slice(&b[..6]);
    let key = (u64::from_be_bytes(high) << 15)
        | (u64::from(b[6] & 0x0f) << 11)
        | (u64::from(b[7]) << 3)
        | u64::from((b[8] >> 3) & 0x07);
    i64::try_from(key).ok().filter(|k| *k >= 1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_id_names_its_key_and_sorts_as_it() {
        let keys = [
            1,
            2,
            7,
            8,
            2047,
            2048,
            32_767,
            32_768,
            1 << 40,
            (1 << 40) + 5,
            i64::MAX - 1,
            i64::MAX,
        ];
        let ids: Vec<NotificationId> = keys.iter().map(|k| id_for(*k).unwrap()).collect();
        for (k, id) in keys.iter().zip(&ids) {
            let uuid = id.as_uuid();
            assert_eq!(uuid.get_version_num(), 8, "{uuid}");
            assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122, "{uuid}");
            assert_eq!(key_of(*id), Some(*k), "{uuid}");
        }
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        // Two ids of one key differ in their random bits and still name it.
        let (a, b) = (id_for(42).unwrap(), id_for(42).unwrap());
        assert_ne!(a, b);
        assert_eq!((key_of(a), key_of(b)), (Some(42), Some(42)));
    }

    #[test]
    fn other_ids_name_no_key() {
        assert_eq!(id_for(0), None);
        assert_eq!(id_for(-1), None);
        assert_eq!(key_of(NotificationId::new()), None, "a version 7 id");
        assert_eq!(key_of(NotificationId::from_uuid(Uuid::nil())), None);
        assert_eq!(key_of(NotificationId::from_uuid(Uuid::max())), None);
        // Version 8 with the key bits all zero names no key (keys start at 1).
        let zero = Uuid::from_bytes([0, 0, 0, 0, 0, 0, 0x80, 0, 0x80, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(key_of(NotificationId::from_uuid(zero)), None);
        // Version 8 with another variant is not of this layout.
        let mut other = id_for(9).unwrap().as_uuid().into_bytes();
        other[8] &= 0x3f;
        assert_eq!(
            key_of(NotificationId::from_uuid(Uuid::from_bytes(other))),
            None
        );
    }
}
