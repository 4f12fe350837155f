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

    override func testVendorAdminMints() async throws { try await super.testVendorAdminMints() }
    override func testOnlyVendorAdminsMint() async throws { try await super.testOnlyVendorAdminsMint() }
    override func testRequestThenPartialApproval() async throws { try await super.testRequestThenPartialApproval() }
    override func testApprovalDefaultsToTheRequestedQuantity() async throws { try await super.testApprovalDefaultsToTheRequestedQuantity() }
    override func testApprovalAtTheVendorMints() async throws { try await super.testApprovalAtTheVendorMints() }
    override func testInsufficientInventoryChangesNothing() async throws { try await super.testInsufficientInventoryChangesNothing() }
    override func testCannotApproveMoreThanRequested() async throws { try await super.testCannotApproveMoreThanRequested() }
    override func testZeroQuantityIsInvalid() async throws { try await super.testZeroQuantityIsInvalid() }
    override func testEditPendingRequest() async throws { try await super.testEditPendingRequest() }
    override func testCancelPendingRequest() async throws { try await super.testCancelPendingRequest() }
    override func testRejectRequest() async throws { try await super.testRejectRequest() }
    override func testAssignDrawsOldestFirstAndDepletes() async throws { try await super.testAssignDrawsOldestFirstAndDepletes() }
    override func testAssignOnlyToDirectChildren() async throws { try await super.testAssignOnlyToDirectChildren() }
    override func testTheVendorCannotRequest() async throws { try await super.testTheVendorCannotRequest() }
}

final class PostgresViewTests: ViewTests {
    override class var store: TestStore { .postgres }

    override func testListIsNewestFirst() async throws { try await super.testListIsNewestFirst() }
    override func testListFilters() async throws { try await super.testListFilters() }
    override func testCursorPagination() async throws { try await super.testCursorPagination() }
    override func testDefaultPageIsTheCores() async throws { try await super.testDefaultPageIsTheCores() }
    override func testBadCursorAndLimit() async throws { try await super.testBadCursorAndLimit() }
    override func testApprovalQueueAndSuppliedOrders() async throws { try await super.testApprovalQueueAndSuppliedOrders() }
    override func testSummary() async throws { try await super.testSummary() }
    override func testOrderDetailsAndDetailOfUse() async throws { try await super.testOrderDetailsAndDetailOfUse() }
}

final class PostgresLedgerTests: LedgerTests {
    override class var store: TestStore { .postgres }

    override func testLedgerIsAHashChainWithMovements() async throws { try await super.testLedgerIsAHashChainWithMovements() }
    override func testLedgerPaging() async throws { try await super.testLedgerPaging() }
    override func testAuditIsClean() async throws { try await super.testAuditIsClean() }
    override func testPinnedClockStampsChanges() async throws { try await super.testPinnedClockStampsChanges() }
    override func testCheckpointAndAuditAgainst() async throws { try await super.testCheckpointAndAuditAgainst() }
}

final class PostgresPermissionTests: PermissionTests {
    override class var store: TestStore { .postgres }

    override func testNoViewAcrossBranches() async throws { try await super.testNoViewAcrossBranches() }
    override func testAdminsSeeTheirBranchDownwards() async throws { try await super.testAdminsSeeTheirBranchDownwards() }
    override func testNoWritesAcrossBranches() async throws { try await super.testNoWritesAcrossBranches() }
    override func testRefusalsChangeNothing() async throws { try await super.testRefusalsChangeNothing() }
    override func testVendorAdminsMayDoEverything() async throws { try await super.testVendorAdminsMayDoEverything() }
}

final class PostgresLicenseTests: LicenseTests {
    override class var store: TestStore { .postgres }

    override func testIssueInBulkReturnsTheRangeReadBackByPages() async throws { try await super.testIssueInBulkReturnsTheRangeReadBackByPages() }
    override func testIssueGivesUniqueKeysAndConsumesUnits() async throws { try await super.testIssueGivesUniqueKeysAndConsumesUnits() }
    override func testMistypedKeyIsRefusedBeforeAnyLookup() async throws { try await super.testMistypedKeyIsRefusedBeforeAnyLookup() }
    override func testActivationLimit() async throws { try await super.testActivationLimit() }
    override func testBorrowLimits() async throws { try await super.testBorrowLimits() }
    override func testActivationCodesAreRedeemedOnce() async throws { try await super.testActivationCodesAreRedeemedOnce() }
    override func testDisableAndEnable() async throws { try await super.testDisableAndEnable() }
    override func testValidityFromIssueAndFromActivation() async throws { try await super.testValidityFromIssueAndFromActivation() }
    override func testProductPolicies() async throws { try await super.testProductPolicies() }
    override func testRevokeReturnsTheUnit() async throws { try await super.testRevokeReturnsTheUnit() }
    override func testLicenseUsersAndPasswords() async throws { try await super.testLicenseUsersAndPasswords() }
    override func testMetadataAndCustomer() async throws { try await super.testMetadataAndCustomer() }
    override func testBundles() async throws { try await super.testBundles() }
    override func testReturnUnits() async throws { try await super.testReturnUnits() }
    override func testDeleteOrderAndOrderInUse() async throws { try await super.testDeleteOrderAndOrderInUse() }
}

