import Foundation
import XCTest
import LicenseInventory

/// Mint, request, edit, cancel, approve, reject, assign: `Session`'s write calls.
class OrderFlowTests: StoreTestCase {
    func testVendorAdminMints() throws {
        let c = try channel()
        let vera = try c.vera()
        XCTAssertEqual(vera.user(), c.veraUser.id)
        XCTAssertEqual(vera.tenant(), c.t)
        let order = try vera.mint(product: c.cl.id, quantity: 25, purchaseOrder: "JA-1", comments: "stock")
        XCTAssertEqual(order.number, 1210)
        XCTAssertEqual(order.status, .active)
        XCTAssertEqual(order.holder, c.vendor)
        XCTAssertNil(order.source)
        XCTAssertEqual(order.approvedQuantity, 25)
        XCTAssertEqual(order.available, 25)
        XCTAssertEqual(order.purchaseOrder, "JA-1")
        XCTAssertEqual(order.requesterComments, "stock")
        XCTAssertEqual(try c.inv.tenant(id: c.t).minted, 25)
    }

    func testOnlyVendorAdminsMint() throws {
        let c = try channel()
        assertInventoryError(try c.dora().mint(product: c.cl.id, quantity: 5)) {
            guard case let .PermissionDenied(action, actor, reason, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .mint)
            XCTAssertEqual(actor, c.doraUser.id)
            XCTAssertTrue(reason.contains("vendor admins"), reason)
            XCTAssertTrue(message.contains("may not mint"), message)
            XCTAssertEqual($0.code(), "PERMISSION_DENIED")
        }
        XCTAssertEqual(try c.inv.tenant(id: c.t).minted, 0)
    }

    func testRequestThenPartialApproval() throws {
        let c = try channel()
        let stock = try c.stockEllen(c.cl, 10)
        let rita = try c.rita()
        let request = try rita.request(
            holder: c.mga.id, product: c.cl.id, quantity: 5, purchaseOrder: "EE2017-1", comments: "for the fall")
        XCTAssertEqual(request.status, .requested)
        XCTAssertEqual(request.holder, c.mga.id)
        XCTAssertEqual(request.source, c.ellen.id)
        XCTAssertEqual(request.requestedBy, c.ritaUser.id)
        XCTAssertEqual(request.requestedQuantity, 5)
        XCTAssertEqual(request.available, 0)
        XCTAssertNil(request.approvedAt)

        let approved = try c.dora().approve(order: request.id, quantity: 3, comments: "3 for now")
        XCTAssertEqual(approved.status, .active)
        XCTAssertEqual(approved.approvedQuantity, 3)
        XCTAssertEqual(approved.available, 3)
        XCTAssertEqual(approved.approvedBy, c.doraUser.id)
        XCTAssertEqual(approved.approvalComments, "3 for now")
        XCTAssertNotNil(approved.approvedAt)

        // The units were drawn from Ellen Emporium's stock.
        let source = try c.dora().order(id: stock.id).order
        XCTAssertEqual(source.drawn, 3)
        XCTAssertEqual(source.available, 7)
    }

    func testApprovalDefaultsToTheRequestedQuantity() throws {
        let c = try channel()
        try c.stockEllen(c.uac, 10)
        let request = try c.rita().request(holder: c.mga.id, product: c.uac.id, quantity: 4)
        let approved = try c.dora().approve(order: request.id)
        XCTAssertEqual(approved.approvedQuantity, 4)
    }

    func testApprovalAtTheVendorMints() throws {
        let c = try channel()
        let request = try c.dora().request(holder: c.ellen.id, product: c.cl.id, quantity: 7)
        XCTAssertEqual(request.source, c.vendor)
        let approved = try c.vera().approve(order: request.id)
        XCTAssertEqual(approved.available, 7)
        XCTAssertEqual(try c.inv.tenant(id: c.t).minted, 7)
    }

    func testInsufficientInventoryChangesNothing() throws {
        let c = try channel()
        let stock = try c.stockEllen(c.cl, 10)
        let request = try c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 50)
        let ledgerBefore = try c.inv.ledger(tenant: c.t, limit: 1000).count
        assertInventoryError(try c.dora().approve(order: request.id)) {
            guard case let .InsufficientInventory(available, requested, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(available, 10)
            XCTAssertEqual(requested, 50)
            XCTAssertTrue(message.contains("only 10 available"), message)
            XCTAssertEqual($0.code(), "INSUFFICIENT_INVENTORY")
        }
        XCTAssertEqual(try c.rita().order(id: request.id).order.status, .requested)
        XCTAssertEqual(try c.dora().order(id: stock.id).order.available, 10)
        XCTAssertEqual(try c.inv.ledger(tenant: c.t, limit: 1000).count, ledgerBefore)
        // Approving what is there works.
        XCTAssertEqual(try c.dora().approve(order: request.id, quantity: 10).available, 10)
        XCTAssertEqual(try c.dora().order(id: stock.id).order.status, .depleted)
    }

