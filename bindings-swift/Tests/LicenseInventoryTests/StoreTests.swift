import Foundation
import XCTest
import LicenseInventory

/// The SQLite store, through the binding: persistence across handles, and storage errors.
final class StoreTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("license-inventory-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func testSqliteKeepsEverythingAcrossHandles() throws {
        let path = dir.appendingPathComponent("inventory.db").path
        let (tenant, mga, ritaId, requested): (TenantId, OrgId, UserId, Order)
        do {
            let c = try Channel(inv: try Inventory.openSqlite(path: path))
            try c.stockEllen(c.cl, 10)
            requested = try c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 3, purchaseOrder: "PO-SQL")
            (tenant, mga, ritaId) = (c.t, c.mga.id, c.ritaUser.id)
        }
        let reopened = try Inventory.openSqlite(path: path)
        XCTAssertEqual(try reopened.tenants().map(\.id), [tenant])
        XCTAssertEqual(try reopened.tenant(id: tenant).nextOrderNumber, requested.number + 1)
        let rita = try reopened.session(tenant: tenant, user: ritaId)
        let page = try rita.list(org: mga)
        XCTAssertEqual(page.items.map(\.order), [requested])
        XCTAssertEqual(page.items.first?.order.purchaseOrder, "PO-SQL")
        XCTAssertEqual(try reopened.audit(tenant: tenant).problems, [])
    }

    func testTwoHandlesOnOneFileSeeEachOthersWrites() throws {
        let path = dir.appendingPathComponent("shared.db").path
        let c = try Channel(inv: try Inventory.openSqlite(path: path))
        let second = try Inventory.openSqlite(path: path)
        try c.stockEllen(c.uac, 4)
        let summary = try second.session(tenant: c.t, user: c.doraUser.id).summary(org: c.ellen.id)
        XCTAssertEqual(summary.first?.available, 4)
    }

    func testGroupCommitCanBeTurnedOffAndIsChecked() throws {
        let alone = try Inventory.openSqlite(path: dir.appendingPathComponent("alone.db").path, groupCommit: 1)
        XCTAssertEqual(try alone.createTenant(name: "A", plan: .standard, vendorName: "A").name, "A")
        for bad: UInt32 in [0, 1025] {
            assertInventoryError(try Inventory.openSqlite(path: dir.appendingPathComponent("bad.db").path, groupCommit: bad)) {
                guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(field, "group_commit")
            }
        }
    }

    func testUnopenablePathIsAStorageError() throws {
        let path = dir.appendingPathComponent("missing/sub/dir/inventory.db").path
        assertInventoryError(try Inventory.openSqlite(path: path)) {
            guard case let .Storage(message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(message.hasPrefix("storage failure"), message)
            XCTAssertEqual($0.code(), "STORAGE")
        }
    }
}