final class PostgresManagerTests: ManagerTests {
    override class var store: TestStore { .postgres }

    override func testPermissionMatrix() async throws { try await super.testPermissionMatrix() }
    override func testAnInitialPasswordNeedsTheCredentialsPermission() async throws { try await super.testAnInitialPasswordNeedsTheCredentialsPermission() }
    override func testPlanRequiredOnTheStandardPlan() async throws { try await super.testPlanRequiredOnTheStandardPlan() }
    override func testPlanAllowsEnterprisePermissions() async throws { try await super.testPlanAllowsEnterprisePermissions() }
    override func testNoEscalation() async throws { try await super.testNoEscalation() }
    override func testManagersReadOnlyTheirOrder() async throws { try await super.testManagersReadOnlyTheirOrder() }
}

final class PostgresExportTests: ExportTests {
    override class var store: TestStore { .postgres }

    override func testOrderCsv() async throws { try await super.testOrderCsv() }
    override func testOrderWithoutLicensesGivesOneRow() async throws { try await super.testOrderWithoutLicensesGivesOneRow() }
    override func testFormulaCellsAreNeutralised() async throws { try await super.testFormulaCellsAreNeutralised() }
    override func testInventoryCsv() async throws { try await super.testInventoryCsv() }
    override func testExportRefusals() async throws { try await super.testExportRefusals() }
}

final class PostgresNotificationTests: NotificationTests {
    override class var store: TestStore { .postgres }

    override func testRequestNotifiesTheRequesterAndTheApprovers() async throws { try await super.testRequestNotifiesTheRequesterAndTheApprovers() }
    override func testRefusedApprovalWritesNone() async throws { try await super.testRefusedApprovalWritesNone() }
    override func testApprovalAndRejectionNotifyTheRequester() async throws { try await super.testApprovalAndRejectionNotifyTheRequester() }
    override func testANewLicenseManagerIsInvitedOnce() async throws { try await super.testANewLicenseManagerIsInvitedOnce() }
    override func testMarkingSentIsAllOrNone() async throws { try await super.testMarkingSentIsAllOrNone() }
    override func testAnotherTenantSeesNone() async throws { try await super.testAnotherTenantSeesNone() }
}

final class PostgresHistoryTests: HistoryTests {
    override class var store: TestStore { .postgres }

    override func testHistoryRebuildsEveryPastMinute() async throws { try await super.testHistoryRebuildsEveryPastMinute() }
    override func testUnknownOrderOrganizationOrTenantIsNotFound() async throws { try await super.testUnknownOrderOrganizationOrTenantIsNotFound() }
    override func testLedgerReadsByOrderOrgAndTime() async throws { try await super.testLedgerReadsByOrderOrgAndTime() }
    override func testLedgerMatchingLimits() async throws { try await super.testLedgerMatchingLimits() }
}

final class PostgresIdempotencyTests: IdempotencyTests {
    override class var store: TestStore { .postgres }

    override func testKeyedIssueRunTwiceIssuesOnce() async throws { try await super.testKeyedIssueRunTwiceIssuesOnce() }
    override func testAFailedKeyedApprovalCanBeRetriedAfterStocking() async throws { try await super.testAFailedKeyedApprovalCanBeRetriedAfterStocking() }
    override func testTheKeyForAnotherCommandOrUserIsAConflict() async throws { try await super.testTheKeyForAnotherCommandOrUserIsAConflict() }
    override func testPruneForgetsTheKeysRecordedBeforeAMoment() async throws { try await super.testPruneForgetsTheKeysRecordedBeforeAMoment() }
    override func testKeysArePerTenant() async throws { try await super.testKeysArePerTenant() }
    override func testBadKeysAreInvalidInput() async throws { try await super.testBadKeysAreInvalidInput() }
    override func testConcurrentKeyedRequestsCreateOneOrder() async throws { try await super.testConcurrentKeyedRequestsCreateOneOrder() }
    override func testKeyedInventoryActivateTwiceActivatesOnce() async throws { try await super.testKeyedInventoryActivateTwiceActivatesOnce() }
}

