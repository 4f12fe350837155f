import Foundation
import XCTest
import LicenseInventory

/// Importing existing license keys: `importLicenses` (a list) and `importLicensesCsv` (an order
/// export's CSV); the round trip of a vendor moving its keys.
class ImportTests: StoreTestCase {
    func testImportKeysLikeAnIssue() async throws {
        let c = try await channel()
        let order = try await c.mgaOrder(c.cl, 5)
        let rita = try await c.rita()
        let licenses = try await rita.importLicenses(order: order.id, keys: ["ACME-2017-0001", " acme-2017-0002 "])
        XCTAssertEqual(licenses.map(\.key), ["ACME-2017-0001", "acme-2017-0002"])
        XCTAssertTrue(licenses.allSatisfy(\.imported))
        await assertEqual(try await unwrap(try await c.ledger().last).kind, .licensesImported)
        await assertEqual(try await c.inv.checkLicense(tenant: c.t, key: "ACME-2017-0001").id, licenses[0].id)
        await assertInventoryError(try await rita.importLicenses(order: order.id, keys: ["GOOD-0001", "not ok"])) {
            guard case let .InvalidInput(_, reason, _, _, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("key 1 of the import"), reason)
        }
        await assertInventoryError(try await rita.importLicenses(order: order.id, keys: ["ACME-2017-0001"])) {
            guard case .Conflict = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await rita.order(id: order.id).order.available, 3)
    }

    func testCsvRoundTripIntoAFreshOrder() async throws {
        let old = try await channel()
        let inv = old.inv
        inv.setTime(at: seedTime("01:45"))
        let source = try await old.mgaOrder(old.cl, 6)
        _ = try await old.rita().issue(order: source.id, quantity: 4)
        let exported = temporaryPath(".csv")
        _ = try await old.rita().exportOrderCsv(order: source.id, path: exported)

        let fresh = try await Channel(inv: inv, firstOrderNumber: 500, plan: .standard)
        let target = try await fresh.mgaOrder(fresh.cl, 6)
        await assertEqual(try await fresh.rita().importLicensesCsv(order: target.id, path: exported).count, 4)
        let again = temporaryPath(".csv")
        _ = try await fresh.rita().exportOrderCsv(order: target.id, path: again)

        let licenseColumns = Array(orderColumns().drop { $0 != "license_key" })
        func licensePart(_ path: String) async throws -> [[String]] {
            try await readCsv(path).records.map { row in licenseColumns.map { row[$0] ?? "?" } }
        }
        await assertEqual(try await licensePart(again), try await licensePart(exported))
        await assertEqual(try await licensePart(exported).count, 4)
        await assertInventoryError(try await old.rita().importLicensesCsv(order: source.id, path: exported)) {
            guard case .Conflict = $0 else { return XCTFail("\($0)") }
        }
    }
}
