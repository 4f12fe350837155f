// The seed walkthrough (`000_*.txt`, orders 1210–1213) on an SQLite file, printed as the
// License Inventory screens of the channel admin guide; the Swift twin of
// examples/walkthrough.rs (same output).
//
//   swift run Walkthrough [DB_PATH]
import Foundation
import LicenseInventory

/// 2017-10-20 at `hhmm` UTC.
func at(_ hhmm: String) -> Date {
    let formatter = ISO8601DateFormatter()
    guard let date = formatter.date(from: "2017-10-20T\(hhmm):00Z") else {
        fatalError("bad time \(hhmm)")
    }
    return date
}

let dateFormatter: DateFormatter = {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd HH:mm"
    return f
}()

func date(_ d: Date) -> String { dateFormatter.string(from: d) }

/// Joins a name and an optional person: "Ellen Emporium Irina Heer".
func who(_ org: String, _ user: String?) -> String {
    if let user { return "\(org) \(user)" }
    return org
}

func trimEnd(_ s: String) -> String {
    var s = Substring(s)
    while s.last?.isWhitespace == true { s = s.dropLast() }
    return String(s)
}

func pad(_ s: String, _ width: Int) -> String {
    s + String(repeating: " ", count: max(0, width - s.count))
}

/// Prints rows as aligned columns separated by two spaces, with a rule under the header.
func table(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count {
            widths[i] = max(widths[i], cell.count)
        }
    }
    func line(_ cells: [String]) {
        print(trimEnd(zip(cells, widths).map { pad($0, $1) }.joined(separator: "  ")))
    }
    line(header)
    line(widths.map { String(repeating: "-", count: $0) })
    rows.forEach(line)
}

/// The columns of the guide's inventory tables.
let inventoryHeader = [
    "Order Number", "Inventory Type", "Purchase Order", "Order Status", "Requested/Approved",
    "Available", "Requested By", "Date Requested", "Approved By",
]

func inventoryRow(_ d: OrderDetails) -> [String] {
    let o = d.order
    let quantity = o.status == .requested ? o.requestedQuantity : o.approvedQuantity
    var approvedBy = ""
    if let source = d.sourceName, o.approvedBy != nil {
        approvedBy = who(source, d.approvedByName)
    }
    return [
        String(o.number),
        d.productName,
        o.purchaseOrder ?? "",
        o.status.label(),
        String(quantity),
        String(o.available),
        who(d.holderName, d.requestedByName),
        date(o.requestedAt),
        approvedBy,
    ]
}

/// A step of the walkthrough that did not go as the seed says.
struct WalkthroughError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func run() async throws -> Bool {
    let args = CommandLine.arguments
    let path: String
    if args.count > 1 {
        path = args[1]
    } else {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("license-inventory-walkthrough-\(ProcessInfo.processInfo.processIdentifier).db")
            .path
        try? FileManager.default.removeItem(atPath: path)
    }
    let inv = try await Inventory.openSqlite(path: path)
    inv.setTime(at: at("01:30"))

    // The channel: Jasperactive (vendor) › Ellen Emporium › MGA Inc › Elerome School.
    let tenant = try await inv.createTenant(
        name: "Jasperactive", plan: .standard, vendorName: "Jasperactive", firstOrderNumber: 1208)
    let t = tenant.id
    let ellen = try await inv.createOrg(tenant: t, name: "Ellen Emporium", tier: .distributor, parent: tenant.vendor)
    let mga = try await inv.createOrg(tenant: t, name: "MGA Inc", tier: .reseller, parent: ellen.id)
    let elerome = try await inv.createOrg(tenant: t, name: "Elerome School", tier: .center, parent: mga.id)
    let veraUser = try await inv.createUser(tenant: t, name: "Vera Vendor", email: "vera@jasperactive.example")
    let irinaUser = try await inv.createUser(tenant: t, name: "Irina Heer", email: "irina.heer@mga.example")
    try await inv.grantAdmin(tenant: t, user: veraUser.id, org: tenant.vendor)
    try await inv.grantAdmin(tenant: t, user: irinaUser.id, org: ellen.id)
    try await inv.grantAdmin(tenant: t, user: irinaUser.id, org: mga.id)
    let cl = try await inv.createProduct(tenant: t, code: "CL", name: "Center License", kind: .license)
    let uac = try await inv.createProduct(tenant: t, code: "UAC", name: "User Activation Codes", kind: .activationCode)
    let vera = try await inv.session(tenant: t, user: veraUser.id)
    let irina = try await inv.session(tenant: t, user: irinaUser.id)

