import Foundation
import XCTest
import LicenseInventory

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF-terminated records).
func parseCsv(_ text: String) -> [[String]] {
    // Unicode scalars, not Characters: "\r\n" is one Character in Swift.
    let s = Array(text.unicodeScalars)
    var rows: [[String]] = []
    var row: [String] = []
    var field = String.UnicodeScalarView()
    var quoted = false
    var k = 0
    func endField() {
        row.append(String(field))
        field = String.UnicodeScalarView()
    }
    while k < s.count {
        let ch = s[k]
        if quoted {
            if ch == "\"" {
                if k + 1 < s.count, s[k + 1] == "\"" {
                    field.append("\"")
                    k += 1
                } else {
                    quoted = false
                }
            } else {
                field.append(ch)
            }
        } else if ch == "\"" {
            quoted = true
        } else if ch == "," {
            endField()
        } else if ch == "\r", k + 1 < s.count, s[k + 1] == "\n" {
            endField()
            rows.append(row)
            row = []
            k += 1
        } else {
            field.append(ch)
        }
        k += 1
    }
    if !field.isEmpty || !row.isEmpty {
        endField()
        rows.append(row)
    }
    return rows
}

/// The CSV file at `path`: its header and its records as column → cell, checking that every
/// record has the header's width and ends with CRLF.
func readCsv(_ path: String, file: StaticString = #filePath, line: UInt = #line) async throws -> (header: [String], records: [[String: String]]) {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    XCTAssertTrue(text.hasSuffix("\r\n"), "records end with CRLF", file: file, line: line)
    let table = parseCsv(text)
    let header = try XCTUnwrap(table.first, file: file, line: line)
    var records: [[String: String]] = []
    for row in table.dropFirst() {
        XCTAssertEqual(row.count, header.count, "\(row)", file: file, line: line)
        records.append(Dictionary(uniqueKeysWithValues: zip(header, row)))
    }
    return (header, records)
}

