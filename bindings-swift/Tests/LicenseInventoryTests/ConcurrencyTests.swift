import Dispatch
import Foundation
import XCTest
import LicenseInventory

/// No oversell through the binding: handles are shared across threads, and concurrent writers
/// on one SQLite file (two handles) never draw more than there is. (PostgresTests runs the same
/// race on PostgreSQL.)
final class ConcurrencyTests: XCTestCase {
    func testConcurrentAssignmentsNeverOversell() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("license-inventory-swift-race-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let c = try Channel(inv: try Inventory.openSqlite(path: path))
        try assertConcurrentAssignmentsNeverOversell(c, handles: [c.inv, try Inventory.openSqlite(path: path)])
    }
}

/// Gives Ellen Emporium 10 units, then races 24 assignments of 1 unit to MGA Inc from many
/// threads, spread over `handles` (all on `c`'s store): exactly 10 succeed, the others are
/// refused with `InsufficientInventory(0, 1)`, and the audit is clean.
func assertConcurrentAssignmentsNeverOversell(
    _ c: Channel, handles: [Inventory], file: StaticString = #filePath, line: UInt = #line
) throws {
    try c.stockEllen(c.cl, 10)
    let sessions = try handles.map { try $0.session(tenant: c.t, user: c.doraUser.id) }

    let lock = NSLock()
    var succeeded = 0
    var refused: [InventoryError] = []
    var unexpected: [Error] = []
    DispatchQueue.concurrentPerform(iterations: 24) { i in
        do {
            _ = try sessions[i % sessions.count].assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 1)
            lock.lock(); succeeded += 1; lock.unlock()
        } catch let error as InventoryError {
            lock.lock(); refused.append(error); lock.unlock()
        } catch {
            lock.lock(); unexpected.append(error); lock.unlock()
        }
    }
    XCTAssertTrue(unexpected.isEmpty, "\(unexpected)", file: file, line: line)
    XCTAssertEqual(succeeded, 10, file: file, line: line)
    XCTAssertEqual(refused.count, 14, file: file, line: line)
    for error in refused {
        guard case .InsufficientInventory(0, 1, _, _, _) = error else { return XCTFail("\(error)", file: file, line: line) }
    }
    let summary = try c.rita().summary(org: c.mga.id)
    XCTAssertEqual(summary.first?.available, 10, file: file, line: line)
    XCTAssertEqual(try c.inv.audit(tenant: c.t).problems, [], file: file, line: line)
}
