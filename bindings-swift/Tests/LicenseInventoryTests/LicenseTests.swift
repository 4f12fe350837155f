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

    func testIssueInBulkReturnsTheRangeReadBackByPages() throws {
        let c = try channel()
        let order = try c.mgaOrder(c.cl, 2503)
        let rita = try c.rita()
        let issued = try rita.issueInBulk(order: order.id, quantity: 2500)
        XCTAssertEqual([issued.count, issued.order.issued, issued.order.available], [2500, 2500, 3])
        var keys = Set<String>()
        var after: LicenseId? = nil
        while true {
            let page = try rita.licenses(order: order.id, after: after, limit: 1000)
            guard let last = page.last else { break }
            keys.formUnion(page.map(\.key))
            after = last.id
        }
        XCTAssertEqual(keys.count, 2500)
        XCTAssertEqual(try rita.licenses(order: order.id, limit: 1).first?.id, issued.first)
        assertInventoryError(try rita.issueInBulk(order: order.id, quantity: 4)) {
            XCTAssertEqual($0.code(), "INSUFFICIENT_INVENTORY")
        }
        XCTAssertEqual(try c.inv.audit(tenant: c.t).problems, [])
    }

    func testIssueGivesUniqueKeysAndConsumesUnits() throws {
        let c = try channel()
        c.inv.setTime(at: seedTime("09:00"))
        let order = try c.mgaOrder(c.cl, 5)
        let rita = try c.rita()
        let licenses = try rita.issue(order: order.id, quantity: 3)
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
        let after = try rita.order(id: order.id).order
        XCTAssertEqual([after.issued, after.available, after.approvedQuantity], [3, 2, 5])
        // More than available: all or nothing.
        assertInventoryError(try rita.issue(order: order.id, quantity: 3)) {
            guard case let .InsufficientInventory(available, requested, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(available, 2)
            XCTAssertEqual(requested, 3)
        }
        XCTAssertEqual(try rita.order(id: order.id).order, after)
        // The last units deplete the order.
        let rest = try rita.issue(order: order.id, quantity: 2)
        XCTAssertEqual(try rita.order(id: order.id).order.status, .depleted)
        // The licenses of the order, by id, a page at a time.
        let all = try rita.licenses(order: order.id)
        XCTAssertEqual(Set(all.map(\.id)), Set((licenses + rest).map(\.id)))
        let first = try rita.licenses(order: order.id, limit: 2)
        let second = try rita.licenses(order: order.id, after: try XCTUnwrap(first.last).id, limit: 2)
        let third = try rita.licenses(order: order.id, after: try XCTUnwrap(second.last).id, limit: 2)
        XCTAssertEqual([first.count, second.count, third.count], [2, 2, 1])
        XCTAssertEqual(first + second + third, all)
        // A license by its key, also typed loosely (lower case, no dashes).
        let loose = licenses[0].key.lowercased().replacingOccurrences(of: "-", with: "")
        XCTAssertEqual(try rita.license(key: loose), licenses[0])
        // Someone outside the branch sees none of it.
        assertInventoryError(try c.oscar().license(key: licenses[0].key)) {
            guard case let .PermissionDenied(action, actor, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .view)
            XCTAssertEqual(actor, c.oscarUser.id)
        }
        XCTAssertEqual(try c.inv.audit(tenant: c.t).problems, [])
    }

    func testMistypedKeyIsRefusedBeforeAnyLookup() throws {
        let c = try channel()
        let rita = try c.rita()
        let license = try rita.issue(order: try c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        let typo = mistyped(license.key)
        let ledger = try c.ledger()
        let calls: [(String, () throws -> License)] = [
            ("activate", { try c.inv.activate(tenant: c.t, key: typo, fingerprint: "pc", deviceName: "PC") }),
            ("deactivate", { try c.inv.deactivate(tenant: c.t, key: typo, fingerprint: "pc") }),
            ("redeem", { try c.inv.redeem(tenant: c.t, code: typo, redeemedBy: "someone") }),
            ("checkLicense", { try c.inv.checkLicense(tenant: c.t, key: typo) }),
            ("license", { try rita.license(key: typo) }),
        ]
        for (name, call) in calls {
            assertInventoryError(try call()) {
                guard case let .MistypedKey(key, reason, _, _, message) = $0 else { return XCTFail("\(name): \($0)") }
                XCTAssertEqual(key, redacted(typo), name)
                XCTAssertEqual(reason, "the check symbol does not match: a symbol is mistyped", name)
                XCTAssertTrue(message.hasPrefix("mistyped license key '\(redacted(typo))'"), message)
                XCTAssertFalse(message.contains(typo), message)
                XCTAssertEqual($0.code(), "MISTYPED_KEY")
            }
        }
        assertInventoryError(try c.inv.checkLicense(tenant: c.t, key: "7KQ2M-XR4TD")) {
            guard case let .MistypedKey(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(key, "7KQ2M-…")
            XCTAssertEqual(reason, "a key has 25 symbols, this has 10")
        }
        assertInventoryError(try c.inv.checkLicense(tenant: c.t, key: "7KQ2M-XR4TD-9WZPH-BN3CV-0G6J!")) {
            guard case let .MistypedKey(_, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "'!' is not a key symbol")
        }
        XCTAssertEqual(try c.ledger(), ledger)
        // Typed correctly (case does not matter), it is found.
        XCTAssertEqual(try c.inv.checkLicense(tenant: c.t, key: license.key.lowercased()), license)
    }

    func testActivationLimit() throws {
        let c = try channel()
        c.inv.setTime(at: seedTime("09:00"))
        let policy = LicensePolicy(validity: .perpetual, maxActivations: 2)
        XCTAssertEqual(try c.inv.setProductPolicy(tenant: c.t, product: c.cl.id, policy: policy).policy, policy)
        let rita = try c.rita()
        let l = try rita.issue(order: try c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        XCTAssertEqual(l.policy.maxActivations, 2)
        let inv = c.inv
        let one = try inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-1", deviceName: "Front desk PC")
        XCTAssertEqual(one.status, .active)
        XCTAssertEqual(one.activatedAt, seedTime("09:00"))
        let two = try inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-2", deviceName: "Lab PC")
        XCTAssertEqual(two.activations.map(\.fingerprint), ["pc-1", "pc-2"])
        XCTAssertEqual(two.activations.map(\.name), ["Front desk PC", "Lab PC"])
        let ledger = try c.ledger()
        assertInventoryError(try inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-3", deviceName: "Third")) {
            guard case let .ActivationLimit(max, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(max, 2)
            XCTAssertEqual(
                message,
                "license is already activated on 2 devices, its maximum; reset a device first (refused: activate by the host application)")
            XCTAssertEqual($0.code(), "ACTIVATION_LIMIT")
        }
        // Activating an activated device again changes nothing.
        XCTAssertEqual(try inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-1", deviceName: "Front desk PC"), two)
        XCTAssertEqual(try c.ledger(), ledger)
        XCTAssertEqual(try rita.license(key: l.key), two)
        // Deactivating a device frees its place.
        let freed = try inv.deactivate(tenant: c.t, key: l.key, fingerprint: "pc-2")
        XCTAssertEqual(freed.activations.map(\.fingerprint), ["pc-1"])
        XCTAssertEqual(
            try inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-3", deviceName: "Third").activations.map(\.fingerprint),
            ["pc-1", "pc-3"])
        // The holder's admin removes one device, or all of them.
        XCTAssertEqual(try rita.resetDevice(license: l.id, fingerprint: "pc-1").activations.map(\.fingerprint), ["pc-3"])
        assertInventoryError(try rita.resetDevice(license: l.id, fingerprint: "pc-1")) {
            guard case let .InvalidInput(field, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "fingerprint")
            XCTAssertEqual(reason, "license \(redacted(l.key)) is not activated on device 'pc-1'")
        }
        let reset = try rita.resetLicense(license: l.id)
        XCTAssertEqual(reset.activations, [])
        XCTAssertEqual(reset.activatedAt, seedTime("09:00"))
        XCTAssertEqual(try inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-4", deviceName: "New PC").activations.count, 1)
    }

    func testBorrowLimits() throws {
        let c = try channel()
        c.inv.setTime(at: seedTime("09:00"))
        let floating = Floating(maxBorrows: 1, maxBorrowSeconds: 600)
        let seat = try c.inv.createProduct(
            tenant: c.t, code: "FS", name: "Floating Seat", kind: .license,
            policy: LicensePolicy(validity: .perpetual, maxActivations: 1, floating: floating))
        XCTAssertEqual(seat.policy.floating, floating)
        let rita = try c.rita()
        let l = try rita.issue(order: try c.mgaOrder(seat, 1).id, quantity: 1)[0]
        let borrowed = try rita.borrow(license: l.id, borrower: "desk-1", seconds: 60)
        XCTAssertEqual(borrowed.borrows, [Borrow(borrower: "desk-1", at: seedTime("09:00"), until: seedTime("09:01"))])
        let ledger = try c.ledger()
        assertInventoryError(try rita.borrow(license: l.id, borrower: "desk-2", seconds: 60)) {
            guard case let .BorrowLimit(reason, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "1 borrows are open, the most allowed")
            XCTAssertEqual(
                message,
                "floating limit: 1 borrows are open, the most allowed (refused: borrow_license by user \(idText(c.ritaUser.id.uuid)))")
            XCTAssertEqual($0.code(), "BORROW_LIMIT")
        }
        assertInventoryError(try rita.borrow(license: l.id, borrower: "desk-1", seconds: 601)) {
            guard case let .BorrowLimit(reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "601 s asked, at most 600 s allowed")
        }
        XCTAssertEqual(try c.ledger(), ledger)
        XCTAssertEqual(try rita.license(key: l.key).borrows, borrowed.borrows)
        // Returned, the place is free again; returning twice is an error.
        XCTAssertEqual(try rita.returnBorrow(license: l.id, borrower: "desk-1").borrows, [])
        assertInventoryError(try rita.returnBorrow(license: l.id, borrower: "desk-1")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "borrower")
        }
        XCTAssertEqual(try rita.borrow(license: l.id, borrower: "desk-2", seconds: 600).borrows.map(\.borrower), ["desk-2"])
        // A borrow ends by itself.
        c.inv.setTime(at: seedTime("09:11"))
        XCTAssertEqual(try rita.borrow(license: l.id, borrower: "desk-3", seconds: 60).borrows.map(\.borrower), ["desk-3"])
        // A license that does not float cannot be borrowed.
        let plain = try rita.issue(order: try c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        assertInventoryError(try rita.borrow(license: plain.id, borrower: "desk-1", seconds: 60)) {
            guard case let .LicenseUnusable(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(key, redacted(plain.key))
            XCTAssertEqual(reason, "it is not a floating license")
        }
    }

    func testActivationCodesAreRedeemedOnce() throws {
        let c = try channel()
        c.inv.setTime(at: seedTime("09:00"))
        let rita = try c.rita()
        let code = try rita.issue(order: try c.mgaOrder(c.uac, 2).id, quantity: 1)[0]
        XCTAssertTrue(code.isCode)
        XCTAssertEqual(code.status, .issued)
        let redeemed = try c.inv.redeem(tenant: c.t, code: code.key, redeemedBy: "student@elerome.example")
        XCTAssertEqual(redeemed.status, .active)
        XCTAssertEqual(redeemed.activatedAt, seedTime("09:00"))
        XCTAssertEqual(redeemed.activations.map(\.fingerprint), ["student@elerome.example"])
        let ledger = try c.ledger()
        assertInventoryError(try c.inv.redeem(tenant: c.t, code: code.key, redeemedBy: "someone@else.example")) {
            guard case let .LicenseUnusable(key, reason, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(key, redacted(code.key))
            XCTAssertEqual(reason, "the code was already redeemed")
            XCTAssertEqual(
                message,
                "license \(redacted(code.key)) is unusable: the code was already redeemed (refused: redeem by the host application)")
            XCTAssertEqual($0.code(), "LICENSE_UNUSABLE")
        }
        // A code is redeemed, not activated.
        assertInventoryError(try c.inv.activate(tenant: c.t, key: code.key, fingerprint: "pc", deviceName: "PC")) {
            guard case let .LicenseUnusable(_, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "an activation code is redeemed, not activated")
        }
        XCTAssertEqual(try c.ledger(), ledger)
        XCTAssertEqual(try c.inv.checkLicense(tenant: c.t, key: code.key), redeemed)
        // …and a license is activated, not redeemed.
        let license = try rita.issue(order: try c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        assertInventoryError(try c.inv.redeem(tenant: c.t, code: license.key, redeemedBy: "x")) {
            guard case let .LicenseUnusable(_, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, "a license is activated, not redeemed")
        }
        // An unknown (well-formed) key of another tenant is not found.
        let elsewhere = try Channel(inv: c.inv)
        assertInventoryError(try elsewhere.inv.checkLicense(tenant: elsewhere.t, key: license.key)) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .license)
            XCTAssertEqual(id, redacted(license.key))
        }
    }

    func testDisableAndEnable() throws {
        let c = try channel()
        let rita = try c.rita()
        let l = try rita.issue(order: try c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        // Only the holder's admins: not even the parent's.
        assertInventoryError(try c.dora().disable(license: l.id)) {
            guard case let .PermissionDenied(action, actor, reason, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .disable)
            XCTAssertEqual(actor, c.doraUser.id)
            XCTAssertEqual(reason, "not an admin of 'MGA Inc'")
        }
        XCTAssertEqual(try rita.disable(license: l.id).status, .disabled)
        let uses: [() throws -> License] = [
            { try c.inv.checkLicense(tenant: c.t, key: l.key) },
            { try c.inv.activate(tenant: c.t, key: l.key, fingerprint: "pc", deviceName: "PC") },
        ]
        for call in uses {
            assertInventoryError(try call()) {
                guard case let .LicenseUnusable(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(key, redacted(l.key))
                XCTAssertEqual(reason, "it is disabled")
            }
        }
        XCTAssertEqual(try rita.enable(license: l.id).status, .issued)
        XCTAssertEqual(try c.inv.activate(tenant: c.t, key: l.key, fingerprint: "pc", deviceName: "PC").status, .active)
        XCTAssertEqual(try rita.disable(license: l.id).status, .disabled)
        XCTAssertEqual(try rita.enable(license: l.id).status, .active)
    }

    func testValidityFromIssueAndFromActivation() throws {
        let c = try channel()
        c.inv.setTime(at: seedTime("09:00"))
        let day: TimeInterval = 86_400
        let term = try c.inv.createProduct(
            tenant: c.t, code: "TERM", name: "Term License", kind: .license,
            policy: LicensePolicy(validity: .daysFromIssue(days: 30), maxActivations: 1))
        let trial = try c.inv.createProduct(
            tenant: c.t, code: "TRY", name: "Trial License", kind: .license,
            policy: LicensePolicy(validity: .daysFromActivation(days: 10), maxActivations: 1, trial: true))
        XCTAssertEqual(try c.inv.productByCode(tenant: c.t, code: "TRY").policy.validity, .daysFromActivation(days: 10))
        let rita = try c.rita()
        let termLicense = try rita.issue(order: try c.mgaOrder(term, 1).id, quantity: 1)[0]
        XCTAssertEqual(termLicense.expiresAt, seedTime("09:00").addingTimeInterval(30 * day))
        XCTAssertFalse(termLicense.trial)
        let trialLicense = try rita.issue(order: try c.mgaOrder(trial, 1).id, quantity: 1)[0]
        XCTAssertTrue(trialLicense.trial)
        XCTAssertNil(trialLicense.expiresAt)
        c.inv.setTime(at: seedTime("10:00"))
        let activated = try c.inv.activate(tenant: c.t, key: trialLicense.key, fingerprint: "pc", deviceName: "PC")
        XCTAssertEqual(activated.activatedAt, seedTime("10:00"))
        XCTAssertEqual(activated.expiresAt, seedTime("10:00").addingTimeInterval(10 * day))
        // 31 days after issue, both have expired.
        c.inv.setTime(at: seedTime("09:00").addingTimeInterval(31 * day))
        for l in [termLicense, trialLicense] {
            assertInventoryError(try c.inv.checkLicense(tenant: c.t, key: l.key)) {
                guard case let .LicenseUnusable(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(key, redacted(l.key))
                XCTAssertTrue(reason.hasPrefix("it expired at "), reason)
            }
        }
    }

    func testProductPolicies() throws {
        let c = try channel()
        // Without a policy: the core's default.
        XCTAssertEqual(c.cl.policy, defaultLicensePolicy())
        XCTAssertEqual(defaultLicensePolicy(), LicensePolicy(validity: .perpetual, maxActivations: 1, floating: nil, trial: false))
        let policy = LicensePolicy(
            validity: .daysFromIssue(days: 365), maxActivations: 3,
            floating: Floating(maxBorrows: 5, maxBorrowSeconds: 3600), trial: true)
        let product = try c.inv.createProduct(tenant: c.t, code: "ENT", name: "Enterprise License", kind: .license, policy: policy)
        XCTAssertEqual(product.policy, policy)
        XCTAssertEqual(try c.inv.product(tenant: c.t, id: product.id).policy, policy)
        // An invalid policy creates nothing (one transaction with the product).
        let ledger = try c.ledger()
        for bad in [
            LicensePolicy(validity: .perpetual, maxActivations: 0),
            LicensePolicy(validity: .daysFromActivation(days: 0), maxActivations: 1),
            LicensePolicy(validity: .perpetual, maxActivations: 1, floating: Floating(maxBorrows: 0, maxBorrowSeconds: 60)),
        ] {
            assertInventoryError(try c.inv.createProduct(tenant: c.t, code: "BAD", name: "Bad", kind: .license, policy: bad)) {
                guard case .InvalidInput = $0 else { return XCTFail("\(bad): \($0)") }
            }
            assertInventoryError(try c.inv.setProductPolicy(tenant: c.t, product: product.id, policy: bad)) {
                guard case .InvalidInput = $0 else { return XCTFail("\(bad): \($0)") }
            }
        }
        assertInventoryError(try c.inv.productByCode(tenant: c.t, code: "BAD")) {
            guard case .NotFound(.product, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try c.inv.product(tenant: c.t, id: product.id).policy, policy)
        XCTAssertEqual(try c.ledger(), ledger)
        // A new policy applies to licenses issued from then on; issued ones keep theirs.
        let rita = try c.rita()
        let order = try c.mgaOrder(product, 2)
        let before = try rita.issue(order: order.id, quantity: 1)[0]
        let newPolicy = LicensePolicy(validity: .perpetual, maxActivations: 10)
        _ = try c.inv.setProductPolicy(tenant: c.t, product: product.id, policy: newPolicy)
        let afterwards = try rita.issue(order: order.id, quantity: 1)[0]
        XCTAssertEqual(try rita.license(key: before.key).policy, policy)
        XCTAssertEqual(afterwards.policy, newPolicy)
        XCTAssertEqual(try c.ledger().last?.kind, .licensesIssued)
        XCTAssertTrue(try c.ledger().contains { $0.kind == .productPolicySet })
    }

    func testRevokeReturnsTheUnit() throws {
        let c = try channel()
        let rita = try c.rita()
        let order = try c.mgaOrder(c.cl, 2)
        let licenses = try rita.issue(order: order.id, quantity: 2)
        XCTAssertEqual(try rita.order(id: order.id).order.status, .depleted)
        let revoked = try rita.revoke(license: licenses[0].id)
        XCTAssertEqual(revoked.id, order.id)
        XCTAssertEqual([revoked.issued, revoked.available], [1, 1])
        XCTAssertEqual(revoked.status, .active)
        assertInventoryError(try rita.license(key: licenses[0].key)) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .license)
            XCTAssertEqual(id, redacted(licenses[0].key))
        }
        XCTAssertEqual(try rita.licenses(order: order.id).map(\.id), [licenses[1].id])
        // A used license cannot be revoked.
        _ = try c.inv.activate(tenant: c.t, key: licenses[1].key, fingerprint: "pc", deviceName: "PC")
        let ledger = try c.ledger()
        assertInventoryError(try rita.revoke(license: licenses[1].id)) {
            guard case let .LicenseUnusable(key, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(key, redacted(licenses[1].key))
            XCTAssertEqual(reason, "only an unused license can be revoked; reset or disable it instead")
        }
        assertInventoryError(try c.dora().revoke(license: licenses[1].id)) {
            guard case .PermissionDenied(.revoke, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try c.ledger(), ledger)
        XCTAssertEqual(try c.inv.audit(tenant: c.t).problems, [])
    }

    func testLicenseUsersAndPasswords() throws {
        let c = try channel()
        let rita = try c.rita()
        let order = try c.mgaOrder(c.cl, 2)
        let licenses = try rita.issue(order: order.id, quantity: 2)
        let ann = try rita.addLicenseUser(order: order.id, email: "Ann@Elerome.example", name: "Ann", password: "correct horse")
        XCTAssertEqual(ann.email, "ann@elerome.example")
        XCTAssertEqual(ann.name, "Ann")
        XCTAssertEqual(ann.order, order.id)
        XCTAssertTrue(ann.hasPassword)
        let bob = try rita.addLicenseUser(order: order.id, email: "bob@elerome.example")
        XCTAssertFalse(bob.hasPassword)
        XCTAssertNil(bob.name)
        XCTAssertEqual(Set(try rita.licenseUsers(order: order.id)), Set([ann, bob]))
        // Passwords: only verified, never read back.
        XCTAssertTrue(try c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: ann.id, password: "correct horse"))
        XCTAssertFalse(try c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: ann.id, password: "Correct horse"))
        XCTAssertFalse(try c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: bob.id, password: "correct horse"))
        try rita.setLicenseUserPassword(licenseUser: bob.id, password: "battery staple")
        XCTAssertTrue(try c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: bob.id, password: "battery staple"))
        XCTAssertTrue(try rita.licenseUsers(order: order.id).first { $0.id == bob.id }?.hasPassword ?? false)
        assertInventoryError(try rita.setLicenseUserPassword(licenseUser: bob.id, password: "short")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "password")
        }
        XCTAssertTrue(try c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: bob.id, password: "battery staple"))
        // Edit: nil leaves a field, "" clears the name.
        let edited = try rita.editLicenseUser(licenseUser: ann.id, name: "Ann Smith")
        XCTAssertEqual([edited.email, edited.name], ["ann@elerome.example", "Ann Smith"])
        let cleared = try rita.editLicenseUser(licenseUser: ann.id, email: "ann.smith@elerome.example", name: "")
        XCTAssertEqual(cleared.email, "ann.smith@elerome.example")
        XCTAssertNil(cleared.name)
        assertInventoryError(try rita.addLicenseUser(order: order.id, email: "not an email")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "email")
        }
        // Licenses are given to license users of the same order, and taken back.
        XCTAssertEqual(try rita.assignLicense(license: licenses[0].id, licenseUser: ann.id).licenseUser, ann.id)
        XCTAssertEqual(try rita.assignLicense(license: licenses[1].id, licenseUser: bob.id).licenseUser, bob.id)
        XCTAssertNil(try rita.assignLicense(license: licenses[1].id, licenseUser: nil).licenseUser)
        let elsewhere = try c.mgaOrder(c.cl, 1)
        let stranger = try rita.addLicenseUser(order: elsewhere.id, email: "stranger@elerome.example")
        assertInventoryError(try rita.assignLicense(license: licenses[1].id, licenseUser: stranger.id)) {
            guard case let .InvalidInput(field, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "license user")
            XCTAssertEqual(reason, "stranger@elerome.example is a license user of another order")
        }
        // Deleting a license user leaves its licenses, unassigned.
        try rita.deleteLicenseUser(licenseUser: ann.id)
        XCTAssertNil(try rita.license(key: licenses[0].key).licenseUser)
        XCTAssertEqual(try rita.licenseUsers(order: order.id).map(\.id), [bob.id])
        assertInventoryError(try c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: ann.id, password: "correct horse")) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .licenseUser)
            XCTAssertEqual(id, idText(ann.id.uuid))
        }
    }

    func testMetadataAndCustomer() throws {
        let c = try channel()
        let rita = try c.rita()
        let order = try c.mgaOrder(c.cl, 3)
        XCTAssertEqual(order.metadata, OrderMetadata(reference: nil, campaign: [:], downloadId: nil, isTest: false, isTrial: false))
        XCTAssertNil(order.customer)
        XCTAssertNil(order.bundle)
        let edited = try rita.editMetadata(
            order: order.id, reference: "REF-1210", campaign: ["utm_source": "newsletter", "utm_medium": "email"],
            downloadId: "DL-77", isTest: true)
        XCTAssertEqual(
            edited.metadata,
            OrderMetadata(
                reference: "REF-1210", campaign: ["utm_source": "newsletter", "utm_medium": "email"],
                downloadId: "DL-77", isTest: true, isTrial: false))
        // nil leaves a field as it is, "" clears a text field, a campaign replaces the old one.
        let again = try rita.editMetadata(order: order.id, campaign: ["utm_source": "fair"], downloadId: "", isTrial: true)
        XCTAssertEqual(
            again.metadata,
            OrderMetadata(reference: "REF-1210", campaign: ["utm_source": "fair"], downloadId: nil, isTest: true, isTrial: true))
        XCTAssertEqual(try rita.order(id: order.id).order.metadata, again.metadata)
        // A trial order issues trial licenses.
        XCTAssertTrue(try rita.issue(order: order.id, quantity: 1)[0].trial)
        // The customer: added, replaced, removed; only by the holder's admins.
        let customer = Customer(
            name: "Elerome School", email: "principal@elerome.example", company: "Elerome School", reference: "ES-2017")
        XCTAssertEqual(try rita.setCustomer(order: order.id, customer: customer).customer, customer)
        XCTAssertEqual(try rita.order(id: order.id).order.customer, customer)
        let phone = Customer(name: "Elerome School", phone: "+1 555 0100")
        XCTAssertEqual(try rita.setCustomer(order: order.id, customer: phone).customer, phone)
        let ledger = try c.ledger()
        assertInventoryError(try c.oscar().setCustomer(order: order.id, customer: customer)) {
            guard case .PermissionDenied(.editCustomer, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        assertInventoryError(try c.dora().editMetadata(order: order.id, reference: "X")) {
            guard case .PermissionDenied(.editMetadata, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        assertInventoryError(try rita.setCustomer(order: order.id, customer: Customer(name: "X", email: "no email"))) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "email")
        }
        XCTAssertEqual(try c.ledger(), ledger)
        XCTAssertNil(try rita.setCustomer(order: order.id, customer: nil).customer)
        XCTAssertNil(try rita.order(id: order.id).order.customer)
    }

    func testBundles() throws {
        let c = try channel()
        let bundle = try c.inv.createBundle(
            tenant: c.t, name: "Classroom pack",
            lines: [BundleLine(product: c.cl.id, quantity: 2), BundleLine(product: c.uac.id, quantity: 30)])
        XCTAssertEqual(bundle.name, "Classroom pack")
        XCTAssertEqual(bundle.tenant, c.t)
        XCTAssertEqual(bundle.lines, [BundleLine(product: c.cl.id, quantity: 2), BundleLine(product: c.uac.id, quantity: 30)])
        XCTAssertEqual(try c.inv.bundle(tenant: c.t, id: bundle.id), bundle)
        let orders = try c.rita().requestBundle(holder: c.mga.id, bundle: bundle.id, purchaseOrder: "PO-PACK", comments: "for the fall")
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
        assertInventoryError(try c.inv.createBundle(tenant: c.t, name: "Empty", lines: [])) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "bundle lines")
        }
        assertInventoryError(try c.inv.createBundle(
            tenant: c.t, name: "Twice",
            lines: [BundleLine(product: c.cl.id, quantity: 1), BundleLine(product: c.cl.id, quantity: 2)])) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "bundle lines")
        }
        let unknown = BundleId(uuid: UUID())
        assertInventoryError(try c.inv.bundle(tenant: c.t, id: unknown)) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .bundle)
            XCTAssertEqual(id, idText(unknown.uuid))
        }
        assertInventoryError(try c.oscar().requestBundle(holder: c.mga.id, bundle: bundle.id)) {
            guard case .PermissionDenied(.requestBundle, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testReturnUnits() throws {
        let c = try channel()
        let stock = try c.stockEllen(c.cl, 10)
        let order = try c.dora().assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 5)
        let returned = try c.rita().returnUnits(order: order.id, quantity: 2)
        XCTAssertEqual([returned.approvedQuantity, returned.available], [3, 3])
        XCTAssertEqual(try c.dora().order(id: stock.id).order.available, 7)
        assertInventoryError(try c.rita().returnUnits(order: order.id, quantity: 4)) {
            guard case let .InsufficientInventory(available, requested, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual([available, requested], [3, 4])
        }
        assertInventoryError(try c.dora().returnUnits(order: order.id, quantity: 1)) {
            guard case .PermissionDenied(.returnUnits, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try c.ledger().last?.kind, .unitsReturned)
        XCTAssertEqual(try c.inv.audit(tenant: c.t).problems, [])
    }

    func testDeleteOrderAndOrderInUse() throws {
        let c = try channel()
        let stock = try c.stockEllen(c.cl, 10)  // 1210
        let rita = try c.rita()
        let order = try c.dora().assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 5)  // 1211
        let child = try rita.assign(from: c.mga.id, to: c.elerome.id, product: c.cl.id, quantity: 1)  // 1212
        _ = try rita.issue(order: order.id, quantity: 2)
        let ledger = try c.ledger()
        assertInventoryError(try rita.deleteOrder(order: order.id)) {
            guard case let .OrderInUse(number, children, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(number, 1211)
            XCTAssertEqual(children, [1212])
            XCTAssertTrue(message.hasPrefix("order 1211 is still in use by child orders 1212: "), message)
            XCTAssertEqual($0.code(), "ORDER_IN_USE")
        }
        assertInventoryError(try c.oscar().deleteOrder(order: child.id)) {
            guard case .PermissionDenied(.deleteOrder, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try c.ledger(), ledger)
        // The child first (its unit goes back to 1211), then 1211 (its 3 unused units back to
        // 1210, its 2 licenses retired).
        try c.cleo().deleteOrder(order: child.id)
        XCTAssertEqual(try rita.order(id: order.id).order.available, 3)
        try rita.deleteOrder(order: order.id)
        assertInventoryError(try rita.order(id: order.id)) {
            guard case .NotFound(.order, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try c.dora().order(id: stock.id).order.available, 8)
        XCTAssertEqual(try c.inv.tenant(id: c.t).retired, 2)
        XCTAssertEqual(try c.ledger().last?.kind, .orderDeleted)
        XCTAssertEqual(try c.ledger().last?.retired, 2)
        let audit = try c.inv.audit(tenant: c.t)
        XCTAssertEqual([audit.minted, audit.retired, audit.available, audit.issued], [10, 2, 8, 0])
        XCTAssertEqual(audit.problems, [])
    }
}
