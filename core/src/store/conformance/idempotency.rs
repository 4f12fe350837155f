//! Idempotent commands and their retries.

use super::*;

suite!(
    idempotency => __conformance_suite_idempotency:
    idempotent_commands,
    idempotent_retries_race,
    idempotency_keeps_secrets_out,
    idempotency_keys_are_pruned_by_age,
);

/// Pruning forgets a tenant's keys recorded before a moment, and only those: a pruned key's
/// retry runs the command again, a kept key's returns the first result; other tenants' keys
/// are untouched; nothing else changes (docs/rules.md §11).
fn idempotency_keys_are_pruned_by_age(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let t = w.tenant.id;
    let ask = |key: &str| {
        w.irina
            .with_idempotency_key(key)
            .unwrap()
            .request(NewRequest::new(w.mga.id, w.cl.id, 1))
            .unwrap()
    };
    let old = ask("old");
    w.advance(60);
    let kept = ask("kept");
    let other = w
        .inv
        .create_tenant(NewTenant {
            name: "Other".into(),
            plan: Plan::Standard,
            vendor_name: "Other".into(),
            first_order_number: None,
        })
        .unwrap();
    let oona = || {
        w.inv.with_idempotency_key("old").unwrap().create_user(
            other.id,
            NewUser {
                name: "Oona".into(),
                email: "oona@example.com".into(),
            },
        )
    };
    let first = oona().unwrap();

    let ledger = w.snapshot();
    let cutoff = seed_time() + TimeDelta::minutes(30);
    assert_eq!(w.inv.prune_idempotency_keys(t, cutoff).unwrap(), 1);
    assert_eq!(w.snapshot(), ledger, "pruning changes nothing else");
    assert_eq!(w.inv.prune_idempotency_keys(t, cutoff).unwrap(), 0);
    // The kept key still answers with its first result; the pruned one runs again.
    assert_eq!(ask("kept").id, kept.id);
    let again = ask("old");
    assert_ne!(again.id, old.id);
    // The other tenant's key of the same name is kept: the same user, not a conflict.
    assert_eq!(oona().unwrap(), first);
    assert_eq!(
        err_code(&w.inv.prune_idempotency_keys(t, DateTime::<Utc>::MAX_UTC)),
        "INVALID_INPUT"
    );
    let missing = TenantId::from_uuid(uuid::Uuid::nil());
    assert_eq!(
        err_code(&w.inv.prune_idempotency_keys(missing, cutoff)),
        "NOT_FOUND"
    );
    w.assert_clean();
}

