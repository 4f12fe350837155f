import Foundation
import XCTest
import LicenseInventory

/// History and filtered ledger reads: `Inventory.orderAt` and `holdingsAt` rebuild any past
/// moment from the ledger, `ledgerMatching` reads the entries of one order, one organization or
/// one time range.
class HistoryTests: StoreTestCase {
    /// The fixture channel in a fresh tenant, every change stamped `start` until the clock moves.
    func pinnedChannel(_ start: Date) async throws -> Channel {
        let inv = try await makeInventory()
        inv.setTime(at: start)
        return try await Channel(inv: inv)
    }

    /// What the store reports at one moment: the figures of every order the channel's
    /// organizations hold, and their holdings per product (the orders approved into).
    struct Moment {
        let at: Date
        var orders: [OrderId: OrderFigures] = [:]
        var holdings: [OrgId: [ProductId: Holding]] = [:]
    }

    func orgs(_ c: Channel) -> [OrgId] { [c.vendor, c.ellen.id, c.mga.id, c.elerome.id, c.other.id] }

    /// The live figures now (at `at`, the pinned clock), as the vendor admin lists them.
    func snapshot(_ c: Channel, at: Date) async throws -> Moment {
        let vera = try await c.vera()
        var m = Moment(at: at)
        for org in orgs(c) {
            let page = try await vera.list(org: org, limit: 1000)
            XCTAssertNil(page.next)
            var byProduct: [ProductId: Holding] = [:]
            for o in page.items.map(\.order) {
                m.orders[o.id] = OrderFigures(
                    order: o.id, org: o.holder, product: o.product, approved: o.approvedQuantity,
                    drawn: o.drawn, issued: o.issued, available: o.available)
                guard o.approvedQuantity > 0 else { continue }
                let h = byProduct[o.product]
                    ?? Holding(product: o.product, orders: 0, approved: 0, drawn: 0, issued: 0, available: 0)
                byProduct[o.product] = Holding(
                    product: o.product, orders: h.orders + 1, approved: h.approved + o.approvedQuantity,
                    drawn: h.drawn + o.drawn, issued: h.issued + o.issued, available: h.available + o.available)
            }
            // The summary agrees on what is held and available.
            for line in try await vera.summary(org: org) where line.held > 0 {
                XCTAssertEqual(byProduct[line.product]?.approved, line.held)
                XCTAssertEqual(byProduct[line.product]?.available, line.available)
            }
            m.holdings[org] = byProduct
        }
        return m
    }

