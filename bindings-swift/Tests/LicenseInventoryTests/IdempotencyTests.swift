import Dispatch
import Foundation
import XCTest
import LicenseInventory

/// Idempotency keys (docs/rules.md §11) through the binding: `Session.withIdempotencyKey` and
/// `Inventory.withIdempotencyKey`. A command run again with its key returns the first result
/// and changes nothing; the key with another command or user is `Conflict`; a failed command
/// records nothing; keys are per tenant and checked; concurrent retries run the command once.
class IdempotencyTests: StoreTestCase {
    /// Asserts that `body` throws `Conflict` for idempotency key `key`, recorded for the
    /// command `usedFor`.
    func assertKeyConflict<T>(
        _ body: @autoclosure () async throws -> T, key: String, usedFor: String,
        file: StaticString = #filePath, line: UInt = #line
    ) async {
        await assertInventoryError(try await body(), file: file, line: line) {
            guard case let .Conflict(what, _, _, message) = $0 else { return XCTFail("\($0)", file: file, line: line) }
            XCTAssertTrue(what.hasPrefix("idempotency key '\(key)' (used for \(usedFor)"), what, file: file, line: line)
            XCTAssertTrue(what.hasSuffix("; choose a new key for a new command)"), what, file: file, line: line)
            XCTAssertTrue(message.contains(what), message, file: file, line: line)
            XCTAssertEqual($0.code(), "CONFLICT", file: file, line: line)
        }
    }

