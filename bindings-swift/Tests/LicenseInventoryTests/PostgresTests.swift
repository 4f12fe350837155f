import Foundation
import XCTest
import LicenseInventory

// The PostgreSQL store, through the binding. With LICENSE_INVENTORY_PG_URL set, the order-flow,
// view, ledger, permission, license, manager, export, notification, history, idempotency and
// batch suites run again on PostgreSQL (the subclasses below), each test in fresh tenants of its own
// (the database is shared and never emptied); without it they are skipped, or fail when CI=true
// (see TestDatabase).
//
// SwiftPM's test discovery on Linux lists only the test methods a class declares itself, not
// inherited ones: each subclass therefore declares every test again, forwarding to its base
// class, and `testEveryParametrisedTestRunsOnPostgres` fails when one is missing.

final class PostgresOrderFlowTests: OrderFlowTests {
    override class var store: TestStore { .postgres }

    override func testVendorAdminMints() throws { try super.testVendorAdminMints() }
    override func testOnlyVendorAdminsMint() throws { try super.testOnlyVendorAdminsMint() }
    override func testRequestThenPartialApproval() throws { try super.testRequestThenPartialApproval() }
    override func testApprovalDefaultsToTheRequestedQuantity() throws { try super.testApprovalDefaultsToTheRequestedQuantity() }
    override func testApprovalAtTheVendorMints() throws { try super.testApprovalAtTheVendorMints() }
    override func testInsufficientInventoryChangesNothing() throws { try super.testInsufficientInventoryChangesNothing() }
    override func testCannotApproveMoreThanRequested() throws { try super.testCannotApproveMoreThanRequested() }
    override func testZeroQuantityIsInvalid() throws { try super.testZeroQuantityIsInvalid() }
    override func testEditPendingRequest() throws { try super.testEditPendingRequest() }
    override func testCancelPendingRequest() throws { try super.testCancelPendingRequest() }
    override func testRejectRequest() throws { try super.testRejectRequest() }
    override func testAssignDrawsOldestFirstAndDepletes() throws { try super.testAssignDrawsOldestFirstAndDepletes() }
    override func testAssignOnlyToDirectChildren() throws { try super.testAssignOnlyToDirectChildren() }
    override func testTheVendorCannotRequest() throws { try super.testTheVendorCannotRequest() }
}

final class PostgresViewTests: ViewTests {
    override class var store: TestStore { .postgres }

    override func testListIsNewestFirst() throws { try super.testListIsNewestFirst() }
    override func testListFilters() throws { try super.testListFilters() }
    override func testCursorPagination() throws { try super.testCursorPagination() }
    override func testDefaultPageIsTheCores() throws { try super.testDefaultPageIsTheCores() }
    override func testBadCursorAndLimit() throws { try super.testBadCursorAndLimit() }
    override func testApprovalQueueAndSuppliedOrders() throws { try super.testApprovalQueueAndSuppliedOrders() }
    override func testSummary() throws { try super.testSummary() }
    override func testOrderDetailsAndDetailOfUse() throws { try super.testOrderDetailsAndDetailOfUse() }
}

final class PostgresLedgerTests: LedgerTests {
    override class var store: TestStore { .postgres }

    override func testLedgerIsAHashChainWithMovements() throws { try super.testLedgerIsAHashChainWithMovements() }
    override func testLedgerPaging() throws { try super.testLedgerPaging() }
    override func testAuditIsClean() throws { try super.testAuditIsClean() }
    override func testPinnedClockStampsChanges() throws { try super.testPinnedClockStampsChanges() }
    override func testCheckpointAndAuditAgainst() throws { try super.testCheckpointAndAuditAgainst() }
}

final class PostgresPermissionTests: PermissionTests {
    override class var store: TestStore { .postgres }

