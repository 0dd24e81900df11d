import ArgumentParser
import Foundation
import Store

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (a no-op when up to date)."
    )

    @OptionGroup var db: DatabaseOptions

    @Option(help: ArgumentHelp("Folder of numbered .sql migrations (default: found beside the executable).", valueName: "dir"))
    var migrations: String?

    func run() throws {
        guard let directory = migrations.map({ URL(fileURLWithPath: $0) }) ?? Migrator.defaultDirectory() else {
            throw fail("cannot find the Migrations folder; pass --migrations DIR or set ALERTDB_MIGRATIONS")
        }
        do {
            let connection = try db.connect()
            let applied = try Migrator(directory: directory).migrate(connection)
            print(applied.isEmpty ? "database is up to date" : applied.map { "applied \($0.name)" }.joined(separator: "\n"))
        } catch {
            throw fail("\(error)")
        }
    }
}