    func testHistoryRebuildsEveryPastMinute() async throws {
        let start = seedTime("01:00")
        func minute(_ n: Int) -> Date { start.addingTimeInterval(TimeInterval(60 * n)) }
        let c = try await pinnedChannel(start)
        let (rita, dora, cleo) = (try await c.rita(), try await c.dora(), try await c.cleo())
        var moments = [try await snapshot(c, at: start)]
        func step(_ body: () async throws -> Void) async throws {
            let at = minute(moments.count)
            c.inv.setTime(at: at)
            try await body()
            moments.append(try await snapshot(c, at: at))
        }

        var stockCl: Order?, stockUac: Order?, request: Order?, center: Order?
        try await step {  // 01:01
            stockCl = try await c.stockEllen(c.cl, 10)
            stockUac = try await c.stockEllen(c.uac, 3)
        }
        try await step { request = try await rita.request(holder: c.mga.id, product: c.cl.id, quantity: 4) }  // 01:02
        let req = try XCTUnwrap(request)
        try await step { _ = try await dora.approve(order: req.id) }  // 01:03
        try await step {  // 01:04
            center = try await rita.assign(from: c.mga.id, to: c.elerome.id, product: c.cl.id, quantity: 2)
        }
        let ctr = try XCTUnwrap(center)
        try await step { _ = try await cleo.issue(order: ctr.id, quantity: 1) }  // 01:05
        try await step { _ = try await rita.returnUnits(order: req.id, quantity: 1) }  // 01:06
        try await step { try await cleo.deleteOrder(order: ctr.id) }  // 01:07
        let (cl, uac) = (try XCTUnwrap(stockCl), try XCTUnwrap(stockUac))
        XCTAssertEqual(moments.count, 8)

        // The live figures, as the store reported them minute by minute: (approved, drawn,
        // issued, available); nil while the order is not listed (not yet made, or deleted).
        func live(_ id: OrderId) -> [[UInt64]?] {
            moments.map { m in m.orders[id].map { [$0.approved, $0.drawn, $0.issued, $0.available] } }
        }
        XCTAssertEqual(live(cl.id), [nil, [10, 0, 0, 10], [10, 0, 0, 10], [10, 4, 0, 6], [10, 4, 0, 6],
                                     [10, 4, 0, 6], [10, 3, 0, 7], [10, 3, 0, 7]])
        XCTAssertEqual(live(uac.id), [nil] + Array(repeating: [3, 0, 0, 3] as [UInt64]?, count: 7))
        XCTAssertEqual(live(req.id), [nil, nil, [0, 0, 0, 0], [4, 0, 0, 4], [4, 2, 0, 2], [4, 2, 0, 2],
                                      [3, 2, 0, 1], [3, 1, 0, 2]])
        XCTAssertEqual(live(ctr.id), [nil, nil, nil, nil, [2, 0, 0, 2], [2, 0, 1, 1], [2, 0, 1, 1], nil])

        // History rebuilds every past minute exactly: each listed order's figures, zeros for an
        // order not listed then (not yet made, or deleted), and each organization's holdings.
        let ids = [cl, uac, req, ctr].map(\.id)
        let known = Dictionary(uniqueKeysWithValues: [cl, uac, req, ctr].map { ($0.id, ($0.holder, $0.product)) })
        for m in moments {
            for id in ids {
                let past = try await c.inv.orderAt(tenant: c.t, order: id, at: m.at)
                let (holder, product) = known[id]!
                XCTAssertEqual(past, m.orders[id] ?? OrderFigures(
                    order: id, org: holder, product: product, approved: 0, drawn: 0, issued: 0, available: 0),
                    "order at \(m.at)")
            }
            for org in orgs(c) {
                let past = try await c.inv.holdingsAt(tenant: c.t, org: org, at: m.at)
                XCTAssertEqual(past.count, Set(past.map(\.product)).count, "one line per product")
                XCTAssertEqual(Dictionary(uniqueKeysWithValues: past.map { ($0.product, $0) }), m.holdings[org],
                               "holdings at \(m.at)")
            }
        }

        // Real values, read in the past.
        await assertEqual(try await c.inv.holdingsAt(tenant: c.t, org: c.ellen.id, at: minute(0)), [])
        let ellenThen = try await c.inv.holdingsAt(tenant: c.t, org: c.ellen.id, at: minute(3))
        XCTAssertEqual(Set(ellenThen), [
            Holding(product: c.cl.id, orders: 1, approved: 10, drawn: 4, issued: 0, available: 6),
            Holding(product: c.uac.id, orders: 1, approved: 3, drawn: 0, issued: 0, available: 3),
        ])
        await assertEqual(try await c.inv.holdingsAt(tenant: c.t, org: c.mga.id, at: minute(7)),
                       [Holding(product: c.cl.id, orders: 1, approved: 3, drawn: 1, issued: 0, available: 2)])
        // "At" includes changes recorded at that instant, not those a second later.
        let pending = try await c.inv.orderAt(tenant: c.t, order: req.id, at: minute(3).addingTimeInterval(-1))
        XCTAssertEqual([pending.approved, pending.available], [0, 0])
        XCTAssertEqual(pending.org, c.mga.id)
        XCTAssertEqual(pending.product, c.cl.id)
        await assertEqual(try await c.inv.orderAt(tenant: c.t, order: req.id, at: minute(3)).approved, 4)
        await assertEqual(try await c.inv.holdingsAt(tenant: c.t, org: c.mga.id, at: minute(3).addingTimeInterval(-1)), [])

        // The deleted order is gone from the store but readable in the past: it held 2, one
        // issued, until 01:07; at its center it was one holding then, none after.
        await assertInventoryError(try await cleo.order(id: ctr.id)) {
            guard case .NotFound(.order, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await c.inv.orderAt(tenant: c.t, order: ctr.id, at: minute(6)), OrderFigures(
            order: ctr.id, org: c.elerome.id, product: c.cl.id, approved: 2, drawn: 0, issued: 1, available: 1))
        await assertEqual(try await c.inv.holdingsAt(tenant: c.t, org: c.elerome.id, at: minute(6)),
                       [Holding(product: c.cl.id, orders: 1, approved: 2, drawn: 0, issued: 1, available: 1)])
        await assertEqual(try await c.inv.orderAt(tenant: c.t, order: ctr.id, at: minute(7)).approved, 0)
        await assertEqual(try await c.inv.holdingsAt(tenant: c.t, org: c.elerome.id, at: minute(7)), [])
        // Reading history writes nothing, and the ledger still rebuilds every order.
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testUnknownOrderOrganizationOrTenantIsNotFound() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl, 2)
        let now = Date()
        let unknownOrder = OrderId(uuid: UUID())
        await assertInventoryError(try await c.inv.orderAt(tenant: c.t, order: unknownOrder, at: now)) {
            guard case let .NotFound(.order, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(id, idText(unknownOrder.uuid))
            XCTAssertEqual($0.code(), "NOT_FOUND")
        }
        let unknownOrg = OrgId(uuid: UUID())
        await assertInventoryError(try await c.inv.holdingsAt(tenant: c.t, org: unknownOrg, at: now)) {
            guard case let .NotFound(.organization, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(id, idText(unknownOrg.uuid))
        }
        let unknownTenant = TenantId(uuid: UUID())
        await assertInventoryError(try await c.inv.orderAt(tenant: unknownTenant, order: unknownOrder, at: now)) {
            guard case .NotFound(.tenant, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await c.inv.ledgerMatching(tenant: unknownTenant, filter: LedgerFilter())) {
            guard case .NotFound(.tenant, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        // An order of another tenant is unknown here.
        let other = try await Channel(inv: c.inv)
        let theirs = try await other.stockEllen(other.cl, 1)
        await assertInventoryError(try await c.inv.orderAt(tenant: c.t, order: theirs.id, at: now)) {
            guard case .NotFound(.order, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testLedgerReadsByOrderOrgAndTime() async throws {
        let start = seedTime("02:00")
        func minute(_ n: Int) -> Date { start.addingTimeInterval(TimeInterval(60 * n)) }
        let c = try await pinnedChannel(start)
        try await c.stockEllen(c.cl, 10)
        c.inv.setTime(at: minute(1))
        let request = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 3)
        _ = try await c.dora().approve(order: request.id)
        c.inv.setTime(at: minute(2))
        let center = try await c.rita().assign(from: c.mga.id, to: c.elerome.id, product: c.cl.id, quantity: 2)
        _ = try await c.cleo().issue(order: center.id, quantity: 1)
        let all = try await c.ledger()

        // One filtered read equals the full ledger filtered by hand, and so does reading it page
        // by page, one entry at a time.
        func read(_ filter: LedgerFilter, _ keep: (LedgerEntry) -> Bool,
                  file: StaticString = #filePath, line: UInt = #line) async throws -> [LedgerKind] {
            let got = try await c.inv.ledgerMatching(tenant: c.t, filter: filter, limit: 1000)
            XCTAssertEqual(got, all.filter(keep), file: file, line: line)
            var paged: [LedgerEntry] = []
            while let next = try await c.inv.ledgerMatching(
                tenant: c.t, filter: filter, after: paged.last?.seq ?? 0, limit: 1).first {
                paged.append(next)
            }
            XCTAssertEqual(paged, got, "paged", file: file, line: line)
            return got.map(\.kind)
        }
        func touches(_ e: LedgerEntry, order: OrderId) -> Bool {
            e.order == order || e.movements.contains { $0.order == order }
        }
        func touches(_ e: LedgerEntry, org: OrgId) -> Bool {
            e.org == org || e.movements.contains { $0.org == org }
        }

        await assertEqual(try await read(LedgerFilter(order: request.id)) { touches($0, order: request.id) },
                       [.requested, .approved, .assigned])
        await assertEqual(try await read(LedgerFilter(order: center.id)) { touches($0, order: center.id) },
                       [.assigned, .licensesIssued])
        // MGA's own entries, and those moving its orders' units (not the center's issue).
        await assertEqual(try await read(LedgerFilter(org: c.mga.id)) { touches($0, org: c.mga.id) },
                       [.orgCreated, .adminGranted, .requested, .approved, .assigned])
        await assertEqual(try await read(LedgerFilter(org: c.other.id)) { touches($0, org: c.other.id) },
                       [.orgCreated, .adminGranted])
        // Time ranges: from is inclusive, to exclusive.
        await assertEqual(try await read(LedgerFilter(from: minute(1), to: minute(2))) { $0.at >= minute(1) && $0.at < minute(2) },
                       [.requested, .approved])
        await assertEqual(try await read(LedgerFilter(from: minute(2))) { $0.at >= minute(2) }, [.assigned, .licensesIssued])
        await assertEqual(try await read(LedgerFilter(to: start)) { _ in false }, [])
        let provisioning = try await read(LedgerFilter(to: minute(1))) { $0.at < minute(1) }
        XCTAssertEqual(provisioning.first, .tenantCreated)
        XCTAssertEqual(provisioning.last, .assigned, "the stock, at 02:00")
        // Every filter given must hold.
        await assertEqual(try await read(LedgerFilter(order: request.id, org: c.elerome.id)) {
            touches($0, order: request.id) && touches($0, org: c.elerome.id)
        }, [.assigned])
        await assertEqual(try await read(LedgerFilter(org: c.elerome.id, from: minute(2))) {
            touches($0, org: c.elerome.id) && $0.at >= minute(2)
        }, [.assigned, .licensesIssued])
        await assertEqual(try await read(LedgerFilter(order: request.id, to: minute(1))) { _ in false }, [])
        // No filter: the whole ledger.
        await assertEqual(try await read(LedgerFilter()) { _ in true }, all.map(\.kind))
        // `after` skips what came before, like `ledger`.
        let approval = try XCTUnwrap(all.first { $0.kind == .approved })
        let assignment = try XCTUnwrap(all.last { $0.kind == .assigned })
        await assertEqual(try await c.inv.ledgerMatching(tenant: c.t, filter: LedgerFilter(order: request.id),
                                                after: approval.seq - 1).map(\.seq),
                       [approval.seq, assignment.seq])
        await assertEqual(try await c.inv.ledgerMatching(tenant: c.t, filter: LedgerFilter(order: request.id),
                                                after: assignment.seq), [])
    }

    func testLedgerMatchingLimits() async throws {
        let c = try await channel()
        for limit: UInt32 in [0, 1001] {
            await assertInventoryError(try await c.inv.ledgerMatching(tenant: c.t, filter: LedgerFilter(), limit: limit)) {
                guard case .InvalidInput(field: "limit", _, _, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual($0.code(), "INVALID_INPUT")
            }
        }
        // Without a limit, one default page (100 entries) of the core.
        for _ in 0..<90 { _ = try await c.vera().mint(product: c.cl.id, quantity: 1) }
        let all = try await c.ledger()
        XCTAssertGreaterThan(all.count, 100)
        await assertEqual(try await c.inv.ledgerMatching(tenant: c.t, filter: LedgerFilter()), Array(all.prefix(100)))
        await assertEqual(try await c.inv.ledgerMatching(tenant: c.t, filter: LedgerFilter(), after: UInt64(all.count)), [])
    }
}
