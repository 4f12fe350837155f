import Foundation
import XCTest
import LicenseInventory

/// The seed walkthrough (000_*.txt, orders 1210–1213): MGA Inc's License Inventory, its
/// indicators, the Detail of Inventory Use of 1211 and the Order Details of 1211.
final class WalkthroughTests: XCTestCase {
    func testSeedWalkthroughNumbers() async throws {
        let inv = Inventory.inMemory()
        inv.setTime(at: seedTime("01:30"))
        let tenant = try await inv.createTenant(
            name: "Jasperactive", plan: .standard, vendorName: "Jasperactive", firstOrderNumber: 1208)
        let t = tenant.id
        let ellen = try await inv.createOrg(tenant: t, name: "Ellen Emporium", tier: .distributor, parent: tenant.vendor)
        let mga = try await inv.createOrg(tenant: t, name: "MGA Inc", tier: .reseller, parent: ellen.id)
        let elerome = try await inv.createOrg(tenant: t, name: "Elerome School", tier: .center, parent: mga.id)
        let vera = try await inv.createUser(tenant: t, name: "Vera Vendor", email: "vera@jasperactive.example")
        let irinaUser = try await inv.createUser(tenant: t, name: "Irina Heer", email: "irina.heer@mga.example")
        try await inv.grantAdmin(tenant: t, user: vera.id, org: tenant.vendor)
        try await inv.grantAdmin(tenant: t, user: irinaUser.id, org: ellen.id)
        try await inv.grantAdmin(tenant: t, user: irinaUser.id, org: mga.id)
        let cl = try await inv.createProduct(tenant: t, code: "CL", name: "Center License", kind: .license)
        let uac = try await inv.createProduct(tenant: t, code: "UAC", name: "User Activation Codes", kind: .activationCode)
        let vendor = try await inv.session(tenant: t, user: vera.id)
        let irina = try await inv.session(tenant: t, user: irinaUser.id)

        for product in [cl, uac] {
            _ = try await vendor.assign(from: tenant.vendor, to: ellen.id, product: product.id, quantity: 10, purchaseOrder: "JA-2017-10")
        }
        inv.setTime(at: seedTime("01:45"))
        let o1210 = try await irina.assign(from: ellen.id, to: mga.id, product: cl.id, quantity: 3, purchaseOrder: "EE2017-1")
        let o1211 = try await irina.assign(from: ellen.id, to: mga.id, product: uac.id, quantity: 2, purchaseOrder: "EE2017-5")
        inv.setTime(at: seedTime("01:52"))
        let o1212 = try await irina.assign(from: mga.id, to: elerome.id, product: uac.id, quantity: 1)
        inv.setTime(at: seedTime("02:24"))
        let o1213 = try await irina.request(holder: mga.id, product: cl.id, quantity: 2, purchaseOrder: "20171019")
        _ = try await irina.editRequest(order: o1213.id, quantity: 1)
        XCTAssertEqual([o1210, o1211, o1212, o1213].map(\.number), [1210, 1211, 1212, 1213])

        // Indicators: "Assigned Center Licenses: 3", "Assigned User Activation Codes: 1".
        let summary = try await irina.summary(org: mga.id)
        XCTAssertEqual(summary.map(\.productName), ["Center License", "User Activation Codes"])
        XCTAssertEqual(summary.map(\.available), [3, 1])
        XCTAssertEqual(summary.map(\.pendingRequests), [1, 0])

        // The License Inventory table.
        let rows = try await irina.list(org: mga.id).items
        XCTAssertEqual(rows.map(\.order.number), [1213, 1211, 1210])
        XCTAssertEqual(rows.map(\.productName), ["Center License", "User Activation Codes", "Center License"])
        XCTAssertEqual(rows.map { $0.order.purchaseOrder ?? "" }, ["20171019", "EE2017-5", "EE2017-1"])
        XCTAssertEqual(rows.map { $0.order.status.label() }, ["Requested", "Active", "Active"])
        XCTAssertEqual(rows.map { $0.order.status == .requested ? $0.order.requestedQuantity : $0.order.approvedQuantity }, [1, 2, 3])
        XCTAssertEqual(rows.map(\.order.available), [0, 1, 3])
        XCTAssertEqual(rows.map(\.order.requestedAt), [seedTime("02:24"), seedTime("01:45"), seedTime("01:45")])
        XCTAssertEqual(rows.map(\.requestedByName), ["Irina Heer", nil, nil])
        XCTAssertEqual(rows.map(\.sourceName), ["Ellen Emporium", "Ellen Emporium", "Ellen Emporium"])
        XCTAssertEqual(rows.map(\.approvedByName), [nil, "Irina Heer", "Irina Heer"])

        // Step 1, the Role menu: Irina's two roles.
        let roles = try await irina.rolesOf(user: irinaUser.id)
        XCTAssertEqual(roles.map(\.orgName), ["Ellen Emporium", "MGA Inc"])
        XCTAssertEqual(roles.map(\.tier), [.distributor, .reseller])

        // Ellen Emporium's approval queue: the request submitted to it, 1213.
        let queue = try await irina.approvalQueue(org: ellen.id).items
        XCTAssertEqual(queue.map(\.order.number), [1213])
        XCTAssertEqual(queue.map(\.holderName), ["MGA Inc"])

        // Detail of Inventory Use of 1211.
        let use = try await irina.detailOfUse(order: o1211.id)
        XCTAssertEqual(use.order.order.purchaseOrder, "EE2017-5")
        XCTAssertEqual(use.order.productName, "User Activation Codes")
        XCTAssertEqual(use.order.order.approvedQuantity, 2)
        XCTAssertEqual(use.order.order.available, 1)
        XCTAssertEqual(use.draws.count, 1)
        let draw = use.draws[0]
        XCTAssertEqual(draw.orderNumber, 1212)
        XCTAssertNil(draw.purchaseOrder)
        XCTAssertEqual(draw.quantity, 1)
        XCTAssertEqual(draw.at, seedTime("01:52"))
        XCTAssertEqual(draw.requestedByOrg, "Elerome School")
        XCTAssertEqual(draw.approvedByOrg, "MGA Inc")
        XCTAssertEqual(draw.approvedByUser, "Irina Heer")

        // Order Details of 1211.
        let details = try await irina.orderByNumber(number: 1211)
        XCTAssertEqual(details.order.status, .active)
        XCTAssertEqual(details.sourceName, "Ellen Emporium")
        XCTAssertEqual(details.approvedByName, "Irina Heer")
        XCTAssertEqual(details.holderName, "MGA Inc")
        XCTAssertEqual(details.productKind, .activationCode)
        XCTAssertEqual(details.order.approvedQuantity, 2)

        await assertEqual(try await inv.audit(tenant: t).problems, [])
    }
}
