//! The table against the core: every enum's variants carry the core's names, in the core's
//! order, and every limit is the core's. (Record fields are checked by the bindings' own
//! builds: their conversions destructure the core structs without `..`.)

use license_inventory as core;
use license_inventory_bindings_schema::{ENUMS, LIMITS, enumeration};

/// The table's wire names of `name` (none when the table lacks it: the comparison fails).
fn table(name: &str) -> Vec<String> {
    enumeration(name)
        .map(|e| e.variants.iter().map(|v| v.snake()).collect())
        .unwrap_or_default()
}

fn names<T: Copy>(all: &[T], as_str: impl Fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| as_str(*v).to_owned()).collect()
}

#[test]
fn enums_carry_the_cores_names_in_order() {
    use core::{
        Action as A, Entity as E, LicenseStatus as L, Plan as P, ProductKind as K, Tier as T,
    };
    let expected: Vec<(&str, Vec<String>)> = vec![
        ("Plan", names(&[P::Standard, P::Enterprise], P::as_str)),
        (
            "Tier",
            names(
                &[T::Vendor, T::Distributor, T::Reseller, T::Hub, T::Center],
                T::as_str,
            ),
        ),
        (
            "ProductKind",
            names(&[K::ActivationCode, K::License], K::as_str),
        ),
        (
            "OrderStatus",
            names(&core::OrderStatus::ALL, core::OrderStatus::as_str),
        ),
        (
            "LicenseStatus",
            names(&[L::Issued, L::Active, L::Disabled], L::as_str),
        ),
        (
            "Permission",
            names(&core::Permission::ALL, core::Permission::as_str),
        ),
        (
            "NotificationKind",
            names(&core::NotificationKind::ALL, core::NotificationKind::as_str),
        ),
        (
            "Synchronous",
            names(
                &[core::Synchronous::Normal, core::Synchronous::Full],
                core::Synchronous::as_str,
            ),
        ),
        (
            "LedgerKind",
            names(&core::LedgerKind::ALL, core::LedgerKind::as_str),
        ),
        ("Action", names(&A::ALL, A::as_str)),
        (
            "Entity",
            names(
                &[
                    E::Tenant,
                    E::Organization,
                    E::User,
                    E::Product,
                    E::Order,
                    E::License,
                    E::LicenseUser,
                    E::LicenseManager,
                    E::Notification,
                    E::Bundle,
                ],
                E::as_str,
            ),
        ),
    ];
    for (name, core_names) in &expected {
        assert_eq!(&table(name), core_names, "enum {name}");
    }
    assert_eq!(
        expected.len(),
        ENUMS.len(),
        "an enum of the table is not checked here"
    );
}

#[test]
fn limits_are_the_cores() {
    let core_limits: Vec<(&str, u64)> = vec![
        ("MAX_QUANTITY", core::MAX_QUANTITY),
        ("MAX_ISSUE", core::MAX_ISSUE),
        ("MAX_NAME", core::MAX_NAME as u64),
        ("MAX_PURCHASE_ORDER", core::MAX_PURCHASE_ORDER as u64),
        ("MAX_COMMENT", core::MAX_COMMENT as u64),
        ("DEFAULT_PAGE", core::DEFAULT_PAGE as u64),
        ("MAX_PAGE", core::MAX_PAGE as u64),
        ("MAX_BATCH", core::MAX_BATCH as u64),
        ("MIN_PASSWORD", core::MIN_PASSWORD as u64),
        ("MAX_IDEMPOTENCY_KEY", core::MAX_IDEMPOTENCY_KEY as u64),
    ];
    let table: Vec<&str> = LIMITS.iter().map(|l| l.name).collect();
    let core: Vec<&str> = core_limits.iter().map(|(n, _)| *n).collect();
    assert_eq!(table, core);
    assert!(core_limits.iter().all(|(_, v)| *v > 0));
}
