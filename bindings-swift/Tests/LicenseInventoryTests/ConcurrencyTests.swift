import Dispatch
import Foundation
import XCTest
import LicenseInventory

/// Swift concurrency over the binding: handles and records are `Sendable` and shared between
/// tasks; concurrent writers on one SQLite file (two handles) never draw more than there is
/// (PostgresTests runs the same race on PostgreSQL); every store call is `async` and runs on the
/// library's own threads, so a caller on the main actor is never blocked.
final class ConcurrencyTests: XCTestCase {
    func testConcurrentAssignmentsNeverOversell() async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("license-inventory-swift-race-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let c = try await Channel(inv: try await Inventory.openSqlite(path: path))
        try await assertConcurrentAssignmentsNeverOversell(c, handles: [c.inv, try await Inventory.openSqlite(path: path)])
    }

    /// Many calls at once on one in-memory handle, from a task group: every one answers, and the
    /// answers are those of the calls made one by one.
    func testManyConcurrentCallsAllAnswer() async throws {
        let c = try await Channel()
        let order = try await c.mgaOrder(c.cl, 200)
        let rita = try await c.rita()
        let issued = try await withThrowingTaskGroup(of: [License].self) { group in
            for _ in 0..<100 {
                group.addTask { try await rita.issue(order: order.id, quantity: 1) }
                group.addTask { _ = try await rita.order(id: order.id); return [] }
            }
            var all: [License] = []
            for try await licenses in group { all += licenses }
            return all
        }
        XCTAssertEqual(issued.count, 100)
        XCTAssertEqual(Set(issued.map(\.key)).count, 100)
        let now = try await rita.order(id: order.id).order
        XCTAssertEqual([now.issued, now.available], [100, 100])
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    /// A call from the main actor suspends it rather than blocking it: while a slow call (a
    /// bulk issue) runs, the main actor keeps serving other work.
    @MainActor
    func testCallsFromTheMainActorDoNotBlockIt() async throws {
        let c = try await Channel()
        let order = try await c.mgaOrder(c.cl, 5_000)
        let rita = try await c.rita()
        let call = Task { @MainActor in try await rita.issueInBulk(order: order.id, quantity: 5_000) }
        // Main-actor work that can only run while the call is suspended.
        var ticks = 0
        let ticker = Task { @MainActor in
            while !Task.isCancelled {
                ticks += 1
                await Task.yield()
            }
        }
        let issued = try await call.value
        ticker.cancel()
        XCTAssertEqual(issued.count, 5_000)
        XCTAssertGreaterThan(ticks, 1, "the main actor ran other work during the call")
        dispatchPrecondition(condition: .onQueue(.main))
    }

    /// Handles, records and errors cross task boundaries (`Sendable`, checked at compile time).
    func testValuesAreSendable() {
        func sendable<T: Sendable>(_: T.Type) {}
        sendable(Inventory.self)
        sendable(Session.self)
        sendable(Order.self)
        sendable(OrderDetails.self)
        sendable(License.self)
        sendable(BatchCommand.self)
        sendable(BatchResult.self)
        sendable(InventoryError.self)
        sendable(OrgId.self)
    }
}

/// Gives Ellen Emporium 10 units, then races 24 assignments of 1 unit to MGA Inc from 24
/// concurrent tasks (a task group), spread over `handles` (all on `c`'s store): exactly 10 succeed, the others are
/// refused with `InsufficientInventory(0, 1)`, and the audit is clean.
func assertConcurrentAssignmentsNeverOversell(
    _ c: Channel, handles: [Inventory], file: StaticString = #filePath, line: UInt = #line
) async throws {
    try await c.stockEllen(c.cl, 10)
    let sessions = try await handles.asyncMap { try await $0.session(tenant: c.t, user: c.doraUser.id) }

    // 24 concurrent tasks; each call runs on the library's threads, none blocks a task's thread.
    enum Outcome: Sendable { case assigned, refused(InventoryError), unexpected(String) }
    let outcomes = await withTaskGroup(of: Outcome.self) { group in
        for i in 0..<24 {
            let session = sessions[i % sessions.count]
            group.addTask {
                do {
                    _ = try await session.assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 1)
                    return .assigned
                } catch let error as InventoryError {
                    return .refused(error)
                } catch {
                    return .unexpected("\(error)")
                }
            }
        }
        var all: [Outcome] = []
        for await outcome in group { all.append(outcome) }
        return all
    }
    var succeeded = 0
    var refused: [InventoryError] = []
    var unexpected: [String] = []
    for outcome in outcomes {
        switch outcome {
        case .assigned: succeeded += 1
        case let .refused(error): refused.append(error)
        case let .unexpected(text): unexpected.append(text)
        }
    }
    XCTAssertTrue(unexpected.isEmpty, "\(unexpected)", file: file, line: line)
    XCTAssertEqual(succeeded, 10, file: file, line: line)
    XCTAssertEqual(refused.count, 14, file: file, line: line)
    for error in refused {
        guard case .InsufficientInventory(0, 1, _, _, _) = error else { return XCTFail("\(error)", file: file, line: line) }
    }
    let summary = try await c.rita().summary(org: c.mga.id)
    XCTAssertEqual(summary.first?.available, 10, file: file, line: line)
    await assertEqual(try await c.inv.audit(tenant: c.t).problems, [], file: file, line: line)
}
