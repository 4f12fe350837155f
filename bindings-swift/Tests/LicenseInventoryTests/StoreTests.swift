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

    func testSqliteKeepsEverythingAcrossHandles() async throws {
        let path = dir.appendingPathComponent("inventory.db").path
        let (tenant, mga, ritaId, requested): (TenantId, OrgId, UserId, Order)
        do {
            let c = try await Channel(inv: try await Inventory.openSqlite(path: path))
            try await c.stockEllen(c.cl, 10)
            requested = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 3, purchaseOrder: "PO-SQL")
            (tenant, mga, ritaId) = (c.t, c.mga.id, c.ritaUser.id)
        }
        let reopened = try await Inventory.openSqlite(path: path)
        await assertEqual(try await reopened.tenants().map(\.id), [tenant])
        await assertEqual(try await reopened.tenant(id: tenant).nextOrderNumber, requested.number + 1)
        let rita = try await reopened.session(tenant: tenant, user: ritaId)
        let page = try await rita.list(org: mga)
        XCTAssertEqual(page.items.map(\.order), [requested])
        XCTAssertEqual(page.items.first?.order.purchaseOrder, "PO-SQL")
        await assertEqual(try await reopened.audit(tenant: tenant).problems, [])
    }

    func testTwoHandlesOnOneFileSeeEachOthersWrites() async throws {
        let path = dir.appendingPathComponent("shared.db").path
        let c = try await Channel(inv: try await Inventory.openSqlite(path: path))
        let second = try await Inventory.openSqlite(path: path)
        try await c.stockEllen(c.uac, 4)
        let summary = try await second.session(tenant: c.t, user: c.doraUser.id).summary(org: c.ellen.id)
        XCTAssertEqual(summary.first?.available, 4)
    }

    func testGroupCommitCanBeTurnedOffAndIsChecked() async throws {
        let alone = try await Inventory.openSqlite(path: dir.appendingPathComponent("alone.db").path, groupCommit: 1)
        await assertEqual(try await alone.createTenant(name: "A", plan: .standard, vendorName: "A").name, "A")
        for bad: UInt32 in [0, 1025] {
            await assertInventoryError(try await Inventory.openSqlite(path: dir.appendingPathComponent("bad.db").path, groupCommit: bad)) {
                guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(field, "group_commit")
            }
        }
    }

    /// The page size an SQLite file records in its header (bytes 16-17, big-endian; 1 = 65536).
    func headerPageSize(_ path: String) throws -> Int {
        let handle = try XCTUnwrap(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        let header = [UInt8](handle.readData(ofLength: 100))
        XCTAssertEqual(header.count, 100)
        XCTAssertEqual(Array(header.prefix(16)), Array("SQLite format 3\0".utf8))
        let size = Int(header[16]) << 8 | Int(header[17])
        return size == 1 ? 65536 : size
    }

    func testPageSizeIsSetForNewFilesKeptByExistingOnesAndChecked() async throws {
        // A new file gets the core's default, 2 KiB pages.
        let fresh = dir.appendingPathComponent("default.db").path
        do {
            let inv = try await Inventory.openSqlite(path: fresh)
            _ = try await inv.createTenant(name: "D", plan: .standard, vendorName: "D")
        }
        XCTAssertEqual(try headerPageSize(fresh), 2048)
        // pageSize sets the page size of a file the call creates.
        let big = dir.appendingPathComponent("big.db").path
        let tenant: TenantId
        do {
            let inv = try await Inventory.openSqlite(path: big, pageSize: 4096)
            tenant = try await inv.createTenant(name: "B", plan: .standard, vendorName: "B").id
        }
        XCTAssertEqual(try headerPageSize(big), 4096)
        // An existing file keeps the size it was created with, whatever is asked or defaulted.
        for again: UInt32? in [8192, 512, nil] {
            let inv = try await Inventory.openSqlite(path: big, pageSize: again)
            await assertEqual(try await inv.tenant(id: tenant).name, "B")
            _ = try await inv.createTenant(name: "B2", plan: .standard, vendorName: "B2")
            XCTAssertEqual(try headerPageSize(big), 4096)
        }
        // Not a power of two from 512 to 65536: InvalidInput, before any file is created.
        for bad: UInt32 in [3000, 256, 0, 131_072] {
            let path = dir.appendingPathComponent("bad-\(bad).db").path
            await assertInventoryError(try await Inventory.openSqlite(path: path, pageSize: bad)) {
                guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(field, "page_size")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), path)
        }
    }

    func testUnopenablePathIsAStorageError() async throws {
        let path = dir.appendingPathComponent("missing/sub/dir/inventory.db").path
        await assertInventoryError(try await Inventory.openSqlite(path: path)) {
            guard case let .Storage(message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(message.hasPrefix("storage failure"), message)
            XCTAssertEqual($0.code(), "STORAGE")
        }
    }
}
