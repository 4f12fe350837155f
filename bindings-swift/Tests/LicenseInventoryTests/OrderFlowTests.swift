import Foundation
import XCTest
import LicenseInventory

/// Mint, request, edit, cancel, approve, reject, assign: `Session`'s write calls.
class OrderFlowTests: StoreTestCase {
    func testVendorAdminMints() async throws {
        let c = try await channel()
        let vera = try await c.vera()
        XCTAssertEqual(vera.user(), c.veraUser.id)
        XCTAssertEqual(vera.tenant(), c.t)
        let order = try await vera.mint(product: c.cl.id, quantity: 25, purchaseOrder: "JA-1", comments: "stock")
        XCTAssertEqual(order.number, 1210)
        XCTAssertEqual(order.status, .active)
        XCTAssertEqual(order.holder, c.vendor)
        XCTAssertNil(order.source)
        XCTAssertEqual(order.approvedQuantity, 25)
        XCTAssertEqual(order.available, 25)
        XCTAssertEqual(order.purchaseOrder, "JA-1")
        XCTAssertEqual(order.requesterComments, "stock")
        await assertEqual(try await c.inv.tenant(id: c.t).minted, 25)
    }

    func testOnlyVendorAdminsMint() async throws {
        let c = try await channel()
        await assertInventoryError(try await c.dora().mint(product: c.cl.id, quantity: 5)) {
            guard case let .PermissionDenied(action, actor, reason, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .mint)
            XCTAssertEqual(actor, c.doraUser.id)
            XCTAssertTrue(reason.contains("vendor admins"), reason)
            XCTAssertTrue(message.contains("may not mint"), message)
            XCTAssertEqual($0.code(), "PERMISSION_DENIED")
        }
        await assertEqual(try await c.inv.tenant(id: c.t).minted, 0)
    }

    func testRequestThenPartialApproval() async throws {
        let c = try await channel()
        let stock = try await c.stockEllen(c.cl, 10)
        let rita = try await c.rita()
        let request = try await rita.request(
            holder: c.mga.id, product: c.cl.id, quantity: 5, purchaseOrder: "EE2017-1", comments: "for the fall")
        XCTAssertEqual(request.status, .requested)
        XCTAssertEqual(request.holder, c.mga.id)
        XCTAssertEqual(request.source, c.ellen.id)
        XCTAssertEqual(request.requestedBy, c.ritaUser.id)
        XCTAssertEqual(request.requestedQuantity, 5)
        XCTAssertEqual(request.available, 0)
        XCTAssertNil(request.approvedAt)

        let approved = try await c.dora().approve(order: request.id, quantity: 3, comments: "3 for now")
        XCTAssertEqual(approved.status, .active)
        XCTAssertEqual(approved.approvedQuantity, 3)
        XCTAssertEqual(approved.available, 3)
        XCTAssertEqual(approved.approvedBy, c.doraUser.id)
        XCTAssertEqual(approved.approvalComments, "3 for now")
        XCTAssertNotNil(approved.approvedAt)

        // The units were drawn from Ellen Emporium's stock.
        let source = try await c.dora().order(id: stock.id).order
        XCTAssertEqual(source.drawn, 3)
        XCTAssertEqual(source.available, 7)
    }

    func testApprovalDefaultsToTheRequestedQuantity() async throws {
        let c = try await channel()
        try await c.stockEllen(c.uac, 10)
        let request = try await c.rita().request(holder: c.mga.id, product: c.uac.id, quantity: 4)
        let approved = try await c.dora().approve(order: request.id)
        XCTAssertEqual(approved.approvedQuantity, 4)
    }

    func testApprovalAtTheVendorMints() async throws {
        let c = try await channel()
        let request = try await c.dora().request(holder: c.ellen.id, product: c.cl.id, quantity: 7)
        XCTAssertEqual(request.source, c.vendor)
        let approved = try await c.vera().approve(order: request.id)
        XCTAssertEqual(approved.available, 7)
        await assertEqual(try await c.inv.tenant(id: c.t).minted, 7)
    }

    func testInsufficientInventoryChangesNothing() async throws {
        let c = try await channel()
        let stock = try await c.stockEllen(c.cl, 10)
        let request = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 50)
        let ledgerBefore = try await c.inv.ledger(tenant: c.t, limit: 1000).count
        await assertInventoryError(try await c.dora().approve(order: request.id)) {
            guard case let .InsufficientInventory(available, requested, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(available, 10)
            XCTAssertEqual(requested, 50)
            XCTAssertTrue(message.contains("only 10 available"), message)
            XCTAssertEqual($0.code(), "INSUFFICIENT_INVENTORY")
        }
        await assertEqual(try await c.rita().order(id: request.id).order.status, .requested)
        await assertEqual(try await c.dora().order(id: stock.id).order.available, 10)
        await assertEqual(try await c.inv.ledger(tenant: c.t, limit: 1000).count, ledgerBefore)
        // Approving what is there works.
        await assertEqual(try await c.dora().approve(order: request.id, quantity: 10).available, 10)
        await assertEqual(try await c.dora().order(id: stock.id).order.status, .depleted)
    }

