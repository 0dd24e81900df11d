@testable import Store
import TestSupport
import XCTest

final class APITokensTests: XCTestCase {
    private var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func testTokensAreMadeFoundAndRevokedAndOnlyTheirDigestIsKept() throws {
        let tokens = APITokens(db: db.connection)
        let secret = try tokens.add(name: "broker", budget: Budget(burst: 100, interval: 5))
        let other = try tokens.add(name: "student", budget: Budget(burst: 40, interval: 60))
        XCTAssertNotEqual(secret, other)
        XCTAssertTrue(secret.hasPrefix("adb_") && secret.count == 68)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM api_token WHERE digest::text LIKE '%' || \(String(secret.dropFirst(4))) || '%'"), "0")

        let found = try XCTUnwrap(tokens.lookUp(secret: secret))
        XCTAssertEqual(found.name, "broker")
        XCTAssertEqual(found.budget, Budget(burst: 100, interval: 5))
        XCTAssertNil(try tokens.lookUp(secret: secret + "0"))
        XCTAssertNotNil(try tokens.list().first { $0.name == "broker" }?.lastUsedAt)

        XCTAssertThrowsError(try tokens.add(name: "broker", budget: Budget(burst: 1, interval: 1)))
        XCTAssertThrowsError(try tokens.add(name: "zero", budget: Budget(burst: 0, interval: 1)))
        XCTAssertTrue(try tokens.revoke(name: "broker"))
        XCTAssertFalse(try tokens.revoke(name: "broker"), "already revoked")
        XCTAssertNil(try tokens.lookUp(secret: secret))
        XCTAssertNotNil(try tokens.lookUp(secret: other))
        XCTAssertEqual(try tokens.list().map(\.name), ["broker", "student"])
    }
}
