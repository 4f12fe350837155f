import Foundation
import XCTest
import LicenseInventory

/// The directory: organizations, users, admins, roles, products and bundles, each read scoped
/// like orders (a user sees their branches; the vendor's admins see all).
class DirectoryTests: StoreTestCase {
    func names(_ page: OrgPage) -> [String] { page.items.map(\.name) }

    func assertDenied<T>(_ body: @autoclosure () throws -> T, line: UInt = #line) {
        assertInventoryError(try body(), line: line) {
            guard case .PermissionDenied = $0 else { return XCTFail("\($0)", line: line) }
        }
    }

    func testOrganizationsByVisibility() throws {
        let c = try channel()
        let (vera, dora, rita, cleo, oscar) = (try c.vera(), try c.dora(), try c.rita(), try c.cleo(), try c.oscar())
        XCTAssertEqual(names(try vera.searchOrgs()),
                       ["Elerome School", "Ellen Emporium", "Jasperactive", "MGA Inc", "Other Resale"])
        XCTAssertEqual(names(try dora.searchOrgs()), ["Elerome School", "Ellen Emporium", "MGA Inc", "Other Resale"])
        XCTAssertEqual(names(try rita.searchOrgs()), ["Elerome School", "MGA Inc"])
        XCTAssertEqual(names(try cleo.searchOrgs()), ["Elerome School"])
        XCTAssertEqual(names(try oscar.searchOrgs(prefix: "OTHER")), ["Other Resale"])
        let first = try vera.searchOrgs(limit: 3)
        XCTAssertEqual(first.items.count, 3)
        XCTAssertEqual(names(try vera.searchOrgs(cursor: first.next)), ["MGA Inc", "Other Resale"])

        XCTAssertEqual(names(try dora.childOrgs(org: c.ellen.id)), ["MGA Inc", "Other Resale"])
        let tree = try rita.subtree(org: c.mga.id)
        XCTAssertEqual(tree.items.map { [$0.org.name: $0.depth] }, [["MGA Inc": 0], ["Elerome School": 1]])
        XCTAssertEqual(try vera.subtree(org: c.vendor, maxDepth: 1).items.count, 2)
        XCTAssertEqual(try cleo.organization(org: c.elerome.id), c.elerome)

        for (who, org) in [(rita, c.ellen.id), (cleo, c.mga.id), (oscar, c.mga.id), (dora, c.vendor)] {
            assertDenied(try who.organization(org: org))
            assertDenied(try who.childOrgs(org: org))
            assertDenied(try who.orgAdmins(org: org))
        }
        assertInventoryError(try vera.subtree(org: c.vendor, maxDepth: 17)) {
            guard case .InvalidInput = $0 else { return XCTFail("\($0)") }
        }
        assertInventoryError(try vera.searchOrgs(cursor: "nope")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "cursor")
        }
    }

    func testUsersAdminsAndRoles() throws {
        let c = try channel()
        let (vera, dora, rita, cleo) = (try c.vera(), try c.dora(), try c.rita(), try c.cleo())
        XCTAssertEqual(try vera.searchUsers().items.map(\.name),
                       ["Cleo Center", "Dora Distributor", "Oscar Other", "Rita Reseller", "Vera Vendor"])
        XCTAssertEqual(try rita.searchUsers().items.map(\.name), ["Cleo Center", "Rita Reseller"])
        XCTAssertEqual(try vera.searchUsers(prefix: "DORA@").items.map(\.name), ["Dora Distributor"])
        XCTAssertEqual(try dora.findUser(user: c.cleoUser.id), c.cleoUser)
        assertDenied(try cleo.findUser(user: c.ritaUser.id))
        XCTAssertEqual(try vera.orgAdmins(org: c.mga.id).map(\.name), ["Rita Reseller"])

        // A second role for Rita: her Role menu then offers both.
        try c.inv.grantAdmin(tenant: c.t, user: c.ritaUser.id, org: c.other.id)
        let roles = try rita.rolesOf(user: c.ritaUser.id)
        XCTAssertEqual(roles.map(\.orgName), ["MGA Inc", "Other Resale"])
        XCTAssertEqual(roles.map(\.tier), [.reseller, .reseller])
        XCTAssertEqual(try vera.rolesOf(user: c.ritaUser.id), roles)
        assertDenied(try cleo.rolesOf(user: c.ritaUser.id))
    }

    func testProductsAndBundles() throws {
        let c = try channel()
        let cleo = try c.cleo()
        let page = try cleo.products(limit: 1)
        XCTAssertEqual(page.items.map(\.name), ["Center License"])
        let rest = try cleo.products(cursor: page.next)
        XCTAssertEqual(rest.items.map(\.name), ["User Activation Codes"])
        XCTAssertNil(rest.next)
        XCTAssertEqual(try cleo.product(product: c.uac.id), c.uac)
        let bundle = try c.inv.createBundle(tenant: c.t, name: "Starter pack", lines: [BundleLine(product: c.cl.id, quantity: 2)])
        XCTAssertEqual(try cleo.bundles().items, [bundle])
        XCTAssertEqual(try cleo.bundle(bundle: bundle.id), bundle)
    }
}