    func testCannotApproveMoreThanRequested() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl, 10)
        let request = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        await assertInventoryError(try await c.dora().approve(order: request.id, quantity: 3)) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "quantity")
        }
    }

    func testZeroQuantityIsInvalid() async throws {
        let c = try await channel()
        await assertInventoryError(try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 0)) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "quantity")
        }
    }

    func testEditPendingRequest() async throws {
        let c = try await channel()
        try await c.stockEllen(c.uac, 10)
        let rita = try await c.rita()
        let request = try await rita.request(
            holder: c.mga.id, product: c.cl.id, quantity: 2, purchaseOrder: "20171019", comments: "two")
        let edited = try await rita.editRequest(order: request.id, product: c.uac.id, quantity: 1, comments: "one")
        XCTAssertEqual(edited.product, c.uac.id)
        XCTAssertEqual(edited.requestedQuantity, 1)
        XCTAssertEqual(edited.requesterComments, "one")
        XCTAssertEqual(edited.purchaseOrder, "20171019", "nil leaves a field as it is")
        let cleared = try await rita.editRequest(order: request.id, purchaseOrder: "")
        XCTAssertNil(cleared.purchaseOrder, "an empty string clears a text field")
        XCTAssertEqual(cleared.requestedQuantity, 1)

        // After approval, product and quantities are frozen.
        _ = try await c.dora().approve(order: request.id)
        await assertInventoryError(try await rita.editRequest(order: request.id, quantity: 5)) {
            guard case let .InvalidState(order, status, action, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(order, request.number)
            XCTAssertEqual(status, .active)
            XCTAssertEqual(action, .editRequest)
            XCTAssertTrue(message.contains("\(request.number)"), message)
            XCTAssertEqual($0.code(), "INVALID_STATE")
        }
    }

    func testCancelPendingRequest() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        let request = try await rita.request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        await assertEqual(try await rita.cancel(order: request.id).status, .cancelled)
        await assertInventoryError(try await rita.cancel(order: request.id)) {
            guard case let .InvalidState(_, status, action, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(status, .cancelled)
            XCTAssertEqual(action, .cancel)
        }
        await assertInventoryError(try await c.dora().approve(order: request.id)) {
            guard case .InvalidState(_, .cancelled, .approve, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testRejectRequest() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl)
        let request = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        let rejected = try await c.dora().reject(order: request.id, comments: "not this quarter")
        XCTAssertEqual(rejected.status, .rejected)
        XCTAssertEqual(rejected.approvalComments, "not this quarter")
        XCTAssertEqual(rejected.approvedBy, c.doraUser.id)
        XCTAssertEqual(rejected.available, 0)
        await assertInventoryError(try await c.dora().approve(order: request.id)) {
            guard case let .InvalidState(order, status, action, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(order, request.number)
            XCTAssertEqual(status, .rejected)
            XCTAssertEqual(action, .approve)
        }
        await assertInventoryError(try await c.dora().reject(order: request.id)) {
            guard case .InvalidState(_, .rejected, .reject, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testAssignDrawsOldestFirstAndDepletes() async throws {
        let c = try await channel()
        let first = try await c.stockEllen(c.cl, 2)
        let second = try await c.stockEllen(c.cl, 5)
        let dora = try await c.dora()
        let assigned = try await dora.assign(
            from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 4, purchaseOrder: "PO-4", comments: "pushed")
        XCTAssertEqual(assigned.status, .active)
        XCTAssertEqual(assigned.source, c.ellen.id)
        XCTAssertNil(assigned.requestedBy)
        XCTAssertEqual(assigned.approvedBy, c.doraUser.id)
        XCTAssertEqual(assigned.approvalComments, "pushed")
        XCTAssertEqual(assigned.available, 4)
        // The oldest order is drawn first and is depleted; the next one gives the rest.
        let a = try await dora.order(id: first.id).order
        XCTAssertEqual(a.status, .depleted)
        XCTAssertEqual(a.available, 0)
        XCTAssertEqual(a.drawn, 2)
        let b = try await dora.order(id: second.id).order
        XCTAssertEqual(b.status, .active)
        XCTAssertEqual(b.available, 3)

        await assertInventoryError(try await dora.assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 4)) {
            guard case .InsufficientInventory(3, 4, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testAssignOnlyToDirectChildren() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl)
        await assertInventoryError(try await c.dora().assign(from: c.ellen.id, to: c.elerome.id, product: c.cl.id, quantity: 1)) {
            guard case let .Hierarchy(reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("direct children"), reason)
        }
    }

    func testTheVendorCannotRequest() async throws {
        let c = try await channel()
        await assertInventoryError(try await c.vera().request(holder: c.vendor, product: c.cl.id, quantity: 1)) {
            guard case .Hierarchy = $0 else { return XCTFail("\($0)") }
        }
    }
}