    func testCannotApproveMoreThanRequested() throws {
        let c = try channel()
        try c.stockEllen(c.cl, 10)
        let request = try c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        assertInventoryError(try c.dora().approve(order: request.id, quantity: 3)) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "quantity")
        }
    }

    func testZeroQuantityIsInvalid() throws {
        let c = try channel()
        assertInventoryError(try c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 0)) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "quantity")
        }
    }

    func testEditPendingRequest() throws {
        let c = try channel()
        try c.stockEllen(c.uac, 10)
        let rita = try c.rita()
        let request = try rita.request(
            holder: c.mga.id, product: c.cl.id, quantity: 2, purchaseOrder: "20171019", comments: "two")
        let edited = try rita.editRequest(order: request.id, product: c.uac.id, quantity: 1, comments: "one")
        XCTAssertEqual(edited.product, c.uac.id)
        XCTAssertEqual(edited.requestedQuantity, 1)
        XCTAssertEqual(edited.requesterComments, "one")
        XCTAssertEqual(edited.purchaseOrder, "20171019", "nil leaves a field as it is")
        let cleared = try rita.editRequest(order: request.id, purchaseOrder: "")
        XCTAssertNil(cleared.purchaseOrder, "an empty string clears a text field")
        XCTAssertEqual(cleared.requestedQuantity, 1)

        // After approval, product and quantities are frozen.
        _ = try c.dora().approve(order: request.id)
        assertInventoryError(try rita.editRequest(order: request.id, quantity: 5)) {
            guard case let .InvalidState(order, status, action, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(order, request.number)
            XCTAssertEqual(status, .active)
            XCTAssertEqual(action, .editRequest)
            XCTAssertTrue(message.contains("\(request.number)"), message)
            XCTAssertEqual($0.code(), "INVALID_STATE")
        }
    }

    func testCancelPendingRequest() throws {
        let c = try channel()
        let rita = try c.rita()
        let request = try rita.request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        XCTAssertEqual(try rita.cancel(order: request.id).status, .cancelled)
        assertInventoryError(try rita.cancel(order: request.id)) {
            guard case let .InvalidState(_, status, action, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(status, .cancelled)
            XCTAssertEqual(action, .cancel)
        }
        assertInventoryError(try c.dora().approve(order: request.id)) {
            guard case .InvalidState(_, .cancelled, .approve, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testRejectRequest() throws {
        let c = try channel()
        try c.stockEllen(c.cl)
        let request = try c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        let rejected = try c.dora().reject(order: request.id, comments: "not this quarter")
        XCTAssertEqual(rejected.status, .rejected)
        XCTAssertEqual(rejected.approvalComments, "not this quarter")
        XCTAssertEqual(rejected.approvedBy, c.doraUser.id)
        XCTAssertEqual(rejected.available, 0)
        assertInventoryError(try c.dora().approve(order: request.id)) {
            guard case let .InvalidState(order, status, action, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(order, request.number)
            XCTAssertEqual(status, .rejected)
            XCTAssertEqual(action, .approve)
        }
        assertInventoryError(try c.dora().reject(order: request.id)) {
            guard case .InvalidState(_, .rejected, .reject, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testAssignDrawsOldestFirstAndDepletes() throws {
        let c = try channel()
        let first = try c.stockEllen(c.cl, 2)
        let second = try c.stockEllen(c.cl, 5)
        let dora = try c.dora()
        let assigned = try dora.assign(
            from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 4, purchaseOrder: "PO-4", comments: "pushed")
        XCTAssertEqual(assigned.status, .active)
        XCTAssertEqual(assigned.source, c.ellen.id)
        XCTAssertNil(assigned.requestedBy)
        XCTAssertEqual(assigned.approvedBy, c.doraUser.id)
        XCTAssertEqual(assigned.approvalComments, "pushed")
        XCTAssertEqual(assigned.available, 4)
        // The oldest order is drawn first and is depleted; the next one gives the rest.
        let a = try dora.order(id: first.id).order
        XCTAssertEqual(a.status, .depleted)
        XCTAssertEqual(a.available, 0)
        XCTAssertEqual(a.drawn, 2)
        let b = try dora.order(id: second.id).order
        XCTAssertEqual(b.status, .active)
        XCTAssertEqual(b.available, 3)

        assertInventoryError(try dora.assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 4)) {
            guard case .InsufficientInventory(3, 4, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testAssignOnlyToDirectChildren() throws {
        let c = try channel()
        try c.stockEllen(c.cl)
        assertInventoryError(try c.dora().assign(from: c.ellen.id, to: c.elerome.id, product: c.cl.id, quantity: 1)) {
            guard case let .Hierarchy(reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("direct children"), reason)
        }
    }

    func testTheVendorCannotRequest() throws {
        let c = try channel()
        assertInventoryError(try c.vera().request(holder: c.vendor, product: c.cl.id, quantity: 1)) {
            guard case .Hierarchy = $0 else { return XCTFail("\($0)") }
        }
    }
}