/// Idempotency keys (docs/rules.md §11): every kind of write command, repeated with its key,
/// returns its first result and changes nothing; the key with another command (or another user) is
/// a conflict; a failed command records nothing; keys are per tenant.
fn idempotent_commands(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::with_plan(inv, 1, Plan::Enterprise);
    let t = w.tenant.id;
    w.inv
        .set_product_policy(
            t,
            w.cl.id,
            policy(
                5,
                Validity::Perpetual,
                Some(Floating {
                    max_borrows: 5,
                    max_borrow_seconds: 600,
                }),
            ),
        )
        .unwrap();
    // A failed command records nothing: the same key works once the cause is gone.
    let req = request(&w.irina, &w.mga, &w.cl, 3, "R-1");
    let keyed = w.irina.with_idempotency_key("approve-1").unwrap();
    assert_eq!(
        err_code(&keyed.approve(req.id, None, None)),
        "INSUFFICIENT_INVENTORY"
    );
    w.stock(&w.ellen, &w.cl, 20);
    let approved = twice(&w, &w.irina, "approve-1", |s| s.approve(req.id, None, None));
    assert_eq!(approved.available, 3);
    // The same key for another command, or by another user, is a conflict; nothing changes.
    let before = w.snapshot();
    assert_eq!(
        keyed.reject(req.id, None).unwrap_err().to_string(),
        format!(
            "conflict: this tenant already has idempotency key 'approve-1' (used for approve, not \
         reject; choose a new key for a new command) (refused: reject by user {})",
            w.irina.user()
        )
    );
    assert_eq!(err_code(&keyed.approve(req.id, Some(1), None)), "CONFLICT");
    let vera_keyed = w.vera.with_idempotency_key("approve-1").unwrap();
    assert_eq!(
        err_code(&vera_keyed.approve(req.id, None, None)),
        "CONFLICT"
    );
    assert_eq!(w.snapshot(), before);
    // Every kind of command.
    let r2 = twice(&w, &w.irina, "request-2", |s| {
        s.request(NewRequest::new(w.mga.id, w.cl.id, 2))
    });
    twice(&w, &w.irina, "edit-2", |s| {
        s.edit_request(
            r2.id,
            RequestEdit {
                quantity: Some(1),
                ..Default::default()
            },
        )
    });
    twice(&w, &w.irina, "cancel-2", |s| s.cancel(r2.id));
    let r3 = request(&w.irina, &w.mga, &w.cl, 1, "R-3");
    twice(&w, &w.irina, "reject-3", |s| s.reject(r3.id, None));
    let o = twice(&w, &w.irina, "assign-1", |s| {
        s.assign(NewAssignment::new(w.mga.id, w.elerome.id, w.cl.id, 3))
    });
    twice(&w, &w.vera, "mint-1", |s| {
        s.mint(NewMint::new(w.uac.id, 4))
    });
    let issued = twice(&w, &w.erin, "issue-1", |s| s.issue(o.id, 2));
    assert_eq!(issued.len(), 2);
    assert_eq!(w.erin.order(o.id).unwrap().order.issued, 2);
    let l = &issued[0];
    twice(&w, &w.erin, "meta-1", |s| {
        s.edit_metadata(
            o.id,
            MetadataEdit {
                reference: Some("REF".into()),
                ..Default::default()
            },
        )
    });
    twice(&w, &w.erin, "customer-1", |s| {
        s.set_customer(
            o.id,
            Some(Customer {
                name: "Elerome School".into(),
                ..Default::default()
            }),
        )
    });
    let lu = twice(&w, &w.erin, "lu-1", |s| {
        s.add_license_user(
            o.id,
            NewLicenseUser {
                email: "stu@elerome.example".into(),
                name: None,
                password: Some("correct horse".into()),
            },
        )
    });
    twice(&w, &w.erin, "lu-edit-1", |s| {
        s.edit_license_user(lu.id, None, Some("Stu".into()))
    });
    twice(&w, &w.erin, "lu-pw-1", |s| {
        s.set_license_user_password(lu.id, "battery staple")
    });
    twice(&w, &w.erin, "assign-lic-1", |s| {
        s.assign_license(l.id, Some(lu.id))
    });
    let lena = w.user("Lena Manager");
    twice(&w, &w.erin, "manager-1", |s| {
        s.add_license_manager(o.id, lena.id, &[Permission::ResetDevice])
    });
    let activated = twice(&w, &w.erin, "activate-1", |s| {
        w.inv
            .with_idempotency_key("activate-1")?
            .activate(s.tenant(), l.key.as_str(), "pc", "PC")
    });
    assert_eq!(activated.activations.len(), 1);
    twice(&w, &w.erin, "reset-device-1", |s| {
        s.reset_device(l.id, "pc")
    });
    twice(&w, &w.erin, "reset-license-1", |s| s.reset_license(l.id));
    twice(&w, &w.erin, "borrow-1", |s| s.borrow(l.id, "desk", 60));
    twice(&w, &w.erin, "return-1", |s| s.return_borrow(l.id, "desk"));
    twice(&w, &w.erin, "disable-1", |s| s.disable(l.id));
    twice(&w, &w.erin, "enable-1", |s| s.enable(l.id));
    let unused = &issued[1];
    let back = twice(&w, &w.erin, "revoke-1", |s| s.revoke(unused.id));
    assert_eq!((back.issued, back.available), (1, 2));
    twice(&w, &w.erin, "lu-delete-1", |s| s.delete_license_user(lu.id));
    twice(&w, &w.erin, "return-units-1", |s| s.return_units(o.id, 1));
    let bundle = w
        .inv
        .create_bundle(
            t,
            NewBundle {
                name: "Pack".into(),
                lines: vec![BundleLine {
                    product: w.cl.id,
                    quantity: 1,
                }],
            },
        )
        .unwrap();
    twice(&w, &w.erin, "bundle-1", |s| {
        s.request_bundle(w.elerome.id, bundle.id, None, None)
    });
    let gone = w.center_order(&w.uac, 1);
    twice(&w, &w.erin, "delete-1", |s| s.delete_order(gone.id));
    // Keys are per tenant, and checked.
    let other = World::new(w.inv.clone(), 1);
    let theirs = other.irina.with_idempotency_key("approve-1").unwrap();
    let r = request(&other.irina, &other.mga, &other.cl, 1, "X");
    other.stock(&other.ellen, &other.cl, 1);
    assert_eq!(theirs.approve(r.id, None, None).unwrap().available, 1);
    assert_eq!(err_code(&w.irina.with_idempotency_key("")), "INVALID_INPUT");
    assert_eq!(
        err_code(
            &w.irina
                .with_idempotency_key(&"k".repeat(MAX_IDEMPOTENCY_KEY + 1))
        ),
        "INVALID_INPUT"
    );
    assert_eq!(
        err_code(&w.irina.with_idempotency_key("bad\nkey")),
        "INVALID_INPUT"
    );
    w.assert_clean();
    other.assert_clean();
}