    // Ellen Emporium's stock from the vendor (orders 1208, 1209).
    for product in [cl, uac] {
        _ = try await vera.assign(
            from: tenant.vendor, to: ellen.id, product: product.id, quantity: 10, purchaseOrder: "JA-2017-10")
    }
    // 01:45 Ellen Emporium assigns to MGA Inc: 1210 (3 Center Licenses), 1211 (2 codes).
    inv.setTime(at: at("01:45"))
    _ = try await irina.assign(from: ellen.id, to: mga.id, product: cl.id, quantity: 3, purchaseOrder: "EE2017-1")
    let o1211 = try await irina.assign(from: ellen.id, to: mga.id, product: uac.id, quantity: 2, purchaseOrder: "EE2017-5")
    // 01:52 MGA Inc assigns one code to Elerome School: 1212.
    inv.setTime(at: at("01:52"))
    _ = try await irina.assign(from: mga.id, to: elerome.id, product: uac.id, quantity: 1)
    // 02:24 MGA Inc requests 2 Center Licenses from Ellen Emporium (1213), then edits it to 1.
    inv.setTime(at: at("02:24"))
    let o1213 = try await irina.request(holder: mga.id, product: cl.id, quantity: 2, purchaseOrder: "20171019")
    inv.setTime(at: at("02:31"))
    _ = try await irina.editRequest(order: o1213.id, quantity: 1, comments: "One more center license, please.")

    // ---- Step 1: Irina picks her administrator role from the Role menu ------------------
    let roles = try await irina.rolesOf(user: irinaUser.id)
    print("Role: " + roles.map { "\($0.orgName) (\($0.tier))" }.joined(separator: ", "))
    print()

    // ---- License Inventory of MGA Inc ------------------------------------------------------
    print("License Inventory: \(mga.name) (\(mga.tier))")
    print()
    let summary = try await irina.summary(org: mga.id)
    for line in summary {
        // The guide's indicators speak in plurals: "Assigned Center Licenses: 3".
        let plural = line.productName.hasSuffix("s") ? "" : "s"
        print("Assigned \(line.productName)\(plural): \(line.available)")
    }
    print("Pending Requests: \(summary.reduce(0) { $0 + $1.pendingRequests })")
    print()
    let page = try await irina.list(org: mga.id)
    table(inventoryHeader, page.items.map(inventoryRow))

    // ---- Ellen Emporium's approval queue: the requests submitted to it for approval ---------
    print()
    print("Requests Submitted for Approval: \(ellen.name) (\(ellen.tier))")
    print()
    let queue = try await irina.approvalQueue(org: ellen.id)
    table(inventoryHeader, queue.items.map(inventoryRow))

    // ---- Detail of Inventory Use of 1211 ----------------------------------------------------
    let usage = try await irina.detailOfUse(order: o1211.id)
    let u = usage.order.order
    print()
    print("Detail of Inventory Use")
    print()
    print("Order Number: \(u.number)")
    print("Purchase Order: \(u.purchaseOrder ?? "")")
    print("Inventory Type: \(usage.order.productName)")
    print("Assigned Inventory: \(u.approvedQuantity)")
    print("Available Inventory: \(u.available)")
    print()
    table(
        ["Order Number", "Purchase Order", "Assigned", "Date of Assignment", "Requested By", "Approved By"],
        usage.draws.map { d in
            [
                String(d.orderNumber),
                d.purchaseOrder ?? "",
                String(d.quantity),
                date(d.at),
                who(d.requestedByOrg, d.requestedByUser),
                who(d.approvedByOrg, d.approvedByUser),
            ]
        })

