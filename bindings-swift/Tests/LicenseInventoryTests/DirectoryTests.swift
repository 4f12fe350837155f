import Foundation
import XCTest
import LicenseInventory

/// The directory: organizations, users, admins, roles, products and bundles, each read scoped
/// like orders (a user sees their branches; the vendor's admins see all).
class DirectoryTests: StoreTestCase {
    func names(_ page: OrgPage) -> [String] { page.items.map(\.name) }

    func assertDenied<T>(_ body: @autoclosure () async throws -> T, line: UInt = #line) async {
        await assertInventoryError(try await body(), line: line) {
            guard case .PermissionDenied = $0 else { return XCTFail("\($0)", line: line) }
        }
    }

    func testOrganizationsByVisibility() async throws {
        let c = try await channel()
        let (vera, dora, rita, cleo, oscar) = (try await c.vera(), try await c.dora(), try await c.rita(), try await c.cleo(), try await c.oscar())
        await assertEqual(names(try await vera.searchOrgs()),
                       ["Elerome School", "Ellen Emporium", "Jasperactive", "MGA Inc", "Other Resale"])
        await assertEqual(names(try await dora.searchOrgs()), ["Elerome School", "Ellen Emporium", "MGA Inc", "Other Resale"])
        await assertEqual(names(try await rita.searchOrgs()), ["Elerome School", "MGA Inc"])
        await assertEqual(names(try await cleo.searchOrgs()), ["Elerome School"])
        await assertEqual(names(try await oscar.searchOrgs(prefix: "OTHER")), ["Other Resale"])
        let first = try await vera.searchOrgs(limit: 3)
        XCTAssertEqual(first.items.count, 3)
        await assertEqual(names(try await vera.searchOrgs(cursor: first.next)), ["MGA Inc", "Other Resale"])

        await assertEqual(names(try await dora.childOrgs(org: c.ellen.id)), ["MGA Inc", "Other Resale"])
        let tree = try await rita.subtree(org: c.mga.id)
        XCTAssertEqual(tree.items.map { [$0.org.name: $0.depth] }, [["MGA Inc": 0], ["Elerome School": 1]])
        await assertEqual(try await vera.subtree(org: c.vendor, maxDepth: 1).items.count, 2)
        await assertEqual(try await cleo.organization(org: c.elerome.id), c.elerome)

        for (who, org) in [(rita, c.ellen.id), (cleo, c.mga.id), (oscar, c.mga.id), (dora, c.vendor)] {
            await assertDenied(try await who.organization(org: org))
            await assertDenied(try await who.childOrgs(org: org))
            await assertDenied(try await who.orgAdmins(org: org))
        }
        await assertInventoryError(try await vera.subtree(org: c.vendor, maxDepth: 17)) {
            guard case .InvalidInput = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await vera.searchOrgs(cursor: "nope")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "cursor")
        }
    }

    func testUsersAdminsAndRoles() async throws {
        let c = try await channel()
        let (vera, dora, rita, cleo) = (try await c.vera(), try await c.dora(), try await c.rita(), try await c.cleo())
        await assertEqual(try await vera.searchUsers().items.map(\.name),
                       ["Cleo Center", "Dora Distributor", "Oscar Other", "Rita Reseller", "Vera Vendor"])
        await assertEqual(try await rita.searchUsers().items.map(\.name), ["Cleo Center", "Rita Reseller"])
        await assertEqual(try await vera.searchUsers(prefix: "DORA@").items.map(\.name), ["Dora Distributor"])
        await assertEqual(try await dora.findUser(user: c.cleoUser.id), c.cleoUser)
        await assertDenied(try await cleo.findUser(user: c.ritaUser.id))
        await assertEqual(try await vera.orgAdmins(org: c.mga.id).map(\.name), ["Rita Reseller"])

        // A second role for Rita: her Role menu then offers both.
        try await c.inv.grantAdmin(tenant: c.t, user: c.ritaUser.id, org: c.other.id)
        let roles = try await rita.rolesOf(user: c.ritaUser.id)
        XCTAssertEqual(roles.map(\.orgName), ["MGA Inc", "Other Resale"])
        XCTAssertEqual(roles.map(\.tier), [.reseller, .reseller])
        await assertEqual(try await vera.rolesOf(user: c.ritaUser.id), roles)
        await assertDenied(try await cleo.rolesOf(user: c.ritaUser.id))
    }

    func testProductsAndBundles() async throws {
        let c = try await channel()
        let cleo = try await c.cleo()
        let page = try await cleo.products(limit: 1)
        XCTAssertEqual(page.items.map(\.name), ["Center License"])
        let rest = try await cleo.products(cursor: page.next)
        XCTAssertEqual(rest.items.map(\.name), ["User Activation Codes"])
        XCTAssertNil(rest.next)
        await assertEqual(try await cleo.product(product: c.uac.id), c.uac)
        let bundle = try await c.inv.createBundle(tenant: c.t, name: "Starter pack", lines: [BundleLine(product: c.cl.id, quantity: 2)])
        await assertEqual(try await cleo.bundles().items, [bundle])
        await assertEqual(try await cleo.bundle(bundle: bundle.id), bundle)
    }
}
