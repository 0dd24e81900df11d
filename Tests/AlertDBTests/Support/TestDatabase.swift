import AlertDB
import Foundation
import Postgres
import XCTest

/// Paths of the repository and of the shared test data beside it.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let sharedAlerts = root.appendingPathComponent("../shared/alerts").standardizedFileURL
    static let v3Alerts = sharedAlerts.appendingPathComponent("ztf-v3")
    static let alerts2017 = sharedAlerts.appendingPathComponent("ztf-2017")
    static let migrations = root.appendingPathComponent("Migrations")
}

/// A fresh, migrated database on the server the PG* environment points at (the test runner,
/// `Deploy/test`, starts a throwaway one), dropped again by `drop()`.
final class TestDatabase {
    let name: String
    let url: String
    let connection: Connection

    init() throws {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["PGHOST"], let port = env["PGPORT"] else {
            throw XCTSkip("PGHOST/PGPORT not set: run the suite with Deploy/test, which starts a throwaway PostgreSQL")
        }
        let user = env["PGUSER"] ?? "postgres"
        name = "alertdb_test_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try Connection("postgresql://\(user)@\(host):\(port)/postgres")
        try admin.execute("CREATE DATABASE \(name)")
        url = "postgresql://\(user)@\(host):\(port)/\(name)"
        connection = try Connection(url)
        try Migrator(directory: Repository.migrations).migrate(connection)
    }

    func drop() {
        let env = ProcessInfo.processInfo.environment
        guard let admin = try? Connection("postgresql://\(env["PGUSER"] ?? "postgres")@\(env["PGHOST"]!):\(env["PGPORT"]!)/postgres") else { return }
        _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// The single value of a one-row, one-column query.
    func scalar(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        try connection.execute(sql, parameters)[0, 0]
    }

    func count(_ table: String) throws -> Int {
        Int(try scalar("SELECT count(*) FROM \(table)")!)!
    }

    /// Row counts of every table alertdb owns, to check that a repeated load adds nothing.
    func rowCounts() throws -> [String: Int] {
        let tables = try connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").rows.compactMap { $0[0] }
        return try Dictionary(uniqueKeysWithValues: tables.map { ($0, try count($0)) })
    }

    func ingest(_ inputs: [String], batchSize: Int = 500) throws -> Ingest.Summary {
        var ingest = Ingest(inputs: inputs, database: url)
        ingest.options.batchSize = batchSize
        return try ingest.run()
    }
}

/// A temporary folder removed at the end of the test.
final class TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("alertdb-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: url.appendingPathComponent(name))
    }
}

/// Runs a command and returns its exit status and output.
@discardableResult
func shell(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
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
var alertdbExecutable: String {
    if let path = ProcessInfo.processInfo.environment["ALERTDB_BIN"] { return path }
    // The test runner lives in the build folder, beside the executable.
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return runner.deletingLastPathComponent().appendingPathComponent("alertdb").path
}

func sharedPackets(_ folder: URL) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "avro" }.sorted { $0.path < $1.path }
}
