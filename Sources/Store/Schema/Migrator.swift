import Foundation
import Model
import Postgres

/// Applies the numbered SQL files of `Migrations/` in order, each in its own transaction,
/// and records them in `schema_migration` so that running again does nothing.
public struct Migrator {
    /// One migration file: `0001_name.sql` has version 1.
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public let migrations: [Migration]

    /// Reads every `NNNN_name.sql` in `directory`.
    public init(directory: URL) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            guard let version = Int(file.prefix { $0.isNumber }) else { continue }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(file.dropLast(4)), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw AlertDBError.invalidInput("two migrations share version \(a.version): \(a.name), \(b.name)")
        }
        self.migrations = migrations
    }

    /// Finds the `Migrations` folder: `ALERTDB_MIGRATIONS`, then beside or above the running
    /// executable (a build inside the repository), then the working directory, then the install path.
    public static func defaultDirectory() -> URL? {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["ALERTDB_MIGRATIONS"] {
            candidates.append(URL(fileURLWithPath: env))
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("Migrations"))
            candidates.append(dir.appendingPathComponent("share/alertdb/migrations"))
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Migrations"))
        candidates.append(URL(fileURLWithPath: "/usr/share/alertdb/migrations"))
        return candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// Applies what is pending and returns the migrations it applied.
    @discardableResult
    public func migrate(_ db: Connection) throws -> [Migration] {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migration (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        // Two `migrate` runs at once (two hosts starting) must not both apply a file.
        try db.execute("SELECT pg_advisory_lock(7263001)")
        defer { _ = try? db.execute("SELECT pg_advisory_unlock(7263001)") }

        let applied = Set(try db.execute("SELECT version FROM schema_migration").rows.map { try $0.decode("version", as: Int.self) })
        var done: [Migration] = []
        for migration in migrations where !applied.contains(migration.version) {
            do {
                try db.transaction {
                    // A file of the repository's Migrations folder, several statements in one.
                    try db.execute(SQL(unchecked: migration.sql))
                    try db.execute("INSERT INTO schema_migration (version, name) VALUES (\(migration.version), \(migration.name))")
                }
            } catch {
                throw AlertDBError.database("migration \(migration.name) failed: \(error)")
            }
            done.append(migration)
        }
        return done
    }
}
