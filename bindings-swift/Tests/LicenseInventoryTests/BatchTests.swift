import Foundation
import XCTest
import LicenseInventory

/// All-or-nothing batches (docs/rules.md §11) through the binding: `Session.batch(commands:)` runs
/// `BatchCommand`s in order in one transaction and returns one `BatchResult` per command; at the
/// first failure nothing is committed and that command's own error is thrown.
class BatchTests: StoreTestCase {
    /// A batch result of the other kind than the test expected (thrown: the test fails).
    struct UnexpectedResult: Error {
        let result: BatchResult
    }

    /// The order of a `.order` result (throws for `.licenses`).
    func order(_ result: BatchResult) async throws -> Order {
        guard case let .order(order) = result else { throw UnexpectedResult(result: result) }
        return order
    }

    /// The licenses of a `.licenses` result (throws for `.order`).
    func licenses(_ result: BatchResult) async throws -> [License] {
        guard case let .licenses(licenses) = result else { throw UnexpectedResult(result: result) }
        return licenses
    }

    /// `count` requests by rita (MGA Inc) to Ellen Emporium for `quantity` CL each, POs B-0, B-1, ….
    func requests(_ c: Channel, _ count: Int, quantity: UInt64 = 2) async throws -> [Order] {
        try await (0..<count).asyncMap {
            try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: quantity, purchaseOrder: "B-\($0)")
        }
    }

    func testFiveApprovalsInOneBatch() async throws {
        let c = try await channel()
        let stock = try await c.stockEllen(c.cl, 10)
        let asks = try await requests(c, 5)
        c.inv.setTime(at: seedTime("02:24"))
        let before = try await c.ledger()

        let done = try await c.dora().batch(commands: asks.map { .approve(order: $0.id, comments: "batch") })

        XCTAssertEqual(done.count, 5)
        for (result, ask) in zip(done, asks) {
            let approved = try await order(result)
            XCTAssertEqual(approved.id, ask.id)
            XCTAssertEqual(approved.number, ask.number)
            XCTAssertEqual(approved.purchaseOrder, ask.purchaseOrder)
            XCTAssertEqual(approved.status, .active)
            XCTAssertEqual(approved.approvedQuantity, 2)
            XCTAssertEqual(approved.available, 2)
            XCTAssertEqual(approved.approvedBy, c.doraUser.id)
            XCTAssertEqual(approved.approvedAt, seedTime("02:24"))
            XCTAssertEqual(approved.approvalComments, "batch")
            await assertEqual(try await c.rita().order(id: ask.id).order, approved)
        }
        await assertEqual(await done.asyncMap { try? await order($0).number }, [1211, 1212, 1213, 1214, 1215])
        // Ellen Emporium's 10 units went to the five orders, one approval entry each.
        let source = try await c.dora().order(id: stock.id).order
        XCTAssertEqual(source.drawn, 10)
        XCTAssertEqual(source.available, 0)
        XCTAssertEqual(source.status, .depleted)
        let after = try await c.ledger()
        XCTAssertEqual(after.count, before.count + 5)
        XCTAssertEqual(after[before.count...].map(\.kind), Array(repeating: .approved, count: 5))
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testALastApprovalWithoutStockChangesNothing() async throws {
        let c = try await channel()
        let stock = try await c.stockEllen(c.cl, 10)
        let asks = try await requests(c, 4)
        let extra = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 5, purchaseOrder: "B-X")
        let before = try await snapshot(c)

        // 4 × 2 units fit in the 10; the last approval's 5 do not fit in the 2 left.
        let commands: [BatchCommand] = asks.map { .approve(order: $0.id) } + [.approve(order: extra.id)]
        await assertInventoryError(try await c.dora().batch(commands: commands)) {
            guard case let .InsufficientInventory(available, requested, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(available, 2)
            XCTAssertEqual(requested, 5)
            XCTAssertTrue(message.hasPrefix("command 4 of the batch failed"), message)
            XCTAssertEqual($0.batchIndex(), 4)
            XCTAssertEqual($0.code(), "INSUFFICIENT_INVENTORY")
        }

        // Nothing at all happened: no ledger entry, no notification, every request still pending.
        await assertEqual(try await snapshot(c), before)
        for ask in asks + [extra] {
            let now = try await c.rita().order(id: ask.id).order
            XCTAssertEqual(now, ask)
            XCTAssertEqual(now.status, .requested)
            XCTAssertEqual(now.approvedQuantity, 0)
            XCTAssertNil(now.approvedAt)
        }
        await assertEqual(try await c.dora().order(id: stock.id).order.available, 10)

        // Bad input anywhere rolls back too (quantity 0 in the second approval).
        await assertInventoryError(try await c.dora().batch(commands: [
            .approve(order: asks[0].id), .approve(order: asks[1].id, quantity: 0),
        ])) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "quantity")
            XCTAssertEqual($0.batchIndex(), 1)
        }
        await assertEqual(try await snapshot(c), before)
        // Errors outside a batch name no command.
        await assertInventoryError(try await c.dora().approve(order: asks[1].id, quantity: 0)) {
            XCTAssertNil($0.batchIndex())
        }

        // Without the extra request, the four go through.
        let done = try await c.dora().batch(commands: asks.map { .approve(order: $0.id) })
        await assertEqual(try await done.asyncMap { try await order($0).status }, Array(repeating: .active, count: 4))
        await assertEqual(try await c.dora().order(id: stock.id).order.available, 2)
        await assertEqual(try await c.rita().order(id: extra.id).order.status, .requested)
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testAPermissionRefusalInsideABatchRollsBack() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl, 10)
        let ask = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        let before = try await snapshot(c)

        // Rita may request for MGA Inc, but not approve a request addressed to Ellen Emporium.
        await assertInventoryError(try await c.rita().batch(commands: [
            .request(holder: c.mga.id, product: c.cl.id, quantity: 1, purchaseOrder: "B-R", comments: "more"),
            .approve(order: ask.id),
        ])) {
            guard case let .PermissionDenied(action, actor, reason, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .approve)
            XCTAssertEqual(actor, c.ritaUser.id)
            XCTAssertEqual(reason, "not an admin of 'Ellen Emporium'")
            XCTAssertTrue(message.contains(idText(c.ritaUser.id.uuid)), message)
            XCTAssertEqual($0.code(), "PERMISSION_DENIED")
        }
        // The request made first in the batch is gone with it: no order 1212, no notification.
        await assertEqual(try await snapshot(c), before)
        await assertEqual(try await c.inv.tenant(id: c.t).nextOrderNumber, ask.number + 1)
        await assertEqual(try await c.rita().list(org: c.mga.id).items.map(\.order.id), [ask.id])
        await assertEqual(try await c.rita().order(id: ask.id).order.status, .requested)

        // Cleo may issue from her own order but not cancel MGA Inc's request: nothing is issued.
        _ = try await c.dora().assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 1)
        let held = try await c.rita().assign(from: c.mga.id, to: c.elerome.id, product: c.cl.id, quantity: 1)
        let stocked = try await snapshot(c)
        await assertInventoryError(try await c.cleo().batch(commands: [
            .issue(order: held.id, quantity: 1), .cancel(order: ask.id),
        ])) {
            guard case let .PermissionDenied(action, actor, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .cancel)
            XCTAssertEqual(actor, c.cleoUser.id)
            XCTAssertEqual($0.batchIndex(), 1)
        }
        await assertEqual(try await snapshot(c), stocked)
        await assertEqual(try await c.cleo().order(id: held.id).order.issued, 0)
        await assertEqual(try await c.cleo().licenses(order: held.id), [])
        await assertEqual(try await c.rita().order(id: ask.id).order.status, .requested)
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testChainedAssignsInOneBatch() async throws {
        let c = try await channel()
        let stock = try await c.stockEllen(c.uac, 4)
        let extra = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 5)

        // Vera (vendor admin) assigns down two levels, the second from the order the first
        // made, rejects a request and makes one, in one transaction.
        let done = try await c.vera().batch(commands: [
            .assign(from: c.ellen.id, to: c.mga.id, product: c.uac.id, quantity: 3, purchaseOrder: "EE2017-5"),
            .assign(from: c.mga.id, to: c.elerome.id, product: c.uac.id, quantity: 3, comments: "all of it"),
            .reject(order: extra.id, comments: "not now"),
            .request(holder: c.mga.id, product: c.uac.id, quantity: 1),
        ])

        XCTAssertEqual(done.count, 4)
        let toMga = try await order(done[0])
        XCTAssertEqual(toMga.holder, c.mga.id)
        XCTAssertEqual(toMga.source, c.ellen.id)
        XCTAssertEqual(toMga.purchaseOrder, "EE2017-5")
        XCTAssertEqual(toMga.status, .active)
        XCTAssertEqual(toMga.available, 3, "as written by the first command")
        let toElerome = try await order(done[1])
        XCTAssertEqual(toElerome.holder, c.elerome.id)
        XCTAssertEqual(toElerome.source, c.mga.id)
        XCTAssertEqual(toElerome.approvalComments, "all of it")  // an assignment's comments
        XCTAssertEqual(toElerome.status, .active)
        XCTAssertEqual(toElerome.available, 3)
        let rejected = try await order(done[2])
        XCTAssertEqual(rejected.id, extra.id)
        XCTAssertEqual(rejected.status, .rejected)
        XCTAssertEqual(rejected.approvalComments, "not now")
        let asked = try await order(done[3])
        XCTAssertEqual(asked.holder, c.mga.id)
        XCTAssertEqual(asked.source, c.ellen.id)
        XCTAssertEqual(asked.status, .requested)
        XCTAssertEqual(asked.requestedBy, c.veraUser.id)
        await assertEqual(await done.asyncMap { try? await order($0).number }, [1212, 1213, 1211, 1214])

        // The second assignment drew the first order dry; Ellen Emporium keeps 1.
        let mgaNow = try await c.rita().order(id: toMga.id).order
        XCTAssertEqual(mgaNow.drawn, 3)
        XCTAssertEqual(mgaNow.available, 0)
        XCTAssertEqual(mgaNow.status, .depleted)
        await assertEqual(try await c.cleo().order(id: toElerome.id).order, toElerome)
        await assertEqual(try await c.dora().order(id: stock.id).order.available, 1)
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testAnIssueReturnsLicenses() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.cl, 5)
        let codes = try await c.mgaOrder(c.uac, 2)

        let done = try await c.rita().batch(commands: [
            .issue(order: order.id, quantity: 2), .issue(order: codes.id, quantity: 2), .issue(order: order.id, quantity: 1),
        ])

        XCTAssertEqual(done.count, 3)
        let first = try await licenses(done[0])
        let issuedCodes = try await licenses(done[1])
        let last = try await licenses(done[2])
        XCTAssertEqual(first.count, 2)
        XCTAssertEqual(issuedCodes.count, 2)
        XCTAssertEqual(last.count, 1)
        XCTAssertEqual(Set((first + last).map(\.order)), [order.id])
        XCTAssertEqual(Set(issuedCodes.map(\.order)), [codes.id])
        XCTAssertEqual(Set((first + issuedCodes + last).map(\.key)).count, 5)
        await assertEqual(Set(try await c.rita().licenses(order: order.id)), Set(first + last))
        await assertEqual(try await c.inv.checkLicense(tenant: c.t, key: first[0].key), first[0])
        let now = try await c.rita().order(id: order.id).order
        XCTAssertEqual(now.issued, 3)
        XCTAssertEqual(now.available, 2)
        await assertEqual(try await c.rita().order(id: codes.id).order.available, 0)
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testAKeyedBatchRunTwiceIssuesOnce() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.cl, 3)
        let keyed = try await c.rita().withIdempotencyKey(key: "batch-issue")
        let commands: [BatchCommand] = [.issue(order: order.id, quantity: 1)]

        let first = try await keyed.batch(commands: commands)
        await assertEqual(try await licenses(first[0]).count, 1)
        let after = try await snapshot(c)
        XCTAssertEqual(after.ledger.last?.kind, .licensesIssued)

        // The retry: the same license, nothing issued.
        await assertEqual(try await keyed.batch(commands: commands), first)
        await assertEqual(try await c.rita().withIdempotencyKey(key: "batch-issue").batch(commands: commands), first)
        await assertEqual(try await snapshot(c), after)
        await assertEqual(try await c.rita().order(id: order.id).order.issued, 1)
        await assertEqual(try await c.rita().licenses(order: order.id), try await licenses(first[0]))

        // The key with another batch is a conflict and changes nothing.
        await assertInventoryError(try await keyed.batch(commands: [.issue(order: order.id, quantity: 2)])) {
            guard case let .Conflict(what, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(
                what,
                "idempotency key 'batch-issue' (used for batch with other arguments or by another user; "
                    + "choose a new key for a new command)")
        }
        await assertEqual(try await snapshot(c), after)

        // Without the key, the same batch issues again.
        await assertEqual(try await licenses(try await c.rita().batch(commands: commands)[0]).count, 1)
        await assertEqual(try await c.rita().order(id: order.id).order.issued, 2)
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testBatchSizeLimits() async throws {
        let c = try await channel()
        let ask = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 1)
        let before = try await snapshot(c)

        await assertInventoryError(try await c.rita().batch(commands: [])) {
            guard case let .InvalidInput(field, reason, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "batch")
            XCTAssertEqual(reason, "must hold 1 to 1000 commands, got 0")
            XCTAssertEqual(
                message,
                "invalid batch: must hold 1 to 1000 commands, got 0 (refused: batch by user \(idText(c.ritaUser.id.uuid)))")
            XCTAssertEqual($0.code(), "INVALID_INPUT")
        }
        let tooMany = [BatchCommand](repeating: .cancel(order: ask.id), count: 1001)
        await assertInventoryError(try await c.rita().batch(commands: tooMany)) {
            guard case let .InvalidInput(field, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "batch")
            XCTAssertEqual(reason, "must hold 1 to 1000 commands, got 1001")
        }
        // 1000 are admitted: the first cancel runs, the second finds the request cancelled, and
        // the first is rolled back with it.
        let most = [BatchCommand](repeating: .cancel(order: ask.id), count: 1000)
        await assertInventoryError(try await c.rita().batch(commands: most)) {
            guard case let .InvalidState(order, status, action, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(order, ask.number)
            XCTAssertEqual(status, .cancelled)
            XCTAssertEqual(action, .cancel)
        }
        await assertEqual(try await snapshot(c), before)
        await assertEqual(try await c.rita().order(id: ask.id).order.status, .requested)

        // One command is a batch.
        let one = try await c.rita().batch(commands: [.cancel(order: ask.id)])
        await assertEqual(try await order(one[0]).status, .cancelled)
        await assertEqual(try await c.rita().order(id: ask.id).order.status, .cancelled)
    }

    func testOrderLicenseAndManagerCommandsBatchToo() async throws {
        let c = try await channel()
        let held = try await c.mgaOrder(c.cl, 6)
        let rita = try await c.rita()
        let issued = try await rita.issue(order: held.id, quantity: 2)
        let (a, b) = (issued[0].id, issued[1].id)
        let lena = try await c.user("Lena Manager")
        let done = try await rita.batch(commands: [
            .disable(license: a),
            .enable(license: a),
            .resetLicense(license: a),
            .revoke(license: b),
            .importLicenses(order: held.id, keys: ["ACME-0001", "ACME-0002"]),
            .addLicenseManager(order: held.id, user: lena.id, permissions: [.resetDevice]),
            .setLicenseManagerPermissions(order: held.id, user: lena.id, permissions: [.resetDevice, .resetLicense]),
            .removeLicenseManager(order: held.id, user: lena.id),
            .returnUnits(order: held.id, quantity: 1),
        ])
        XCTAssertEqual(done.count, 9)
        guard case let .license(disabled) = done[0] else { return XCTFail("\(done[0])") }
        XCTAssertEqual(disabled.status, .disabled)
        await assertEqual(try await order(done[3]).issued, 1)
        await assertEqual(try await licenses(done[4]).map(\.imported), [true, true])
        guard case let .manager(manager) = done[6] else { return XCTFail("\(done[6])") }
        XCTAssertEqual(manager.permissions.count, 2)
        XCTAssertEqual(done[7], .done)
        let minted = try await order(try await c.vera().batch(commands: [.mint(product: c.uac.id, quantity: 4)])[0])
        await assertEqual(try await c.vera().batch(commands: [.deleteOrder(order: minted.id)]), [.done])

        let before = try await c.ledger()
        await assertInventoryError(try await rita.batch(commands: [
            .disable(license: a), .resetDevice(license: a, fingerprint: "never-seen"),
        ])) {
            guard case .InvalidInput = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual($0.batchIndex(), 1)
        }
        await assertEqual(try await c.ledger(), before)
    }


    func testEditsAndBorrowsBatchToo() async throws {
        let c = try await channel()
        let floating = Floating(maxBorrows: 2, maxBorrowSeconds: 600)
        let seat = try await c.inv.createProduct(
            tenant: c.t, code: "FS", name: "Floating Seat", kind: .license,
            policy: LicensePolicy(validity: .perpetual, maxActivations: 1, floating: floating))
        let rita = try await c.rita()
        let l = try await rita.issue(order: try await c.mgaOrder(seat, 1).id, quantity: 1)[0]
        let done = try await rita.batch(commands: [
            .borrow(license: l.id, borrower: "pc-1", seconds: 60),
            .borrow(license: l.id, borrower: "pc-2", seconds: 60),
            .returnBorrow(license: l.id, borrower: "pc-1"),
        ])
        let borrows = done.map { result -> Int in
            guard case let .license(license) = result else { return -1 }
            return license.borrows.count
        }
        XCTAssertEqual(borrows, [1, 2, 1])
        _ = try await c.stockEllen(c.cl, 5)
        let asked = try await rita.request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        let edited = try await c.rita().batch(commands: [.editRequest(order: asked.id, quantity: 3)])
        await assertEqual(try await order(edited[0]).requestedQuantity, 3)
        await assertInventoryError(try await rita.batch(commands: [.borrow(license: l.id, borrower: "pc-3", seconds: 0)])) {
            XCTAssertEqual($0.batchIndex(), 0)
        }
        let sam = try await rita.addLicenseUser(order: l.order, email: "sam@mga.example")
        let users = try await rita.batch(commands: [
            .assignLicense(license: l.id, user: sam.id),
            .editLicenseUser(user: sam.id, name: "Sam"),
            .assignLicense(license: l.id),
            .deleteLicenseUser(user: sam.id),
        ])
        guard case let .licenseUser(renamed) = users[1] else { return XCTFail("\(users[1])") }
        XCTAssertEqual(renamed.name, "Sam")
        XCTAssertEqual(users[3], .done)
        await assertEqual(try await rita.licenseUsers(order: l.order), [])
    }

    func testMetadataCustomerBulkAndBundleCommandsBatchToo() async throws {
        let c = try await channel()
        let held = try await c.mgaOrder(c.cl, 6)
        let pack = try await c.inv.createBundle(
            tenant: c.t, name: "Pack",
            lines: [BundleLine(product: c.cl.id, quantity: 1), BundleLine(product: c.uac.id, quantity: 2)])
        let customer = Customer(name: "Elerome School", email: "principal@elerome.example")
        let rita = try await c.rita()

        let done = try await rita.batch(commands: [
            .editMetadata(order: held.id, reference: "REF-B", campaign: ["utm_source": "batch"], isTrial: true),
            .setCustomer(order: held.id, customer: customer),
            .issueInBulk(order: held.id, quantity: 4),
            .requestBundle(holder: c.mga.id, bundle: pack.id, purchaseOrder: "PO-PACK"),
            .editMetadata(order: held.id, downloadId: "DL-1"),
        ])

        XCTAssertEqual(done.count, 5)
        await assertEqual(
            try await order(done[0]).metadata,
            OrderMetadata(reference: "REF-B", campaign: ["utm_source": "batch"], downloadId: nil, isTest: false, isTrial: true))
        await assertEqual(try await order(done[1]).customer, customer)
        guard case let .issued(issued) = done[2] else { return XCTFail("\(done[2])") }
        XCTAssertEqual([issued.count, issued.order.issued, issued.order.available], [4, 4, 2])
        let licenses = try await rita.licenses(order: held.id)
        XCTAssertEqual(licenses.count, 4)
        XCTAssertEqual(licenses.first?.id, issued.first)
        XCTAssertEqual(licenses.last?.id, issued.last)
        XCTAssertTrue(licenses.allSatisfy(\.trial), "the trial flag set earlier in the batch")
        guard case let .orders(asked) = done[3] else { return XCTFail("\(done[3])") }
        XCTAssertEqual(asked.map(\.product), [c.cl.id, c.uac.id])
        XCTAssertEqual(asked.map(\.requestedQuantity), [1, 2])
        XCTAssertEqual(asked.map(\.status), [.requested, .requested])
        XCTAssertEqual(asked.map(\.purchaseOrder), ["PO-PACK", "PO-PACK"])
        XCTAssertNotNil(asked[0].bundle)
        XCTAssertEqual(asked[0].bundle, asked[1].bundle)
        let last = try await order(done[4])
        XCTAssertEqual(last.metadata.reference, "REF-B", "nil leaves a field as it is")
        XCTAssertEqual(last.metadata.downloadId, "DL-1")
        await assertEqual(try await rita.order(id: held.id).order, last)

        // The customer goes with nil; a refusal names its command and action, and rolls back.
        await assertNil(try await order(try await rita.batch(commands: [.setCustomer(order: held.id, customer: nil)])[0]).customer)
        let before = try await snapshot(c)
        await assertInventoryError(try await c.oscar().batch(commands: [
            .setCustomer(order: held.id, customer: customer),
        ])) {
            guard case let .PermissionDenied(action, actor, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .editCustomer)
            XCTAssertEqual(actor, c.oscarUser.id)
            XCTAssertEqual($0.batchIndex(), 0)
        }
        await assertInventoryError(try await rita.batch(commands: [
            .editMetadata(order: held.id, reference: "REF-C"),
            .issueInBulk(order: held.id, quantity: 3),
        ])) {
            guard case let .InsufficientInventory(available, requested, action, actor, message) = $0 else {
                return XCTFail("\($0)")
            }
            XCTAssertEqual([available, requested], [2, 3])
            XCTAssertEqual(action, .issueLicense)
            XCTAssertEqual(actor, c.ritaUser.id)
            XCTAssertEqual($0.batchIndex(), 1)
            XCTAssertTrue(message.hasPrefix("command 1 of the batch failed"), message)
            XCTAssertTrue(message.hasSuffix("(refused: issue_license by user \(idText(c.ritaUser.id.uuid)))"), message)
        }
        await assertInventoryError(try await c.oscar().batch(commands: [
            .requestBundle(holder: c.mga.id, bundle: pack.id),
        ])) {
            XCTAssertEqual($0.action(), .requestBundle)
            XCTAssertEqual($0.actor(), c.oscarUser.id)
            XCTAssertEqual($0.batchIndex(), 0)
        }
        await assertEqual(try await snapshot(c), before)
        await assertEqual(try await rita.order(id: held.id).order.metadata.reference, "REF-B")
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testLicenseUserCommandsWithPasswordsBatchToo() async throws {
        let c = try await channel()
        let held = try await c.mgaOrder(c.cl, 2)
        let rita = try await c.rita()
        func verify(_ user: LicenseUser, _ password: String) async throws -> Bool {
            try await c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: user.id, password: password)
        }

        let done = try await rita.batch(commands: [
            .addLicenseUser(order: held.id, email: "sam@mga.example", name: "Sam", password: "first password"),
            .addLicenseUser(order: held.id, email: "kim@mga.example"),
        ])
        guard case let .licenseUser(sam) = done[0], case let .licenseUser(kim) = done[1] else {
            return XCTFail("\(done)")
        }
        XCTAssertEqual([sam.email, kim.email], ["sam@mga.example", "kim@mga.example"])
        XCTAssertEqual(sam.name, "Sam")
        XCTAssertNil(kim.name)
        XCTAssertEqual([sam.hasPassword, kim.hasPassword], [true, false])
        await assertTrue(try await verify(sam, "first password"))
        await assertEqual(
            try await rita.batch(commands: [.setLicenseUserPassword(user: kim.id, password: "kim's password")]), [.done])
        await assertTrue(try await verify(kim, "kim's password"))
        await assertEqual(Set(try await rita.licenseUsers(order: held.id).map(\.email)), ["sam@mga.example", "kim@mga.example"])

        // A short password is refused before the transaction, named by its position and its
        // action; the addition before it is rolled back.
        let before = try await snapshot(c)
        await assertInventoryError(try await rita.batch(commands: [
            .addLicenseUser(order: held.id, email: "lee@mga.example"),
            .setLicenseUserPassword(user: kim.id, password: "short"),
        ])) {
            guard case let .InvalidInput(field, _, action, actor, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "password")
            XCTAssertEqual(action, .manageLicenseUserCredentials)
            XCTAssertEqual(actor, c.ritaUser.id)
            XCTAssertEqual($0.batchIndex(), 1)
            XCTAssertTrue(message.hasPrefix("command 1 of the batch failed"), message)
            XCTAssertTrue(
                message.hasSuffix("(refused: manage_license_user_credentials by user \(idText(c.ritaUser.id.uuid)))"),
                message)
        }
        await assertEqual(try await snapshot(c), before)
        await assertEqual(try await rita.licenseUsers(order: held.id).count, 2)
        await assertTrue(try await verify(kim, "kim's password"))
        // A manager without manageLicenseUserCredentials may add users, not passwords.
        let lena = try await c.user("Lena Manager")
        _ = try await rita.addLicenseManager(order: held.id, user: lena.id, permissions: [.manageLicenseUsers])
        await assertInventoryError(try await c.session(lena).batch(commands: [
            .addLicenseUser(order: held.id, email: "lee@mga.example"),
            .addLicenseUser(order: held.id, email: "max@mga.example", password: "max's password"),
        ])) {
            guard case let .PermissionDenied(action, actor, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .manageLicenseUserCredentials)
            XCTAssertEqual(actor, lena.id)
            XCTAssertEqual($0.batchIndex(), 1)
        }
        await assertEqual(try await rita.licenseUsers(order: held.id).count, 2)
    }

    func testAKeyedBatchRetriedWithAnotherPasswordIsAConflict() async throws {
        let c = try await channel()
        let held = try await c.mgaOrder(c.cl, 1)
        let rita = try await c.rita()
        let sam = try await rita.addLicenseUser(order: held.id, email: "sam@mga.example")
        let keyed = try rita.withIdempotencyKey(key: "batch-password")
        let first: [BatchCommand] = [.setLicenseUserPassword(user: sam.id, password: "first password")]
        func verify(_ password: String) async throws -> Bool {
            try await c.inv.verifyLicenseUserPassword(tenant: c.t, licenseUser: sam.id, password: password)
        }

        await assertEqual(try await keyed.batch(commands: first), [.done])
        let after = try await snapshot(c)
        // The retry with the same password returns the first result and writes nothing.
        await assertEqual(try await keyed.batch(commands: first), [.done])
        await assertEqual(try await snapshot(c), after)

        // Another password under the key is another command: a conflict, and nothing changes.
        await assertInventoryError(try await keyed.batch(commands: [
            .setLicenseUserPassword(user: sam.id, password: "other password"),
        ])) {
            guard case let .Conflict(what, action, actor, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(what.hasPrefix("idempotency key 'batch-password'"), what)
            XCTAssertEqual(action, .batch)
            XCTAssertEqual(actor, c.ritaUser.id)
            XCTAssertNil($0.batchIndex())
            XCTAssertFalse(message.contains("other password"), message)
        }
        await assertEqual(try await snapshot(c), after)
        await assertTrue(try await verify("first password"))
        await assertFalse(try await verify("other password"))
    }
}
