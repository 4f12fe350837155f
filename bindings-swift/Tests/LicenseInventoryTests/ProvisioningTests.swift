import Foundation
import XCTest
import LicenseInventory

/// Tenants, organizations, users, products, admin roles: `Inventory`'s provisioning calls.
final class ProvisioningTests: XCTestCase {
    func testBindingVersion() {
        XCTAssertFalse(bindingVersion().isEmpty)
    }

    func testCreateTenantMakesItsVendor() async throws {
        let inv = Inventory.inMemory()
        let tenant = try await inv.createTenant(
            name: "Jasperactive", plan: .enterprise, vendorName: "Jasperactive Vendor", firstOrderNumber: 1210)
        XCTAssertEqual(tenant.name, "Jasperactive")
        XCTAssertEqual(tenant.plan, .enterprise)
        XCTAssertEqual(tenant.minted, 0)
        XCTAssertEqual(tenant.nextOrderNumber, 1210)
        await assertEqual(try await inv.tenant(id: tenant.id), tenant)

        let vendor = try await inv.org(tenant: tenant.id, id: tenant.vendor)
        XCTAssertEqual(vendor.name, "Jasperactive Vendor")
        XCTAssertEqual(vendor.tier, .vendor)
        XCTAssertNil(vendor.parent)
        XCTAssertTrue(vendor.active)
        XCTAssertEqual(vendor.tenant, tenant.id)
    }

    func testFirstOrderNumberDefaultsToOne() async throws {
        let inv = Inventory.inMemory()
        let tenant = try await inv.createTenant(name: "T", plan: .standard, vendorName: "V")
        XCTAssertEqual(tenant.nextOrderNumber, 1)
    }

    func testTenantsListsEveryTenantOldestFirst() async throws {
        let inv = Inventory.inMemory()
        await assertEqual(try await inv.tenants(), [])
        let first = try await inv.createTenant(name: "First", plan: .standard, vendorName: "V1")
        let second = try await inv.createTenant(name: "Second", plan: .enterprise, vendorName: "V2")
        await assertEqual(try await inv.tenants(), [first, second])
    }

    func testOrgsUsersProductsReadBack() async throws {
        let c = try await Channel()
        XCTAssertEqual(c.mga.tier, .reseller)
        XCTAssertEqual(c.mga.parent, c.ellen.id)
        await assertEqual(try await c.inv.org(tenant: c.t, id: c.mga.id), c.mga)

        await assertEqual(try await c.inv.user(tenant: c.t, id: c.ritaUser.id), c.ritaUser)
        XCTAssertEqual(c.ritaUser.name, "Rita Reseller")

        await assertEqual(try await c.inv.product(tenant: c.t, id: c.cl.id), c.cl)
        await assertEqual(try await c.inv.productByCode(tenant: c.t, code: "UAC"), c.uac)
        XCTAssertEqual(c.uac.kind, .activationCode)
        XCTAssertEqual(c.cl.kind, .license)
        XCTAssertEqual(c.cl.code, "CL")
    }

    func testEmailIsStoredLowerCaseAndUniqueIgnoringCase() async throws {
        let c = try await Channel()
        let u = try await c.inv.createUser(tenant: c.t, name: "Mixed Case", email: "Mixed.Case@Example.COM")
        XCTAssertEqual(u.email, "mixed.case@example.com")
        await assertInventoryError(try await c.inv.createUser(tenant: c.t, name: "Again", email: "MIXED.case@example.com")) {
            guard case let .Conflict(what, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(what.contains("mixed.case@example.com"), what)
            XCTAssertTrue(message.hasPrefix("conflict:"), message)
        }
    }

    func testDuplicateProductCodeIsAConflict() async throws {
        let c = try await Channel()
        await assertInventoryError(try await c.inv.createProduct(tenant: c.t, code: "CL", name: "Again", kind: .license)) {
            guard case let .Conflict(what, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(what.contains("CL"), what)
            XCTAssertEqual($0.code(), "CONFLICT")
        }
    }

    func testGrantAdminIsIdempotent() async throws {
        let c = try await Channel()
        let before = try await c.inv.ledger(tenant: c.t, limit: 1000).count
        try await c.inv.grantAdmin(tenant: c.t, user: c.ritaUser.id, org: c.mga.id)
        await assertEqual(try await c.inv.ledger(tenant: c.t, limit: 1000).count, before)
        try await c.inv.grantAdmin(tenant: c.t, user: c.ritaUser.id, org: c.other.id)
        let last = try await c.inv.ledger(tenant: c.t, limit: 1000).last
        XCTAssertEqual(last?.kind, .adminGranted)
        XCTAssertEqual(last?.org, c.other.id)
        // Rita now administers Other Resale too.
        await assertNoThrow(try await c.rita().list(org: c.other.id))
    }

    func testTierMustBeStrictlyLowerThanParent() async throws {
        let c = try await Channel()
        await assertInventoryError(try await c.inv.createOrg(tenant: c.t, name: "Upside Down", tier: .reseller, parent: c.elerome.id)) {
            guard case let .Hierarchy(reason, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("strictly higher"), reason)
            XCTAssertTrue(message.hasPrefix("hierarchy rule broken"), message)
            XCTAssertEqual($0.code(), "HIERARCHY_VIOLATION")
        }
        await assertInventoryError(try await c.inv.createOrg(tenant: c.t, name: "Second Vendor", tier: .vendor, parent: c.vendor)) {
            guard case .Hierarchy = $0 else { return XCTFail("\($0)") }
        }
        // Skipping tiers is fine: a center right under a distributor.
        let center = try await c.inv.createOrg(tenant: c.t, name: "Direct Center", tier: .center, parent: c.ellen.id)
        XCTAssertEqual(center.parent, c.ellen.id)
    }

    func testDeactivateOrg() async throws {
        let c = try await Channel()
        try await c.stockEllen(c.cl)
        let deactivated = try await c.inv.deactivateOrg(tenant: c.t, id: c.mga.id)
        XCTAssertFalse(deactivated.active)
        await assertFalse(try await c.inv.org(tenant: c.t, id: c.mga.id).active)
        // A deactivated organization can neither request nor receive inventory.
        await assertInventoryError(try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 1)) {
            guard case .Hierarchy = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await c.dora().assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 1)) {
            guard case .Hierarchy = $0 else { return XCTFail("\($0)") }
        }
        // Nor can organizations be created under it.
        await assertInventoryError(try await c.inv.createOrg(tenant: c.t, name: "Late Center", tier: .center, parent: c.mga.id)) {
            guard case .Hierarchy = $0 else { return XCTFail("\($0)") }
        }
        // The vendor cannot be deactivated.
        await assertInventoryError(try await c.inv.deactivateOrg(tenant: c.t, id: c.vendor)) {
            guard case .Hierarchy = $0 else { return XCTFail("\($0)") }
        }
    }

