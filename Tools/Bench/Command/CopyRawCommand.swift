import ArgumentParser
import BenchTools
import Foundation

/// The benchmark's ceiling: how fast the database takes the same packets as opaque bytes.
struct CopyRawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-raw",
        abstract: "COPY packets' raw bytes as bytea into a scratch table: the ceiling of ingest."
    )

    @OptionGroup var db: DatabaseOption

    @Option(help: "Packets per transaction.")
    var batchSize = 500

    @Flag(help: "Store the bytes without TOAST compression.")
    var uncompressed = false

    @Argument var paths: [String]

    func run() throws {
        do {
            let result = try RawCopy(inputs: paths, database: db.connectionString, batchSize: batchSize, uncompressed: uncompressed).run()
            print("copied \(result.packets) packets in \(String(format: "%.1f", result.seconds)) s (\(String(format: "%.0f", Double(result.packets) / result.seconds)) packets/s)")
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
