import Foundation
import XCTest
import LicenseInventory

/// Every refusal names the refused action and its actor (docs/decisions.md §50), as the core's
/// conformance suite `refusals` checks it (core/src/store/conformance/refusals.rs): one case per
/// kind a caller can be refused with, through the binding. The action and the actor are in the
/// case's own fields, in `action()`/`actor()`, and at the end of the message: "(refused: <action>
/// by user <id>)", or "(refused: <action> by the host application)" for the host's own calls on
/// `Inventory`, whose actor is `nil`.
class RefusalTests: StoreTestCase {
    /// The action and actor fields of a refusal's case; `nil` for an error that is no refusal.
    func fields(_ error: InventoryError) -> (action: Action?, actor: UserId?)? {
        switch error {
        case let .InvalidInput(_, _, action, actor, _): return (action, actor)
        case let .NotFound(_, _, action, actor, _): return (action, actor)
        case let .PermissionDenied(action, actor, _, _): return (action, actor)
        case let .InsufficientInventory(_, _, action, actor, _): return (action, actor)
        case let .InvalidState(_, _, action, actor, _): return (action, actor)
        case let .Hierarchy(_, action, actor, _): return (action, actor)
        case let .Conflict(_, action, actor, _): return (action, actor)
        case let .MistypedKey(_, _, action, actor, _): return (action, actor)
        case let .ActivationLimit(_, action, actor, _): return (action, actor)
        case let .BorrowLimit(_, action, actor, _): return (action, actor)
        case let .LicenseUnusable(_, _, action, actor, _): return (action, actor)
        case let .PlanRequired(_, action, actor, _): return (action, actor)
        case let .OrderInUse(_, _, action, actor, _): return (action, actor)
        default: return nil
        }
    }

    /// `error` has `code` and names `action` (whose core name is `name`) by `actor` in its case's
    /// fields, in `action()`/`actor()` and in its message (a permission refusal says it at the
    /// start: "user … may not …"). Returns the code, to count the kinds checked.
    @discardableResult
    func assertNames(
        _ error: InventoryError, _ code: String, _ action: Action, _ name: String, _ actor: UserId?,
        file: StaticString = #filePath, line: UInt = #line
    ) -> String {
        let message = error.description
        XCTAssertEqual(error.code(), code, message, file: file, line: line)
        guard let named = fields(error) else {
            XCTFail("not a refusal: \(message)", file: file, line: line)
            return error.code()
        }
        XCTAssertEqual(named.action, action, "\(code): \(message)", file: file, line: line)
        XCTAssertEqual(named.actor, actor, "\(code): \(message)", file: file, line: line)
        XCTAssertEqual(error.action(), action, "\(code): \(message)", file: file, line: line)
        XCTAssertEqual(error.actor(), actor, "\(code): \(message)", file: file, line: line)
        switch (error, actor) {
        case let (.PermissionDenied, user?):
            XCTAssertTrue(message.hasPrefix("user \(idText(user.uuid)) may not \(name): "), message, file: file, line: line)
        case let (_, user?):
            XCTAssertTrue(
                message.hasSuffix("(refused: \(name) by user \(idText(user.uuid)))"), message, file: file, line: line)
        case (_, nil):
            XCTAssertTrue(message.hasSuffix("(refused: \(name) by the host application)"), message, file: file, line: line)
        }
        return error.code()
    }

