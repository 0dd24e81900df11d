import Avro
import Foundation
import Model

/// Writes synthetic Rubin alert packets for benchmarks by varying real ones (the shared packets
/// of schema 9.0), as `SyntheticPackets` does ZTF's: each object gets new ids, a position south
/// of dec +30°, one or more alerts across one night with perturbed fluxes and reliabilities, and
/// its history sources (`prvDiaSources`) with ids derived from the object, identical in all of
/// its packets. Stamps are kept as they are.
public struct SyntheticRubinPackets {
    public let templateDirectory: String
    public let seed: UInt64

    public init(templateDirectory: String, seed: UInt64) {
        (self.templateDirectory, self.seed) = (templateDirectory, seed)
    }

    /// The night the alerts fall in (2026-01-01, MJD TAI, evening at Cerro Pachón).
    static let nightStartMJD = 61_041.95
    static let nightLength = 0.40

    public func write(count: Int, to directory: String) throws -> (packets: Int, objects: Int) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = try FileManager.default.contentsOfDirectory(atPath: templateDirectory).filter { $0.hasSuffix(".avro") }.sorted()
        let templates = try files.map { try RubinTemplate(path: "\(templateDirectory)/\($0)") }
        guard !templates.isEmpty else { throw AlertDBError.invalidInput("no .avro templates in \(templateDirectory)") }
        var random = SplitMix64(seed: seed)
        var written = 0, objects = 0
        while written < count {
            let template = templates[Int(random.next() % UInt64(templates.count))]
            let object = Int64(objects)
            objects += 1
            let alerts = min(count - written, 1 + Int(-log(random.uniform() + 1e-12) / log(2.0)) % 6)
            let ra = random.uniform() * 360
            let dec = asin(-1 + 1.5 * random.uniform()) * 180 / .pi   // uniform on the sky, dec < +30°
            let times = (0..<alerts).map { _ in Self.nightStartMJD + random.uniform() * Self.nightLength }.sorted()
            for time in times {
                let id = Int64(3_100_000_000_000_000_000) + Int64(written)
                try template.write(to: "\(directory)/\(id).avro", diaSourceId: id, diaObjectId: Int64(3_200_000_000_000_000_000) + object,
                                   mjd: time, ra: ra, dec: dec, random: &random)
                written += 1
            }
        }
        return (written, objects)
    }
}

/// One real Rubin packet, decoded once and rewritten in place for each synthetic alert.
private final class RubinTemplate {
    let reader: ContainerReader
    let record: AvroValue
    let psfFlux: Float

    init(path: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        reader = try ContainerReader(bytes: bytes, name: path)
        guard let record = try reader.next(), let source = record.field("diaSource")?.unwrapped else {
            throw AlertDBError.invalidInput("\(path) holds no Rubin alert")
        }
        self.record = record
        psfFlux = source.field("psfFlux")?.unwrapped?.float ?? 1000
    }

    func write(to path: String, diaSourceId: Int64, diaObjectId: Int64, mjd: Double, ra: Double, dec: Double,
               random: inout SplitMix64) throws {
        record.field("diaSourceId")?.settingNonNullBranch().set(int64: diaSourceId)
        let source = record.field("diaSource")!.settingNonNullBranch()
        source.field("diaSourceId")!.settingNonNullBranch().set(int64: diaSourceId)
        source.field("diaObjectId")?.settingNonNullBranch().set(int64: diaObjectId)
        source.field("midpointMjdTai")?.settingNonNullBranch().set(double: mjd)
        source.field("ra")?.settingNonNullBranch().set(double: ra + (random.uniform() - 0.5) * 2e-4 / max(cos(dec * .pi / 180), 0.01))
        source.field("dec")?.settingNonNullBranch().set(double: dec + (random.uniform() - 0.5) * 2e-4)
        source.field("psfFlux")?.settingNonNullBranch().set(float: psfFlux * Float(0.5 + random.uniform()))
        source.field("reliability")?.settingNonNullBranch().set(float: Float(random.uniform()))
        if let object = record.field("diaObject")?.unwrapped {
            object.field("diaObjectId")?.settingNonNullBranch().set(int64: diaObjectId)
            object.field("ra")?.settingNonNullBranch().set(double: ra)
            object.field("dec")?.settingNonNullBranch().set(double: dec)
        }
        // The same history in every packet of the object: ids derived from the object.
        if let history = record.field("prvDiaSources")?.unwrapped {
            for e in 0..<history.count {
                guard let entry = history.child(e).unwrapped else { continue }
                entry.field("diaSourceId")?.settingNonNullBranch().set(int64: Int64(3_300_000_000_000_000_000) + (diaObjectId & 0xFFFF_FFFF) * 64 + Int64(e))
                entry.field("diaObjectId")?.settingNonNullBranch().set(int64: diaObjectId)
                entry.field("midpointMjdTai")?.settingNonNullBranch().set(double: SyntheticRubinPackets.nightStartMJD - 1 - Double(e))
                entry.field("ra")?.settingNonNullBranch().set(double: ra)
                entry.field("dec")?.settingNonNullBranch().set(double: dec)
            }
        }
        let writer = try ContainerWriter(path: path, schema: reader.writerSchema)
        try writer.append(record)
        try writer.close()
    }
}