    func testKeyedIssueRunTwiceIssuesOnce() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("01:45"))
        let order = try await c.mgaOrder(c.cl, 5)
        let keyed = try await c.rita().withIdempotencyKey(key: "issue-1")
        XCTAssertEqual(keyed.user(), c.ritaUser.id)
        XCTAssertEqual(keyed.tenant(), c.t)
        let first = try await keyed.issue(order: order.id, quantity: 3)
        XCTAssertEqual(first.count, 3)
        XCTAssertEqual(Set(first.map(\.key)).count, 3)
        XCTAssertEqual(Set(first.map(\.order)), [order.id])
        let before = try await snapshot(c)
        XCTAssertEqual(before.ledger.last?.kind, .licensesIssued)

        // The retry (a lost reply): the same licenses, nothing issued.
        await assertEqual(try await keyed.issue(order: order.id, quantity: 3), first)
        // A new handle with the key is the same retry.
        await assertEqual(try await c.rita().withIdempotencyKey(key: "issue-1").issue(order: order.id, quantity: 3), first)
        await assertEqual(try await snapshot(c), before)
        let now = try await c.rita().order(id: order.id).order
        XCTAssertEqual(now.issued, 3)
        XCTAssertEqual(now.available, 2)
        await assertEqual(Set(try await c.rita().licenses(order: order.id)), Set(first))

        // Without the key, issuing issues.
        await assertEqual(try await c.rita().issue(order: order.id, quantity: 2).count, 2)
        await assertEqual(try await c.rita().order(id: order.id).order.available, 0)
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testAFailedKeyedApprovalCanBeRetriedAfterStocking() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("02:24"))
        let request = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 3)
        let keyed = try await c.dora().withIdempotencyKey(key: "approve-1")
        let before = try await snapshot(c)
        await assertInventoryError(try await keyed.approve(order: request.id)) {
            guard case let .InsufficientInventory(available, requested, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(available, 0)
            XCTAssertEqual(requested, 3)
        }
        // The failure recorded nothing (not even the key).
        await assertEqual(try await snapshot(c), before)
        await assertEqual(try await c.rita().order(id: request.id).order.status, .requested)

        let stock = try await c.stockEllen(c.cl, 20)
        c.inv.setTime(at: seedTime("02:30"))
        let approved = try await keyed.approve(order: request.id)
        XCTAssertEqual(approved.id, request.id)
        XCTAssertEqual(approved.status, .active)
        XCTAssertEqual(approved.approvedQuantity, 3)
        XCTAssertEqual(approved.available, 3)
        XCTAssertEqual(approved.approvedBy, c.doraUser.id)
        XCTAssertEqual(approved.approvedAt, seedTime("02:30"))
        let after = try await snapshot(c)
        XCTAssertEqual(after.ledger.count, before.ledger.count + 2)  // the stocking and the approval
        XCTAssertEqual(after.ledger.last?.kind, .approved)

        // Retried later: the first approval, stamped 02:30; nothing drawn twice.
        c.inv.setTime(at: seedTime("02:45"))
        await assertEqual(try await keyed.approve(order: request.id), approved)
        await assertEqual(try await snapshot(c), after)
        await assertEqual(try await c.dora().order(id: stock.id).order.available, 17)
        await assertEqual(try await c.rita().order(id: request.id).order, approved)
        // Without the key, approving it again is refused: it is no longer a request.
        await assertInventoryError(try await c.dora().approve(order: request.id)) {
            guard case let .InvalidState(order, status, action, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(order, request.number)
            XCTAssertEqual(status, .active)
            XCTAssertEqual(action, .approve)
        }
    }

    func testPruneForgetsTheKeysRecordedBeforeAMoment() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        c.inv.setTime(at: seedTime("02:00"))
        let old = try await rita.withIdempotencyKey(key: "old").request(holder: c.mga.id, product: c.cl.id, quantity: 1)
        c.inv.setTime(at: seedTime("03:00"))
        let kept = try await rita.withIdempotencyKey(key: "kept").request(holder: c.mga.id, product: c.cl.id, quantity: 1)
        await assertEqual(try await c.inv.pruneIdempotencyKeys(tenant: c.t, before: seedTime("02:30")), 1)
        await assertEqual(try await c.inv.pruneIdempotencyKeys(tenant: c.t, before: seedTime("02:30")), 0)
        await assertEqual(try await rita.withIdempotencyKey(key: "kept").request(holder: c.mga.id, product: c.cl.id, quantity: 1).id, kept.id)
        await assertNotEqual(try await rita.withIdempotencyKey(key: "old").request(holder: c.mga.id, product: c.cl.id, quantity: 1).id, old.id)
    }

    func testTheKeyForAnotherCommandOrUserIsAConflict() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("02:24"))
        try await c.stockEllen(c.cl, 10)
        let request = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 3)
        let other = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 1)
        let keyed = try await c.dora().withIdempotencyKey(key: "approve-1")
        let approved = try await keyed.approve(order: request.id)
        XCTAssertEqual(approved.available, 3)
        let before = try await snapshot(c)

        // Another command, the same command with other arguments, another order, another user,
        // a host-level command: all conflict, and change nothing.
        await assertKeyConflict(try await keyed.reject(order: request.id), key: "approve-1", usedFor: "approve")
        await assertKeyConflict(try await keyed.approve(order: request.id, quantity: 1), key: "approve-1", usedFor: "approve")
        await assertKeyConflict(try await keyed.approve(order: request.id, comments: "ok"), key: "approve-1", usedFor: "approve")
        await assertKeyConflict(try await keyed.approve(order: other.id), key: "approve-1", usedFor: "approve")
        await assertKeyConflict(
            try await c.vera().withIdempotencyKey(key: "approve-1").approve(order: request.id),
            key: "approve-1", usedFor: "approve")
        await assertKeyConflict(
            try await c.inv.withIdempotencyKey(key: "approve-1")
                .createOrg(tenant: c.t, name: "New School", tier: .center, parent: c.mga.id),
            key: "approve-1", usedFor: "approve")
        await assertEqual(try await snapshot(c), before)
        await assertEqual(try await c.rita().order(id: other.id).order.status, .requested)
        await assertEqual(try await c.dora().summary(org: c.ellen.id).first?.available, 7)

        // The first command with its key is still a retry.
        await assertEqual(try await keyed.approve(order: request.id), approved)
        await assertEqual(try await snapshot(c), before)
    }

    func testKeysArePerTenant() async throws {
        let a = try await channel()
        let b = try await Channel(inv: a.inv)
        a.inv.setTime(at: seedTime("02:24"))
        try await a.stockEllen(a.cl, 10)
        let requestA = try await a.rita().request(holder: a.mga.id, product: a.cl.id, quantity: 3)
        let approvedA = try await a.dora().withIdempotencyKey(key: "approve-1").approve(order: requestA.id)
        XCTAssertEqual(approvedA.status, .active)

        // The same key in another tenant is a new key: for the same kind of command…
        try await b.stockEllen(b.cl, 10)
        let requestB = try await b.rita().request(holder: b.mga.id, product: b.cl.id, quantity: 2)
        let approvedB = try await b.dora().withIdempotencyKey(key: "approve-1").approve(order: requestB.id)
        XCTAssertEqual(approvedB.id, requestB.id)
        XCTAssertEqual(approvedB.tenant, b.t)
        XCTAssertEqual(approvedB.status, .active)
        XCTAssertEqual(approvedB.available, 2)
        await assertEqual(try await b.dora().summary(org: b.ellen.id).first?.available, 8)
        // …or for another one.
        let requestB2 = try await b.rita().request(holder: b.mga.id, product: b.cl.id, quantity: 1)
        let rejected = try await b.dora().withIdempotencyKey(key: "approve-2").reject(order: requestB2.id)
        XCTAssertEqual(rejected.status, .rejected)
        let requestA2 = try await a.rita().request(holder: a.mga.id, product: a.cl.id, quantity: 1)
        let approvedA2 = try await a.dora().withIdempotencyKey(key: "approve-2").approve(order: requestA2.id)
        XCTAssertEqual(approvedA2.status, .active)

        // Each tenant's key still returns its own first result.
        await assertEqual(try await a.dora().withIdempotencyKey(key: "approve-1").approve(order: requestA.id), approvedA)
        await assertEqual(try await b.dora().withIdempotencyKey(key: "approve-1").approve(order: requestB.id), approvedB)
        await assertEqual(try await a.dora().summary(org: a.ellen.id).first?.available, 6)
        await assertEqual(try await b.dora().summary(org: b.ellen.id).first?.available, 8)
        await assertEqual(try await a.inv.audit(tenant: a.t).problems, [])
        await assertEqual(try await b.inv.audit(tenant: b.t).problems, [])
    }

    func testBadKeysAreInvalidInput() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        let bad: [(String, String)] = [
            ("", "must be 1 to 200 characters, got 0"),
            (String(repeating: "k", count: 201), "must be 1 to 200 characters, got 201"),
            (String(repeating: "é", count: 201), "must be 1 to 200 characters, got 201"),
            ("bad\nkey", "must not contain control characters"),
            ("tab\tkey", "must not contain control characters"),
        ]
        for (key, reason) in bad {
            for attempt in [{ _ = try rita.withIdempotencyKey(key: key) }, { _ = try c.inv.withIdempotencyKey(key: key) }] {
                await assertInventoryError(try attempt()) {
                    guard case let .InvalidInput(field, why, _, _, message) = $0 else { return XCTFail("\(key.debugDescription): \($0)") }
                    XCTAssertEqual(field, "idempotency key")
                    XCTAssertEqual(why, reason, key.debugDescription)
                    XCTAssertTrue(message.contains("idempotency key"), message)
                    XCTAssertEqual($0.code(), "INVALID_INPUT")
                }
            }
        }
        // 200 characters (not bytes) is the longest key; any printable text will do.
        let order = try await c.mgaOrder(c.cl, 2)
        let good = [String(repeating: "k", count: 200), String(repeating: "é", count: 200), "a", "Bestellung 1210 · Wiederholung"]
        for (i, key) in good.enumerated() {
            let keyed = try rita.withIdempotencyKey(key: key)
            await assertEqual(try await keyed.editMetadata(order: order.id, reference: "REF-\(i)").metadata.reference, "REF-\(i)")
        }
        await assertEqual(try await rita.order(id: order.id).order.metadata.reference, "REF-3")
        // Each was recorded under its own key: the first one's retry returns its first result.
        let firstAgain = try await rita.withIdempotencyKey(key: good[0]).editMetadata(order: order.id, reference: "REF-0")
        XCTAssertEqual(firstAgain.metadata.reference, "REF-0")
        await assertEqual(try await rita.order(id: order.id).order.metadata.reference, "REF-3")
    }

    func testConcurrentKeyedRequestsCreateOneOrder() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("02:24"))
        let keyed = try await c.rita().withIdempotencyKey(key: "race-1")
        let before = try await snapshot(c)
        var results: [Order] = []
        var errors: [String] = []
        await withTaskGroup(of: Result<Order, Error>.self) { group in
            for i in 0..<8 {
                group.addTask {
                    do {
                        // Half share one handle, half make their own with the key.
                        let s = i % 2 == 0 ? keyed : try await c.rita().withIdempotencyKey(key: "race-1")
                        return .success(
                            try await s.request(holder: c.mga.id, product: c.cl.id, quantity: 2, purchaseOrder: "PO-RACE"))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            for await result in group {
                switch result {
                case let .success(order): results.append(order)
                case let .failure(error): errors.append("\(error)")
                }
            }
        }
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        XCTAssertEqual(results.count, 8)
        let order = try XCTUnwrap(results.first)
        XCTAssertEqual(results, Array(repeating: order, count: 8))
        XCTAssertEqual(order.number, 1210)
        XCTAssertEqual(order.status, .requested)
        XCTAssertEqual(order.requestedQuantity, 2)
        XCTAssertEqual(order.purchaseOrder, "PO-RACE")
        let page = try await c.rita().list(org: c.mga.id)
        XCTAssertEqual(page.items.map(\.order), [order])
        let after = try await snapshot(c)
        XCTAssertEqual(after.ledger.count, before.ledger.count + 1)
        XCTAssertEqual(after.ledger.last?.kind, .requested)
        XCTAssertEqual(after.ledger.last?.order, order.id)
        XCTAssertEqual(after.tenant.nextOrderNumber, 1211)
        // One request's notifications: rita's confirmation, dora's and vera's notices.
        XCTAssertEqual(after.pending.count, 3)
        XCTAssertEqual(Set(after.pending.map(\.order)), [order.id])
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testKeyedInventoryActivateTwiceActivatesOnce() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.cl, 2)
        let license = try await c.rita().issue(order: order.id, quantity: 1)[0]
        c.inv.setTime(at: seedTime("03:00"))
        let keyed = try c.inv.withIdempotencyKey(key: "activate-1")
        let first = try await keyed.activate(tenant: c.t, key: license.key, fingerprint: "pc", deviceName: "PC")
        // The keyed handle keeps the clock: the pinned time stamps its changes.
        XCTAssertEqual(first.activations, [Activation(fingerprint: "pc", name: "PC", at: seedTime("03:00"))])
        XCTAssertEqual(first.activatedAt, seedTime("03:00"))
        let activated = try await c.ledger()
        XCTAssertEqual(activated.last?.kind, .licenseActivated)
        XCTAssertEqual(activated.last?.at, seedTime("03:00"))

        // The device is deactivated meanwhile; a retry returns the first result and activates
        // nothing.
        c.inv.setTime(at: seedTime("03:05"))
        await assertEqual(try await c.inv.deactivate(tenant: c.t, key: license.key, fingerprint: "pc").activations, [])
        let before = try await snapshot(c)
        await assertEqual(try await keyed.activate(tenant: c.t, key: license.key, fingerprint: "pc", deviceName: "PC"), first)
        await assertEqual(try await snapshot(c), before)
        await assertEqual(try await c.inv.checkLicense(tenant: c.t, key: license.key).activations, [])
        XCTAssertEqual(before.ledger.filter { $0.kind == .licenseActivated }.count, 1)

        // One key per command: the handle's other commands conflict, and so do those of the
        // sessions it opens (they carry its key).
        await assertKeyConflict(
            try await keyed.deactivate(tenant: c.t, key: license.key, fingerprint: "pc"), key: "activate-1", usedFor: "activate")
        await assertKeyConflict(
            try await keyed.session(tenant: c.t, user: c.ritaUser.id).disable(license: license.id),
            key: "activate-1", usedFor: "activate")
        await assertEqual(try await snapshot(c), before)

        // One clock: pinning it through the keyed handle pins the original too.
        keyed.setTime(at: seedTime("04:00"))
        let again = try await c.inv.activate(tenant: c.t, key: license.key, fingerprint: "pc", deviceName: "PC")
        XCTAssertEqual(again.activations.map(\.at), [seedTime("04:00")])
    }
}
