@testable import Model
import XCTest

final class ConfigFileTests: XCTestCase {
    func testReadsTheEnvironmentFileFormat() throws {
        let values = try ConfigFile.parse("""
            # alertdb
            ; also a comment
            DATABASE_URL="postgresql://alertdb@db/alertdb?sslmode=require"

              ALERTDB_PORT = 8081
            ALERTDB_TRUSTED_PROXIES='10.0.0.1, 10.0.0.2'
            ALERTDB_HOST=
            """)
        XCTAssertEqual(values, ["DATABASE_URL": "postgresql://alertdb@db/alertdb?sslmode=require", "ALERTDB_PORT": "8081",
                                "ALERTDB_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2", "ALERTDB_HOST": ""])
    }

    func testALineThatIsNotASettingNamesItsLine() {
        XCTAssertThrowsError(try ConfigFile.parse("ALERTDB_PORT=1\nport 8080\n", name: "alertdb.conf")) { error in
            XCTAssertEqual("\(error)", "alertdb.conf, line 2: expected NAME=value, found port 8080")
        }
        XCTAssertThrowsError(try ConfigFile.parse("ALERT DB=1"))
    }
}
