import Foundation
import XCTest
import LicenseInventory

/// `key` with its first symbol replaced by another key symbol: a one-symbol typo, which the
/// key's check symbol always catches.
func mistyped(_ key: String) -> String {
    let other = key.hasPrefix("0") ? "1" : "0"
    return other + key.dropFirst()
}

/// A key as errors show it: its first five symbols, then `-…` (never the whole key).
func redacted(_ key: String) -> String {
    let symbols = key.filter { $0 != "-" && $0 != " " }
    return symbols.count > 5 ? String(symbols.prefix(5)) + "-…" : symbols
}

/// Licenses and activation codes (docs/rules.md §7): issue, activate, redeem, borrow, disable, revoke,
/// product policies; license users and their passwords; an order's metadata and customer;
/// bundles; returns and deletion.
class LicenseTests: StoreTestCase {
    /// Five groups of five Crockford base32 symbols.
    static let keyPattern = "^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$"

    func testIssueInBulkReturnsTheRangeReadBackByPages() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.cl, 2503)
        let rita = try await c.rita()
        let issued = try await rita.issueInBulk(order: order.id, quantity: 2500)
        XCTAssertEqual([issued.count, issued.order.issued, issued.order.available], [2500, 2500, 3])
        var keys = Set<String>()
        var after: LicenseId? = nil
        while true {
            let page = try await rita.licenses(order: order.id, after: after, limit: 1000)
            guard let last = page.last else { break }
            keys.formUnion(page.map(\.key))
            after = last.id
        }
        XCTAssertEqual(keys.count, 2500)
        await assertEqual(try await rita.licenses(order: order.id, limit: 1).first?.id, issued.first)
        await assertInventoryError(try await rita.issueInBulk(order: order.id, quantity: 4)) {
            XCTAssertEqual($0.code(), "INSUFFICIENT_INVENTORY")
        }
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testIssueGivesUniqueKeysAndConsumesUnits() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("09:00"))
        let order = try await c.mgaOrder(c.cl, 5)
        let rita = try await c.rita()
        let licenses = try await rita.issue(order: order.id, quantity: 3)
        XCTAssertEqual(licenses.count, 3)
        XCTAssertEqual(Set(licenses.map(\.key)).count, 3)
        for l in licenses {
            XCTAssertNotNil(l.key.range(of: Self.keyPattern, options: .regularExpression), l.key)
            XCTAssertEqual(l.tenant, c.t)
            XCTAssertEqual(l.order, order.id)
            XCTAssertEqual(l.product, c.cl.id)
            XCTAssertFalse(l.isCode)
            XCTAssertEqual(l.status, .issued)
            XCTAssertNil(l.licenseUser)
            XCTAssertEqual(l.activations, [])
            XCTAssertEqual(l.borrows, [])
            XCTAssertEqual(l.policy, defaultLicensePolicy())
            XCTAssertFalse(l.trial)
            XCTAssertEqual(l.issuedAt, seedTime("09:00"))
            XCTAssertNil(l.activatedAt)
            XCTAssertNil(l.expiresAt)
        }
        let after = try await rita.order(id: order.id).order
        XCTAssertEqual([after.issued, after.available, after.approvedQuantity], [3, 2, 5])
        // More than available: all or nothing.
        await assertInventoryError(try await rita.issue(order: order.id, quantity: 3)) {
            guard case let .InsufficientInventory(available, requested, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(available, 2)
            XCTAssertEqual(requested, 3)
        }
        await assertEqual(try await rita.order(id: order.id).order, after)
        // The last units deplete the order.
        let rest = try await rita.issue(order: order.id, quantity: 2)
        await assertEqual(try await rita.order(id: order.id).order.status, .depleted)
        // The licenses of the order, by id, a page at a time.
        let all = try await rita.licenses(order: order.id)
        XCTAssertEqual(Set(all.map(\.id)), Set((licenses + rest).map(\.id)))
        let first = try await rita.licenses(order: order.id, limit: 2)
        let second = try await rita.licenses(order: order.id, after: try XCTUnwrap(first.last).id, limit: 2)
        let third = try await rita.licenses(order: order.id, after: try XCTUnwrap(second.last).id, limit: 2)
        XCTAssertEqual([first.count, second.count, third.count], [2, 2, 1])
        XCTAssertEqual(first + second + third, all)
        // A license by its key, also typed loosely (lower case, no dashes).
        let loose = licenses[0].key.lowercased().replacingOccurrences(of: "-", with: "")
        await assertEqual(try await rita.license(key: loose), licenses[0])
        // Someone outside the branch sees none of it.
        await assertInventoryError(try await c.oscar().license(key: licenses[0].key)) {
            guard case let .PermissionDenied(action, actor, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .view)
            XCTAssertEqual(actor, c.oscarUser.id)
        }
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testMistypedKeyIsRefusedBeforeAnyLookup() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        let license = try await rita.issue(order: try await c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        let typo = mistyped(license.key)
        let ledger = try await c.ledger()
        let calls: [(String, () async throws -> License)] = [
            ("activate", { try await c.inv.activate(tenant: c.t, key: typo, fingerprint: "pc", deviceName: "PC") }),
            ("deactivate", { try await c.inv.deactivate(tenant: c.t, key: typo, fingerprint: "pc") }),
            ("redeem", { try await c.inv.redeem(tenant: c.t, code: typo, redeemedBy: "someone") }),
            ("checkLicense", { try await c.inv.checkLicense(tenant: c.t, key: typo) }),
            ("license", { try await rita.license(key: typo) }),
        ]
        for (name, call) in calls {
            await assertInventoryError(try await call()) {
                guard case let .MistypedKey(key, reason, _, _, message) = $0 else { return XCTFail("\(name): \($0)") }
                XCTAssertEqual(key, redacted(typo), name)
                XCTAssertEqual(reason, "the check symbol does not match: a symbol is mistyped", name)
                XCTAssertTrue(message.hasPrefix("mistyped license key '\(redacted(typo))'"), message)
                XCTAssertFalse(message.contains(typo), message)
                XCTAssertEqual($0.code(), "MISTYPED_KEY")
            }
        }
        await assertInventoryError(try await c.inv.checkLicense(tenant: c.t, key: "7KQ2M-XR4TD")) {
            guard case let .MistypedKey(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(key, "7KQ2M-…")
            XCTAssertEqual(reason, "a key has 25 symbols, this has 10")
        }
        await assertInventoryError(try await c.inv.checkLicense(tenant: c.t, key: "7KQ2M-XR4TD-9WZPH-BN3CV-0G6J!")) {
            guard case let .MistypedKey(_, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "'!' is not a key symbol")
        }
        await assertEqual(try await c.ledger(), ledger)
        // Typed correctly (case does not matter), it is found.
        await assertEqual(try await c.inv.checkLicense(tenant: c.t, key: license.key.lowercased()), license)
    }

    func testActivationLimit() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("09:00"))
        let policy = LicensePolicy(validity: .perpetual, maxActivations: 2)
        await assertEqual(try await c.inv.setProductPolicy(tenant: c.t, product: c.cl.id, policy: policy).policy, policy)
        let rita = try await c.rita()
        let l = try await rita.issue(order: try await c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        XCTAssertEqual(l.policy.maxActivations, 2)
        let inv = c.inv
        let one = try await inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-1", deviceName: "Front desk PC")
        XCTAssertEqual(one.status, .active)
        XCTAssertEqual(one.activatedAt, seedTime("09:00"))
        let two = try await inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-2", deviceName: "Lab PC")
        XCTAssertEqual(two.activations.map(\.fingerprint), ["pc-1", "pc-2"])
        XCTAssertEqual(two.activations.map(\.name), ["Front desk PC", "Lab PC"])
        let ledger = try await c.ledger()
        await assertInventoryError(try await inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-3", deviceName: "Third")) {
            guard case let .ActivationLimit(max, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(max, 2)
            XCTAssertEqual(
                message,
                "license is already activated on 2 devices, its maximum; reset a device first (refused: activate by the host application)")
            XCTAssertEqual($0.code(), "ACTIVATION_LIMIT")
        }
        // Activating an activated device again changes nothing.
        await assertEqual(try await inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-1", deviceName: "Front desk PC"), two)
        await assertEqual(try await c.ledger(), ledger)
        await assertEqual(try await rita.license(key: l.key), two)
        // Deactivating a device frees its place.
        let freed = try await inv.deactivate(tenant: c.t, key: l.key, fingerprint: "pc-2")
        XCTAssertEqual(freed.activations.map(\.fingerprint), ["pc-1"])
        await assertEqual(
            try await inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-3", deviceName: "Third").activations.map(\.fingerprint),
            ["pc-1", "pc-3"])
        // The holder's admin removes one device, or all of them.
        await assertEqual(try await rita.resetDevice(license: l.id, fingerprint: "pc-1").activations.map(\.fingerprint), ["pc-3"])
        await assertInventoryError(try await rita.resetDevice(license: l.id, fingerprint: "pc-1")) {
            guard case let .InvalidInput(field, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "fingerprint")
            XCTAssertEqual(reason, "license \(redacted(l.key)) is not activated on device 'pc-1'")
        }
        let reset = try await rita.resetLicense(license: l.id)
        XCTAssertEqual(reset.activations, [])
        XCTAssertEqual(reset.activatedAt, seedTime("09:00"))
        await assertEqual(try await inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-4", deviceName: "New PC").activations.count, 1)
    }

    func testBorrowLimits() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("09:00"))
        let floating = Floating(maxBorrows: 1, maxBorrowSeconds: 600)
        let seat = try await c.inv.createProduct(
            tenant: c.t, code: "FS", name: "Floating Seat", kind: .license,
            policy: LicensePolicy(validity: .perpetual, maxActivations: 1, floating: floating))
        XCTAssertEqual(seat.policy.floating, floating)
        let rita = try await c.rita()
        let l = try await rita.issue(order: try await c.mgaOrder(seat, 1).id, quantity: 1)[0]
        let borrowed = try await rita.borrow(license: l.id, borrower: "desk-1", seconds: 60)
        XCTAssertEqual(borrowed.borrows, [Borrow(borrower: "desk-1", at: seedTime("09:00"), until: seedTime("09:01"))])
        let ledger = try await c.ledger()
        await assertInventoryError(try await rita.borrow(license: l.id, borrower: "desk-2", seconds: 60)) {
            guard case let .BorrowLimit(reason, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "1 borrows are open, the most allowed")
            XCTAssertEqual(
                message,
                "floating limit: 1 borrows are open, the most allowed (refused: borrow_license by user \(idText(c.ritaUser.id.uuid)))")
            XCTAssertEqual($0.code(), "BORROW_LIMIT")
        }
        await assertInventoryError(try await rita.borrow(license: l.id, borrower: "desk-1", seconds: 601)) {
            guard case let .BorrowLimit(reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "601 s asked, at most 600 s allowed")
        }
        await assertEqual(try await c.ledger(), ledger)
        await assertEqual(try await rita.license(key: l.key).borrows, borrowed.borrows)
        // Returned, the place is free again; returning twice is an error.
        await assertEqual(try await rita.returnBorrow(license: l.id, borrower: "desk-1").borrows, [])
        await assertInventoryError(try await rita.returnBorrow(license: l.id, borrower: "desk-1")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "borrower")
        }
        await assertEqual(try await rita.borrow(license: l.id, borrower: "desk-2", seconds: 600).borrows.map(\.borrower), ["desk-2"])
        // A borrow ends by itself.
        c.inv.setTime(at: seedTime("09:11"))
        await assertEqual(try await rita.borrow(license: l.id, borrower: "desk-3", seconds: 60).borrows.map(\.borrower), ["desk-3"])
        // A license that does not float cannot be borrowed.
        let plain = try await rita.issue(order: try await c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        await assertInventoryError(try await rita.borrow(license: plain.id, borrower: "desk-1", seconds: 60)) {
            guard case let .LicenseUnusable(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(key, redacted(plain.key))
            XCTAssertEqual(reason, "it is not a floating license")
        }
    }

    func testActivationCodesAreRedeemedOnce() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("09:00"))
        let rita = try await c.rita()
        let code = try await rita.issue(order: try await c.mgaOrder(c.uac, 2).id, quantity: 1)[0]
        XCTAssertTrue(code.isCode)
        XCTAssertEqual(code.status, .issued)
        let redeemed = try await c.inv.redeem(tenant: c.t, code: code.key, redeemedBy: "student@elerome.example")
        XCTAssertEqual(redeemed.status, .active)
        XCTAssertEqual(redeemed.activatedAt, seedTime("09:00"))
        XCTAssertEqual(redeemed.activations.map(\.fingerprint), ["student@elerome.example"])
        let ledger = try await c.ledger()
        await assertInventoryError(try await c.inv.redeem(tenant: c.t, code: code.key, redeemedBy: "someone@else.example")) {
            guard case let .LicenseUnusable(key, reason, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(key, redacted(code.key))
            XCTAssertEqual(reason, "the code was already redeemed")
            XCTAssertEqual(
                message,
                "license \(redacted(code.key)) is unusable: the code was already redeemed (refused: redeem by the host application)")
            XCTAssertEqual($0.code(), "LICENSE_UNUSABLE")
        }
        // A code is redeemed, not activated.
        await assertInventoryError(try await c.inv.activate(tenant: c.t, key: code.key, fingerprint: "pc", deviceName: "PC")) {
            guard case let .LicenseUnusable(_, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "an activation code is redeemed, not activated")
        }
        await assertEqual(try await c.ledger(), ledger)
        await assertEqual(try await c.inv.checkLicense(tenant: c.t, key: code.key), redeemed)
        // …and a license is activated, not redeemed.
        let license = try await rita.issue(order: try await c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        await assertInventoryError(try await c.inv.redeem(tenant: c.t, code: license.key, redeemedBy: "x")) {
            guard case let .LicenseUnusable(_, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "a license is activated, not redeemed")
        }
        // An unknown (well-formed) key of another tenant is not found.
        let elsewhere = try await Channel(inv: c.inv)
        await assertInventoryError(try await elsewhere.inv.checkLicense(tenant: elsewhere.t, key: license.key)) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .license)
            XCTAssertEqual(id, redacted(license.key))
        }
    }

    func testDisableAndEnable() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        let l = try await rita.issue(order: try await c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        // Only the holder's admins: not even the parent's.
        await assertInventoryError(try await c.dora().disable(license: l.id)) {
            guard case let .PermissionDenied(action, actor, reason, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .disable)
            XCTAssertEqual(actor, c.doraUser.id)
            XCTAssertEqual(reason, "not an admin of 'MGA Inc'")
        }
        await assertEqual(try await rita.disable(license: l.id).status, .disabled)
        let uses: [() async throws -> License] = [
            { try await c.inv.checkLicense(tenant: c.t, key: l.key) },
            { try await c.inv.activate(tenant: c.t, key: l.key, fingerprint: "pc", deviceName: "PC") },
        ]
        for call in uses {
            await assertInventoryError(try await call()) {
                guard case let .LicenseUnusable(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(key, redacted(l.key))
                XCTAssertEqual(reason, "it is disabled")
            }
        }
        await assertEqual(try await rita.enable(license: l.id).status, .issued)
        await assertEqual(try await c.inv.activate(tenant: c.t, key: l.key, fingerprint: "pc", deviceName: "PC").status, .active)
        await assertEqual(try await rita.disable(license: l.id).status, .disabled)
        await assertEqual(try await rita.enable(license: l.id).status, .active)
    }

    func testValidityFromIssueAndFromActivation() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("09:00"))
        let day: TimeInterval = 86_400
        let term = try await c.inv.createProduct(
            tenant: c.t, code: "TERM", name: "Term License", kind: .license,
            policy: LicensePolicy(validity: .daysFromIssue(days: 30), maxActivations: 1))
        let trial = try await c.inv.createProduct(
            tenant: c.t, code: "TRY", name: "Trial License", kind: .license,
            policy: LicensePolicy(validity: .daysFromActivation(days: 10), maxActivations: 1, trial: true))
        await assertEqual(try await c.inv.productByCode(tenant: c.t, code: "TRY").policy.validity, .daysFromActivation(days: 10))
        let rita = try await c.rita()
        let termLicense = try await rita.issue(order: try await c.mgaOrder(term, 1).id, quantity: 1)[0]
        XCTAssertEqual(termLicense.expiresAt, seedTime("09:00").addingTimeInterval(30 * day))
        XCTAssertFalse(termLicense.trial)
        let trialLicense = try await rita.issue(order: try await c.mgaOrder(trial, 1).id, quantity: 1)[0]
        XCTAssertTrue(trialLicense.trial)
        XCTAssertNil(trialLicense.expiresAt)
        c.inv.setTime(at: seedTime("10:00"))
        let activated = try await c.inv.activate(tenant: c.t, key: trialLicense.key, fingerprint: "pc", deviceName: "PC")
        XCTAssertEqual(activated.activatedAt, seedTime("10:00"))
        XCTAssertEqual(activated.expiresAt, seedTime("10:00").addingTimeInterval(10 * day))
        // 31 days after issue, both have expired.
        c.inv.setTime(at: seedTime("09:00").addingTimeInterval(31 * day))
        for l in [termLicense, trialLicense] {
            await assertInventoryError(try await c.inv.checkLicense(tenant: c.t, key: l.key)) {
                guard case let .LicenseUnusable(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(key, redacted(l.key))
                XCTAssertTrue(reason.hasPrefix("it expired at "), reason)
            }
        }
    }

    func testProductPolicies() async throws {
        let c = try await channel()
        // Without a policy: the core's default.
        XCTAssertEqual(c.cl.policy, defaultLicensePolicy())
        XCTAssertEqual(defaultLicensePolicy(), LicensePolicy(validity: .perpetual, maxActivations: 1, floating: nil, trial: false))
        let policy = LicensePolicy(
            validity: .daysFromIssue(days: 365), maxActivations: 3,
            floating: Floating(maxBorrows: 5, maxBorrowSeconds: 3600), trial: true)
        let product = try await c.inv.createProduct(tenant: c.t, code: "ENT", name: "Enterprise License", kind: .license, policy: policy)
        XCTAssertEqual(product.policy, policy)
        await assertEqual(try await c.inv.product(tenant: c.t, id: product.id).policy, policy)
        // An invalid policy creates nothing (one transaction with the product).
        let ledger = try await c.ledger()
        for bad in [
            LicensePolicy(validity: .perpetual, maxActivations: 0),
            LicensePolicy(validity: .daysFromActivation(days: 0), maxActivations: 1),
            LicensePolicy(validity: .perpetual, maxActivations: 1, floating: Floating(maxBorrows: 0, maxBorrowSeconds: 60)),
        ] {
            await assertInventoryError(try await c.inv.createProduct(tenant: c.t, code: "BAD", name: "Bad", kind: .license, policy: bad)) {
                guard case .InvalidInput = $0 else { return XCTFail("\(bad): \($0)") }
            }
            await assertInventoryError(try await c.inv.setProductPolicy(tenant: c.t, product: product.id, policy: bad)) {
                guard case .InvalidInput = $0 else { return XCTFail("\(bad): \($0)") }
            }
        }
        await assertInventoryError(try await c.inv.productByCode(tenant: c.t, code: "BAD")) {
            guard case .NotFound(.product, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await c.inv.product(tenant: c.t, id: product.id).policy, policy)
        await assertEqual(try await c.ledger(), ledger)
        // A new policy applies to licenses issued from then on; issued ones keep theirs.
        let rita = try await c.rita()
        let order = try await c.mgaOrder(product, 2)
        let before = try await rita.issue(order: order.id, quantity: 1)[0]
        let newPolicy = LicensePolicy(validity: .perpetual, maxActivations: 10)
        _ = try await c.inv.setProductPolicy(tenant: c.t, product: product.id, policy: newPolicy)
        let afterwards = try await rita.issue(order: order.id, quantity: 1)[0]
        await assertEqual(try await rita.license(key: before.key).policy, policy)
        XCTAssertEqual(afterwards.policy, newPolicy)
        await assertEqual(try await c.ledger().last?.kind, .licensesIssued)
        await assertTrue(try await c.ledger().contains { $0.kind == .productPolicySet })
    }

    func testRevokeReturnsTheUnit() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        let order = try await c.mgaOrder(c.cl, 2)
        let licenses = try await rita.issue(order: order.id, quantity: 2)
        await assertEqual(try await rita.order(id: order.id).order.status, .depleted)
        let revoked = try await rita.revoke(license: licenses[0].id)
        XCTAssertEqual(revoked.id, order.id)
        XCTAssertEqual([revoked.issued, revoked.available], [1, 1])
        XCTAssertEqual(revoked.status, .active)
        await assertInventoryError(try await rita.license(key: licenses[0].key)) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .license)
            XCTAssertEqual(id, redacted(licenses[0].key))
        }
        await assertEqual(try await rita.licenses(order: order.id).map(\.id), [licenses[1].id])
        // A used license cannot be revoked.
        _ = try await c.inv.activate(tenant: c.t, key: licenses[1].key, fingerprint: "pc", deviceName: "PC")
        let ledger = try await c.ledger()
        await assertInventoryError(try await rita.revoke(license: licenses[1].id)) {
            guard case let .LicenseUnusable(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(key, redacted(licenses[1].key))
            XCTAssertEqual(reason, "only an unused license can be revoked; reset or disable it instead")
        }
        await assertInventoryError(try await c.dora().revoke(license: licenses[1].id)) {
            guard case .PermissionDenied(.revoke, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await c.ledger(), ledger)
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testLicenseUsersAndPasswords() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        let order = try await c.mgaOrder(c.cl, 2)
        let licenses = try await rita.issue(order: order.id, quantity: 2)
        let ann = try await rita.addLicenseUser(order: order.id, email: "Ann@Elerome.example", name: "Ann", password: "correct horse")
        XCTAssertEqual(ann.email, "ann@elerome.example")
        XCTAssertEqual(ann.name, "Ann")
        XCTAssertEqual(ann.order, order.id)
        XCTAssertTrue(ann.hasPassword)
        let bob = try await rita.addLicenseUser(order: order.id, email: "bob@elerome.example")
        XCTAssertFalse(bob.hasPassword)
        XCTAssertNil(bob.name)
        await assertEqual(Set(try await rita.licenseUsers(order: order.id)), Set([ann, bob]))
        // Passwords: only verified, never read back.
        await assertTrue(try await c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: ann.id, password: "correct horse"))
        await assertFalse(try await c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: ann.id, password: "Correct horse"))
        await assertFalse(try await c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: bob.id, password: "correct horse"))
        try await rita.setLicenseUserPassword(licenseUser: bob.id, password: "battery staple")
        await assertTrue(try await c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: bob.id, password: "battery staple"))
        await assertTrue(try await rita.licenseUsers(order: order.id).first { $0.id == bob.id }?.hasPassword ?? false)
        await assertInventoryError(try await rita.setLicenseUserPassword(licenseUser: bob.id, password: "short")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "password")
        }
        await assertTrue(try await c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: bob.id, password: "battery staple"))
        // Edit: nil leaves a field, "" clears the name.
        let edited = try await rita.editLicenseUser(licenseUser: ann.id, name: "Ann Smith")
        XCTAssertEqual([edited.email, edited.name], ["ann@elerome.example", "Ann Smith"])
        let cleared = try await rita.editLicenseUser(licenseUser: ann.id, email: "ann.smith@elerome.example", name: "")
        XCTAssertEqual(cleared.email, "ann.smith@elerome.example")
        XCTAssertNil(cleared.name)
        await assertInventoryError(try await rita.addLicenseUser(order: order.id, email: "not an email")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "email")
        }
        // Licenses are given to license users of the same order, and taken back.
        await assertEqual(try await rita.assignLicense(license: licenses[0].id, licenseUser: ann.id).licenseUser, ann.id)
        await assertEqual(try await rita.assignLicense(license: licenses[1].id, licenseUser: bob.id).licenseUser, bob.id)
        await assertNil(try await rita.assignLicense(license: licenses[1].id, licenseUser: nil).licenseUser)
        let elsewhere = try await c.mgaOrder(c.cl, 1)
        let stranger = try await rita.addLicenseUser(order: elsewhere.id, email: "stranger@elerome.example")
        await assertInventoryError(try await rita.assignLicense(license: licenses[1].id, licenseUser: stranger.id)) {
            guard case let .InvalidInput(field, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "license user")
            XCTAssertEqual(reason, "stranger@elerome.example is a license user of another order")
        }
        // Deleting a license user leaves its licenses, unassigned.
        try await rita.deleteLicenseUser(licenseUser: ann.id)
        await assertNil(try await rita.license(key: licenses[0].key).licenseUser)
        await assertEqual(try await rita.licenseUsers(order: order.id).map(\.id), [bob.id])
        await assertInventoryError(try await c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: ann.id, password: "correct horse")) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .licenseUser)
            XCTAssertEqual(id, idText(ann.id.uuid))
        }
    }

    func testMetadataAndCustomer() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        let order = try await c.mgaOrder(c.cl, 3)
        XCTAssertEqual(order.metadata, OrderMetadata(reference: nil, campaign: [:], downloadId: nil, isTest: false, isTrial: false))
        XCTAssertNil(order.customer)
        XCTAssertNil(order.bundle)
        let edited = try await rita.editMetadata(
            order: order.id, reference: "REF-1210", campaign: ["utm_source": "newsletter", "utm_medium": "email"],
            downloadId: "DL-77", isTest: true)
        XCTAssertEqual(
            edited.metadata,
            OrderMetadata(
                reference: "REF-1210", campaign: ["utm_source": "newsletter", "utm_medium": "email"],
                downloadId: "DL-77", isTest: true, isTrial: false))
        // nil leaves a field as it is, "" clears a text field, a campaign replaces the old one.
        let again = try await rita.editMetadata(order: order.id, campaign: ["utm_source": "fair"], downloadId: "", isTrial: true)
        XCTAssertEqual(
            again.metadata,
            OrderMetadata(reference: "REF-1210", campaign: ["utm_source": "fair"], downloadId: nil, isTest: true, isTrial: true))
        await assertEqual(try await rita.order(id: order.id).order.metadata, again.metadata)
        // A trial order issues trial licenses.
        await assertTrue(try await rita.issue(order: order.id, quantity: 1)[0].trial)
        // The customer: added, replaced, removed; only by the holder's admins.
        let customer = Customer(
            name: "Elerome School", email: "principal@elerome.example", company: "Elerome School", reference: "ES-2017")
        await assertEqual(try await rita.setCustomer(order: order.id, customer: customer).customer, customer)
        await assertEqual(try await rita.order(id: order.id).order.customer, customer)
        let phone = Customer(name: "Elerome School", phone: "+1 555 0100")
        await assertEqual(try await rita.setCustomer(order: order.id, customer: phone).customer, phone)
        let ledger = try await c.ledger()
        await assertInventoryError(try await c.oscar().setCustomer(order: order.id, customer: customer)) {
            guard case .PermissionDenied(.editCustomer, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await c.dora().editMetadata(order: order.id, reference: "X")) {
            guard case .PermissionDenied(.editMetadata, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await rita.setCustomer(order: order.id, customer: Customer(name: "X", email: "no email"))) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "email")
        }
        await assertEqual(try await c.ledger(), ledger)
        await assertNil(try await rita.setCustomer(order: order.id, customer: nil).customer)
        await assertNil(try await rita.order(id: order.id).order.customer)
    }

    func testBundles() async throws {
        let c = try await channel()
        let bundle = try await c.inv.createBundle(
            tenant: c.t, name: "Classroom pack",
            lines: [BundleLine(product: c.cl.id, quantity: 2), BundleLine(product: c.uac.id, quantity: 30)])
        XCTAssertEqual(bundle.name, "Classroom pack")
        XCTAssertEqual(bundle.tenant, c.t)
        XCTAssertEqual(bundle.lines, [BundleLine(product: c.cl.id, quantity: 2), BundleLine(product: c.uac.id, quantity: 30)])
        await assertEqual(try await c.inv.bundle(tenant: c.t, id: bundle.id), bundle)
        let orders = try await c.rita().requestBundle(holder: c.mga.id, bundle: bundle.id, purchaseOrder: "PO-PACK", comments: "for the fall")
        XCTAssertEqual(orders.map(\.product), [c.cl.id, c.uac.id])
        XCTAssertEqual(orders.map(\.requestedQuantity), [2, 30])
        XCTAssertEqual(orders.map(\.status), [.requested, .requested])
        XCTAssertEqual(orders.map(\.source), [c.ellen.id, c.ellen.id])
        XCTAssertEqual(orders.map(\.purchaseOrder), ["PO-PACK", "PO-PACK"])
        let shared = try XCTUnwrap(orders[0].bundle)
        XCTAssertEqual(orders[1].bundle, shared)
        XCTAssertNotEqual(shared, bundle.id)  // the bundle order, not the definition
        XCTAssertEqual(orders.map(\.number), [orders[0].number, orders[0].number + 1])
        // Bad bundles are refused; unknown ones are not found.
        await assertInventoryError(try await c.inv.createBundle(tenant: c.t, name: "Empty", lines: [])) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "bundle lines")
        }
        await assertInventoryError(try await c.inv.createBundle(
            tenant: c.t, name: "Twice",
            lines: [BundleLine(product: c.cl.id, quantity: 1), BundleLine(product: c.cl.id, quantity: 2)])) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "bundle lines")
        }
        let unknown = BundleId(uuid: UUID())
        await assertInventoryError(try await c.inv.bundle(tenant: c.t, id: unknown)) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .bundle)
            XCTAssertEqual(id, idText(unknown.uuid))
        }
        await assertInventoryError(try await c.oscar().requestBundle(holder: c.mga.id, bundle: bundle.id)) {
            guard case .PermissionDenied(.requestBundle, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testReturnUnits() async throws {
        let c = try await channel()
        let stock = try await c.stockEllen(c.cl, 10)
        let order = try await c.dora().assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 5)
        let returned = try await c.rita().returnUnits(order: order.id, quantity: 2)
        XCTAssertEqual([returned.approvedQuantity, returned.available], [3, 3])
        await assertEqual(try await c.dora().order(id: stock.id).order.available, 7)
        await assertInventoryError(try await c.rita().returnUnits(order: order.id, quantity: 4)) {
            guard case let .InsufficientInventory(available, requested, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual([available, requested], [3, 4])
        }
        await assertInventoryError(try await c.dora().returnUnits(order: order.id, quantity: 1)) {
            guard case .PermissionDenied(.returnUnits, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await c.ledger().last?.kind, .unitsReturned)
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testDeleteOrderAndOrderInUse() async throws {
        let c = try await channel()
        let stock = try await c.stockEllen(c.cl, 10)  // 1210
        let rita = try await c.rita()
        let order = try await c.dora().assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 5)  // 1211
        let child = try await rita.assign(from: c.mga.id, to: c.elerome.id, product: c.cl.id, quantity: 1)  // 1212
        _ = try await rita.issue(order: order.id, quantity: 2)
        let ledger = try await c.ledger()
        await assertInventoryError(try await rita.deleteOrder(order: order.id)) {
            guard case let .OrderInUse(number, children, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(number, 1211)
            XCTAssertEqual(children, [1212])
            XCTAssertTrue(message.hasPrefix("order 1211 is still in use by child orders 1212: "), message)
            XCTAssertEqual($0.code(), "ORDER_IN_USE")
        }
        await assertInventoryError(try await c.oscar().deleteOrder(order: child.id)) {
            guard case .PermissionDenied(.deleteOrder, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await c.ledger(), ledger)
        // The child first (its unit goes back to 1211), then 1211 (its 3 unused units back to
        // 1210, its 2 licenses retired).
        try await c.cleo().deleteOrder(order: child.id)
        await assertEqual(try await rita.order(id: order.id).order.available, 3)
        try await rita.deleteOrder(order: order.id)
        await assertInventoryError(try await rita.order(id: order.id)) {
            guard case .NotFound(.order, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await c.dora().order(id: stock.id).order.available, 8)
        await assertEqual(try await c.inv.tenant(id: c.t).retired, 2)
        await assertEqual(try await c.ledger().last?.kind, .orderDeleted)
        await assertEqual(try await c.ledger().last?.retired, 2)
        let audit = try await c.inv.audit(tenant: c.t)
        XCTAssertEqual([audit.minted, audit.retired, audit.available, audit.issued], [10, 2, 8, 0])
        XCTAssertEqual(audit.problems, [])
    }
}
