import Foundation
import XCTest
import LicenseInventory

/// Importing existing license keys: `importLicenses` (a list) and `importLicensesCsv` (an order
/// export's CSV); the round trip of a vendor moving its keys.
class ImportTests: StoreTestCase {
    func testImportKeysLikeAnIssue() throws {
        let c = try channel()
        let order = try c.mgaOrder(c.cl, 5)
        let rita = try c.rita()
        let licenses = try rita.importLicenses(order: order.id, keys: ["ACME-2017-0001", " acme-2017-0002 "])
        XCTAssertEqual(licenses.map(\.key), ["ACME-2017-0001", "acme-2017-0002"])
        XCTAssertTrue(licenses.allSatisfy(\.imported))
        XCTAssertEqual(try XCTUnwrap(c.ledger().last).kind, .licensesImported)
        XCTAssertEqual(try c.inv.checkLicense(tenant: c.t, key: "ACME-2017-0001").id, licenses[0].id)
        assertInventoryError(try rita.importLicenses(order: order.id, keys: ["GOOD-0001", "not ok"])) {
            guard case let .InvalidInput(_, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("key 1 of the import"), reason)
        }
        assertInventoryError(try rita.importLicenses(order: order.id, keys: ["ACME-2017-0001"])) {
            guard case .Conflict = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try rita.order(id: order.id).order.available, 3)
    }

    func testCsvRoundTripIntoAFreshOrder() throws {
        let old = try channel()
        let inv = old.inv
        inv.setTime(at: seedTime("01:45"))
        let source = try old.mgaOrder(old.cl, 6)
        _ = try old.rita().issue(order: source.id, quantity: 4)
        let exported = temporaryPath(".csv")
        _ = try old.rita().exportOrderCsv(order: source.id, path: exported)

        let fresh = try Channel(inv: inv, firstOrderNumber: 500, plan: .standard)
        let target = try fresh.mgaOrder(fresh.cl, 6)
        XCTAssertEqual(try fresh.rita().importLicensesCsv(order: target.id, path: exported).count, 4)
        let again = temporaryPath(".csv")
        _ = try fresh.rita().exportOrderCsv(order: target.id, path: again)

        let licenseColumns = Array(orderColumns().drop { $0 != "license_key" })
        func licensePart(_ path: String) throws -> [[String]] {
            try readCsv(path).records.map { row in licenseColumns.map { row[$0] ?? "?" } }
        }
        XCTAssertEqual(try licensePart(again), try licensePart(exported))
        XCTAssertEqual(try licensePart(exported).count, 4)
        assertInventoryError(try old.rita().importLicensesCsv(order: source.id, path: exported)) {
            guard case .Conflict = $0 else { return XCTFail("\($0)") }
        }
    }
}
