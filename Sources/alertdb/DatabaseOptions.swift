import ArgumentParser
import Foundation
import Model
import Postgres

/// Where the database is: `--database`, else `DATABASE_URL`, else libpq's own environment
/// (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, ...).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("PostgreSQL URL or libpq connection string.", valueName: "postgresql://..."))
    var database: String?

    var connectionString: String {
        database ?? ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    }

    func connect() throws -> Connection {
        do {
            return try Connection(connectionString)
        } catch let error as PostgresError {
            throw ValidationFailureExit(message: error.message)
        }
    }
}

/// Prints a message on stderr and exits with status 1 (instead of ArgumentParser's usage dump).
struct ValidationFailureExit: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

func fail(_ message: String) -> ExitCode {
    Log.command(message)
    return ExitCode(1)
}
