import ArgumentParser
import BenchTools
import Foundation

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write synthetic alert packets for benchmarks, varied from real ones."
    )

    @Option(help: ArgumentHelp("Folder of real packets to vary.", valueName: "dir"))
    var templates = "../shared/alerts/ztf-v3"

    @Option(help: "Random seed (the same seed writes the same packets).")
    var seed: UInt64 = 1

    @Argument(help: "How many packets.")
    var count: Int

    @Argument(help: "Output folder (created if missing).")
    var directory: String

    func run() throws {
        do {
            let written = try SyntheticPackets(templateDirectory: templates, seed: seed).write(count: count, to: directory)
            print("wrote \(written.packets) packets for \(written.objects) objects to \(directory)")
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
