import Store
import TestSupport
@testable import Web
import XCTest

final class TokenCacheTests: XCTestCase {
    /// Thousands of made-up tokens fill their own memory, not that of real ones: a real token
    /// is still answered from memory (here: still found after its revocation, which a new
    /// lookup would see), so a flood of guesses never turns every script's request into a lookup.
    func testUnknownTokensNeverEvictKnownOnes() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        let tokens = APITokens(db: db.connection)
        let secret = try tokens.add(name: "script", budget: Budget(burst: 100, interval: 1))
        let cache = TokenCache(access: AccessStore(database: db.url, connections: 1))
        guard case .found(let name, _) = cache.lookUp(secret) else { return XCTFail("the token is not found") }
        XCTAssertEqual(name, "script")

        for guess in 0...TokenCache.capacity {
            guard case .unknown = cache.lookUp("adb_guess_\(guess)") else { return XCTFail("a guess was taken for a token") }
        }
        XCTAssertTrue(try tokens.revoke(name: "script"))
        guard case .found = cache.lookUp(secret) else { return XCTFail("the real token was forgotten for the guesses") }
        guard case .unknown = TokenCache(access: AccessStore(database: db.url, connections: 1)).lookUp(secret) else {
            return XCTFail("a fresh lookup must see the revocation")
        }
    }
}
