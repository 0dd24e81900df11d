import Avro
import Model
import Foundation

/// Writes realistic synthetic alert packets for benchmarks by varying real ones: each object
/// gets a new objectId, a position on the sky north of dec −30°, one or more alerts spread
/// across one night with perturbed magnitudes and scores, and the template's history shifted
/// to end before the night, identical in all of the object's packets (as ZTF repeats it).
/// Cutouts are kept as they are.
public struct SyntheticPackets {
    public let templateDirectory: String
    public let seed: UInt64
    /// When the night the alerts fall in starts (JD).
    public let nightStartJD: Double

    public init(templateDirectory: String, seed: UInt64, nightStartJD: Double = Self.defaultNightStartJD) {
        self.templateDirectory = templateDirectory
        self.seed = seed
        self.nightStartJD = nightStartJD
    }

    /// 2026-01-01 UTC, evening at Palomar.
    public static let defaultNightStartJD = 2_461_042.10
    static let nightLength = 0.40

    public func write(count: Int, to directory: String) throws -> (packets: Int, objects: Int) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let templates = try loadTemplates()
        var random = SplitMix64(seed: seed)
        var written = 0, objects = 0
        while written < count {
            let template = templates[Int(random.next() % UInt64(templates.count))]
            let object = objects
            objects += 1
            // About half the objects have one alert, a few have up to six.
            let alerts = min(count - written, 1 + Int(-log(random.uniform() + 1e-12) / log(2.0)) % 6)
            let ra = random.uniform() * 360
            let dec = asin(-0.5 + 1.5 * random.uniform()) * 180 / .pi   // uniform on the sky, dec > −30°
            let times = (0..<alerts).map { _ in nightStartJD + random.uniform() * Self.nightLength }.sorted()
            for (k, jd) in times.enumerated() {
                let candid = Int64(3_000_000_000_000_000_000) + Int64(written)
                try template.write(
                    to: "\(directory)/\(candid).avro",
                    objectId: Self.objectId(object), candid: candid, object: object, alert: k,
                    jd: jd, historyShift: nightStartJD - 0.05 - template.jd,
                    ra: ra, dec: dec, random: &random)
                written += 1
            }
        }
        return (written, objects)
    }

    /// ZTF-style names: "ZTF26" and seven letters.
    static func objectId(_ n: Int) -> String {
        var n = n, letters: [Character] = []
        for _ in 0..<7 {
            letters.append(Character(UnicodeScalar(UInt8(97 + n % 26))))
            n /= 26
        }
        return "ZTF26" + String(letters.reversed())
    }

    private func loadTemplates() throws -> [Template] {
        let files = try FileManager.default.contentsOfDirectory(atPath: templateDirectory).filter { $0.hasSuffix(".avro") }.sorted()
        let templates = try files.map { try Template(path: "\(templateDirectory)/\($0)") }
        guard !templates.isEmpty else { throw AlertDBError.invalidInput("no .avro templates in \(templateDirectory)") }
        return templates
    }
}

/// One real packet, decoded once and rewritten in place for each synthetic alert.
private final class Template {
    let reader: ContainerReader
    let record: AvroValue
    let jd: Double
    let magpsf: Float
    let historyJD: [Double]

    init(path: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        reader = try ContainerReader(bytes: bytes, name: path)
        guard let record = try reader.next(), let candidate = record.field("candidate")?.unwrapped else {
            throw AlertDBError.invalidInput("\(path) holds no alert")
        }
        self.record = record
        jd = candidate.field("jd")!.double
        magpsf = candidate.field("magpsf")!.float
        let history = record.field("prv_candidates")?.unwrapped
        historyJD = (0..<(history?.count ?? 0)).map { history!.child($0).field("jd")!.double }
    }

    func write(to path: String, objectId: String, candid: Int64, object: Int, alert: Int, jd: Double,
               historyShift: Double, ra: Double, dec: Double, random: inout SplitMix64) throws {
        record.field("objectId")!.set(string: objectId)
        record.field("candid")!.set(int64: candid)
        let candidate = record.field("candidate")!.unwrapped!
        candidate.field("candid")!.set(int64: candid)
        candidate.field("jd")!.set(double: jd)
        candidate.field("pid")?.set(int64: candid / 1000)
        // Sub-arcsecond scatter around the object's position, as repeated detections have.
        candidate.field("ra")!.set(double: ra + (random.uniform() - 0.5) * 2e-4 / max(cos(dec * .pi / 180), 0.01))
        candidate.field("dec")!.set(double: dec + (random.uniform() - 0.5) * 2e-4)
        candidate.field("magpsf")!.set(float: magpsf + Float(random.uniform() - 0.5) * 1.5)
        for score in ["rb", "drb"] {
            candidate.field(score)?.settingNonNullBranch().set(float: Float(random.uniform()))
        }

        // The same history in every packet of the object: ids derived from the object, not the alert.
        if let history = record.field("prv_candidates")?.unwrapped {
            for e in 0..<history.count {
                let entry = history.child(e)
                entry.field("jd")!.set(double: historyJD[e] + historyShift)
                entry.field("pid")?.set(int64: Int64(2_000_000_000_000) + Int64(object) * 64 + Int64(e))
                if let detection = entry.field("candid"), detection.unwrapped != nil {
                    detection.unwrapped!.set(int64: Int64(4_000_000_000_000_000_000) + Int64(object) * 64 + Int64(e))
                    entry.field("ra")?.settingNonNullBranch().set(double: ra)
                    entry.field("dec")?.settingNonNullBranch().set(double: dec)
                }
            }
        }
        let writer = try ContainerWriter(path: path, schema: reader.writerSchema)
        try writer.append(record)
        try writer.close()
    }
}

/// A small, fast, seedable generator (SplitMix64), so the same seed writes the same packets.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
