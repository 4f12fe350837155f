import Foundation
import XCTest
import LicenseInventory

/// The read models: list (filters, cursor pagination), summary, order details, detail of use.
class ViewTests: StoreTestCase {
    /// Five requests by MGA Inc at 10:00, 10:01, … (numbers 1212–1216 after Ellen's two stock
    /// orders 1210–1211), then approvals of the first two.
    func makeOrders() async throws -> (Channel, [Order]) {
        let c = try await channel()
        c.inv.setTime(at: seedTime("09:00"))
        try await c.stockEllen(c.cl, 100)
        try await c.stockEllen(c.uac, 100)
        let rita = try await c.rita()
        var orders: [Order] = []
        let specs: [(Product, String?)] = [
            (c.cl, "EE2017-1"), (c.uac, "EE2017-5"), (c.cl, "ee2017-9"), (c.uac, nil), (c.cl, "20171019"),
        ]
        for (i, (product, po)) in specs.enumerated() {
            c.inv.setTime(at: seedTime(String(format: "10:%02d", i)))
            orders.append(try await rita.request(holder: c.mga.id, product: product.id, quantity: UInt64(i + 1), purchaseOrder: po))
        }
        c.inv.setTime(at: seedTime("11:00"))
        _ = try await c.dora().approve(order: orders[0].id)
        _ = try await c.dora().approve(order: orders[1].id)
        c.inv.setTime(at: nil)
        return (c, orders)
    }

    func numbers(_ page: OrderPage) -> [UInt64] { page.items.map(\.order.number) }

    func testListIsNewestFirst() async throws {
        let (c, orders) = try await makeOrders()
        let page = try await c.rita().list(org: c.mga.id)
        XCTAssertEqual(numbers(page), orders.reversed().map(\.number))
        XCTAssertEqual(numbers(page), [1216, 1215, 1214, 1213, 1212])
        XCTAssertNil(page.next)
        let first = try XCTUnwrap(page.items.last)
        XCTAssertEqual(first.productName, "Center License")
        XCTAssertEqual(first.productKind, .license)
        XCTAssertEqual(first.holderName, "MGA Inc")
        XCTAssertEqual(first.sourceName, "Ellen Emporium")
        XCTAssertEqual(first.requestedByName, "Rita Reseller")
        XCTAssertEqual(first.approvedByName, "Dora Distributor")
    }

    func testListFilters() async throws {
        let (c, _) = try await makeOrders()
        let rita = try await c.rita()
        await assertEqual(numbers(try await rita.list(org: c.mga.id, filter: InventoryFilter(statuses: [.requested]))), [1216, 1215, 1214])
        await assertEqual(numbers(try await rita.list(org: c.mga.id, filter: InventoryFilter(statuses: [.active, .depleted]))), [1213, 1212])
        await assertEqual(numbers(try await rita.list(org: c.mga.id, filter: InventoryFilter(products: [c.uac.id]))), [1215, 1213])
        await assertEqual(numbers(try await rita.list(org: c.mga.id, filter: InventoryFilter(orderNumber: 1214))), [1214])
        // Purchase order: a case-insensitive substring.
        await assertEqual(numbers(try await rita.list(org: c.mga.id, filter: InventoryFilter(purchaseOrder: "EE2017"))), [1214, 1213, 1212])
        // Date range: from is inclusive, to is exclusive.
        let range = InventoryFilter(requestedFrom: seedTime("10:01"), requestedTo: seedTime("10:03"))
        await assertEqual(numbers(try await rita.list(org: c.mga.id, filter: range)), [1214, 1213])
        let combined = InventoryFilter(statuses: [.requested], products: [c.cl.id], purchaseOrder: "2017")
        await assertEqual(numbers(try await rita.list(org: c.mga.id, filter: combined)), [1216, 1214])
        await assertEqual(numbers(try await rita.list(org: c.mga.id, filter: InventoryFilter(statuses: [.cancelled]))), [])
    }

