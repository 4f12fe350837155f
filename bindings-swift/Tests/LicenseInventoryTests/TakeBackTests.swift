import Foundation
import XCTest
import LicenseInventory

/// Taking things back: admin roles, deactivations, the plan, products and license managers.
/// Each succeeds with its ledger entry, and is refused (changing nothing) where it breaks a rule.
class TakeBackTests: StoreTestCase {
    func newestKind(_ c: Channel) throws -> LedgerKind { try XCTUnwrap(c.ledger().last).kind }

    /// `body` must throw an `InventoryError` matching `expected` and leave the ledger as it was.
    func assertRefused<T>(
        _ c: Channel, _ body: @autoclosure () throws -> T,
        line: UInt = #line, _ expected: (InventoryError) -> Bool
    ) throws {
        let before = try c.ledger()
        assertInventoryError(try body(), line: line) { XCTAssertTrue(expected($0), "\($0)", line: line) }
        XCTAssertEqual(try c.ledger(), before, line: line)
    }

    func isHierarchy(_ e: InventoryError) -> Bool { if case .Hierarchy = e { return true } else { return false } }
    func isInvalid(_ e: InventoryError) -> Bool { if case .InvalidInput = e { return true } else { return false } }
    func isDenied(_ e: InventoryError) -> Bool { if case .PermissionDenied = e { return true } else { return false } }

    func testRevokeAdmin() throws {
        let c = try channel()
        try c.inv.revokeAdmin(tenant: c.t, user: c.cleoUser.id, org: c.elerome.id)
        XCTAssertEqual(try newestKind(c), .adminRevoked)
        assertInventoryError(try c.cleo().summary(org: c.elerome.id)) { XCTAssertTrue(self.isDenied($0)) }
        try assertRefused(c, try c.inv.revokeAdmin(tenant: c.t, user: c.veraUser.id, org: c.vendor), isHierarchy)
    }

    func testReactivateOrgAndUsers() throws {
        let c = try channel()
        _ = try c.inv.deactivateOrg(tenant: c.t, id: c.mga.id)
        _ = try c.inv.deactivateOrg(tenant: c.t, id: c.elerome.id)
        try assertRefused(c, try c.inv.reactivateOrg(tenant: c.t, id: c.elerome.id), isHierarchy)
        XCTAssertTrue(try c.inv.reactivateOrg(tenant: c.t, id: c.mga.id).active)
        XCTAssertEqual(try newestKind(c), .orgReactivated)

        XCTAssertFalse(try c.inv.deactivateUser(tenant: c.t, user: c.ritaUser.id).active)
        XCTAssertEqual(try newestKind(c), .userDeactivated)
        assertInventoryError(try c.rita().summary(org: c.mga.id)) {
            guard case let .PermissionDenied(_, _, reason, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("deactivated"), reason)
        }
        XCTAssertTrue(try c.inv.reactivateUser(tenant: c.t, user: c.ritaUser.id).active)
        XCTAssertEqual(try newestKind(c), .userReactivated)
        _ = try c.rita().summary(org: c.mga.id)
        try assertRefused(c, try c.inv.deactivateUser(tenant: c.t, user: c.veraUser.id), isHierarchy)
    }

    func testChangePlanKeepsEnterpriseGrantsInert() throws {
        let c = try channel(plan: .enterprise)
        let order = try c.mgaOrder(c.cl, 5)
        let lena = try c.user("Lena Manager")
        _ = try c.rita().addLicenseManager(order: order.id, user: lena.id, permissions: [.issueLicense])
        _ = try c.session(lena).issue(order: order.id, quantity: 1)
        XCTAssertEqual(try c.inv.changePlan(tenant: c.t, plan: .standard).plan, .standard)
        XCTAssertEqual(try newestKind(c), .planChanged)
        assertInventoryError(try c.session(lena).issue(order: order.id, quantity: 1)) {
            guard case .PlanRequired = $0 else { return XCTFail("\($0)") }
        }
        _ = try c.inv.changePlan(tenant: c.t, plan: .enterprise)
        _ = try c.session(lena).issue(order: order.id, quantity: 1)
        assertInventoryError(try c.inv.changePlan(tenant: TenantId(uuid: UUID()), plan: .standard)) {
            guard case .NotFound = $0 else { return XCTFail("\($0)") }
        }
    }

    func testRenameAndRetireAProduct() throws {
        let c = try channel()
        _ = try c.stockEllen(c.uac, 10)
        let pending = try c.rita().request(holder: c.mga.id, product: c.uac.id, quantity: 2)
        XCTAssertEqual(try c.inv.renameProduct(tenant: c.t, product: c.cl.id, name: "Classroom License").name, "Classroom License")
        XCTAssertEqual(try newestKind(c), .productRenamed)
        try assertRefused(c, try c.inv.renameProduct(tenant: c.t, product: c.cl.id, name: ""), isInvalid)
        XCTAssertTrue(try c.inv.retireProduct(tenant: c.t, product: c.uac.id).retired)
        XCTAssertEqual(try newestKind(c), .productRetired)
        try assertRefused(c, try c.rita().request(holder: c.mga.id, product: c.uac.id, quantity: 1), isInvalid)
        XCTAssertEqual(try c.dora().approve(order: pending.id).status, .active)
    }

    func testChangeAndRemoveALicenseManager() throws {
        let c = try channel()
        let order = try c.mgaOrder(c.cl, 5)
        let lena = try c.user("Lena Manager")
        let rita = try c.rita()
        _ = try rita.addLicenseManager(order: order.id, user: lena.id, permissions: [.resetDevice])
        let m = try rita.setLicenseManagerPermissions(order: order.id, user: lena.id, permissions: [.resetDevice, .resetLicense])
        XCTAssertEqual(Set(m.permissions), [.resetDevice, .resetLicense])
        XCTAssertEqual(try newestKind(c), .managerChanged)
        try assertRefused(c, try c.session(lena).removeLicenseManager(order: order.id, user: lena.id), isDenied)
        try assertRefused(c, try rita.setLicenseManagerPermissions(order: order.id, user: lena.id, permissions: []), isInvalid)
        try rita.removeLicenseManager(order: order.id, user: lena.id)
        XCTAssertEqual(try newestKind(c), .managerRemoved)
        XCTAssertEqual(try rita.licenseManagers(order: order.id), [])
        try assertRefused(c, try rita.removeLicenseManager(order: order.id, user: lena.id)) {
            if case .NotFound = $0 { return true } else { return false }
        }
    }
}
