import Foundation
import XCTest
import LicenseInventory

/// The example of bindings-swift/README.md, kept compiling and true.
final class ReadmeTests: XCTestCase {
    func testReadmeExample() async throws {
        let inv = Inventory.inMemory()
        inv.setTime(at: seedTime("01:45"))
        let tenant = try await inv.createTenant(name: "Jasperactive", plan: .standard,
                                          vendorName: "Jasperactive", firstOrderNumber: 1210)
        let ellen = try await inv.createOrg(tenant: tenant.id, name: "Ellen Emporium", tier: .distributor, parent: tenant.vendor)
        let mga = try await inv.createOrg(tenant: tenant.id, name: "MGA Inc", tier: .reseller, parent: ellen.id)
        let irina = try await inv.createUser(tenant: tenant.id, name: "Irina Heer", email: "irina@example.com")
        try await inv.grantAdmin(tenant: tenant.id, user: irina.id, org: mga.id)
        let cl = try await inv.createProduct(tenant: tenant.id, code: "CL", name: "Center License", kind: .license)

        let session = try await inv.session(tenant: tenant.id, user: irina.id)
        let order = try await session.request(holder: mga.id, product: cl.id, quantity: 3, purchaseOrder: "EE2017-1")
        var refusal = ""
        do {
            _ = try await session.approve(order: order.id)
        } catch InventoryError.PermissionDenied(let action, let actor, let reason, _) {
            refusal = "\(actor.uuid) may not \(action): \(reason)"
        } catch let error as InventoryError {
            XCTFail("\(error.code()) \(error)")
        }
        XCTAssertEqual(refusal, "\(irina.id.uuid) may not approve: not an admin of 'Ellen Emporium'")
        let page = try await session.list(org: mga.id, filter: InventoryFilter(statuses: [.requested]), limit: 20)
        XCTAssertEqual(page.items.map(\.order.number), [1210])
        XCTAssertNil(page.next)
    }