    override func testNoViewAcrossBranches() throws { try super.testNoViewAcrossBranches() }
    override func testAdminsSeeTheirBranchDownwards() throws { try super.testAdminsSeeTheirBranchDownwards() }
    override func testNoWritesAcrossBranches() throws { try super.testNoWritesAcrossBranches() }
    override func testRefusalsChangeNothing() throws { try super.testRefusalsChangeNothing() }
    override func testVendorAdminsMayDoEverything() throws { try super.testVendorAdminsMayDoEverything() }
}

final class PostgresLicenseTests: LicenseTests {
    override class var store: TestStore { .postgres }

    override func testIssueInBulkReturnsTheRangeReadBackByPages() throws { try super.testIssueInBulkReturnsTheRangeReadBackByPages() }
    override func testIssueGivesUniqueKeysAndConsumesUnits() throws { try super.testIssueGivesUniqueKeysAndConsumesUnits() }
    override func testMistypedKeyIsRefusedBeforeAnyLookup() throws { try super.testMistypedKeyIsRefusedBeforeAnyLookup() }
    override func testActivationLimit() throws { try super.testActivationLimit() }
    override func testBorrowLimits() throws { try super.testBorrowLimits() }
    override func testActivationCodesAreRedeemedOnce() throws { try super.testActivationCodesAreRedeemedOnce() }
    override func testDisableAndEnable() throws { try super.testDisableAndEnable() }
    override func testValidityFromIssueAndFromActivation() throws { try super.testValidityFromIssueAndFromActivation() }
    override func testProductPolicies() throws { try super.testProductPolicies() }
    override func testRevokeReturnsTheUnit() throws { try super.testRevokeReturnsTheUnit() }
    override func testLicenseUsersAndPasswords() throws { try super.testLicenseUsersAndPasswords() }
    override func testMetadataAndCustomer() throws { try super.testMetadataAndCustomer() }
    override func testBundles() throws { try super.testBundles() }
    override func testReturnUnits() throws { try super.testReturnUnits() }
    override func testDeleteOrderAndOrderInUse() throws { try super.testDeleteOrderAndOrderInUse() }
}

final class PostgresManagerTests: ManagerTests {
    override class var store: TestStore { .postgres }

    override func testPermissionMatrix() throws { try super.testPermissionMatrix() }
    override func testAnInitialPasswordNeedsTheCredentialsPermission() throws { try super.testAnInitialPasswordNeedsTheCredentialsPermission() }
    override func testPlanRequiredOnTheStandardPlan() throws { try super.testPlanRequiredOnTheStandardPlan() }
    override func testPlanAllowsEnterprisePermissions() throws { try super.testPlanAllowsEnterprisePermissions() }
    override func testNoEscalation() throws { try super.testNoEscalation() }
    override func testManagersReadOnlyTheirOrder() throws { try super.testManagersReadOnlyTheirOrder() }
}

final class PostgresExportTests: ExportTests {
    override class var store: TestStore { .postgres }

    override func testOrderCsv() throws { try super.testOrderCsv() }
    override func testOrderWithoutLicensesGivesOneRow() throws { try super.testOrderWithoutLicensesGivesOneRow() }
    override func testFormulaCellsAreNeutralised() throws { try super.testFormulaCellsAreNeutralised() }
    override func testInventoryCsv() throws { try super.testInventoryCsv() }
    override func testExportRefusals() throws { try super.testExportRefusals() }
}

final class PostgresNotificationTests: NotificationTests {
    override class var store: TestStore { .postgres }

    override func testRequestNotifiesTheRequesterAndTheApprovers() throws { try super.testRequestNotifiesTheRequesterAndTheApprovers() }
    override func testRefusedApprovalWritesNone() throws { try super.testRefusedApprovalWritesNone() }
    override func testApprovalAndRejectionNotifyTheRequester() throws { try super.testApprovalAndRejectionNotifyTheRequester() }
    override func testANewLicenseManagerIsInvitedOnce() throws { try super.testANewLicenseManagerIsInvitedOnce() }
    override func testMarkingSentIsAllOrNone() throws { try super.testMarkingSentIsAllOrNone() }
    override func testAnotherTenantSeesNone() throws { try super.testAnotherTenantSeesNone() }
}

