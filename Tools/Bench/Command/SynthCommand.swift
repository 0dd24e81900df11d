import ArgumentParser
import BenchTools
import Foundation

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write synthetic alert packets for benchmarks, varied from real ones."
    )

    @Option(help: ArgumentHelp("Survey of the packets: ztf or rubin.", valueName: "survey"))
    var survey = "ztf"

    @Option(help: ArgumentHelp("Folder of real packets to vary (default: the shared ZTF 3.x or Rubin 9.0 packets).", valueName: "dir"))
    var templates: String?

    @Option(help: "Random seed (the same seed writes the same packets).")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("When the night of the ZTF packets starts, as a JD (a month already full of alerts, for a benchmark).", valueName: "jd"))
    var nightStartJd = SyntheticPackets.defaultNightStartJD

    @Argument(help: "How many packets.")
    var count: Int

    @Argument(help: "Output folder (created if missing).")
    var directory: String

    func run() throws {
        do {
            let written: (packets: Int, objects: Int)
            switch survey {
            case "ztf":
                written = try SyntheticPackets(templateDirectory: templates ?? "../shared/alerts/ztf-v3", seed: seed, nightStartJD: nightStartJd)
                    .write(count: count, to: directory)
            case "rubin":
                written = try SyntheticRubinPackets(templateDirectory: templates ?? "../shared/rubin/alerts-9.0", seed: seed)
                    .write(count: count, to: directory)
            default:
                throw ValidationError("--survey must be ztf or rubin, not \(survey)")
            }
            print("wrote \(written.packets) packets for \(written.objects) objects to \(directory)")
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
