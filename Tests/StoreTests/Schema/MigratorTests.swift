import TestSupport
import Store
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

    func testTheDatabaseIsFoundThroughDatabaseURLOrTheLibpqEnvironment() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        let migrations = ["ALERTDB_MIGRATIONS": Repository.migrations.path]
        let byURL = try shell([alertdbExecutable, "migrate"], environment: migrations.merging(["DATABASE_URL": db.url]) { $1 })
        XCTAssertTrue(byURL.output.contains("up to date"), byURL.output)
        // PGHOST, PGPORT and PGUSER come from the test runner's environment.
        let byLibpq = try shell([alertdbExecutable, "migrate"], environment: migrations.merging(["PGDATABASE": db.name, "DATABASE_URL": ""]) { $1 })
        XCTAssertTrue(byLibpq.output.contains("up to date"), byLibpq.output)
        // --database wins over both.
        let unreachable = try shell([alertdbExecutable, "migrate", "--database", "postgresql://postgres@127.0.0.1:1/none"],
                                    environment: migrations.merging(["DATABASE_URL": db.url]) { $1 })
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertTrue(unreachable.output.contains("cannot connect to PostgreSQL"), unreachable.output)
    }
}