    func testCursorPagination() async throws {
        let (c, orders) = try await makeOrders()
        let rita = try await c.rita()
        var seen: [UInt64] = []
        var cursor: String? = nil
        var pages = 0
        repeat {
            let page = try await rita.list(org: c.mga.id, cursor: cursor, limit: 2)
            XCTAssertLessThanOrEqual(page.items.count, 2)
            seen += numbers(page)
            cursor = page.next
            pages += 1
        } while cursor != nil && pages < 10
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(seen, orders.reversed().map(\.number))

        // Filters apply across pages.
        let firstPage = try await rita.list(org: c.mga.id, filter: InventoryFilter(statuses: [.requested]), limit: 2)
        XCTAssertEqual(numbers(firstPage), [1216, 1215])
        let secondPage = try await rita.list(
            org: c.mga.id, filter: InventoryFilter(statuses: [.requested]), cursor: firstPage.next, limit: 2)
        XCTAssertEqual(numbers(secondPage), [1214])
        XCTAssertNil(secondPage.next)
    }

    func testDefaultPageIsTheCores() async throws {
        let c = try await channel()
        let vera = try await c.vera()
        for _ in 0..<101 { _ = try await vera.mint(product: c.cl.id, quantity: 1) }
        let page = try await vera.list(org: c.vendor)
        XCTAssertEqual(page.items.count, 100)
        let rest = try await vera.list(org: c.vendor, cursor: page.next)
        XCTAssertEqual(rest.items.map(\.order.number), [1210])
        XCTAssertNil(rest.next)
    }

    /// Ellen's approval queue holds MGA's three waiting requests, newest first, paged and
    /// filtered, as many as the summary's incoming requests; Ellen supplied the two approved
    /// ones; Oscar (a sibling reseller) and Cleo (a center below) may read neither.
    func testApprovalQueueAndSuppliedOrders() async throws {
        let (c, _) = try await makeOrders()
        let dora = try await c.dora()
        let queue = try await dora.approvalQueue(org: c.ellen.id)
        XCTAssertEqual(numbers(queue), [1216, 1215, 1214])
        let incoming = try await dora.summary(org: c.ellen.id).reduce(0) { $0 + $1.incomingRequests }
        XCTAssertEqual(incoming, UInt64(queue.items.count))
        await assertEqual(numbers(try await c.vera().approvalQueue(org: c.ellen.id)), [1216, 1215, 1214])
        let first = try await dora.approvalQueue(org: c.ellen.id, limit: 2)
        XCTAssertEqual(numbers(first), [1216, 1215])
        await assertEqual(numbers(try await dora.approvalQueue(org: c.ellen.id, cursor: first.next)), [1214])
        let cl = InventoryFilter(products: [c.cl.id], requestedByOrg: c.mga.id)
        await assertEqual(numbers(try await dora.approvalQueue(org: c.ellen.id, filter: cl)), [1216, 1214])
        await assertEqual(numbers(try await dora.approvalQueue(org: c.ellen.id, filter: InventoryFilter(requestedByOrg: c.other.id))), [])
        await assertEqual(numbers(try await dora.suppliedOrders(org: c.ellen.id)), [1213, 1212])
        await assertEqual(numbers(try await c.rita().approvalQueue(org: c.mga.id)), [])
        for (who, org) in [(try await c.oscar(), c.ellen.id), (try await c.cleo(), c.mga.id)] {
            await assertInventoryError(try await who.approvalQueue(org: org)) {
                guard case .PermissionDenied = $0 else { return XCTFail("\($0)") }
            }
            await assertInventoryError(try await who.suppliedOrders(org: org)) {
                guard case .PermissionDenied = $0 else { return XCTFail("\($0)") }
            }
        }
    }

