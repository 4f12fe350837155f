import Foundation
import XCTest
import LicenseInventory

/// Taking things back: admin roles, deactivations, the plan, products and license managers.
/// Each succeeds with its ledger entry, and is refused (changing nothing) where it breaks a rule.
class TakeBackTests: StoreTestCase {
    func newestKind(_ c: Channel) async throws -> LedgerKind { try await unwrap(try await c.ledger().last).kind }

    /// `body` must throw an `InventoryError` matching `expected` and leave the ledger as it was.
    func assertRefused<T>(
        _ c: Channel, _ body: @autoclosure () async throws -> T,
        line: UInt = #line, _ expected: (InventoryError) -> Bool
    ) async throws {
        let before = try await c.ledger()
        await assertInventoryError(try await body(), line: line) { XCTAssertTrue(expected($0), "\($0)", line: line) }
        await assertEqual(try await c.ledger(), before, line: line)
    }

    func isHierarchy(_ e: InventoryError) -> Bool { if case .Hierarchy = e { return true } else { return false } }
    func isInvalid(_ e: InventoryError) -> Bool { if case .InvalidInput = e { return true } else { return false } }
    func isDenied(_ e: InventoryError) -> Bool { if case .PermissionDenied = e { return true } else { return false } }

    func testRevokeAdmin() async throws {
        let c = try await channel()
        try await c.inv.revokeAdmin(tenant: c.t, user: c.cleoUser.id, org: c.elerome.id)
        await assertEqual(try await newestKind(c), .adminRevoked)
        await assertInventoryError(try await c.cleo().summary(org: c.elerome.id)) { XCTAssertTrue(self.isDenied($0)) }
        try await assertRefused(c, try await c.inv.revokeAdmin(tenant: c.t, user: c.veraUser.id, org: c.vendor), isHierarchy)
    }

    func testReactivateOrgAndUsers() async throws {
        let c = try await channel()
        _ = try await c.inv.deactivateOrg(tenant: c.t, id: c.mga.id)
        _ = try await c.inv.deactivateOrg(tenant: c.t, id: c.elerome.id)
        try await assertRefused(c, try await c.inv.reactivateOrg(tenant: c.t, id: c.elerome.id), isHierarchy)
        await assertTrue(try await c.inv.reactivateOrg(tenant: c.t, id: c.mga.id).active)
        await assertEqual(try await newestKind(c), .orgReactivated)

        await assertFalse(try await c.inv.deactivateUser(tenant: c.t, user: c.ritaUser.id).active)
        await assertEqual(try await newestKind(c), .userDeactivated)
        await assertInventoryError(try await c.rita().summary(org: c.mga.id)) {
            guard case let .PermissionDenied(_, _, reason, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("deactivated"), reason)
        }
        await assertTrue(try await c.inv.reactivateUser(tenant: c.t, user: c.ritaUser.id).active)
        await assertEqual(try await newestKind(c), .userReactivated)
        _ = try await c.rita().summary(org: c.mga.id)
        try await assertRefused(c, try await c.inv.deactivateUser(tenant: c.t, user: c.veraUser.id), isHierarchy)
    }

    func testChangePlanKeepsEnterpriseGrantsInert() async throws {
        let c = try await channel(plan: .enterprise)
        let order = try await c.mgaOrder(c.cl, 5)
        let lena = try await c.user("Lena Manager")
        _ = try await c.rita().addLicenseManager(order: order.id, user: lena.id, permissions: [.issueLicense])
        _ = try await c.session(lena).issue(order: order.id, quantity: 1)
        await assertEqual(try await c.inv.changePlan(tenant: c.t, plan: .standard).plan, .standard)
        await assertEqual(try await newestKind(c), .planChanged)
        await assertInventoryError(try await c.session(lena).issue(order: order.id, quantity: 1)) {
            guard case .PlanRequired = $0 else { return XCTFail("\($0)") }
        }
        _ = try await c.inv.changePlan(tenant: c.t, plan: .enterprise)
        _ = try await c.session(lena).issue(order: order.id, quantity: 1)
        await assertInventoryError(try await c.inv.changePlan(tenant: TenantId(uuid: UUID()), plan: .standard)) {
            guard case .NotFound = $0 else { return XCTFail("\($0)") }
        }
    }

    func testRenameAndRetireAProduct() async throws {
        let c = try await channel()
        _ = try await c.stockEllen(c.uac, 10)
        let pending = try await c.rita().request(holder: c.mga.id, product: c.uac.id, quantity: 2)
        await assertEqual(try await c.inv.renameProduct(tenant: c.t, product: c.cl.id, name: "Classroom License").name, "Classroom License")
        await assertEqual(try await newestKind(c), .productRenamed)
        try await assertRefused(c, try await c.inv.renameProduct(tenant: c.t, product: c.cl.id, name: ""), isInvalid)
        await assertTrue(try await c.inv.retireProduct(tenant: c.t, product: c.uac.id).retired)
        await assertEqual(try await newestKind(c), .productRetired)
        try await assertRefused(c, try await c.rita().request(holder: c.mga.id, product: c.uac.id, quantity: 1), isInvalid)
        await assertEqual(try await c.dora().approve(order: pending.id).status, .active)
    }

    func testChangeAndRemoveALicenseManager() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.cl, 5)
        let lena = try await c.user("Lena Manager")
        let rita = try await c.rita()
        _ = try await rita.addLicenseManager(order: order.id, user: lena.id, permissions: [.resetDevice])
        let m = try await rita.setLicenseManagerPermissions(order: order.id, user: lena.id, permissions: [.resetDevice, .resetLicense])
        XCTAssertEqual(Set(m.permissions), [.resetDevice, .resetLicense])
        await assertEqual(try await newestKind(c), .managerChanged)
        try await assertRefused(c, try await c.session(lena).removeLicenseManager(order: order.id, user: lena.id), isDenied)
        try await assertRefused(c, try await rita.setLicenseManagerPermissions(order: order.id, user: lena.id, permissions: []), isInvalid)
        try await rita.removeLicenseManager(order: order.id, user: lena.id)
        await assertEqual(try await newestKind(c), .managerRemoved)
        await assertEqual(try await rita.licenseManagers(order: order.id), [])
        try await assertRefused(c, try await rita.removeLicenseManager(order: order.id, user: lena.id)) {
            if case .NotFound = $0 { return true } else { return false }
        }
    }
}
