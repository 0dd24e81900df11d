import ArgumentParser
import Foundation
import Model
import Store

/// `alertdb token add|list|revoke`: API tokens, each with a rate-limit budget of its own.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make, list and revoke API tokens, which carry a rate-limit budget of their own.",
        subcommands: [Add.self, List.self, Revoke.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token and print it (once: only a digest of it is kept).",
            discussion: "A script sends it as `Authorization: Token TOKEN`, or as ?token=TOKEN.")

        @OptionGroup var db: DatabaseOptions

        @Argument(help: "A name for the token: who or what it is for.")
        var name: String

        @Option(help: "Requests the token's holder may make at once.")
        var burst = 200

        @Option(help: ArgumentHelp("Seconds per request sustained, once the burst is spent.", valueName: "seconds"))
        var interval = 10.0

        func run() throws {
            do {
                let secret = try APITokens(db: try db.connect()).add(name: name, budget: Budget(burst: Double(burst), interval: interval))
                print(secret)
                Log.command("token \(name) made: \(burst) requests at once, then one every \(interval) s; it is shown only now")
            } catch let error as AlertDBError {
                throw fail(error.description)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (not their secrets).")

        @OptionGroup var db: DatabaseOptions

        func run() throws {
            let tokens = try APITokens(db: try db.connect()).list()
            print(["name", "burst", "interval_s", "created", "last_used", "revoked"].joined(separator: "\t"))
            for token in tokens {
                print([token.name, String(Int(token.budget.burst)), String(token.budget.interval), token.createdAt,
                       token.lastUsedAt ?? "-", token.revokedAt ?? "-"].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: it is refused within 30 s by every serving process.")

        @OptionGroup var db: DatabaseOptions

        @Argument(help: "The token's name.")
        var name: String

        func run() throws {
            guard try APITokens(db: try db.connect()).revoke(name: name) else {
                throw fail("no token named \(name) is in force")
            }
            Log.command("token \(name) revoked")
        }
    }
}
