import Foundation
import XCTest
import LicenseInventory

/// One operation a permission guards. `prepare` makes the operation's fixtures (a fresh
/// license, license user, …) as the holder's admin and returns the operation itself, to be run
/// as a license manager.
struct Guarded {
    let permission: Permission
    let name: String
    /// The action a refusal names.
    let action: Action
    let prepare: () async throws -> (Session) async throws -> Void
}

/// License managers (docs/rules.md §5): the nine permissions and what each guards, the plan rule and
/// the no-escalation rule; a manager reads its own order and nothing else.
class ManagerTests: StoreTestCase {
    /// For each permission and each operation it guards: a manager holding only that permission
    /// succeeds; a manager holding the eight others is refused with the typed error naming the
    /// action, the actor and the permission, and nothing changes.
    func testPermissionMatrix() async throws {
        let c = try await channel(plan: .enterprise)
        _ = try await c.inv.setProductPolicy(
            tenant: c.t, product: c.cl.id,
            policy: LicensePolicy(
                validity: .perpetual, maxActivations: 100, floating: Floating(maxBorrows: 100, maxBorrowSeconds: 3600)))
        let order = try await c.mgaOrder(c.cl, 200)
        let rita = try await c.rita()
        var pool = try await rita.issue(order: order.id, quantity: 40)
        let bundle = try await c.inv.createBundle(tenant: c.t, name: "Pack", lines: [BundleLine(product: c.cl.id, quantity: 1)])
        let grantee = try await c.user("Grantee")
        var counter = 0
        func freshLicense() -> License { pool.removeFirst() }
        func freshEmail() -> String {
            counter += 1
            return "lu\(counter)@elerome.example"
        }
        func freshUser() async throws -> LicenseUser { try await rita.addLicenseUser(order: order.id, email: freshEmail()) }
        func activated() async throws -> License {
            let l = freshLicense()
            _ = try await c.inv.activate(tenant: c.t, key: l.key, fingerprint: "pc", deviceName: "PC")
            return l
        }

        let ops: [Guarded] = [
            Guarded(permission: .manageLicenseUsers, name: "addLicenseUser", action: .manageLicenseUsers) {
                let email = freshEmail()
                return { _ = try await $0.addLicenseUser(order: order.id, email: email, name: "New") }
            },
            Guarded(permission: .manageLicenseUsers, name: "editLicenseUser", action: .manageLicenseUsers) {
                let u = try await freshUser()
                return { _ = try await $0.editLicenseUser(licenseUser: u.id, name: "Renamed") }
            },
            Guarded(permission: .manageLicenseUsers, name: "deleteLicenseUser", action: .manageLicenseUsers) {
                let u = try await freshUser()
                return { try await $0.deleteLicenseUser(licenseUser: u.id) }
            },
            Guarded(permission: .manageLicenseUsers, name: "assignLicense", action: .manageLicenseUsers) {
                let l = freshLicense()
                let u = try await freshUser()
                return { _ = try await $0.assignLicense(license: l.id, licenseUser: u.id) }
            },
            Guarded(permission: .manageLicenseUserCredentials, name: "setLicenseUserPassword",
                    action: .manageLicenseUserCredentials) {
                let u = try await freshUser()
                return { try await $0.setLicenseUserPassword(licenseUser: u.id, password: "correct horse") }
            },
            Guarded(permission: .manageManagers, name: "addLicenseManager", action: .manageManagers) {
                { _ = try await $0.addLicenseManager(order: order.id, user: grantee.id, permissions: [.manageManagers]) }
            },
            Guarded(permission: .resetDevice, name: "resetDevice", action: .resetDevice) {
                let l = try await activated()
                return { _ = try await $0.resetDevice(license: l.id, fingerprint: "pc") }
            },
            Guarded(permission: .resetLicense, name: "resetLicense", action: .resetLicense) {
                let l = try await activated()
                return { _ = try await $0.resetLicense(license: l.id) }
            },
            Guarded(permission: .borrowLicense, name: "borrow", action: .borrow) {
                let l = freshLicense()
                return { _ = try await $0.borrow(license: l.id, borrower: "desk", seconds: 60) }
            },
            Guarded(permission: .borrowLicense, name: "returnBorrow", action: .borrow) {
                let l = freshLicense()
                _ = try await rita.borrow(license: l.id, borrower: "desk", seconds: 60)
                return { _ = try await $0.returnBorrow(license: l.id, borrower: "desk") }
            },
            Guarded(permission: .createBundleOrder, name: "requestBundle", action: .requestBundle) {
                { _ = try await $0.requestBundle(holder: c.mga.id, bundle: bundle.id) }
            },
            Guarded(permission: .createOrder, name: "request", action: .request) {
                { _ = try await $0.request(holder: c.mga.id, product: c.cl.id, quantity: 1) }
            },
            Guarded(permission: .issueLicense, name: "issue", action: .issueLicense) {
                { _ = try await $0.issue(order: order.id, quantity: 1) }
            },
        ]
        XCTAssertEqual(Set(ops.map(\.permission)), Set(allPermissions()), "every permission guards a tested operation")

        for op in ops {
            let label = "\(op.name) (\(op.permission.name()))"
            let withUser = try await c.user("With \(label)")
            let withoutUser = try await c.user("Without \(label)")
            let others = allPermissions().filter { $0 != op.permission }
            await assertEqual(
                try await rita.addLicenseManager(order: order.id, user: withUser.id, permissions: [op.permission]).permissions,
                [op.permission])
            await assertEqual(
                try await rita.addLicenseManager(order: order.id, user: withoutUser.id, permissions: others).permissions,
                others)

            // Without the permission: refused, typed, nothing changed.
            let refused = try await op.prepare()
            let ledger = try await c.ledger()
            let before = try await rita.order(id: order.id)
            let users = try await rita.licenseUsers(order: order.id)
            let managers = try await rita.licenseManagers(order: order.id)
            await assertInventoryError(try await refused(try await c.session(withoutUser))) {
                guard case let .PermissionDenied(action, actor, reason, message) = $0 else {
                    return XCTFail("\(label): expected PermissionDenied, got \($0)")
                }
                XCTAssertEqual(action, op.action, label)
                XCTAssertEqual(actor, withoutUser.id, label)
                XCTAssertTrue(reason.contains("with the \(op.permission.name()) permission"), "\(label): \(reason)")
                XCTAssertTrue(message.contains(idText(withoutUser.id.uuid)), message)
                XCTAssertEqual($0.code(), "PERMISSION_DENIED")
            }
            await assertEqual(try await c.ledger(), ledger, "\(label) refused, yet the ledger changed")
            await assertEqual(try await rita.order(id: order.id), before, label)
            await assertEqual(try await rita.licenseUsers(order: order.id), users, label)
            await assertEqual(try await rita.licenseManagers(order: order.id), managers, label)

            // With it (and nothing else): done, and recorded.
            let allowed = try await op.prepare()
            let entries = try await c.ledger().count
            await assertNoThrow(try await allowed(try await c.session(withUser)), label)
            await assertEqual(try await c.ledger().count, entries + 1, label)
            await assertEqual(try await c.ledger().last?.actor, withUser.id, label)
        }
        await assertEqual(try await c.inv.audit(tenant: c.t).problems, [])
    }

