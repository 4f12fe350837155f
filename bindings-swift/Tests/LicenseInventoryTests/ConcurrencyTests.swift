import Dispatch
import Foundation
import XCTest
import LicenseInventory

/// No oversell through the binding: handles are shared across threads, and concurrent writers
/// on one SQLite file (two handles) never draw more than there is.
final class ConcurrencyTests: XCTestCase {
    func testConcurrentAssignmentsNeverOversell() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("license-inventory-swift-race-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let c = try Channel(inv: try Inventory.openSqlite(path: path))
        try c.stockEllen(c.cl, 10)
        let handles = [c.inv, try Inventory.openSqlite(path: path)]
        let sessions = try handles.map { try $0.session(tenant: c.t, user: c.doraUser.id) }

        let lock = NSLock()
        var succeeded = 0
        var refused: [InventoryError] = []
        var unexpected: [Error] = []
        DispatchQueue.concurrentPerform(iterations: 24) { i in
            do {
                _ = try sessions[i % 2].assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 1)
                lock.lock(); succeeded += 1; lock.unlock()
            } catch let error as InventoryError {
                lock.lock(); refused.append(error); lock.unlock()
            } catch {
                lock.lock(); unexpected.append(error); lock.unlock()
            }
        }
        XCTAssertTrue(unexpected.isEmpty, "\(unexpected)")
        XCTAssertEqual(succeeded, 10)
        XCTAssertEqual(refused.count, 14)
        for error in refused {
            guard case .InsufficientInventory(0, 1, _) = error else { return XCTFail("\(error)") }
        }
        let summary = try c.rita().summary(org: c.mga.id)
        XCTAssertEqual(summary.first?.available, 10)
        XCTAssertEqual(try c.inv.audit(tenant: c.t).problems, [])
    }
}
