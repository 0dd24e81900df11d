import ArgumentParser
import Foundation
import Ingest

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load alert packets into the database.",
        discussion: """
            Each PATH is an Avro alert packet (ZTF's or Rubin's, a container file or one message in
            the Confluent wire format), a directory (read recursively), a .tar or .tar.gz
            archive of packets, or - for standard input. Loading is idempotent: alerts already
            stored are counted as duplicates. Inputs that cannot be loaded are recorded in the
            reject table with the reason. Exits non-zero only when nothing could be loaded or the
            database is unreachable.
            """
    )

    @OptionGroup var db: DatabaseOptions

    @Option(help: "Alerts per transaction.")
    var batchSize = 500

    @Option(help: ArgumentHelp("Schema registry (Confluent API) for files holding one Confluent-framed message; "
                               + "without it, Rubin's schemas bundled with alertdb.", valueName: "url"))
    var schemaRegistry: String?

    @Argument(help: ArgumentHelp("Packets, directories, archives, or - for stdin.", valueName: "path"))
    var paths: [String]

    func run() throws {
        var ingest = FileIngest(inputs: paths, database: db.connectionString)
        ingest.options.batchSize = max(1, batchSize)
        ingest.options.schemaRegistry = schemaRegistry
        let showProgress = isatty(STDERR_FILENO) == 1
        if showProgress {
            ingest.options.progress = { summary in
                FileHandle.standardError.write(Data("\r\u{1B}[K\(summary.line)".utf8))
            }
        }
        let summary: IngestSummary
        do {
            summary = try ingest.run()
        } catch let stopped as IngestInterrupted {
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            print(stopped.summary.line)
            throw fail("stopped: \(stopped); the \(stopped.summary.counts.loaded) alerts above were stored, "
                       + "and running the same command again loads the rest")
        } catch {
            if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
            throw fail("\(error)")
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print(summary.line)
        if summary.counts.loaded == 0 && summary.counts.duplicate == 0 {
            throw fail(summary.read == 0 ? "no packets found" : "nothing could be loaded; see the reject table")
        }
    }
}