/// CSV export (docs/rules.md §12) to a file path: header = the columns, one row per license (or per
/// order), formula cells neutralised.
class ExportTests: StoreTestCase {
    func testOrderCsv() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("09:00"))
        let rita = try await c.rita()
        let order = try await c.mgaOrder(c.cl, 5)
        XCTAssertEqual(order.number, 1211)
        _ = try await rita.editMetadata(
            order: order.id, reference: "REF-1211", campaign: ["utm_source": "newsletter"], isTest: true)
        _ = try await rita.setCustomer(
            order: order.id,
            customer: Customer(
                name: "Elerome School", email: "principal@elerome.example", company: "Elerome School, \"Inc.\"",
                reference: "ES-2017"))
        let licenses = try await rita.issue(order: order.id, quantity: 3)
        let student = try await rita.addLicenseUser(order: order.id, email: "student@elerome.example")
        _ = try await rita.assignLicense(license: licenses[0].id, licenseUser: student.id)
        c.inv.setTime(at: seedTime("09:30"))
        _ = try await c.inv.activate(tenant: c.t, key: licenses[0].key, fingerprint: "pc", deviceName: "Front desk PC")

        let path = temporaryPath(".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        await assertEqual(try await rita.exportOrderCsv(order: order.id, path: path), 3)
        let (header, records) = try await readCsv(path)
        XCTAssertEqual(header, orderColumns())
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(Set(records.map { $0["license_key"] ?? "" }), Set(licenses.map(\.key)))
        let orderCells: [String: String] = [
            "order_number": "1211", "order_id": idText(order.id.uuid), "product_code": "CL",
            "product_name": "Center License", "purchase_order": "", "holder": "MGA Inc", "source": "Ellen Emporium",
            "order_status": "active", "approved_quantity": "5", "available": "2", "issued": "3",
            "order_reference": "REF-1211", "campaign": "utm_source=newsletter", "download_id": "", "is_test": "true",
            "is_trial": "false", "customer_name": "Elerome School", "customer_email": "principal@elerome.example",
            "customer_company": "Elerome School, \"Inc.\"", "customer_phone": "", "customer_reference": "ES-2017",
        ]
        for record in records {
            for (column, value) in orderCells {
                XCTAssertEqual(record[column], value, column)
            }
            XCTAssertEqual(record["license_kind"], "license")
            XCTAssertEqual(record["trial"], "false")
            XCTAssertEqual(record["max_activations"], "1")
            XCTAssertEqual(record["issued_at"], "2017-10-20T09:00:00.000000Z")
            XCTAssertEqual(record["expires_at"], "")
        }
        let used = try XCTUnwrap(records.first { $0["license_key"] == licenses[0].key })
        XCTAssertEqual(used["license_status"], "active")
        XCTAssertEqual(used["license_user_email"], "student@elerome.example")
        XCTAssertEqual(used["activations"], "1")
        XCTAssertEqual(used["devices"], "Front desk PC")
        XCTAssertEqual(used["activated_at"], "2017-10-20T09:30:00.000000Z")
        let unused = try XCTUnwrap(records.first { $0["license_key"] == licenses[1].key })
        XCTAssertEqual(unused["license_status"], "issued")
        XCTAssertEqual(unused["license_user_email"], "")
        XCTAssertEqual(unused["activations"], "0")
        XCTAssertEqual(unused["activated_at"], "")

        // Exporting again truncates the file.
        await assertEqual(try await rita.exportOrderCsv(order: order.id, path: path), 3)
        await assertEqual(try await readCsv(path).records.count, 3)
    }

    func testOrderWithoutLicensesGivesOneRow() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.uac, 2)
        let path = temporaryPath(".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        await assertEqual(try await c.rita().exportOrderCsv(order: order.id, path: path), 1)
        let (header, records) = try await readCsv(path)
        XCTAssertEqual(header, orderColumns())
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records[0]["order_number"], String(order.number))
        XCTAssertEqual(records[0]["product_code"], "UAC")
        XCTAssertEqual(records[0]["available"], "2")
        for column in orderColumns().drop(while: { $0 != "license_key" }) {
            XCTAssertEqual(records[0][column], "", column)
        }
    }

    func testFormulaCellsAreNeutralised() async throws {
        let c = try await channel()
        let rita = try await c.rita()
        try await c.stockEllen(c.cl, 5)
        let order = try await c.dora().assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 2, purchaseOrder: "=1+1")
        _ = try await rita.editMetadata(order: order.id, reference: "@SUM(A1)", downloadId: "-2")
        _ = try await rita.setCustomer(
            order: order.id,
            customer: Customer(name: "=HYPERLINK(\"http://x.example\",\"y\")", company: "@cmd", phone: "+1 555 0100", reference: "ES-1"))
        let path = temporaryPath(".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        await assertEqual(try await rita.exportOrderCsv(order: order.id, path: path), 1)
        let record = try await unwrap(try await readCsv(path).records.first)
        XCTAssertEqual(record["purchase_order"], "'=1+1")
        XCTAssertEqual(record["order_reference"], "'@SUM(A1)")
        XCTAssertEqual(record["download_id"], "'-2")
        XCTAssertEqual(record["customer_name"], "'=HYPERLINK(\"http://x.example\",\"y\")")
        XCTAssertEqual(record["customer_company"], "'@cmd")
        XCTAssertEqual(record["customer_phone"], "'+1 555 0100")
        XCTAssertEqual(record["customer_reference"], "ES-1")  // a dash inside is harmless
        XCTAssertEqual(record["holder"], "MGA Inc")

        // The inventory list too.
        let listPath = temporaryPath(".csv")
        defer { try? FileManager.default.removeItem(atPath: listPath) }
        await assertEqual(try await rita.exportInventoryCsv(org: c.mga.id, path: listPath), 1)
        let row = try await unwrap(try await readCsv(listPath).records.first)
        XCTAssertEqual(row["purchase_order"], "'=1+1")
        XCTAssertEqual(row["order_reference"], "'@SUM(A1)")
    }

    func testInventoryCsv() async throws {
        let c = try await channel()
        c.inv.setTime(at: seedTime("09:00"))
        try await c.stockEllen(c.cl, 10)  // 1210, Ellen Emporium's
        let rita = try await c.rita()
        let assigned = try await c.dora().assign(from: c.ellen.id, to: c.mga.id, product: c.cl.id, quantity: 3, purchaseOrder: "EE2017-1")
        c.inv.setTime(at: seedTime("09:30"))
        _ = try await rita.request(holder: c.mga.id, product: c.cl.id, quantity: 2, purchaseOrder: "20171019")
        _ = try await rita.editMetadata(order: assigned.id, reference: "REF-A")
        _ = try await rita.issue(order: assigned.id, quantity: 1)

        let path = temporaryPath(".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        await assertEqual(try await rita.exportInventoryCsv(org: c.mga.id, path: path), 2)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let table = parseCsv(text)
        XCTAssertEqual(table.first, inventoryColumns())
        XCTAssertEqual(Array(table.dropFirst()), [
            ["1212", "Center License", "20171019", "Requested", "2", "0", "0", "MGA Inc Rita Reseller",
             "2017-10-20T09:30:00.000000Z", "", "", ""],
            ["1211", "Center License", "EE2017-1", "Active", "3", "2", "1", "MGA Inc",
             "2017-10-20T09:00:00.000000Z", "Ellen Emporium Dora Distributor", "2017-10-20T09:00:00.000000Z", "REF-A"],
        ])
        // Filtered like `list`.
        await assertEqual(try await rita.exportInventoryCsv(org: c.mga.id, path: path, filter: InventoryFilter(statuses: [.active])), 1)
        await assertEqual(try await readCsv(path).records.map { $0["order_number"] }, ["1211"])
        await assertEqual(try await rita.exportInventoryCsv(org: c.mga.id, path: path, filter: InventoryFilter(orderNumber: 999)), 0)
        await assertEqual(parseCsv(try String(contentsOfFile: path, encoding: .utf8)), [inventoryColumns()])
    }

    func testExportRefusals() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.cl, 1)
        let path = temporaryPath(".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A previous export at the path survives every refusal below, byte for byte.
        try "previous export\n".write(toFile: path, atomically: false, encoding: .utf8)
        // A file that cannot be created.
        let nowhere = temporaryPath("/no/such/folder/x.csv")
        await assertInventoryError(try await c.rita().exportOrderCsv(order: order.id, path: nowhere)) {
            guard case let .Export(message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(message.hasPrefix("export failed: "), message)
            XCTAssertEqual($0.code(), "EXPORT_FAILED")
        }
        await assertInventoryError(try await c.rita().exportInventoryCsv(org: c.mga.id, path: nowhere)) {
            guard case .Export = $0 else { return XCTFail("\($0)") }
        }
        // Someone who may not see the order or the organization.
        await assertInventoryError(try await c.oscar().exportOrderCsv(order: order.id, path: path)) {
            guard case let .PermissionDenied(action, actor, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(action, .view)
            XCTAssertEqual(actor, c.oscarUser.id)
        }
        await assertInventoryError(try await c.oscar().exportInventoryCsv(org: c.mga.id, path: path)) {
            guard case .PermissionDenied(.view, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        let unknown = OrderId(uuid: UUID())
        await assertInventoryError(try await c.rita().exportOrderCsv(order: unknown, path: path)) {
            guard case let .NotFound(entity, id, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(entity, .order)
            XCTAssertEqual(id, idText(unknown.uuid))
        }
        await assertEqual(try String(contentsOfFile: path, encoding: .utf8), "previous export\n")
    }
}

/// The column lists, as the core defines them.
final class ExportColumnTests: XCTestCase {
    func testColumns() {
        XCTAssertEqual(orderColumns().count, 32)
        XCTAssertEqual(Array(orderColumns().prefix(3)), ["order_number", "order_id", "product_code"])
        XCTAssertEqual(Array(orderColumns().suffix(3)), ["issued_at", "activated_at", "expires_at"])
        XCTAssertTrue(orderColumns().contains("license_key"))
        XCTAssertEqual(Set(orderColumns()).count, 32)
        XCTAssertEqual(
            inventoryColumns(),
            ["order_number", "inventory_type", "purchase_order", "order_status", "requested_approved", "available",
             "issued", "requested_by", "date_requested", "approved_by", "date_approved", "order_reference"])
    }
}