/// Sixteen concurrent retries of one keyed request create exactly one order, and all of them
/// return it.
fn idempotent_retries_race(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let keyed = w.irina.with_idempotency_key("race-1").unwrap();
    let results: Vec<Order> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let s = keyed.clone();
                let (holder, product) = (w.mga.id, w.cl.id);
                scope.spawn(move || {
                    s.request(NewRequest::new(holder, product, 2))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    assert!(results.iter().all(|o| *o == results[0]));
    let orders = w
        .irina
        .list(w.mga.id, &InventoryFilter::default(), None, MAX_PAGE)
        .unwrap();
    assert_eq!(orders.items.len(), 1);
    w.assert_clean();
}

/// The recorded results of `tenant`'s idempotency keys, as stored.
fn recorded(w: &World, keys: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    w.inv
        .store()
        .read(&mut |tx| {
            out = keys
                .iter()
                .map(|k| tx.idempotency(w.tenant.id, k).map(|r| r.unwrap().result))
                .collect::<Result<_>>()?;
            Ok(())
        })
        .unwrap();
    out
}

/// Secrets under idempotency keys (docs/decisions.md §34): a retry with another password is a
/// conflict and changes nothing (the password is in the fingerprint, as an HMAC keyed by a
/// per-tenant secret); recorded results hold no license key, yet a retry returns the same
/// licenses, keys included; a license deleted since makes the retry a conflict.
fn idempotency_keeps_secrets_out(factory: Factory<'_>) {
    let (inv, _guard) = factory();
    let w = World::new(inv, 1);
    let o = elerome_order(&w, 6);
    // Licenses: recorded without their keys, returned with them.
    let issued = twice(&w, &w.erin, "issue-s", |s| s.issue(o.id, 2));
    let batch = twice(&w, &w.erin, "batch-s", |s| {
        s.batch(&[BatchCommand::Issue {
            order: o.id,
            quantity: 1,
        }])
    });
    let activated = twice(&w, &w.erin, "activate-s", |s| {
        w.inv
            .with_idempotency_key("activate-s")?
            .activate(s.tenant(), issued[0].key.as_str(), "pc", "PC")
    });
    let BatchResult::Licenses(from_batch) = &batch[0] else {
        panic!("{batch:?}")
    };
    let mut keys: Vec<&str> = issued.iter().map(|l| l.key.as_str()).collect();
    keys.push(from_batch[0].key.as_str());
    for (record, what) in recorded(&w, &["issue-s", "batch-s", "activate-s"])
        .iter()
        .zip(["issue", "batch", "activate"])
    {
        assert!(record.contains("\"key\":null"), "{what}: {record}");
        for k in &keys {
            assert!(!record.contains(k), "{what} recorded key {k}: {record}");
        }
    }
    assert_eq!(activated.key, issued[0].key);
    // A license of a recorded result deleted since: the retry is a conflict, not a result
    // with a license missing.
    w.erin.revoke(issued[1].id).unwrap();
    let retry = w.erin.with_idempotency_key("issue-s").unwrap().issue(o.id, 2);
    assert_eq!(err_code(&retry), "CONFLICT");
    assert!(
        retry.unwrap_err().to_string().contains("was deleted since"),
        "the conflict says why"
    );
    // Passwords: the same key with another password is a conflict and changes nothing.
    let new_user = |password: &str| NewLicenseUser {
        email: "stu@elerome.example".into(),
        name: None,
        password: Some(password.into()),
    };
    let lu = twice(&w, &w.erin, "lu-s", |s| {
        s.add_license_user(o.id, new_user("correct horse"))
    });
    let before = w.snapshot();
    let keyed = w.erin.with_idempotency_key("lu-s").unwrap();
    assert_eq!(
        err_code(&keyed.add_license_user(o.id, new_user("battery staple"))),
        "CONFLICT"
    );
    twice(&w, &w.erin, "pw-s", |s| {
        s.set_license_user_password(lu.id, "battery staple")
    });
    let keyed = w.erin.with_idempotency_key("pw-s").unwrap();
    assert_eq!(
        err_code(&keyed.set_license_user_password(lu.id, "correct horse")),
        "CONFLICT"
    );
    assert!(
        w.inv
            .verify_license_user_password(w.tenant.id, lu.id, "battery staple")
            .unwrap()
    );
    assert_ne!(w.snapshot(), before, "pw-s ran once");
    // The tenant's secret: made once, 32 random bytes; another tenant has its own.
    let secret = |tenant: TenantId| {
        let mut out = None;
        w.inv
            .store()
            .read(&mut |tx| {
                out = tx.idempotency_secret(tenant)?;
                Ok(())
            })
            .unwrap();
        out
    };
    let mine = secret(w.tenant.id).unwrap();
    assert_eq!(mine.len(), 64, "{mine}");
    let other = World::new(w.inv.clone(), 2);
    assert_eq!(secret(other.tenant.id), None, "made on first use only");
    let o2 = elerome_order(&other, 1);
    other
        .erin
        .with_idempotency_key("lu-s")
        .unwrap()
        .add_license_user(o2.id, new_user("correct horse"))
        .unwrap();
    assert_ne!(secret(other.tenant.id).unwrap(), mine);
}

/// An order of `qty` units held by Elerome School (stocked at Ellen Emporium, through MGA Inc).
fn elerome_order(w: &World, qty: u64) -> Order {
    w.stock(&w.ellen, &w.cl, qty);
    w.irina
        .assign(NewAssignment::new(w.ellen.id, w.mga.id, w.cl.id, qty))
        .unwrap();
    w.irina
        .assign(NewAssignment::new(w.mga.id, w.elerome.id, w.cl.id, qty))
        .unwrap()
}