final class PostgresHistoryTests: HistoryTests {
    override class var store: TestStore { .postgres }

    override func testHistoryRebuildsEveryPastMinute() throws { try super.testHistoryRebuildsEveryPastMinute() }
    override func testUnknownOrderOrganizationOrTenantIsNotFound() throws { try super.testUnknownOrderOrganizationOrTenantIsNotFound() }
    override func testLedgerReadsByOrderOrgAndTime() throws { try super.testLedgerReadsByOrderOrgAndTime() }
    override func testLedgerMatchingLimits() throws { try super.testLedgerMatchingLimits() }
}

final class PostgresIdempotencyTests: IdempotencyTests {
    override class var store: TestStore { .postgres }

    override func testKeyedIssueRunTwiceIssuesOnce() throws { try super.testKeyedIssueRunTwiceIssuesOnce() }
    override func testAFailedKeyedApprovalCanBeRetriedAfterStocking() throws { try super.testAFailedKeyedApprovalCanBeRetriedAfterStocking() }
    override func testTheKeyForAnotherCommandOrUserIsAConflict() throws { try super.testTheKeyForAnotherCommandOrUserIsAConflict() }
    override func testPruneForgetsTheKeysRecordedBeforeAMoment() throws { try super.testPruneForgetsTheKeysRecordedBeforeAMoment() }
    override func testKeysArePerTenant() throws { try super.testKeysArePerTenant() }
    override func testBadKeysAreInvalidInput() throws { try super.testBadKeysAreInvalidInput() }
    override func testConcurrentKeyedRequestsCreateOneOrder() throws { try super.testConcurrentKeyedRequestsCreateOneOrder() }
    override func testKeyedInventoryActivateTwiceActivatesOnce() throws { try super.testKeyedInventoryActivateTwiceActivatesOnce() }
}

final class PostgresBatchTests: BatchTests {
    override class var store: TestStore { .postgres }

    override func testOrderLicenseAndManagerCommandsBatchToo() throws { try super.testOrderLicenseAndManagerCommandsBatchToo() }
    override func testEditsAndBorrowsBatchToo() throws { try super.testEditsAndBorrowsBatchToo() }

    override func testFiveApprovalsInOneBatch() throws { try super.testFiveApprovalsInOneBatch() }
    override func testALastApprovalWithoutStockChangesNothing() throws { try super.testALastApprovalWithoutStockChangesNothing() }
    override func testAPermissionRefusalInsideABatchRollsBack() throws { try super.testAPermissionRefusalInsideABatchRollsBack() }
    override func testChainedAssignsInOneBatch() throws { try super.testChainedAssignsInOneBatch() }
    override func testAnIssueReturnsLicenses() throws { try super.testAnIssueReturnsLicenses() }
    override func testAKeyedBatchRunTwiceIssuesOnce() throws { try super.testAKeyedBatchRunTwiceIssuesOnce() }
    override func testBatchSizeLimits() throws { try super.testBatchSizeLimits() }
    override func testMetadataCustomerBulkAndBundleCommandsBatchToo() throws { try super.testMetadataCustomerBulkAndBundleCommandsBatchToo() }
    override func testLicenseUserCommandsWithPasswordsBatchToo() throws { try super.testLicenseUserCommandsWithPasswordsBatchToo() }
    override func testAKeyedBatchRetriedWithAnotherPasswordIsAConflict() throws { try super.testAKeyedBatchRetriedWithAnotherPasswordIsAConflict() }
}

