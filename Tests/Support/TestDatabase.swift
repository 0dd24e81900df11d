import Foundation
import Ingest
import Postgres
import Store
import XCTest

/// Paths of the repository and of the shared test data beside it.
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let sharedAlerts = root.appendingPathComponent("../shared/alerts").standardizedFileURL
    public static let v3Alerts = sharedAlerts.appendingPathComponent("ztf-v3")
    public static let alerts2017 = sharedAlerts.appendingPathComponent("ztf-2017")
    /// The 100 Rubin packets of schema 9.0, as a broker rewrote them.
    public static let rubinAlerts = root.appendingPathComponent("../shared/rubin/alerts-9.0").standardizedFileURL
    public static let migrations = root.appendingPathComponent("Migrations")
}

/// A fresh, migrated database on the server the PG* environment points at (the test runner,
/// `Deploy/test`, starts a throwaway one), dropped again by `drop()`.
public final class TestDatabase {
    public let name: String
    public let url: String
    public let connection: Connection

    public init() throws {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["PGHOST"], let port = env["PGPORT"] else {
            throw XCTSkip("PGHOST/PGPORT not set: run the suite with Deploy/test, which starts a throwaway PostgreSQL")
        }
        let user = env["PGUSER"] ?? "postgres"
        name = "alertdb_test_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try Connection("postgresql://\(user)@\(host):\(port)/postgres")
        try admin.execute("CREATE DATABASE \(SQL.identifier(name))")
        url = "postgresql://\(user)@\(host):\(port)/\(name)"
        connection = try Connection(url)
        try Migrator(directory: Repository.migrations).migrate(connection)
    }

    public func drop() {
        let env = ProcessInfo.processInfo.environment
        guard let admin = try? Connection("postgresql://\(env["PGUSER"] ?? "postgres")@\(env["PGHOST"]!):\(env["PGPORT"]!)/postgres") else { return }
        _ = try? admin.execute("DROP DATABASE IF EXISTS \(SQL.identifier(name)) WITH (FORCE)")
    }

    /// The single value of a one-row, one-column query, as PostgreSQL prints it.
    public func scalar(_ sql: SQL) throws -> String? {
        try connection.execute(sql)[0].decode(0)
    }

    public func count(_ table: String) throws -> Int {
        try connection.execute("SELECT count(*) FROM \(SQL.identifier(table))")[0].decode(0)
    }

    /// Row counts of every table alertdb owns, to check that a repeated load adds nothing.
    public func rowCounts() throws -> [String: Int] {
        let tables = try connection.execute("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'").rows.map { try $0.decode(0, as: String.self) }
        return try Dictionary(uniqueKeysWithValues: tables.map { ($0, try count($0)) })
    }

    public func ingest(_ inputs: [String], batchSize: Int = 500) throws -> IngestSummary {
        var ingest = FileIngest(inputs: inputs, database: url)
        ingest.options.batchSize = batchSize
        return try ingest.run()
    }
}

/// A temporary folder removed at the end of the test.
public final class TemporaryDirectory {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("alertdb-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: url.appendingPathComponent(name))
    }
}

/// Runs a command and returns its exit status and output.
@discardableResult
public func shell(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The `alertdb` executable built beside the tests.
public var alertdbExecutable: String {
    if let path = ProcessInfo.processInfo.environment["ALERTDB_BIN"] { return path }
    // The test runner lives in the build folder, beside the executable.
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return runner.deletingLastPathComponent().appendingPathComponent("alertdb").path
}

public func sharedPackets(_ folder: URL) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "avro" }.sorted { $0.path < $1.path }
}