    /// The error `body` throws (the test fails when it throws none, or another type).
    func refusal<T>(_ body: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async -> InventoryError {
        var caught: InventoryError = .Other(code: "NONE", message: "nothing was thrown")
        await assertInventoryError(try await body(), file: file, line: line) { caught = $0 }
        return caught
    }

    /// One refusal of each kind a session or the host can meet: its code, its action, its user.
    func testEveryRefusalNamesActionAndActor() async throws {
        let c = try await channel()
        let (rita, dora, vera) = (try await c.rita(), try await c.dora(), try await c.vera())
        let (r, d) = (c.ritaUser.id, c.doraUser.id)
        let floating = Floating(maxBorrows: 1, maxBorrowSeconds: 60)
        _ = try await c.inv.setProductPolicy(
            tenant: c.t, product: c.cl.id,
            policy: LicensePolicy(validity: .perpetual, maxActivations: 1, floating: floating))
        let order = try await c.mgaOrder(c.cl, 4)
        let ls = try await rita.issue(order: order.id, quantity: 2)
        _ = try await rita.borrow(license: ls[0].id, borrower: "ann", seconds: 60)
        let codes = try await rita.issue(order: try await c.mgaOrder(c.uac, 1).id, quantity: 1)
        var kinds: Set<String> = []

        // INVALID_INPUT: checked before the command runs, still named.
        kinds.insert(assertNames(
            await refusal(try await rita.request(holder: c.mga.id, product: c.cl.id, quantity: 0)),
            "INVALID_INPUT", .request, "request", r))
        // NOT_FOUND, on a read.
        kinds.insert(assertNames(await refusal(try await rita.orderByNumber(number: 9_999)), "NOT_FOUND", .view, "view", r))
        // PERMISSION_DENIED.
        kinds.insert(assertNames(
            await refusal(try await rita.mint(product: c.cl.id, quantity: 5)), "PERMISSION_DENIED", .mint, "mint", r))
        // INSUFFICIENT_INVENTORY: Ellen Emporium holds no activation code any more.
        let ask = try await rita.request(holder: c.mga.id, product: c.uac.id, quantity: 5)
        kinds.insert(assertNames(
            await refusal(try await dora.approve(order: ask.id)), "INSUFFICIENT_INVENTORY", .approve, "approve", d))
        // INVALID_STATE: a cancelled request cannot be approved.
        _ = try await rita.cancel(order: ask.id)
        kinds.insert(assertNames(await refusal(try await dora.approve(order: ask.id)), "INVALID_STATE", .approve, "approve", d))
        // HIERARCHY_VIOLATION: the vendor has no parent to request from.
        kinds.insert(assertNames(
            await refusal(try await vera.request(holder: c.vendor, product: c.cl.id, quantity: 1)),
            "HIERARCHY_VIOLATION", .request, "request", c.veraUser.id))
        // CONFLICT: a license user's email twice on one order.
        _ = try await rita.addLicenseUser(order: order.id, email: "ann@example.com")
        kinds.insert(assertNames(
            await refusal(try await rita.addLicenseUser(order: order.id, email: "ann@example.com")),
            "CONFLICT", .manageLicenseUsers, "manage_license_users", r))
        // MISTYPED_KEY, on a read by key.
        let key = ls[1].key
        var typo = Array(key)
        typo[3] = typo[3] == "A" ? "B" : "A"
        kinds.insert(assertNames(await refusal(try await rita.license(key: String(typo))), "MISTYPED_KEY", .view, "view", r))
        // BORROW_LIMIT: one open borrow at most.
        kinds.insert(assertNames(
            await refusal(try await rita.borrow(license: ls[0].id, borrower: "bob", seconds: 60)),
            "BORROW_LIMIT", .borrow, "borrow_license", r))
        // LICENSE_UNUSABLE: an activation code cannot be borrowed.
        kinds.insert(assertNames(
            await refusal(try await rita.borrow(license: codes[0].id, borrower: "bob", seconds: 60)),
            "LICENSE_UNUSABLE", .borrow, "borrow_license", r))
        // PLAN_REQUIRED: createOrder needs the enterprise plan.
        kinds.insert(assertNames(
            await refusal(try await rita.addLicenseManager(order: order.id, user: c.cleoUser.id, permissions: [.createOrder])),
            "PLAN_REQUIRED", .manageManagers, "manage_managers", r))
        // ORDER_IN_USE: Ellen Emporium's stock still feeds MGA Inc's order; nothing is written.
        let stock = try await c.stockEllen(c.uac, 3)
        _ = try await dora.assign(from: c.ellen.id, to: c.mga.id, product: c.uac.id, quantity: 2)
        let beforeDelete = try await snapshot(c)
        kinds.insert(assertNames(
            await refusal(try await dora.deleteOrder(order: stock.id)), "ORDER_IN_USE", .deleteOrder, "delete_order", d))
        await assertEqual(try await snapshot(c), beforeDelete, "a refusal writes nothing")
        // ACTIVATION_LIMIT: the host's own call (a device), named with no user.
        _ = try await c.inv.activate(tenant: c.t, key: key, fingerprint: "pc-1", deviceName: "PC 1")
        kinds.insert(assertNames(
            await refusal(try await c.inv.activate(tenant: c.t, key: key, fingerprint: "pc-2", deviceName: "PC 2")),
            "ACTIVATION_LIMIT", .activate, "activate", nil))

        XCTAssertEqual(kinds, [
            "INVALID_INPUT", "NOT_FOUND", "PERMISSION_DENIED", "INSUFFICIENT_INVENTORY", "INVALID_STATE",
            "HIERARCHY_VIOLATION", "CONFLICT", "MISTYPED_KEY", "ACTIVATION_LIMIT", "BORROW_LIMIT",
            "LICENSE_UNUSABLE", "PLAN_REQUIRED", "ORDER_IN_USE",
        ], "every refusal kind is checked")
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    /// The host application's own calls (setting the tenant up) name their action and no user.
    func testHostRefusalsNameTheActionAndNoUser() async throws {
        let c = try await channel()
        let before = try await snapshot(c)
        assertNames(
            await refusal(try await c.inv.createUser(tenant: c.t, name: "Rita again", email: "rita@mga.example")),
            "CONFLICT", .createUser, "create_user", nil)
        assertNames(
            await refusal(try await c.inv.createOrg(tenant: c.t, name: "Upside Down", tier: .distributor, parent: c.mga.id)),
            "HIERARCHY_VIOLATION", .createOrg, "create_org", nil)
        let last = await refusal(try await c.inv.revokeAdmin(tenant: c.t, user: c.veraUser.id, org: c.vendor))
        XCTAssertEqual(last.action(), .revokeAdmin, "\(last)")
        XCTAssertNil(last.actor(), "\(last)")
        XCTAssertEqual(fields(last)?.action, .revokeAdmin, "\(last)")
        assertNames(
            await refusal(try await c.inv.renameProduct(tenant: c.t, product: c.cl.id, name: " ")),
            "INVALID_INPUT", .renameProduct, "rename_product", nil)
        await assertEqual(try await snapshot(c), before, "a refusal writes nothing")
    }

    /// A batch's failing command is named by its own action (not "batch"), with the batch's
    /// index; the batch's own check (its size) is named "batch".
    func testABatchRefusalNamesItsCommandAction() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        let ask = try await rita.request(holder: c.mga.id, product: c.cl.id, quantity: 5)
        let failed = await refusal(try await rita.batch(commands: [.cancel(order: ask.id), .cancel(order: ask.id)]))
        assertNames(failed, "INVALID_STATE", .cancel, "cancel", c.ritaUser.id)
        XCTAssertEqual(failed.batchIndex(), 1)
        assertNames(await refusal(try await rita.batch(commands: [])), "INVALID_INPUT", .batch, "batch", c.ritaUser.id)
        await assertEqual(try await rita.order(id: ask.id).order.status, .requested)
    }
}

/// Errors that are no refusal, store-independent.
final class NonRefusalTests: XCTestCase {
    /// Failures that are no fault of the call name no action and no actor.
    func testNonRefusalsNameNoActionNorActor() async {
        let missing = "\(temporaryPath("-missing"))/no/such/folder/inventory.sqlite"
        await assertInventoryError(try await Inventory.openSqlite(path: missing)) {
            XCTAssertEqual($0.code(), "STORAGE")
            XCTAssertNil($0.action())
            XCTAssertNil($0.actor())
        }
    }
}
