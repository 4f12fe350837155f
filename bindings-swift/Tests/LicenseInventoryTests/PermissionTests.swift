import Foundation
import XCTest
import LicenseInventory

/// Nobody sees or touches another branch of the tree; every refusal is typed, names the action
/// and the actor, and changes nothing.
class PermissionTests: StoreTestCase {
    /// Asserts a `.PermissionDenied` for `action` by `actor`.
    func assertDenied<T>(
        _ body: @autoclosure () async throws -> T, _ action: Action, _ actor: User,
        file: StaticString = #filePath, line: UInt = #line
    ) async {
        await assertInventoryError(try await body(), file: file, line: line) {
            guard case let .PermissionDenied(deniedAction, deniedActor, reason, message) = $0 else {
                return XCTFail("expected permissionDenied, got \($0)", file: file, line: line)
            }
            XCTAssertEqual(deniedAction, action, file: file, line: line)
            XCTAssertEqual(deniedActor, actor.id, file: file, line: line)
            XCTAssertFalse(reason.isEmpty, file: file, line: line)
            XCTAssertTrue(message.contains(idText(actor.id.uuid)), message, file: file, line: line)
        }
    }

    func testNoViewAcrossBranches() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        await assertDenied(try await rita.list(org: c.other.id), .view, c.ritaUser)
        await assertDenied(try await rita.summary(org: c.other.id), .view, c.ritaUser)
        let theirs = try await c.oscar().request(holder: c.other.id, product: c.cl.id, quantity: 1)
        await assertDenied(try await rita.order(id: theirs.id), .view, c.ritaUser)
        await assertDenied(try await rita.orderByNumber(number: theirs.number), .view, c.ritaUser)
        await assertDenied(try await rita.detailOfUse(order: theirs.id), .view, c.ritaUser)
        // Upwards neither: a center admin does not see its parent's inventory.
        await assertDenied(try await c.cleo().list(org: c.mga.id), .view, c.cleoUser)
    }

    func testAdminsSeeTheirBranchDownwards() async throws {
        let c = try await channel()
        await assertNoThrow(try await c.rita().list(org: c.elerome.id))
        await assertNoThrow(try await c.dora().list(org: c.mga.id))
        await assertNoThrow(try await c.dora().summary(org: c.other.id))
        await assertNoThrow(try await c.vera().list(org: c.elerome.id))
    }

    func testNoWritesAcrossBranches() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl)
        let rita = try await c.rita()
        let oscar = try await c.oscar()
        // Requesting for an organization one does not administer.
        await assertDenied(try await rita.request(holder: c.other.id, product: c.cl.id, quantity: 1), .request, c.ritaUser)
        // Editing or cancelling another organization's request.
        let theirs = try await oscar.request(holder: c.other.id, product: c.cl.id, quantity: 1)
        await assertDenied(try await rita.editRequest(order: theirs.id, quantity: 2), .editRequest, c.ritaUser)
        await assertDenied(try await rita.cancel(order: theirs.id), .cancel, c.ritaUser)
        // Approving or rejecting a request addressed to another organization.
        let mine = try await rita.request(holder: c.mga.id, product: c.cl.id, quantity: 1)
        await assertDenied(try await oscar.approve(order: mine.id), .approve, c.oscarUser)
        await assertDenied(try await rita.approve(order: mine.id), .approve, c.ritaUser)
        await assertDenied(try await oscar.reject(order: mine.id), .reject, c.oscarUser)
        // Assigning from an organization one does not administer.
        await assertDenied(try await rita.assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 1), .assign, c.ritaUser)
        await assertDenied(try await c.cleo().mint(product: c.cl.id, quantity: 1), .mint, c.cleoUser)
    }

    func testRefusalsChangeNothing() async throws {
        let c = try await channel()
        let stock = try await c.stockEllen(c.cl, 10)
        let mine = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 4)
        let ledger = try await c.inv.ledger(tenant: c.t, limit: 1000)
        await assertDenied(try await c.oscar().approve(order: mine.id), .approve, c.oscarUser)
        await assertDenied(try await c.oscar().cancel(order: mine.id), .cancel, c.oscarUser)
        await assertEqual(try await c.inv.ledger(tenant: c.t, limit: 1000), ledger)
        await assertEqual(try await c.rita().order(id: mine.id).order.status, .requested)
        await assertEqual(try await c.dora().order(id: stock.id).order.available, 10)
    }

    func testVendorAdminsMayDoEverything() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl, 10)
        let vera = try await c.vera()
        let request = try await vera.request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        await assertEqual(try await vera.approve(order: request.id).available, 2)
        let other = try await c.oscar().request(holder: c.other.id, product: c.cl.id, quantity: 1)
        await assertEqual(try await vera.cancel(order: other.id).status, .cancelled)
        await assertEqual(
            try await vera.assign(from: c.mga.id, to: c.elerome.id, product: c.cl.id, quantity: 1).holder, c.elerome.id)
    }
}
