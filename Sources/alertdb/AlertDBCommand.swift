import ArgumentParser
import Model

@main
struct AlertDBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertdb",
        abstract: "A queryable database of astronomical transient alerts.",
        version: AlertDBVersion.current,
        subcommands: [MigrateCommand.self, IngestCommand.self, ConsumeCommand.self, ServeCommand.self, TokenCommand.self,
                      RetentionCommand.self]
    )
}
