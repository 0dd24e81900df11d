import ArgumentParser
import Foundation

/// `alertdb-bench`: the benchmarks' helpers, kept out of the product's command line.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertdb-bench",
        abstract: "Helpers of the benchmarks in Bench/: synthetic packets, and the raw-COPY ceiling of ingest.",
        subcommands: [SynthCommand.self, CopyRawCommand.self]
    )
}

/// Where the database is: `--database`, else `DATABASE_URL`, else libpq's own environment.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("PostgreSQL URL or libpq connection string.", valueName: "postgresql://..."))
    var database: String?

    var connectionString: String {
        database ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    }
}
