import Foundation
import XCTest
import LicenseInventory

/// What the bindings' table and the shared names (issue 8) give Swift: the core's limits as
/// functions, `Audit.isClean`, `orderNumber` in the state errors, the SQLite options.
final class TableTests: XCTestCase {
    /// Every limit of the core, as a function named after its constant (uniffi has no constants).
    func testLimitsAreTheCoresConstants() {
        XCTAssertEqual(maxQuantity(), 1_000_000_000)
        XCTAssertEqual(maxIssue(), 1_000_000)
        XCTAssertEqual(maxName(), 200)
        XCTAssertEqual(maxPurchaseOrder(), 100)
        XCTAssertEqual(maxComment(), 2000)
        XCTAssertEqual(defaultPage(), 100)
        XCTAssertEqual(maxPage(), 1000)
        XCTAssertEqual(maxBatch(), 1000)
        XCTAssertEqual(minPassword(), 8)
        XCTAssertEqual(maxIdempotencyKey(), 200)
    }

    /// A limit is what the core enforces: one past it is refused.
    func testLimitsAreEnforced() async throws {
        let c = try await Channel()
        await assertInventoryError(try await c.vera().mint(product: c.cl.id, quantity: maxQuantity() + 1)) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "quantity")
        }
        let long = String(repeating: "x", count: Int(maxName()) + 1)
        await assertInventoryError(try await c.inv.createUser(tenant: c.t, name: long, email: "long@users.example")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "user name")
        }
    }

    /// `Audit.isClean` is the core's `is_clean()`: no problem found.
    func testAuditIsClean() async throws {
        let c = try await Channel()
        try await c.stockEllen(c.cl, 5)
        let audit = try await c.inv.audit(tenant: c.t)
        XCTAssertTrue(audit.isClean)
        XCTAssertEqual(audit.isClean, audit.problems.isEmpty)
    }

    /// `License.isUnused` is the core's `is_unused()`: true once issued, false once activated.
    func testLicenseIsUnused() async throws {
        let c = try await Channel()
        let rita = try await c.rita()
        let l = try await rita.issue(order: try await c.mgaOrder(c.cl, 1).id, quantity: 1)[0]
        XCTAssertTrue(l.isUnused)
        let activated = try await c.inv.activate(tenant: c.t, key: l.key, fingerprint: "pc-1", deviceName: "PC")
        XCTAssertFalse(activated.isUnused)
        await assertFalse(try await rita.license(key: l.key).isUnused)
    }

    /// `InvalidState` and `OrderInUse` name the order's number `orderNumber` (an `order` is an id).
    func testStateErrorsCarryOrderNumber() async throws {
        let c = try await Channel()
        let rita = try await c.rita()
        let request = try await rita.request(holder: c.mga.id, product: c.cl.id, quantity: 1)
        _ = try await rita.cancel(order: request.id)
        await assertInventoryError(try await rita.cancel(order: request.id)) {
            guard case let .InvalidState(orderNumber: number, status: status, action: _, actor: _, message: _) = $0 else {
                return XCTFail("\($0)")
            }
            XCTAssertEqual(number, request.number)
            XCTAssertEqual(status, .cancelled)
        }
    }

    /// The session's acting user and tenant, under the core's names.
    func testSessionUserAndTenant() async throws {
        let c = try await Channel()
        let rita = try await c.rita()
        XCTAssertEqual(rita.user(), c.ritaUser.id)
        XCTAssertEqual(rita.tenant(), c.t)
    }

    /// `openSqlite` takes the core's SQLite options; a bad timeout is `InvalidInput`.
    func testOpenSqliteOptions() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("options.sqlite").path
        let inv = try await Inventory.openSqlite(path: path, synchronous: .normal, busyTimeout: 5, migrate: true)
        let c = try await Channel(inv: inv)
        await assertEqual(try await inv.tenant(id: c.t).name, "Jasperactive")
        XCTAssertEqual(Synchronous.full, Synchronous.full)
        await assertInventoryError(try await Inventory.openSqlite(path: path, busyTimeout: -1)) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "busy_timeout")
        }
        // 2^31 ms made the SQLite driver panic (UniffiInternalError.rustPanic): now InvalidInput.
        for seconds in [2_147_483.648, 1e12] {
            await assertInventoryError(try await Inventory.openSqlite(path: path, busyTimeout: seconds)) {
                guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(field, "busy_timeout")
            }
        }
    }
}
