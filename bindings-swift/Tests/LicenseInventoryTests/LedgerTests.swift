import Foundation
import XCTest
import LicenseInventory

/// The ledger (read, paging, hash chain, movements), the audit, and the pinned clock.
class LedgerTests: StoreTestCase {
    func testLedgerIsAHashChainWithMovements() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl, 10)
        let request = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 4)
        let approved = try await c.dora().approve(order: request.id, quantity: 3)

        let entries = try await c.inv.ledger(tenant: c.t, limit: 1000)
        XCTAssertEqual(entries.map(\.seq), Array(1...UInt64(entries.count)))
        XCTAssertEqual(entries.first?.kind, .tenantCreated)
        XCTAssertEqual(entries.first?.prevHash, String(repeating: "0", count: 64))
        for (previous, entry) in zip(entries, entries.dropFirst()) {
            await assertEqual(entry.prevHash, previous.hash)
            await assertEqual(entry.hash.count, 64)
            await assertEqual(entry.tenant, c.t)
        }
        // Provisioning has no actor; user actions do.
        XCTAssertNil(entries.first { $0.kind == .orgCreated }?.actor)
        XCTAssertEqual(entries.filter { $0.kind == .orgCreated }.count, 4)
        XCTAssertEqual(entries.filter { $0.kind == .userCreated }.count, 5)
        XCTAssertEqual(entries.filter { $0.kind == .productCreated }.count, 2)

        let assigned = try XCTUnwrap(entries.first { $0.kind == .assigned })
        XCTAssertEqual(assigned.actor, c.veraUser.id)
        XCTAssertEqual(assigned.minted, 10, "an assignment by the vendor mints")

        let approval = try XCTUnwrap(entries.last)
        XCTAssertEqual(approval.kind, .approved)
        XCTAssertEqual(approval.actor, c.doraUser.id)
        XCTAssertEqual(approval.order, approved.id)
        XCTAssertEqual(approval.minted, 0)
        let arrival = try XCTUnwrap(approval.movements.first { $0.order == approved.id })
        XCTAssertEqual(arrival.org, c.mga.id)
        XCTAssertEqual(arrival.product, c.cl.id)
        XCTAssertEqual(arrival.approved, 3)
        XCTAssertEqual(arrival.available, 3)
        let draw = try XCTUnwrap(approval.movements.first { $0.order != approved.id })
        XCTAssertEqual(draw.org, c.ellen.id)
        XCTAssertEqual(draw.drawn, 3)
        XCTAssertEqual(draw.available, -3)
        XCTAssertEqual(approval.movements.reduce(0) { $0 + $1.available + $1.issued }, 0)
    }

    func testLedgerPaging() async throws {
        let c = try await channel()
        let all = try await c.inv.ledger(tenant: c.t, limit: 1000)
        XCTAssertGreaterThan(all.count, 5)
        let head = try await c.inv.ledger(tenant: c.t, limit: 5)
        XCTAssertEqual(head, Array(all.prefix(5)))
        let rest = try await c.inv.ledger(tenant: c.t, after: 5, limit: 1000)
        XCTAssertEqual(rest, Array(all.dropFirst(5)))
        await assertEqual(try await c.inv.ledger(tenant: c.t, after: UInt64(all.count)), [])
        // Without a limit, one default page (100 entries) of the core.
        await assertEqual(try await c.inv.ledger(tenant: c.t), Array(all.prefix(100)))
        await assertInventoryError(try await c.inv.ledger(tenant: c.t, limit: 0)) {
            guard case .InvalidInput(field: "limit", _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testAuditIsClean() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl, 10)
        _ = try await c.vera().mint(product: c.uac.id, quantity: 7)
        let request = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 4)
        _ = try await c.dora().approve(order: request.id)
        let audit = try await c.inv.audit(tenant: c.t)
        XCTAssertEqual(audit.problems, [])
        XCTAssertEqual(audit.orders, 3)
        XCTAssertEqual(audit.minted, 17)
        XCTAssertEqual(audit.available, 17)
        XCTAssertEqual(audit.issued, 0)
        await assertEqual(audit.ledgerEntries, UInt64(try await c.inv.ledger(tenant: c.t, limit: 1000).count))
    }

    func testPinnedClockStampsChanges() async throws {
        let c = try await channel()
        let pinned = seedTime("01:45")
        c.inv.setTime(at: pinned)
        let order = try await c.vera().mint(product: c.cl.id, quantity: 1)
        XCTAssertEqual(order.requestedAt, pinned)
        XCTAssertEqual(order.approvedAt, pinned)
        XCTAssertEqual(order.updatedAt, pinned)
        await assertEqual(try await c.inv.ledger(tenant: c.t, limit: 1000).last?.at, pinned)

        // Back to the system clock.
        c.inv.setTime(at: nil)
        let now = try await c.vera().mint(product: c.cl.id, quantity: 1)
        XCTAssertLessThan(abs(now.requestedAt.timeIntervalSinceNow), 60)
    }

    /// A checkpoint signs the head with a key the host keeps; auditAgainst proves the ledger
    /// still extends it, and refuses a checkpoint altered or signed by another key.
    func testCheckpointAndAuditAgainst() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl, 10)
        let secret = try generateSigningKey()
        let pub = try verifyingKey(signingKey: secret)
        XCTAssertEqual(secret.count, 64)
        XCTAssertEqual(pub.count, 64)
        let cp = try await c.inv.checkpoint(tenant: c.t, signingKey: secret)
        let head = try await unwrap(try await c.inv.ledger(tenant: c.t, limit: 1000).last)
        XCTAssertEqual(cp.tenant, c.t)
        XCTAssertEqual(cp.seq, head.seq)
        XCTAssertEqual(cp.hash, head.hash)
        XCTAssertEqual(cp.signature.count, 128)
        await assertFalse(head.state.isEmpty, "every entry records the digest of the rows after it")
        try await c.stockEllen(c.cl, 1)
        await assertTrue(try await c.inv.auditAgainst(tenant: c.t, checkpoints: [cp], verifyingKey: pub).isClean)
        let forged = Checkpoint(
            tenant: cp.tenant, seq: cp.seq, hash: String(repeating: "0", count: 64),
            at: cp.at, signature: cp.signature)
        let again = Checkpoint(
            tenant: cp.tenant, seq: cp.seq, hash: cp.hash, at: cp.at, signature: cp.signature)
        await assertTrue(try await c.inv.auditAgainst(tenant: c.t, checkpoints: [again], verifyingKey: pub).isClean)
        let audit = try await c.inv.auditAgainst(tenant: c.t, checkpoints: [forged], verifyingKey: pub)
        XCTAssertFalse(audit.isClean)
        XCTAssertTrue(audit.problems.contains { $0.contains("signature does not verify") }, "\(audit.problems)")
        let other = try verifyingKey(signingKey: try generateSigningKey())
        await assertFalse(try await c.inv.auditAgainst(tenant: c.t, checkpoints: [cp], verifyingKey: other).isClean)
        await assertInventoryError(try await c.inv.checkpoint(tenant: c.t, signingKey: "zz")) {
            guard case .InvalidInput = $0 else { return XCTFail("\($0)") }
        }
    }
}