    // ---- Order Details of 1211 --------------------------------------------------------------
    let d = try await irina.orderByNumber(number: 1211)
    let o = d.order
    print()
    print("Order Details")
    print()
    let fields: [(String, String)] = [
        ("Order Number", String(o.number)),
        ("Purchase Order", o.purchaseOrder ?? ""),
        ("Order Status", o.status.label()),
        ("Assigned By", who(d.sourceName ?? "", d.approvedByName)),
        ("Assigned To", d.holderName),
        ("Inventory Type", d.productName),
        ("Quantity", String(o.approvedQuantity)),
        ("Requester Comments", o.requesterComments ?? ""),
        ("Approval Comments", o.approvalComments ?? ""),
    ]
    for (label, value) in fields {
        print(trimEnd(pad("\(label):", 20) + value))
    }
    print()

    // ---- The life of order 1210, as in the vendor platform's Order Detail View -------------
    // The vendor's Center License policy: two devices per license, perpetual.
    _ = try await inv.setProductPolicy(
        tenant: t, product: cl.id, policy: LicensePolicy(validity: .perpetual, maxActivations: 2))
    inv.setTime(at: at("09:00"))
    let o1210 = try await irina.orderByNumber(number: 1210).order
    print()
    print("Order 1210")
    print()
    let licenses = try await irina.issue(order: o1210.id, quantity: 2)
    let keys = licenses.map(\.key)
    print("Issued \(keys.count) licenses: \(keys.joined(separator: ", "))")
    _ = try await irina.setCustomer(
        order: o1210.id,
        customer: Customer(
            name: "Elerome School", email: "principal@elerome.example", company: "Elerome School",
            reference: "ES-2017"))
    print("Customer: Elerome School <principal@elerome.example>")
    let lenaUser = try await inv.createUser(tenant: t, name: "Lena Manager", email: "lena@elerome.example")
    let granted = try await irina.addLicenseManager(
        order: o1210.id, user: lenaUser.id, permissions: [.manageLicenseUsers, .resetDevice])
    print("License manager: \(lenaUser.name) (\(granted.permissions.map { $0.name() }.joined(separator: ", ")))")
    let lena = try await inv.session(tenant: t, user: lenaUser.id)
    let student = try await lena.addLicenseUser(order: o1210.id, email: "student@elerome.example", name: "Stu Dent")
    _ = try await lena.assignLicense(license: licenses[0].id, licenseUser: student.id)
    print("License user: \(student.email) holds \(keys[0])")
    let activated = try await inv.activate(tenant: t, key: keys[0], fingerprint: "front-desk", deviceName: "Front desk PC")
    print("Activated \(keys[0]) on front-desk: \(activated.activations.count) of \(activated.policy.maxActivations) devices")
    let reset = try await lena.resetDevice(license: licenses[0].id, fingerprint: "front-desk")
    print("Lena Manager reset device front-desk: \(reset.activations.count) devices")
    do {
        let issued = try await lena.issue(order: o1210.id, quantity: 1)
        throw WalkthroughError("expected a refusal, got \(issued)")
    } catch let error as InventoryError {
        guard case .PermissionDenied = error else { throw WalkthroughError("expected a refusal, got \(error)") }
        print("Lena Manager may not issue licenses (\(error.code()))")
    }
    let csvPath = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("1210.csv").path
    let rows = try await irina.exportOrderCsv(order: o1210.id, path: csvPath)
    print("Exported order 1210: \(rows) license rows to \(csvPath)")
    try await irina.deleteOrder(order: o1210.id)
    let ellenStock = try await irina.orderByNumber(number: 1208).order
    print("Deleted order 1210: 1 unused unit back to 1208 (\(ellenStock.available) available), 2 licenses retired")
    print()

    let audit = try await inv.audit(tenant: t)
    let clean = audit.isClean
    print("Audit: \(audit.orders) orders, \(audit.ledgerEntries) ledger entries, minted \(audit.minted) - retired \(audit.retired) = available \(audit.available) + issued \(audit.issued): \(clean ? "clean" : "PROBLEMS")")
    print("Store: \(path)")
    if !clean {
        FileHandle.standardError.write(Data("audit problems: \(audit.problems)\n".utf8))
    }
    return clean
}

do {
    exit(try await run() ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("walkthrough failed: \(error)\n".utf8))
    exit(1)
}
