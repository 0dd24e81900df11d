import AlertDB
import Foundation
import XCTest

final class MigratorTests: XCTestCase {
    func testMigratingAgainDoesNothingAndCreatesQ3C() throws {
        let db = try TestDatabase()  // already migrated once
        defer { db.drop() }
        let again = try Migrator(directory: Repository.migrations).migrate(db.connection)
        XCTAssertTrue(again.isEmpty)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM schema_migration"),
                       String(try Migrator(directory: Repository.migrations).migrations.count))
        XCTAssertEqual(try db.scalar("SELECT extname FROM pg_extension WHERE extname = 'q3c'"), "q3c")
    }

    func testTheCommandLineReportsUpToDate() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        let result = try shell([alertdbExecutable, "migrate", "--database", db.url], environment: ["ALERTDB_MIGRATIONS": Repository.migrations.path])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("up to date"), result.output)
    }
}
