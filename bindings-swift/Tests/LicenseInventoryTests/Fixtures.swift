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
/// Order numbers start at 1210. The plan is standard unless asked otherwise.
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

    init(inv: Inventory = Inventory.inMemory(), firstOrderNumber: UInt64 = 1210, plan: Plan = .standard) async throws {
        self.inv = inv
        tenant = try await inv.createTenant(
            name: "Jasperactive", plan: plan, vendorName: "Jasperactive",
            firstOrderNumber: firstOrderNumber)
        let t = tenant.id
        ellen = try await inv.createOrg(tenant: t, name: "Ellen Emporium", tier: .distributor, parent: tenant.vendor)
        mga = try await inv.createOrg(tenant: t, name: "MGA Inc", tier: .reseller, parent: ellen.id)
        elerome = try await inv.createOrg(tenant: t, name: "Elerome School", tier: .center, parent: mga.id)
        other = try await inv.createOrg(tenant: t, name: "Other Resale", tier: .reseller, parent: ellen.id)
        veraUser = try await inv.createUser(tenant: t, name: "Vera Vendor", email: "vera@jasperactive.example")
        doraUser = try await inv.createUser(tenant: t, name: "Dora Distributor", email: "dora@ellen.example")
        ritaUser = try await inv.createUser(tenant: t, name: "Rita Reseller", email: "rita@mga.example")
        cleoUser = try await inv.createUser(tenant: t, name: "Cleo Center", email: "cleo@elerome.example")
        oscarUser = try await inv.createUser(tenant: t, name: "Oscar Other", email: "oscar@other.example")
        try await inv.grantAdmin(tenant: t, user: veraUser.id, org: tenant.vendor)
        try await inv.grantAdmin(tenant: t, user: doraUser.id, org: ellen.id)
        try await inv.grantAdmin(tenant: t, user: ritaUser.id, org: mga.id)
        try await inv.grantAdmin(tenant: t, user: cleoUser.id, org: elerome.id)
        try await inv.grantAdmin(tenant: t, user: oscarUser.id, org: other.id)
        cl = try await inv.createProduct(tenant: t, code: "CL", name: "Center License", kind: .license)
        uac = try await inv.createProduct(tenant: t, code: "UAC", name: "User Activation Codes", kind: .activationCode)
    }

    func vera() async throws -> Session { try await inv.session(tenant: t, user: veraUser.id) }
    func dora() async throws -> Session { try await inv.session(tenant: t, user: doraUser.id) }
    func rita() async throws -> Session { try await inv.session(tenant: t, user: ritaUser.id) }
    func cleo() async throws -> Session { try await inv.session(tenant: t, user: cleoUser.id) }
    func oscar() async throws -> Session { try await inv.session(tenant: t, user: oscarUser.id) }

    /// Gives Ellen Emporium `quantity` units of `product` from the vendor (an assignment).
    @discardableResult
    func stockEllen(_ product: Product, _ quantity: UInt64 = 10) async throws -> Order {
        try await vera().assign(from: vendor, to: ellen.id, product: product.id, quantity: quantity)
    }
}

extension Channel {
    /// A new user of the tenant (a unique email), e.g. a license manager to be.
    func user(_ name: String) async throws -> User {
        try await inv.createUser(tenant: t, name: name, email: "\(UUID().uuidString.lowercased())@users.example")
    }

    func session(_ user: User) async throws -> Session { try await inv.session(tenant: t, user: user.id) }

    /// An active order of MGA Inc (rita) holding `quantity` units of `product`, assigned from
    /// Ellen Emporium's stock (stocked from the vendor first).
    func mgaOrder(_ product: Product, _ quantity: UInt64) async throws -> Order {
        try await stockEllen(product, quantity)
        return try await dora().assign(from: ellen.id, to: mga.id, product: product.id, quantity: quantity)
    }

    /// Every ledger entry of the tenant (to show that a refusal wrote nothing).
    func ledger() async throws -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        while true {
            let page = try await inv.ledger(tenant: t, after: entries.last?.seq ?? 0, limit: 1000)
            if page.isEmpty { return entries }
            entries += page
        }
    }
}