/// `Inventory.openPostgres`: its errors and options, sharing one database between handles.
final class PostgresTests: XCTestCase {
    /// The parametrised suites and their PostgreSQL subclasses (in this file).
    static let parametrised = [
        ("OrderFlowTests", "PostgresOrderFlowTests"), ("ViewTests", "PostgresViewTests"),
        ("LedgerTests", "PostgresLedgerTests"), ("PermissionTests", "PostgresPermissionTests"),
        ("LicenseTests", "PostgresLicenseTests"), ("ManagerTests", "PostgresManagerTests"),
        ("ExportTests", "PostgresExportTests"), ("NotificationTests", "PostgresNotificationTests"),
        ("HistoryTests", "PostgresHistoryTests"), ("IdempotencyTests", "PostgresIdempotencyTests"),
        ("BatchTests", "PostgresBatchTests"), ("DirectoryTests", "PostgresDirectoryTests"),
        ("TakeBackTests", "PostgresTakeBackTests"), ("ImportTests", "PostgresImportTests"),
        ("RefusalTests", "PostgresRefusalTests"),
    ]

    // No database needed: reads the test sources (the package folder is visible to the tests).
    func testEveryParametrisedTestRunsOnPostgres() throws {
        let here = URL(fileURLWithPath: #filePath)
        let dir = here.deletingLastPathComponent()
        // The test methods each class of a file declares, by class name.
        func tests(in file: URL) throws -> [String: [String]] {
            var byClass: [String: [String]] = [:]
            var current = ""
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "(" })
                if words.starts(with: ["class"]) || words.starts(with: ["final", "class"]), !line.hasPrefix(" ") {
                    current = String(words[words.firstIndex(of: "class")! + 1])
                } else if words.starts(with: ["func"]) || words.starts(with: ["override", "func"]) {
                    let name = words[words.firstIndex(of: "func")! + 1]
                    if name.hasPrefix("test") { byClass[current, default: []].append(String(name)) }
                }
            }
            return byClass
        }
        let forwarded = try tests(in: here)
        for (base, subclass) in Self.parametrised {
            let declared = try XCTUnwrap(try tests(in: dir.appendingPathComponent("\(base).swift"))[base], base)
            XCTAssertFalse(declared.isEmpty, base)
            XCTAssertEqual(Set(forwarded[subclass] ?? []), Set(declared), "\(subclass) must forward every test of \(base)")
        }
    }

    // No database needed: the URL is refused before any connection is tried.
    func testMalformedUrlIsInvalidInput() {
        let malformed = [
            "not a url",
            "host=/tmp port=not-a-number dbname=x",
            "host='/tmp dbname=x",
            "postgres://user@localhost:99999999/db",
        ]
        for url in malformed {
            assertInventoryError(try Inventory.openPostgres(url: url)) {
                guard case let .InvalidInput(field, reason, _, _, message) = $0 else { return XCTFail("\(url): \($0)") }
                XCTAssertEqual(field, "postgres url", url)
                XCTAssertFalse(reason.isEmpty, url)
                XCTAssertTrue(message.contains("postgres url"), message)
                XCTAssertEqual($0.code(), "INVALID_INPUT")
            }
        }
    }

    // No database needed: nothing listens on a socket in a folder that does not exist.
    func testUnreachableDatabaseIsAStorageError() {
        let url = "host=/nonexistent/license-inventory-\(UUID().uuidString) port=5432 user=postgres dbname=x"
        assertInventoryError(try Inventory.openPostgres(url: url, maxRetries: 0)) {
            guard case let .Storage(message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(message.hasPrefix("storage failure"), message)
            XCTAssertEqual($0.code(), "STORAGE")
        }
    }

    func testEverythingIsKeptAcrossHandles() throws {
        let url = try TestDatabase.url()
        let (tenant, mga, ritaId, requested): (TenantId, OrgId, UserId, Order)
        do {
            let c = try Channel(inv: try Inventory.openPostgres(url: url))
            try c.stockEllen(c.cl, 10)
            requested = try c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 3, purchaseOrder: "PO-PG")
            (tenant, mga, ritaId) = (c.t, c.mga.id, c.ritaUser.id)
        }
        // A new handle (new connections) that neither migrates nor retries.
        let reopened = try Inventory.openPostgres(url: url, maxConnections: 1, maxRetries: 0, migrate: false)
        XCTAssertTrue(try reopened.tenants().map(\.id).contains(tenant))
        XCTAssertEqual(try reopened.tenant(id: tenant).nextOrderNumber, requested.number + 1)
        let page = try reopened.session(tenant: tenant, user: ritaId).list(org: mga)
        XCTAssertEqual(page.items.map(\.order), [requested])
        XCTAssertEqual(try reopened.audit(tenant: tenant).problems, [])
    }

    func testTwoHandlesSeeEachOthersWrites() throws {
        let c = try Channel(inv: try TestDatabase.open())
        let second = try TestDatabase.open()
        try c.stockEllen(c.uac, 4)
        let summary = try second.session(tenant: c.t, user: c.doraUser.id).summary(org: c.ellen.id)
        XCTAssertEqual(summary.first?.available, 4)
        // Order numbers continue across handles: one sequence per tenant.
        let next = try second.session(tenant: c.t, user: c.veraUser.id).mint(product: c.cl.id, quantity: 1)
        XCTAssertEqual(next.number, 1211)
        XCTAssertEqual(try c.inv.tenant(id: c.t).nextOrderNumber, 1212)
    }

    func testTenantsDoNotSeeEachOther() throws {
        let inv = try TestDatabase.open()
        let a = try Channel(inv: inv)
        let b = try Channel(inv: inv)
        try a.stockEllen(a.cl, 5)
        // The same names, emails and codes live in both tenants; numbers are per tenant.
        XCTAssertEqual(try b.stockEllen(b.cl, 2).number, 1210)
        assertInventoryError(try b.dora().order(id: try a.dora().list(org: a.ellen.id).items[0].order.id)) {
            guard case .NotFound(.order, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try a.dora().summary(org: a.ellen.id).first?.available, 5)
        XCTAssertEqual(try b.dora().summary(org: b.ellen.id).first?.available, 2)
    }

    func testConcurrentAssignmentsAcrossHandlesNeverOversell() throws {
        let c = try Channel(inv: try TestDatabase.open(maxConnections: 4))
        // The second handle has a single connection: its threads queue for it.
        try assertConcurrentAssignmentsNeverOversell(
            c, handles: [c.inv, try TestDatabase.open(maxConnections: 1), try TestDatabase.open()])
    }
}

