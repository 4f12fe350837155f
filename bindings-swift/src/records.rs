//! The records and enums of the table (`license-inventory-bindings-schema`), expanded by
//! `build.rs` into uniffi Records (Swift structs) and Enums (Swift enums) with their `From`
//! conversions, and the core's limits as exported functions (`maxQuantity()`, …).
//!
//! Nothing here is written by hand: a field is added to a core record and to the table, and it
//! appears in Swift. A core field missing from the table fails to compile (the conversions
//! destructure the core struct without `..`).

include!(concat!(env!("OUT_DIR"), "/records.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    /// The records Swift passes back come back as they went out.
    #[test]
    fn both_records_round_trip() {
        let policy = core::LicensePolicy {
            validity: core::Validity::DaysFromIssue(30),
            max_activations: 3,
            floating: Some(core::Floating {
                max_borrows: 2,
                max_borrow_seconds: 3600,
            }),
            trial: true,
        };
        assert_eq!(
            core::LicensePolicy::from(LicensePolicy::from(policy)),
            policy
        );
        let customer = core::Customer {
            name: "Elerome School".into(),
            email: Some("office@elerome.example".into()),
            company: None,
            phone: Some("+1 555 0100".into()),
            reference: None,
        };
        assert_eq!(
            core::Customer::from(Customer::from(customer.clone())),
            customer
        );
    }

    /// Enums convert variant for variant, both ways.
    #[test]
    fn enums_round_trip() {
        for p in core::Permission::ALL {
            assert_eq!(core::Permission::from(Permission::from(p)), p);
        }
        assert_eq!(
            Action::from(core::Action::Borrow),
            Action::Borrow,
            "the core's borrow_license"
        );
        assert_eq!(
            core::Synchronous::from(Synchronous::Normal),
            core::Synchronous::Normal
        );
    }

    /// Limits are the core's constants.
    #[test]
    fn limits() {
        assert_eq!(max_quantity(), core::MAX_QUANTITY);
        assert_eq!(max_batch(), 1000);
    }
}
