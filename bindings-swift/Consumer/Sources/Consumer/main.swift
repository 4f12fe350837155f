// A short async walkthrough through the LicenseInventory package, as an application would use it:
// every store call is awaited; eight issues run at once in a task group.
import Foundation
import LicenseInventory

func walkthrough() async throws -> Bool {
    print("Consumer of LicenseInventory \(bindingVersion())")
    let inv = Inventory.inMemory()
    let tenant = try await inv.createTenant(name: "Jasperactive", plan: .standard, vendorName: "Jasperactive",
                                            firstOrderNumber: 1208)
    let t = tenant.id
    let ellen = try await inv.createOrg(tenant: t, name: "Ellen Emporium", tier: .distributor, parent: tenant.vendor)
    let mga = try await inv.createOrg(tenant: t, name: "MGA Inc", tier: .reseller, parent: ellen.id)
    let dora = try await inv.createUser(tenant: t, name: "Dora", email: "dora@ellen.example")
    let irina = try await inv.createUser(tenant: t, name: "Irina Heer", email: "irina@mga.example")
    try await inv.grantAdmin(tenant: t, user: dora.id, org: ellen.id)
    try await inv.grantAdmin(tenant: t, user: irina.id, org: mga.id)
    let vera = try await inv.createUser(tenant: t, name: "Vera", email: "vera@jasperactive.example")
    try await inv.grantAdmin(tenant: t, user: vera.id, org: tenant.vendor)
    let cl = try await inv.createProduct(tenant: t, code: "CL", name: "Center License", kind: .license,
                                         policy: LicensePolicy(validity: .perpetual, maxActivations: 2))

    let vendor = try await inv.session(tenant: t, user: vera.id)
    let supplier = try await inv.session(tenant: t, user: dora.id)
    let reseller = try await inv.session(tenant: t, user: irina.id)
    _ = try await vendor.mint(product: cl.id, quantity: 20)                                  // 1208
    _ = try await vendor.assign(from: tenant.vendor, to: ellen.id, product: cl.id, quantity: 11)   // 1209
    let request = try await reseller.request(holder: mga.id, product: cl.id, quantity: 3)    // 1210
    print("Requested \(request.number): \(request.requestedQuantity) \(cl.name) for \(mga.name)")
    do {
        _ = try await reseller.approve(order: request.id)
    } catch let error as InventoryError {
        let actor = error.actor().map { "user \($0.uuid.uuidString.lowercased())" } ?? "the host application"
        print("Refused: \(error.code()) \(error.action().map { "\($0)" } ?? "?") by \(actor)")
    }
    let approved = try await supplier.approve(order: request.id)
    print("Approved \(approved.number) (\(approved.status.label())): \(approved.available) available")

    let stock = try await supplier.assign(from: ellen.id, to: mga.id, product: cl.id, quantity: 8)  // 1211
    let keys = try await withThrowingTaskGroup(of: [License].self) { group in
        for _ in 0..<8 { group.addTask { try await reseller.issue(order: stock.id, quantity: 1) } }
        var all: [License] = []
        for try await licenses in group { all += licenses }
        return all.map(\.key)
    }
    print("Issued \(keys.count) licenses from \(stock.number) in 8 concurrent calls: \(Set(keys).count) distinct keys")
    let device = try await inv.activate(tenant: t, key: keys[0], fingerprint: "laptop", deviceName: "Laptop")
    print("Activated \(keys[0]) on laptop: \(device.activations.count) of \(device.policy.maxActivations) devices")
    let audit = try await inv.audit(tenant: t)
    print("Audit: \(audit.isClean ? "clean" : "PROBLEMS \(audit.problems)")")
    return audit.isClean
}

do {
    exit(try await walkthrough() ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("consumer failed: \(error)\n".utf8))
    exit(1)
}