final class PostgresDirectoryTests: DirectoryTests {
    override class var store: TestStore { .postgres }

    override func testOrganizationsByVisibility() throws { try super.testOrganizationsByVisibility() }
    override func testUsersAdminsAndRoles() throws { try super.testUsersAdminsAndRoles() }
    override func testProductsAndBundles() throws { try super.testProductsAndBundles() }
}

final class PostgresTakeBackTests: TakeBackTests {
    override class var store: TestStore { .postgres }

    override func testRevokeAdmin() throws { try super.testRevokeAdmin() }
    override func testReactivateOrgAndUsers() throws { try super.testReactivateOrgAndUsers() }
    override func testChangePlanKeepsEnterpriseGrantsInert() throws { try super.testChangePlanKeepsEnterpriseGrantsInert() }
    override func testRenameAndRetireAProduct() throws { try super.testRenameAndRetireAProduct() }
    override func testChangeAndRemoveALicenseManager() throws { try super.testChangeAndRemoveALicenseManager() }
}

final class PostgresImportTests: ImportTests {
    override class var store: TestStore { .postgres }

    override func testImportKeysLikeAnIssue() throws { try super.testImportKeysLikeAnIssue() }
    override func testCsvRoundTripIntoAFreshOrder() throws { try super.testCsvRoundTripIntoAFreshOrder() }
}

final class PostgresRefusalTests: RefusalTests {
    override class var store: TestStore { .postgres }

    override func testEveryRefusalNamesActionAndActor() throws { try super.testEveryRefusalNamesActionAndActor() }
    override func testHostRefusalsNameTheActionAndNoUser() throws { try super.testHostRefusalsNameTheActionAndNoUser() }
    override func testABatchRefusalNamesItsCommandAction() throws { try super.testABatchRefusalNamesItsCommandAction() }
}
