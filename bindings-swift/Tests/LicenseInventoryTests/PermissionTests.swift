import Foundation
import XCTest
import LicenseInventory

/// Nobody sees or touches another branch of the tree; every refusal is typed, names the action
/// and the actor, and changes nothing.
class PermissionTests: StoreTestCase {
    /// Asserts a `.PermissionDenied` for `action` by `actor`.
    func assertDenied<T>(
        _ body: @autoclosure () throws -> T, _ action: Action, _ actor: User,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        assertInventoryError(try body(), file: file, line: line) {
            guard case let .PermissionDenied(deniedAction, deniedActor, reason, message) = $0 else {
                return XCTFail("expected permissionDenied, got \($0)", file: file, line: line)
            }
            XCTAssertEqual(deniedAction, action, file: file, line: line)
            XCTAssertEqual(deniedActor, actor.id, file: file, line: line)
            XCTAssertFalse(reason.isEmpty, file: file, line: line)
            XCTAssertTrue(message.contains(idText(actor.id.uuid)), message, file: file, line: line)
        }
    }

    func testNoViewAcrossBranches() throws {
        let c = try channel()
        let rita = try c.rita()
        assertDenied(try rita.list(org: c.other.id), .view, c.ritaUser)
        assertDenied(try rita.summary(org: c.other.id), .view, c.ritaUser)
        let theirs = try c.oscar().request(holder: c.other.id, product: c.cl.id, quantity: 1)
        assertDenied(try rita.order(id: theirs.id), .view, c.ritaUser)
        assertDenied(try rita.orderByNumber(number: theirs.number), .view, c.ritaUser)
        assertDenied(try rita.detailOfUse(order: theirs.id), .view, c.ritaUser)
        // Upwards neither: a center admin does not see its parent's inventory.
        assertDenied(try c.cleo().list(org: c.mga.id), .view, c.cleoUser)
    }

    func testAdminsSeeTheirBranchDownwards() throws {
        let c = try channel()
        XCTAssertNoThrow(try c.rita().list(org: c.elerome.id))
        XCTAssertNoThrow(try c.dora().list(org: c.mga.id))
        XCTAssertNoThrow(try c.dora().summary(org: c.other.id))
        XCTAssertNoThrow(try c.vera().list(org: c.elerome.id))
    }

    func testNoWritesAcrossBranches() throws {
        let c = try channel()
        try c.stockEllen(c.cl)
        let rita = try c.rita()
        let oscar = try c.oscar()
        // Requesting for an organization one does not administer.
        assertDenied(try rita.request(holder: c.other.id, product: c.cl.id, quantity: 1), .request, c.ritaUser)
        // Editing or cancelling another organization's request.
        let theirs = try oscar.request(holder: c.other.id, product: c.cl.id, quantity: 1)
        assertDenied(try rita.editRequest(order: theirs.id, quantity: 2), .editRequest, c.ritaUser)
        assertDenied(try rita.cancel(order: theirs.id), .cancel, c.ritaUser)
        // Approving or rejecting a request addressed to another organization.
        let mine = try rita.request(holder: c.mga.id, product: c.cl.id, quantity: 1)
        assertDenied(try oscar.approve(order: mine.id), .approve, c.oscarUser)
        assertDenied(try rita.approve(order: mine.id), .approve, c.ritaUser)
        assertDenied(try oscar.reject(order: mine.id), .reject, c.oscarUser)
        // Assigning from an organization one does not administer.
        assertDenied(try rita.assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 1), .assign, c.ritaUser)
        assertDenied(try c.cleo().mint(product: c.cl.id, quantity: 1), .mint, c.cleoUser)
    }

    func testRefusalsChangeNothing() throws {
        let c = try channel()
        let stock = try c.stockEllen(c.cl, 10)
        let mine = try c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 4)
        let ledger = try c.inv.ledger(tenant: c.t, limit: 1000)
        assertDenied(try c.oscar().approve(order: mine.id), .approve, c.oscarUser)
        assertDenied(try c.oscar().cancel(order: mine.id), .cancel, c.oscarUser)
        XCTAssertEqual(try c.inv.ledger(tenant: c.t, limit: 1000), ledger)
        XCTAssertEqual(try c.rita().order(id: mine.id).order.status, .requested)
        XCTAssertEqual(try c.dora().order(id: stock.id).order.available, 10)
    }

    func testVendorAdminsMayDoEverything() throws {
        let c = try channel()
        try c.stockEllen(c.cl, 10)
        let vera = try c.vera()
        let request = try vera.request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        XCTAssertEqual(try vera.approve(order: request.id).available, 2)
        let other = try c.oscar().request(holder: c.other.id, product: c.cl.id, quantity: 1)
        XCTAssertEqual(try vera.cancel(order: other.id).status, .cancelled)
        XCTAssertEqual(
            try vera.assign(from: c.mga.id, to: c.elerome.id, product: c.cl.id, quantity: 1).holder, c.elerome.id)
    }
}
