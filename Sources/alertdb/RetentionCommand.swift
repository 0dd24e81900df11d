import ArgumentParser
import Foundation
import Model
import Postgres
import Store

/// `alertdb retention`: retires the month partitions older than each table's age, so that an
/// operator can bound the disk (keep cutouts a year and rows forever, say).
struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Drop or detach the months of cutouts, history rows or alerts older than their ages.",
        discussion: """
            An age is never, or a number of days, months (30 days) or years (365 days): 90d, 6m, 1y.
            A month is retired once all of it is older than the age. Each setting is taken from its
            flag, else its environment variable, else the file given with --config, else its default:

            \(Setting.retention.map { "  \($0.key)=\($0.defaultValue ?? "")  \($0.help)" }.joined(separator: "\n"))
            """)

    @Option(name: .long, help: ArgumentHelp("PostgreSQL URL or libpq connection string (DATABASE_URL).", valueName: "postgresql://..."))
    var database: String?

    @Option(help: ArgumentHelp("Configuration file: NAME=value lines.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Keep cutouts this long (ALERTDB_RETAIN_CUTOUTS).", valueName: "age"))
    var cutouts: String?

    @Option(help: ArgumentHelp("Keep history rows this long (ALERTDB_RETAIN_HISTORY).", valueName: "age"))
    var history: String?

    @Option(help: ArgumentHelp("Keep alerts, and so their cutouts, this long (ALERTDB_RETAIN_ALERTS).", valueName: "age"))
    var alerts: String?

    @Option(help: ArgumentHelp("Drop retired months, or detach them (ALERTDB_RETENTION_ACTION).", valueName: "drop|detach"))
    var action: String?

    @Flag(help: "List what would be retired, and retire nothing.")
    var dryRun = false

    func run() throws {
        let given: [(String, String?)] = [("DATABASE_URL", database), ("ALERTDB_RETAIN_CUTOUTS", cutouts),
                                          ("ALERTDB_RETAIN_HISTORY", history), ("ALERTDB_RETAIN_ALERTS", alerts),
                                          ("ALERTDB_RETENTION_ACTION", action)]
        do {
            let read = try SettingValues(Setting.retention, flags: Dictionary(uniqueKeysWithValues: given.compactMap { k, v in v.map { (k, $0) } }),
                                         environment: ProcessInfo.processInfo.environment,
                                         file: try config.map { try ConfigFile.read(path: $0) } ?? [:])
            let policy = RetentionPolicy(
                cutouts: try RetentionAge(parsing: read.text("ALERTDB_RETAIN_CUTOUTS"), setting: "ALERTDB_RETAIN_CUTOUTS"),
                history: try RetentionAge(parsing: read.text("ALERTDB_RETAIN_HISTORY"), setting: "ALERTDB_RETAIN_HISTORY"),
                alerts: try RetentionAge(parsing: read.text("ALERTDB_RETAIN_ALERTS"), setting: "ALERTDB_RETAIN_ALERTS"))
            let verb = read.text("ALERTDB_RETENTION_ACTION")
            guard verb == "drop" || verb == "detach" else {
                throw AlertDBError.invalidInput("ALERTDB_RETENTION_ACTION must be drop or detach, not '\(verb.prefix(40))'")
            }
            let retention = PartitionRetention(db: try Connection(read.text("DATABASE_URL")))
            let months = try retention.plan(policy)
            for month in months {
                let line = "\(verb) \(month.partition) (\(month.table), \(month.month), \(month.rows) rows, older than \(month.keptDays) days)"
                if dryRun {
                    print("would " + line)
                } else {
                    try retention.retire(month, detach: verb == "detach")
                    print(line)
                }
            }
            if months.isEmpty { print("nothing to retire (cutouts \(policy.cutouts), history \(policy.history), alerts \(policy.alerts))") }
        } catch {
            throw fail("\(error)")
        }
    }
}