final class PostgresBatchTests: BatchTests {
    override class var store: TestStore { .postgres }

    override func testOrderLicenseAndManagerCommandsBatchToo() async throws { try await super.testOrderLicenseAndManagerCommandsBatchToo() }
    override func testEditsAndBorrowsBatchToo() async throws { try await super.testEditsAndBorrowsBatchToo() }

    override func testFiveApprovalsInOneBatch() async throws { try await super.testFiveApprovalsInOneBatch() }
    override func testALastApprovalWithoutStockChangesNothing() async throws { try await super.testALastApprovalWithoutStockChangesNothing() }
    override func testAPermissionRefusalInsideABatchRollsBack() async throws { try await super.testAPermissionRefusalInsideABatchRollsBack() }
    override func testChainedAssignsInOneBatch() async throws { try await super.testChainedAssignsInOneBatch() }
    override func testAnIssueReturnsLicenses() async throws { try await super.testAnIssueReturnsLicenses() }
    override func testAKeyedBatchRunTwiceIssuesOnce() async throws { try await super.testAKeyedBatchRunTwiceIssuesOnce() }
    override func testBatchSizeLimits() async throws { try await super.testBatchSizeLimits() }
    override func testMetadataCustomerBulkAndBundleCommandsBatchToo() async throws { try await super.testMetadataCustomerBulkAndBundleCommandsBatchToo() }
    override func testLicenseUserCommandsWithPasswordsBatchToo() async throws { try await super.testLicenseUserCommandsWithPasswordsBatchToo() }
    override func testAKeyedBatchRetriedWithAnotherPasswordIsAConflict() async throws { try await super.testAKeyedBatchRetriedWithAnotherPasswordIsAConflict() }
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
    func testEveryParametrisedTestRunsOnPostgres() async throws {
        let here = URL(fileURLWithPath: #filePath)
        let dir = here.deletingLastPathComponent()
        // The test methods each class of a file declares, by class name.
        func tests(in file: URL) async throws -> [String: [String]] {
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
        let forwarded = try await tests(in: here)
        for (base, subclass) in Self.parametrised {
            let declared = try await unwrap(try await tests(in: dir.appendingPathComponent("\(base).swift"))[base], base)
            XCTAssertFalse(declared.isEmpty, base)
            XCTAssertEqual(Set(forwarded[subclass] ?? []), Set(declared), "\(subclass) must forward every test of \(base)")
        }
    }

    // No database needed: the URL is refused before any connection is tried.
    func testMalformedUrlIsInvalidInput() async {
        let malformed = [
            "not a url",
            "host=/tmp port=not-a-number dbname=x",
            "host='/tmp dbname=x",
            "postgres://user@localhost:99999999/db",
        ]
        for url in malformed {
            await assertInventoryError(try await Inventory.openPostgres(url: url)) {
                guard case let .InvalidInput(field, reason, _, _, message) = $0 else { return XCTFail("\(url): \($0)") }
                XCTAssertEqual(field, "postgres url", url)
                XCTAssertFalse(reason.isEmpty, url)
                XCTAssertTrue(message.contains("postgres url"), message)
                XCTAssertEqual($0.code(), "INVALID_INPUT")
            }
        }
    }

    // No database needed: nothing listens on a socket in a folder that does not exist.
    func testUnreachableDatabaseIsAStorageError() async {
        let url = "host=/nonexistent/license-inventory-\(UUID().uuidString) port=5432 user=postgres dbname=x"
        await assertInventoryError(try await Inventory.openPostgres(url: url, maxRetries: 0)) {
            guard case let .Storage(message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(message.hasPrefix("storage failure"), message)
            XCTAssertEqual($0.code(), "STORAGE")
        }
    }

    func testEverythingIsKeptAcrossHandles() async throws {
        let url = try await TestDatabase.url()
        let (tenant, mga, ritaId, requested): (TenantId, OrgId, UserId, Order)
        do {
            let c = try await Channel(inv: try await Inventory.openPostgres(url: url))
            try await c.stockEllen(c.cl, 10)
            requested = try await c.rita().request(holder: c.mga.id, product: c.cl.id, quantity: 3, purchaseOrder: "PO-PG")
            (tenant, mga, ritaId) = (c.t, c.mga.id, c.ritaUser.id)
        }
        // A new handle (new connections) that neither migrates nor retries.
        let reopened = try await Inventory.openPostgres(url: url, maxConnections: 1, maxRetries: 0, migrate: false)
        await assertTrue(try await reopened.tenants().map(\.id).contains(tenant))
        await assertEqual(try await reopened.tenant(id: tenant).nextOrderNumber, requested.number + 1)
        let page = try await reopened.session(tenant: tenant, user: ritaId).list(org: mga)
        XCTAssertEqual(page.items.map(\.order), [requested])
        await assertEqual(try await reopened.audit(tenant: tenant).problems, [])
    }

    func testTwoHandlesSeeEachOthersWrites() async throws {
        let c = try await Channel(inv: try await TestDatabase.open())
        let second = try await TestDatabase.open()
        try await c.stockEllen(c.uac, 4)
        let summary = try await second.session(tenant: c.t, user: c.doraUser.id).summary(org: c.ellen.id)
        XCTAssertEqual(summary.first?.available, 4)
        // Order numbers continue across handles: one sequence per tenant.
        let next = try await second.session(tenant: c.t, user: c.veraUser.id).mint(product: c.cl.id, quantity: 1)
        XCTAssertEqual(next.number, 1211)
        await assertEqual(try await c.inv.tenant(id: c.t).nextOrderNumber, 1212)
    }

    func testTenantsDoNotSeeEachOther() async throws {
        let inv = try await TestDatabase.open()
        let a = try await Channel(inv: inv)
        let b = try await Channel(inv: inv)
        try await a.stockEllen(a.cl, 5)
        // The same names, emails and codes live in both tenants; numbers are per tenant.
        await assertEqual(try await b.stockEllen(b.cl, 2).number, 1210)
        await assertInventoryError(try await b.dora().order(id: try await a.dora().list(org: a.ellen.id).items[0].order.id)) {
            guard case .NotFound(.order, _, _, _, _) = $0 else { return XCTFail("\($0)") }
        }
        await assertEqual(try await a.dora().summary(org: a.ellen.id).first?.available, 5)
        await assertEqual(try await b.dora().summary(org: b.ellen.id).first?.available, 2)
    }

    func testConcurrentAssignmentsAcrossHandlesNeverOversell() async throws {
        let c = try await Channel(inv: try await TestDatabase.open(maxConnections: 4))
        // The second handle has a single connection: its threads queue for it.
        try await assertConcurrentAssignmentsNeverOversell(
            c, handles: [c.inv, try await TestDatabase.open(maxConnections: 1), try await TestDatabase.open()])
    }
}

final class PostgresDirectoryTests: DirectoryTests {
    override class var store: TestStore { .postgres }

    override func testOrganizationsByVisibility() async throws { try await super.testOrganizationsByVisibility() }
    override func testUsersAdminsAndRoles() async throws { try await super.testUsersAdminsAndRoles() }
    override func testProductsAndBundles() async throws { try await super.testProductsAndBundles() }
}

final class PostgresTakeBackTests: TakeBackTests {
    override class var store: TestStore { .postgres }

    override func testRevokeAdmin() async throws { try await super.testRevokeAdmin() }
    override func testReactivateOrgAndUsers() async throws { try await super.testReactivateOrgAndUsers() }
    override func testChangePlanKeepsEnterpriseGrantsInert() async throws { try await super.testChangePlanKeepsEnterpriseGrantsInert() }
    override func testRenameAndRetireAProduct() async throws { try await super.testRenameAndRetireAProduct() }
    override func testChangeAndRemoveALicenseManager() async throws { try await super.testChangeAndRemoveALicenseManager() }
}

final class PostgresImportTests: ImportTests {
    override class var store: TestStore { .postgres }

    override func testImportKeysLikeAnIssue() async throws { try await super.testImportKeysLikeAnIssue() }
    override func testCsvRoundTripIntoAFreshOrder() async throws { try await super.testCsvRoundTripIntoAFreshOrder() }
}

final class PostgresRefusalTests: RefusalTests {
    override class var store: TestStore { .postgres }

    override func testEveryRefusalNamesActionAndActor() async throws { try await super.testEveryRefusalNamesActionAndActor() }
    override func testHostRefusalsNameTheActionAndNoUser() async throws { try await super.testHostRefusalsNameTheActionAndNoUser() }
    override func testABatchRefusalNamesItsCommandAction() async throws { try await super.testABatchRefusalNamesItsCommandAction() }
}