    /// The README's license example, on the fixture channel.
    func testReadmeLicenseExample() async throws {
        let c = try await Channel()
        let (inv, tenant, session) = (c.inv, c.tenant, try await c.rita())
        let order = try await c.mgaOrder(c.cl, 3)
        let lena = try await c.user("Lena Manager")
        let path = temporaryPath(".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }

        let licenses = try await session.issue(order: order.id, quantity: 2)
        let device = try await inv.activate(tenant: tenant.id, key: licenses[0].key, fingerprint: "front-desk",
                                      deviceName: "Front desk PC")
        let manager = try await session.addLicenseManager(order: order.id, user: lena.id,
                                                    permissions: [.manageLicenseUsers, .resetDevice])
        let rows = try await session.exportOrderCsv(order: order.id, path: path)

        XCTAssertEqual(device.activations.map(\.name), ["Front desk PC"])
        XCTAssertEqual(manager.permissions.map { $0.name() }, ["manage_license_users", "reset_device"])
        XCTAssertEqual(rows, 2)
    }

    /// The README's notification example, on the fixture channel.
    func testReadmeNotificationExample() async throws {
        let c = try await Channel()
        let (inv, tenant) = (c.inv, c.tenant)
        inv.setTime(at: seedTime("02:24"))
        let order = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        var outbox: [(String, String, UInt64)] = []
        func send(to email: String, subject: String, about digest: OrderDigest) {
            outbox.append((email, subject, digest.number))
        }
        var marked: [UInt64] = []
        var ids: [NotificationId] = []

        for n in try await inv.pendingNotifications(tenant: tenant.id) {
            send(to: n.email, subject: n.subject, about: n.digest)
            marked.append(try await inv.markNotificationsSent(tenant: tenant.id, ids: [n.id]))
            ids.append(n.id)
        }

        XCTAssertEqual(outbox.count, 3)
        XCTAssertEqual(outbox[0].0, "rita@mga.example")
        XCTAssertEqual(outbox[0].1, "Order 1210: your request for 2 Center License was received")
        XCTAssertEqual(
            Set(outbox[1...].map(\.0)), ["dora@ellen.example", "vera@jasperactive.example"])
        XCTAssertEqual(Set(outbox[1...].map(\.1)), ["Order 1210: request for 2 Center License from MGA Inc"])
        XCTAssertEqual(outbox.map(\.2), [order.number, order.number, order.number])
        XCTAssertEqual(marked, [1, 1, 1])
        await assertEqual(try await inv.pendingNotifications(tenant: tenant.id), [])
        let someId = try XCTUnwrap(ids.first)
        let one = try await inv.notification(tenant: tenant.id, id: someId)
        XCTAssertEqual(one.kind, .requestConfirmation)
        XCTAssertEqual(one.sentAt, seedTime("02:24"))
    }

    /// The README's history example, on the fixture channel.
    func testReadmeHistoryExample() async throws {
        let lastMonth = seedTime("01:45")
        let midnight = ISO8601DateFormatter().date(from: "2017-10-21T00:00:00Z")!
        let inv = Inventory.inMemory()
        inv.setTime(at: lastMonth)
        let c = try await Channel(inv: inv)
        let (tenant, mga) = (c.tenant, c.mga)
        let order = try await c.mgaOrder(c.cl, 5)
        inv.setTime(at: midnight.addingTimeInterval(3600))
        _ = try await c.rita().issue(order: order.id, quantity: 2)
        _ = try await c.rita().returnUnits(order: order.id, quantity: 1)
        var printed: [[UInt64]] = []
        func print(_ values: UInt64...) { printed.append(values) }
        func print(_ product: ProductId, _ orders: UInt64, _ available: UInt64) {
            XCTAssertEqual(product, c.cl.id)
            printed.append([orders, available])
        }

        let entries = try await inv.ledgerMatching(tenant: tenant.id, filter: LedgerFilter(order: order.id))
        let today = try await inv.ledgerMatching(tenant: tenant.id, filter: LedgerFilter(org: mga.id, from: midnight),
                                           after: 0, limit: 50)
        let then = try await inv.orderAt(tenant: tenant.id, order: order.id, at: lastMonth)
        print(then.approved, then.drawn, then.issued, then.available)
        for h in try await inv.holdingsAt(tenant: tenant.id, org: mga.id, at: lastMonth) {
            print(h.product, h.orders, h.available)
        }

        XCTAssertEqual(entries.map(\.kind), [.assigned, .licensesIssued, .unitsReturned])
        XCTAssertEqual(today.map(\.kind), [.licensesIssued, .unitsReturned])
        XCTAssertEqual(printed, [[5, 0, 0, 5], [1, 5]])
        await assertEqual(try await c.rita().order(id: order.id).order.available, 2, "and now")
    }

    /// The README's safe-retries example, on the fixture channel.
    func testReadmeSafeRetriesExample() async throws {
        let c = try await Channel()
        let (inv, tenant, session) = (c.inv, c.tenant, try await c.rita())
        let order = try await c.mgaOrder(c.cl, 5)
        let requestId = "5b1f9c2e-issue"

        let keyed = try session.withIdempotencyKey(key: "issue-\(requestId)")
        let licenses = try await keyed.issue(order: order.id, quantity: 3)
        let same = try await keyed.issue(order: order.id, quantity: 3)
        var refusal = ""
        do {
            _ = try await keyed.issue(order: order.id, quantity: 4)
        } catch InventoryError.Conflict(let what, _, _, _) {
            refusal = what
        }
        let device = try await inv.withIdempotencyKey(key: "activate-\(requestId)")
            .activate(tenant: tenant.id, key: licenses[0].key, fingerprint: "front-desk", deviceName: "Front desk PC")

        XCTAssertEqual(same, licenses)
        await assertEqual(try await session.order(id: order.id).order.issued, 3)
        XCTAssertEqual(
            refusal,
            "idempotency key 'issue-5b1f9c2e-issue' (used for issue with other arguments or by another user; "
                + "choose a new key for a new command)")
        XCTAssertEqual(device.activations.map(\.name), ["Front desk PC"])
    }

    /// The README's batch example, on the fixture channel (vera, a vendor admin, acting).
    func testReadmeBatchExample() async throws {
        let c = try await Channel()
        let (session, ellen, mga, elerome, cl) = (try await c.vera(), c.ellen, c.mga, c.elerome, c.cl)
        let stock = try await c.stockEllen(cl, 13)
        let requests = try await (0..<5).asyncMap { _ in try await c.rita().request(holder: mga.id, product: cl.id, quantity: 2) }
        let small = try await c.rita().request(holder: mga.id, product: cl.id, quantity: 1)
        let big = try await c.rita().request(holder: mga.id, product: cl.id, quantity: 5)
        var printed: [String] = []
        func print(_ items: Any...) { printed.append(items.map { "\($0)" }.joined(separator: " ")) }

        let approvals = requests.map { BatchCommand.approve(order: $0.id, comments: "Q4") }
        let results = try await session.batch(commands: approvals)
        for case let .order(order) in results { print(order.number, order.status.label()) }
        do {
            _ = try await session.batch(commands: [.approve(order: small.id), .approve(order: big.id)])
        } catch InventoryError.InsufficientInventory(let available, let requested, _, _, _) {
            print("only \(available) of \(requested)")
        }
        let chain = try await session.batch(commands: [
            .assign(from: ellen.id, to: mga.id, product: cl.id, quantity: 3),
            .assign(from: mga.id, to: elerome.id, product: cl.id, quantity: 3),
        ])

        XCTAssertEqual(printed, ["1211 Active", "1212 Active", "1213 Active", "1214 Active", "1215 Active", "only 2 of 5"])
        await assertEqual(try await c.rita().order(id: small.id).order.status, .requested)
        await assertEqual(try await c.dora().order(id: stock.id).order.available, 0)
        guard case let .order(toElerome) = chain[1] else { return XCTFail("\(chain[1])") }
        XCTAssertEqual(toElerome.holder, elerome.id)
        XCTAssertEqual(toElerome.available, 3)
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }
}