    func testAnInitialPasswordNeedsTheCredentialsPermission() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.cl, 1)
        let lenaUser = try await c.user("Lena Manager")
        _ = try await c.rita().addLicenseManager(order: order.id, user: lenaUser.id, permissions: [.manageLicenseUsers])
        let lena = try await c.session(lenaUser)
        await assertInventoryError(try await lena.addLicenseUser(order: order.id, email: "a@elerome.example", password: "correct horse")) {
            guard case let .PermissionDenied(action, actor, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .manageLicenseUserCredentials)
            XCTAssertEqual(actor, lenaUser.id)
        }
        await assertEqual(try await lena.licenseUsers(order: order.id), [])
        await assertFalse(try await lena.addLicenseUser(order: order.id, email: "a@elerome.example").hasPassword)
    }

    func testPlanRequiredOnTheStandardPlan() async throws {
        let c = try await channel()
        XCTAssertEqual(c.tenant.plan, .standard)
        let rita = try await c.rita()
        let order = try await c.mgaOrder(c.cl, 5)
        let lena = try await c.user("Lena Manager")
        let ledger = try await c.ledger()
        for p in [Permission.createOrder, .issueLicense] {
            for granter in [rita, try await c.vera()] {
                await assertInventoryError(try await granter.addLicenseManager(order: order.id, user: lena.id, permissions: [.resetDevice, p])) {
                    guard case let .PlanRequired(permission, _, _, message) = $0 else { return XCTFail("\($0)") }
                    XCTAssertEqual(permission, p)
                    XCTAssertEqual(
                        message,
                        "the \(p.name()) permission needs the enterprise plan (refused: manage_managers by user \(idText(granter.user().uuid)))")
                    XCTAssertEqual($0.code(), "PLAN_REQUIRED")
                }
            }
        }
        await assertEqual(try await rita.licenseManagers(order: order.id), [])
        await assertEqual(try await c.ledger(), ledger)
        // The seven others are granted on any plan.
        let others = allPermissions().filter { !$0.enterpriseOnly() }
        XCTAssertEqual(others.count, 7)
        let manager = try await rita.addLicenseManager(order: order.id, user: lena.id, permissions: others)
        XCTAssertEqual(manager, LicenseManager(tenant: c.t, order: order.id, user: lena.id, permissions: others))
        await assertEqual(try await rita.licenseManagers(order: order.id), [manager])
    }

    func testPlanAllowsEnterprisePermissions() async throws {
        let c = try await channel(plan: .enterprise)
        let order = try await c.mgaOrder(c.cl, 5)
        let lenaUser = try await c.user("Lena Manager")
        let manager = try await c.rita().addLicenseManager(order: order.id, user: lenaUser.id, permissions: [.issueLicense, .createOrder])
        XCTAssertEqual(manager.permissions, [.createOrder, .issueLicense])
        let lena = try await c.session(lenaUser)
        await assertEqual(try await lena.issue(order: order.id, quantity: 2).count, 2)
        let request = try await lena.request(holder: c.mga.id, product: c.cl.id, quantity: 1)
        XCTAssertEqual(request.requestedBy, lenaUser.id)
        XCTAssertEqual(request.status, .requested)
    }

    func testNoEscalation() async throws {
        let c = try await channel(plan: .enterprise)
        let order = try await c.mgaOrder(c.cl, 5)
        let rita = try await c.rita()
        let lenaUser = try await c.user("Lena Manager")
        let maxUser = try await c.user("Max Helper")
        _ = try await rita.addLicenseManager(order: order.id, user: lenaUser.id, permissions: [.resetDevice, .manageManagers])
        let lena = try await c.session(lenaUser)
        let granted = try await lena.addLicenseManager(order: order.id, user: maxUser.id, permissions: [.resetDevice])
        XCTAssertEqual(granted, LicenseManager(tenant: c.t, order: order.id, user: maxUser.id, permissions: [.resetDevice]))
        let ledger = try await c.ledger()
        for p in [Permission.resetLicense, .issueLicense, .manageLicenseUserCredentials] {
            await assertInventoryError(try await lena.addLicenseManager(order: order.id, user: maxUser.id, permissions: [.resetDevice, p])) {
                guard case let .PermissionDenied(action, actor, reason, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(action, .manageManagers)
                XCTAssertEqual(actor, lenaUser.id)
                XCTAssertEqual(reason, "cannot grant the \(p.name()) permission, which the manager does not hold")
            }
        }
        // Nor to itself.
        await assertInventoryError(try await lena.addLicenseManager(order: order.id, user: lenaUser.id, permissions: [.resetLicense])) {
            guard case .PermissionDenied(.manageManagers, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await c.ledger(), ledger)
        await assertEqual(try await rita.licenseManagers(order: order.id).first { $0.user == maxUser.id }?.permissions, [.resetDevice])
        // What it holds, it may pass on (manage_managers too); grants add up.
        let more = try await lena.addLicenseManager(order: order.id, user: maxUser.id, permissions: [.manageManagers])
        XCTAssertEqual(more.permissions, [.manageManagers, .resetDevice])
        // A manager without manage_managers adds nobody; no permission at all is bad input.
        let others = try await c.user("Other Helper")
        _ = try await rita.addLicenseManager(order: order.id, user: others.id, permissions: [.resetLicense])
        await assertInventoryError(try await c.session(others).addLicenseManager(order: order.id, user: maxUser.id, permissions: [.resetLicense])) {
            guard case let .PermissionDenied(action, _, reason, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .manageManagers)
            XCTAssertTrue(reason.contains("with the manage_managers permission"), reason)
        }
        await assertInventoryError(try await rita.addLicenseManager(order: order.id, user: maxUser.id, permissions: [])) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "permissions")
        }
    }

    func testManagersReadOnlyTheirOrder() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        let order = try await c.mgaOrder(c.cl, 3)
        let other = try await c.mgaOrder(c.cl, 1)
        let licenses = try await rita.issue(order: order.id, quantity: 2)
        let lenaUser = try await c.user("Lena Manager")
        let manager = try await rita.addLicenseManager(order: order.id, user: lenaUser.id, permissions: [.resetDevice])
        let lena = try await c.session(lenaUser)
        await assertEqual(try await lena.order(id: order.id).order, try await rita.order(id: order.id).order)
        await assertEqual(try await lena.licenses(order: order.id), try await rita.licenses(order: order.id))
        await assertEqual(try await lena.license(key: licenses[0].key), licenses[0])
        await assertEqual(try await lena.licenseManagers(order: order.id), [manager])
        await assertEqual(try await lena.licenseUsers(order: order.id), [])
        let path = temporaryPath(".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        await assertEqual(try await lena.exportOrderCsv(order: order.id, path: path), 2)
        // Nothing else: not the holder's other orders, its list, nor the admins' actions.
        await assertInventoryError(try await lena.order(id: other.id)) {
            guard case let .PermissionDenied(action, actor, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .view)
            XCTAssertEqual(actor, lenaUser.id)
        }
        await assertInventoryError(try await lena.list(org: c.mga.id)) {
            guard case .PermissionDenied(.view, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await lena.disable(license: licenses[0].id)) {
            guard case .PermissionDenied(.disable, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await lena.setCustomer(order: order.id, customer: Customer(name: "X"))) {
            guard case .PermissionDenied(.editCustomer, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await lena.deleteOrder(order: order.id)) {
            guard case .PermissionDenied(.deleteOrder, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }
}

/// The permissions as values: names, order, and which need the enterprise plan.
final class PermissionValueTests: XCTestCase {
    func testNamesOrderAndPlan() {
        XCTAssertEqual(
            allPermissions().map { $0.name() },
            ["manage_license_users", "manage_license_user_credentials", "manage_managers", "reset_device",
             "reset_license", "borrow_license", "create_bundle_order", "create_order", "issue_license"])
        XCTAssertEqual(allPermissions().filter { $0.enterpriseOnly() }, [.createOrder, .issueLicense])
    }
}
