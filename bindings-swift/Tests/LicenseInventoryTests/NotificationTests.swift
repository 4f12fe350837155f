import Foundation
import XCTest
import LicenseInventory

/// The notification outbox (docs/rules.md §10) through the binding: who is notified of what, with the
/// order's digest and the core's subject; reading the pending ones and marking them sent (all
/// or none); tenants see only their own.
class NotificationTests: StoreTestCase {
    /// Every pending notification of the channel's tenant.
    func pending(_ c: Channel) async throws -> [InventoryNotification] {
        try await c.inv.pendingNotifications(tenant: c.t, limit: 1000)
    }

    /// Marks every pending notification sent, so the next change's stand alone.
    func markAll(_ c: Channel) async throws {
        let ids = try await pending(c).map(\.id)
        await assertEqual(try await c.inv.markNotificationsSent(tenant: c.t, ids: ids), UInt64(ids.count))
    }

    /// The sequence number of the tenant's last ledger entry.
    func lastSeq(_ c: Channel) async throws -> UInt64 {
        try await unwrap(try await c.ledger().last?.seq)
    }

    func testRequestNotifiesTheRequesterAndTheApprovers() async throws {
        let c = try await channel()
        await assertEqual(try await pending(c), [])
        c.inv.setTime(at: seedTime("02:24"))
        let order = try await c.rita().request(
            holder: c.mga.id, product: c.cl.id, quantity: 2, purchaseOrder: "20171019", comments: "for the fall")
        XCTAssertEqual(order.number, 1210)
        let seq = try await lastSeq(c)
        let digest = OrderDigest(
            number: 1210, productName: "Center License", requestedQuantity: 2, approvedQuantity: 0,
            purchaseOrder: "20171019", holderName: "MGA Inc", sourceName: "Ellen Emporium",
            requesterComments: "for the fall", approvalComments: nil)

        let n = try await pending(c)
        XCTAssertEqual(n.count, 3)
        // First the requester's confirmation, then one notice to each admin of the source
        // (Ellen Emporium: dora) and each vendor admin (vera).
        let confirmation = n[0]
        XCTAssertEqual(confirmation.kind, .requestConfirmation)
        XCTAssertEqual(confirmation.kind.name(), "request_confirmation")
        XCTAssertEqual(confirmation.recipient, c.ritaUser.id)
        XCTAssertEqual(confirmation.email, "rita@mga.example")
        XCTAssertEqual(confirmation.name, "Rita Reseller")
        XCTAssertEqual(confirmation.subject, "Order 1210: your request for 2 Center License was received")
        let received = Array(n[1...])
        XCTAssertEqual(Set(received.map(\.kind)), [.requestReceived])
        XCTAssertEqual(Set(received.map(\.recipient)), [c.doraUser.id, c.veraUser.id])
        XCTAssertEqual(
            Set(received.map(\.email)), ["dora@ellen.example", "vera@jasperactive.example"])
        XCTAssertEqual(Set(received.map(\.name)), ["Dora Distributor", "Vera Vendor"])
        for r in received {
            XCTAssertEqual(r.subject, "Order 1210: request for 2 Center License from MGA Inc")
        }
        for x in n {
            XCTAssertEqual(x.tenant, c.t)
            XCTAssertEqual(x.seq, seq)
            XCTAssertEqual(x.order, order.id)
            XCTAssertEqual(x.digest, digest)
            XCTAssertEqual(x.permissions, [])
            XCTAssertEqual(x.createdAt, seedTime("02:24"))
            XCTAssertNil(x.sentAt)
            await assertEqual(try await c.inv.notification(tenant: c.t, id: x.id), x)
        }
        XCTAssertEqual(Set(n.map(\.id)).count, 3)
        // Oldest first, a page at a time.
        await assertEqual(try await c.inv.pendingNotifications(tenant: c.t, limit: 1), [confirmation])
        await assertEqual(try await c.inv.pendingNotifications(tenant: c.t), n)
        await assertInventoryError(try await c.inv.pendingNotifications(tenant: c.t, limit: 0)) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "limit")
        }

        // A request to the vendor: its admin is both source admin and vendor admin, and hears
        // of it once.
        try await markAll(c)
        let toVendor = try await c.dora().request(holder: c.ellen.id, product: c.uac.id, quantity: 7)
        let m = try await pending(c)
        XCTAssertEqual(m.map(\.kind), [.requestConfirmation, .requestReceived])
        XCTAssertEqual(m.map(\.recipient), [c.doraUser.id, c.veraUser.id])
        XCTAssertEqual(m.map(\.order), [toVendor.id, toVendor.id])
        XCTAssertEqual(m[1].digest.sourceName, "Jasperactive")
        XCTAssertNil(m[1].digest.purchaseOrder)
        XCTAssertEqual(m[1].subject, "Order 1211: request for 7 User Activation Codes from Ellen Emporium")
    }

    func testRefusedApprovalWritesNone() async throws {
        let c = try await channel()
        let order = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        let before = try await pending(c)
        XCTAssertEqual(before.count, 3)
        let ledger = try await c.ledger()
        // Ellen Emporium holds nothing.
        await assertInventoryError(try await c.dora().approve(order: order.id)) {
            guard case let .InsufficientInventory(available, requested, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(available, 0)
            XCTAssertEqual(requested, 2)
        }
        await assertEqual(try await pending(c), before)
        await assertEqual(try await c.ledger(), ledger)
        // Nor does a refused request, or an assignment (the spec names requests and decisions).
        await assertInventoryError(try await c.oscar().request(holder: c.mga.id, product: c.cl.id, quantity: 1)) {
            XCTAssertEqual($0.code(), "PERMISSION_DENIED")
        }
        try await c.stockEllen(c.cl, 5)
        await assertEqual(try await pending(c), before)
    }

    func testApprovalAndRejectionNotifyTheRequester() async throws {
        let c = try await channel()
        try await c.stockEllen(c.cl, 5)
        await assertEqual(try await pending(c), [], "an assignment notifies nobody")
        let request = try await c.rita().request(
            holder: c.mga.id, product: c.cl.id, quantity: 2, purchaseOrder: "EE2017-1", comments: "for the fall")
        XCTAssertEqual(request.number, 1211)
        try await markAll(c)

        c.inv.setTime(at: seedTime("03:00"))
        _ = try await c.dora().approve(order: request.id, quantity: 1, comments: "one for now")
        let approved = try await pending(c)
        XCTAssertEqual(approved.count, 1)
        let a = approved[0]
        XCTAssertEqual(a.kind, .requestApproved)
        XCTAssertEqual(a.recipient, c.ritaUser.id)
        XCTAssertEqual(a.email, "rita@mga.example")
        XCTAssertEqual(a.order, request.id)
        await assertEqual(a.seq, try await lastSeq(c))
        XCTAssertEqual(a.createdAt, seedTime("03:00"))
        XCTAssertEqual(
            a.digest,
            OrderDigest(
                number: 1211, productName: "Center License", requestedQuantity: 2, approvedQuantity: 1,
                purchaseOrder: "EE2017-1", holderName: "MGA Inc", sourceName: "Ellen Emporium",
                requesterComments: "for the fall", approvalComments: "one for now"))
        XCTAssertEqual(a.subject, "Order 1211: your request was approved (1 of 2 Center License)")
        XCTAssertEqual(a.permissions, [])
        try await markAll(c)

        // Elerome School (cleo) asks MGA Inc; rita (MGA's admin) and vera hear of it.
        let asked = try await c.cleo().request(holder: c.elerome.id, product: c.uac.id, quantity: 1, purchaseOrder: "E-1")
        XCTAssertEqual(asked.number, 1212)
        let received = try await pending(c)
        XCTAssertEqual(received.map(\.kind), [.requestConfirmation, .requestReceived, .requestReceived])
        XCTAssertEqual(received[0].recipient, c.cleoUser.id)
        XCTAssertEqual(Set(received[1...].map(\.recipient)), [c.ritaUser.id, c.veraUser.id])
        XCTAssertEqual(received[1].subject, "Order 1212: request for 1 User Activation Codes from Elerome School")
        try await markAll(c)

        _ = try await c.rita().reject(order: asked.id, comments: "not this term")
        let rejected = try await pending(c)
        XCTAssertEqual(rejected.map(\.kind), [.requestRejected])
        XCTAssertEqual(rejected.map(\.recipient), [c.cleoUser.id])
        XCTAssertEqual(rejected[0].name, "Cleo Center")
        XCTAssertEqual(
            rejected[0].digest,
            OrderDigest(
                number: 1212, productName: "User Activation Codes", requestedQuantity: 1, approvedQuantity: 0,
                purchaseOrder: "E-1", holderName: "Elerome School", sourceName: "MGA Inc",
                requesterComments: nil, approvalComments: "not this term"))
        XCTAssertEqual(rejected[0].subject, "Order 1212: your request for 1 User Activation Codes was rejected")
        try await markAll(c)

        // Editing and cancelling a request notify nobody.
        let third = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 1)
        try await markAll(c)
        _ = try await c.rita().editRequest(order: third.id, quantity: 2)
        _ = try await c.rita().cancel(order: third.id)
        await assertEqual(try await pending(c), [])
    }

    func testANewLicenseManagerIsInvitedOnce() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.cl, 3)
        XCTAssertEqual(order.number, 1211)
        await assertEqual(try await pending(c), [], "assignments notify nobody")
        let lena = try await c.user("Lena Manager")
        let rita = try await c.rita()

        _ = try await rita.addLicenseManager(order: order.id, user: lena.id, permissions: [.resetDevice, .manageLicenseUsers])
        let n = try await pending(c)
        XCTAssertEqual(n.count, 1)
        let invitation = n[0]
        XCTAssertEqual(invitation.kind, .managerInvitation)
        XCTAssertEqual(invitation.kind.name(), "manager_invitation")
        XCTAssertEqual(invitation.recipient, lena.id)
        XCTAssertEqual(invitation.email, lena.email)
        XCTAssertEqual(invitation.name, "Lena Manager")
        XCTAssertEqual(invitation.order, order.id)
        await assertEqual(invitation.seq, try await lastSeq(c))
        // The permissions granted, in the vendor platform's order.
        XCTAssertEqual(invitation.permissions, [.manageLicenseUsers, .resetDevice])
        XCTAssertEqual(
            invitation.digest,
            OrderDigest(
                number: 1211, productName: "Center License", requestedQuantity: 3, approvedQuantity: 3,
                purchaseOrder: nil, holderName: "MGA Inc", sourceName: "Ellen Emporium",
                requesterComments: nil, approvalComments: nil))
        XCTAssertEqual(invitation.subject, "Order 1211: you are invited to manage 3 Center License of MGA Inc")
        try await markAll(c)

        // More permissions later are not a new invitation.
        let manager = try await rita.addLicenseManager(order: order.id, user: lena.id, permissions: [.resetLicense])
        XCTAssertEqual(manager.permissions, [.manageLicenseUsers, .resetDevice, .resetLicense])
        await assertEqual(try await pending(c), [])
    }

    func testMarkingSentIsAllOrNone() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("02:24"))
        _ = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        let before = try await pending(c)
        XCTAssertEqual(before.count, 3)
        let ids = before.map(\.id)

        // An unknown id: NotFound naming it, and nothing is marked.
        let unknown = NotificationId(uuid: UUID())
        await assertInventoryError(try await c.inv.markNotificationsSent(tenant: c.t, ids: ids + [unknown])) {
            guard case let .NotFound(entity, id, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .notification)
            XCTAssertEqual(id, idText(unknown.uuid))
            XCTAssertTrue(message.contains("notification"), message)
            XCTAssertEqual($0.code(), "NOT_FOUND")
        }
        await assertEqual(try await pending(c), before)
        await assertInventoryError(try await c.inv.notification(tenant: c.t, id: unknown)) {
            guard case .NotFound(.notification, idText(unknown.uuid), _, _, _) = $0 else { return XCTFail("\($0)") }
        }

        // Marking returns how many were newly marked; the first time stays.
        c.inv.setTime(at: seedTime("03:00"))
        await assertEqual(try await c.inv.markNotificationsSent(tenant: c.t, ids: [ids[0]]), 1)
        await assertEqual(try await pending(c), Array(before[1...]))
        await assertEqual(try await c.inv.notification(tenant: c.t, id: ids[0]).sentAt, seedTime("03:00"))
        c.inv.setTime(at: seedTime("04:00"))
        await assertEqual(try await c.inv.markNotificationsSent(tenant: c.t, ids: ids), 2)
        await assertEqual(try await c.inv.markNotificationsSent(tenant: c.t, ids: ids), 0)
        await assertEqual(try await c.inv.markNotificationsSent(tenant: c.t, ids: []), 0)
        await assertEqual(try await pending(c), [])
        let sent = try await ids.asyncMap { try await c.inv.notification(tenant: c.t, id: $0) }
        XCTAssertEqual(sent.map(\.sentAt), [seedTime("03:00"), seedTime("04:00"), seedTime("04:00")])
        // Sending changes nothing else about them.
        XCTAssertEqual(sent.map(\.subject), before.map(\.subject))
        XCTAssertEqual(sent.map(\.createdAt), before.map(\.createdAt))
        XCTAssertEqual(sent.map(\.digest), before.map(\.digest))
    }

    func testAnotherTenantSeesNone() async throws {
        let c = try await channel()
        _ = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 2)
        let ours = try await pending(c)
        XCTAssertEqual(ours.count, 3)
        let ids = ours.map(\.id)

        // A second tenant in the same store: the same names and emails, none of our messages.
        let other = try await Channel(inv: c.inv)
        await assertEqual(try await pending(other), [])
        await assertInventoryError(try await other.inv.notification(tenant: other.t, id: ids[0])) {
            guard case .NotFound(.notification, idText(ids[0].uuid), _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await other.inv.markNotificationsSent(tenant: other.t, ids: ids)) {
            guard case .NotFound(.notification, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await pending(c), ours)

        // Its own request notifies its own people only.
        _ = try await other.rita().request(holder: other.mga.id, product: other.cl.id, quantity: 1)
        let theirs = try await pending(other)
        XCTAssertEqual(theirs.count, 3)
        XCTAssertEqual(Set(theirs.map(\.tenant)), [other.t])
        XCTAssertEqual(
            Set(theirs.map(\.recipient)), [other.ritaUser.id, other.doraUser.id, other.veraUser.id])
        await assertEqual(try await pending(c), ours)
        await assertEqual(try await c.inv.markNotificationsSent(tenant: other.t, ids: theirs.map(\.id)), 3)
        await assertEqual(try await pending(c), ours)
    }
}