/// A fresh path in the temporary folder for a file a test writes (and removes).
func temporaryPath(_ suffix: String) -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("license-inventory-test-\(UUID().uuidString)\(suffix)").path
}

/// 2017-10-20 at `hhmm` UTC.
func seedTime(_ hhmm: String) -> Date {
    ISO8601DateFormatter().date(from: "2017-10-20T\(hhmm):00Z")!
}

/// The text form of an id in the core's messages and `notFound` payloads.
func idText(_ uuid: UUID) -> String { uuid.uuidString.lowercased() }

/// Asserts that `body` throws an `InventoryError` and hands it to `check`.
func assertInventoryError<T>(
    _ body: @autoclosure () async throws -> T,
    file: StaticString = #filePath, line: UInt = #line,
    _ check: (InventoryError) -> Void
) async {
    do {
        let value = try await body()
        XCTFail("expected an InventoryError, got \(value)", file: file, line: line)
    } catch let error as InventoryError {
        check(error)
    } catch {
        XCTFail("expected an InventoryError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}

/// The PostgreSQL database of the tests, named by `LICENSE_INVENTORY_PG_URL` (a libpq URL or
/// key/value string; `scripts/test` starts a throwaway cluster and sets it). The database is
/// shared and never emptied: every test works in fresh tenants of its own.
enum TestDatabase {
    static let variable = "LICENSE_INVENTORY_PG_URL"

    /// Why a PostgreSQL test cannot run under `CI=true`: a failure, not a skip.
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "\(TestDatabase.variable) is not set, and CI=true requires the PostgreSQL tests to run "
                + "(start a database with scripts/pg-cluster.sh start and export its URL)"
        }
    }

    /// The database's URL. Without one, throws `XCTSkip` (so the test is skipped, saying why),
    /// or `Missing` when `CI=true` (so it fails).
    static func url() async throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let url = env[variable], !url.isEmpty { return url }
        if env["CI"] == "true" { throw Missing() }
        throw XCTSkip("PostgreSQL tests skipped: \(variable) is not set (e.g. "
            + "`export \(variable)=$(scripts/pg-cluster.sh start | tail -n1)`)")
    }

    /// A new handle on the database (its own connection pool).
    static func open(maxConnections: UInt32? = nil) async throws -> Inventory {
        try await Inventory.openPostgres(url: try await url(), maxConnections: maxConnections)
    }
}

/// The store a parametrised test case runs on.
enum TestStore {
    case memory
    case postgres
}

/// A test case whose tests build their channel on `store`: in memory here; a subclass that
/// overrides `store` runs the same tests on PostgreSQL. Without a database, `makeInventory`
/// throws there (in the test's body, not in `setUp`, which XCTest on Linux would also count
/// as a skip), so the test is skipped, or fails under `CI=true`.
class StoreTestCase: XCTestCase {
    class var store: TestStore { .memory }

    /// What a command can change in the channel's tenant: its ledger, the tenant (order
    /// numbers, totals) and the notification outbox.
    struct Snapshot: Equatable {
        let ledger: [LedgerEntry]
        let tenant: Tenant
        let pending: [InventoryNotification]
    }

    func snapshot(_ c: Channel) async throws -> Snapshot {
        Snapshot(
            ledger: try await c.ledger(), tenant: try await c.inv.tenant(id: c.t),
            pending: try await c.inv.pendingNotifications(tenant: c.t, limit: 1000))
    }

    /// A new handle on this class's store.
    func makeInventory() async throws -> Inventory {
        switch Self.store {
        case .memory: return Inventory.inMemory()
        case .postgres: return try await TestDatabase.open()
        }
    }

    /// The fixture channel in a fresh tenant of this class's store.
    func channel(firstOrderNumber: UInt64 = 1210, plan: Plan = .standard) async throws -> Channel {
        try await Channel(inv: try await makeInventory(), firstOrderNumber: firstOrderNumber, plan: plan)
    }
}