    func testBadCursorAndLimit() async throws {
        let (c, _) = try await makeOrders()
        let rita = try await c.rita()
        await assertInventoryError(try await rita.list(org: c.mga.id, cursor: "not-a-cursor")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "cursor")
        }
        await assertInventoryError(try await rita.list(org: c.mga.id, limit: 0)) {
            guard case let .InvalidInput(field, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "limit")
            XCTAssertTrue(reason.contains("1000"), reason)
        }
        await assertInventoryError(try await rita.list(org: c.mga.id, limit: 1001)) {
            guard case .InvalidInput(field: "limit", _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testSummary() async throws {
        let (c, _) = try await makeOrders()
        let mga = try await c.rita().summary(org: c.mga.id)
        XCTAssertEqual(mga.map(\.productName), ["Center License", "User Activation Codes"])
        let cl = mga[0]
        XCTAssertEqual(cl.product, c.cl.id)
        XCTAssertEqual(cl.productKind, .license)
        XCTAssertEqual(cl.held, 1)
        XCTAssertEqual(cl.available, 1)
        XCTAssertEqual(cl.pendingRequests, 2)
        XCTAssertEqual(cl.pendingUnits, 3 + 5)
        XCTAssertEqual(cl.incomingRequests, 0)
        let uac = mga[1]
        XCTAssertEqual(uac.held, 2)
        XCTAssertEqual(uac.pendingRequests, 1)
        XCTAssertEqual(uac.pendingUnits, 4)

        let ellen = try await c.dora().summary(org: c.ellen.id)
        let ellenCl = try XCTUnwrap(ellen.first { $0.product == c.cl.id })
        XCTAssertEqual(ellenCl.held, 100)
        XCTAssertEqual(ellenCl.available, 99)
        XCTAssertEqual(ellenCl.incomingRequests, 2)
        XCTAssertEqual(ellenCl.incomingUnits, 8)
    }

    func testOrderDetailsAndDetailOfUse() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("01:45"))
        let stock = try await c.stockEllen(c.uac, 5)
        let dora = try await c.dora()
        c.inv.setTime(at: seedTime("01:52"))
        let pushed = try await dora.assign(from: c.ellen.id, to: c.mga.id, product: c.uac.id, quantity: 2, purchaseOrder: "EE2017-5")
        c.inv.setTime(at: seedTime("02:00"))
        let pulled = try await c.rita().request(holder: c.mga.id, product: c.uac.id, quantity: 1, purchaseOrder: "R-1")
        _ = try await dora.approve(order: pulled.id)

        let byId = try await dora.order(id: pushed.id)
        await assertEqual(byId, try await dora.orderByNumber(number: pushed.number))
        XCTAssertEqual(byId.order, pushed)
        XCTAssertEqual(byId.sourceName, "Ellen Emporium")
        XCTAssertEqual(byId.approvedByName, "Dora Distributor")
        XCTAssertNil(byId.requestedByName)

        let use = try await dora.detailOfUse(order: stock.id)
        XCTAssertEqual(use.order.order.number, stock.number)
        XCTAssertEqual(use.order.order.approvedQuantity, 5)
        XCTAssertEqual(use.order.order.available, 2)
        XCTAssertEqual(use.draws.map(\.orderNumber), [pushed.number, pulled.number])
        let push = use.draws[0]
        XCTAssertEqual(push.order, pushed.id)
        XCTAssertEqual(push.purchaseOrder, "EE2017-5")
        XCTAssertEqual(push.quantity, 2)
        XCTAssertEqual(push.at, seedTime("01:52"))
        XCTAssertEqual(push.requestedByOrg, "MGA Inc")
        XCTAssertNil(push.requestedByUser)
        XCTAssertEqual(push.approvedByOrg, "Ellen Emporium")
        XCTAssertEqual(push.approvedByUser, "Dora Distributor")
        let pull = use.draws[1]
        XCTAssertEqual(pull.requestedByUser, "Rita Reseller")
        XCTAssertEqual(pull.quantity, 1)
    }
}