    func testInvalidInputNamesTheField() async throws {
        let inv = Inventory.inMemory()
        await assertInventoryError(try await inv.createTenant(name: "  ", plan: .standard, vendorName: "V")) {
            guard case let .InvalidInput(field, reason, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "tenant name")
            XCTAssertEqual(reason, "must not be empty")
            XCTAssertEqual(message, "invalid tenant name: must not be empty (refused: create_tenant by the host application)")
            XCTAssertEqual($0.code(), "INVALID_INPUT")
        }
        await assertInventoryError(try await inv.createTenant(name: "T", plan: .standard, vendorName: "V", firstOrderNumber: 0)) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "first order number")
        }
        let c = try await Channel(inv: inv)
        await assertInventoryError(try await inv.createUser(tenant: c.t, name: "No Mail", email: "not-an-email")) {
            guard case let .InvalidInput(field, _, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "email")
        }
        let long = String(repeating: "x", count: 201)
        await assertInventoryError(try await inv.createOrg(tenant: c.t, name: long, tier: .hub, parent: c.mga.id)) {
            guard case let .InvalidInput(field, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "organization name")
            XCTAssertTrue(reason.contains("200"), reason)
        }
    }

    func testUnknownIdsAreNotFound() async throws {
        let c = try await Channel()
        let stranger = UUID()
        await assertInventoryError(try await c.inv.tenant(id: TenantId(uuid: stranger))) {
            guard case let .NotFound(entity, id, _, _, message) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .tenant)
            XCTAssertEqual(id, idText(stranger))
            XCTAssertTrue(message.contains("not found"), message)
            XCTAssertEqual($0.code(), "NOT_FOUND")
        }
        await assertInventoryError(try await c.inv.org(tenant: c.t, id: OrgId(uuid: stranger))) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .organization)
            XCTAssertEqual(id, idText(stranger))
        }
        await assertInventoryError(try await c.inv.user(tenant: c.t, id: UserId(uuid: stranger))) {
            guard case .NotFound(.user, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await c.inv.session(tenant: c.t, user: UserId(uuid: stranger))) {
            guard case .NotFound(.user, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await c.inv.product(tenant: c.t, id: ProductId(uuid: stranger))) {
            guard case .NotFound(.product, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await c.inv.productByCode(tenant: c.t, code: "NOPE")) {
            guard case let .NotFound(.product, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(id, "NOPE")
        }
        await assertInventoryError(try await c.rita().orderByNumber(number: 9999)) {
            guard case let .NotFound(.order, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(id, "9999")
        }
        await assertInventoryError(try await c.rita().order(id: OrderId(uuid: stranger))) {
            guard case .NotFound(.order, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testNothingCrossesTenants() async throws {
        let c = try await Channel()
        let otherTenant = try await c.inv.createTenant(name: "Elsewhere", plan: .standard, vendorName: "Elsewhere")
        await assertInventoryError(try await c.inv.org(tenant: otherTenant.id, id: c.mga.id)) {
            guard case .NotFound(.organization, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertInventoryError(try await c.inv.session(tenant: otherTenant.id, user: c.ritaUser.id)) {
            guard case .NotFound(.user, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testErrorsDescribeThemselves() async throws {
        let inv = Inventory.inMemory()
        do {
            _ = try await inv.tenant(id: TenantId(uuid: UUID()))
            XCTFail("expected an error")
        } catch {
            // The core's message, through Swift's usual error descriptions.
            XCTAssertTrue("\(error)".contains("not found in this tenant"), "\(error)")
            XCTAssertTrue(error.localizedDescription.contains("not found in this tenant"), error.localizedDescription)
        }
    }
}
