import Foundation
import XCTest
import LicenseInventory

/// A small channel used by most tests, on an in-memory store:
///
///     Jasperactive (vendor; admin vera)
///     └─ Ellen Emporium (distributor; admin dora)
///        ├─ MGA Inc (reseller; admin rita)
///        │  └─ Elerome School (center; admin cleo)
///        └─ Other Resale (reseller; admin oscar)
///
/// Products: CL (Center License, license), UAC (User Activation Codes, activation code).
/// Order numbers start at 1210.
struct Channel {
    let inv: Inventory
    let tenant: Tenant
    let ellen: Organization
    let mga: Organization
    let elerome: Organization
    let other: Organization
    let cl: Product
    let uac: Product
    let veraUser: User
    let doraUser: User
    let ritaUser: User
    let cleoUser: User
    let oscarUser: User

    var t: TenantId { tenant.id }
    var vendor: OrgId { tenant.vendor }

    init(inv: Inventory = Inventory.inMemory(), firstOrderNumber: UInt64 = 1210) throws {
        self.inv = inv
        tenant = try inv.createTenant(
            name: "Jasperactive", plan: .standard, vendorName: "Jasperactive",
            firstOrderNumber: firstOrderNumber)
        let t = tenant.id
        ellen = try inv.createOrg(tenant: t, name: "Ellen Emporium", tier: .distributor, parent: tenant.vendor)
        mga = try inv.createOrg(tenant: t, name: "MGA Inc", tier: .reseller, parent: ellen.id)
        elerome = try inv.createOrg(tenant: t, name: "Elerome School", tier: .center, parent: mga.id)
        other = try inv.createOrg(tenant: t, name: "Other Resale", tier: .reseller, parent: ellen.id)
        veraUser = try inv.createUser(tenant: t, name: "Vera Vendor", email: "vera@jasperactive.example")
        doraUser = try inv.createUser(tenant: t, name: "Dora Distributor", email: "dora@ellen.example")
        ritaUser = try inv.createUser(tenant: t, name: "Rita Reseller", email: "rita@mga.example")
        cleoUser = try inv.createUser(tenant: t, name: "Cleo Center", email: "cleo@elerome.example")
        oscarUser = try inv.createUser(tenant: t, name: "Oscar Other", email: "oscar@other.example")
        try inv.grantAdmin(tenant: t, user: veraUser.id, org: tenant.vendor)
        try inv.grantAdmin(tenant: t, user: doraUser.id, org: ellen.id)
        try inv.grantAdmin(tenant: t, user: ritaUser.id, org: mga.id)
        try inv.grantAdmin(tenant: t, user: cleoUser.id, org: elerome.id)
        try inv.grantAdmin(tenant: t, user: oscarUser.id, org: other.id)
        cl = try inv.createProduct(tenant: t, code: "CL", name: "Center License", kind: .license)
        uac = try inv.createProduct(tenant: t, code: "UAC", name: "User Activation Codes", kind: .activationCode)
    }

    func vera() throws -> Session { try inv.session(tenant: t, user: veraUser.id) }
    func dora() throws -> Session { try inv.session(tenant: t, user: doraUser.id) }
    func rita() throws -> Session { try inv.session(tenant: t, user: ritaUser.id) }
    func cleo() throws -> Session { try inv.session(tenant: t, user: cleoUser.id) }
    func oscar() throws -> Session { try inv.session(tenant: t, user: oscarUser.id) }

    /// Gives Ellen Emporium `quantity` units of `product` from the vendor (an assignment).
    @discardableResult
    func stockEllen(_ product: Product, _ quantity: UInt64 = 10) throws -> Order {
        try vera().assign(from: vendor, to: ellen.id, product: product.id, quantity: quantity)
    }
}

/// 2017-10-20 at `hhmm` UTC.
func seedTime(_ hhmm: String) -> Date {
    ISO8601DateFormatter().date(from: "2017-10-20T\(hhmm):00Z")!
}

/// The text form of an id in the core's messages and `notFound` payloads.
func idText(_ uuid: UUID) -> String { uuid.uuidString.lowercased() }

/// Asserts that `body` throws an `InventoryError` and hands it to `check`.
func assertInventoryError<T>(
    _ body: @autoclosure () throws -> T,
    file: StaticString = #filePath, line: UInt = #line,
    _ check: (InventoryError) -> Void
) {
    do {
        let value = try body()
        XCTFail("expected an InventoryError, got \(value)", file: file, line: line)
    } catch let error as InventoryError {
        check(error)
    } catch {
        XCTFail("expected an InventoryError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}
