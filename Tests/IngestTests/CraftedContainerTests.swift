import Avro
import Foundation
import Ingest
import TestSupport
import XCTest

/// Sizes inside Avro containers and tar archives are checked before they are used: crafted
/// values are errors, never traps, huge allocations or endless loops. The in-process fuzz
/// here is quick; Tests/python/test_fuzz_ingest.py runs the real `alertdb ingest` on more.
final class CraftedContainerTests: XCTestCase {
    func testABlockClaiming2To63BytesIsAnError() throws {
        let packet = try [UInt8](Data(contentsOf: try sharedPackets(Repository.v3Alerts)[0]))
        let container = try Container(packet)
        let crafted = container.header + long(1) + long(Int.max - 19) + container.record + container.sync
        XCTAssertThrowsError(try readAll(crafted)) { error in
            XCTAssertTrue("\(error)".contains("runs past the end"), "\(error)")
        }
    }

    func testAStringLengthBeyondItsBlockIsAnErrorBeforeAvroCAllocatesIt() throws {
        let packet = try [UInt8](Data(contentsOf: try sharedPackets(Repository.v3Alerts)[0]))
        let container = try Container(packet)
        let (_, size) = try Container.readLong(container.record, at: 0)
        let record = long(1 << 40) + container.record[size...]
        let crafted = container.header + long(1) + long(record.count) + record + container.sync
        XCTAssertThrowsError(try readAll(crafted)) { error in
            XCTAssertTrue("\(error)".contains("length 1099511627776"), "\(error)")
        }
    }

    func testAnArrayOfNullsClaiming2To62ItemsIsAnError() throws {
        // Avro C appends one item per count, whatever is left: this ran until memory ran out.
        let schema = #"{"type": "record", "name": "r", "fields": [{"name": "a", "type": {"type": "array", "items": "null"}}]}"#
        let crafted = container(schema: schema, record: long(1 << 62) + long(0))
        XCTAssertThrowsError(try readAll(crafted)) { error in
            XCTAssertTrue("\(error)".contains("array items and map entries"), "\(error)")
        }
        // A few nulls are fine.
        XCTAssertEqual(try readAll(container(schema: schema, record: long(3) + long(0))), 1)
    }

    func testAMapOfAMillionAndOneEntriesIsAnError() throws {
        // Five bytes an entry, far more in Avro C: the count is capped, not just bounded by bytes.
        let schema = #"{"type": "record", "name": "r", "fields": [{"name": "m", "type": {"type": "map", "values": "null"}}]}"#
        let entries = (1 << 20) + 1
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var record = long(entries)
        for i in 0..<entries {  // distinct four-letter keys, each value null
            record += [8] + (0..<4).map { letters[(i >> (6 * $0)) & 63] }
        }
        record += long(0)
        XCTAssertThrowsError(try readAll(container(schema: schema, record: record))) { error in
            XCTAssertTrue("\(error)".contains("array items and map entries"), "\(error)")
        }
    }

    func testARecursiveWriterSchemaIsRefused() throws {
        let schema = #"{"type": "record", "name": "r", "fields": [{"name": "next", "type": "r"}]}"#
        XCTAssertThrowsError(try readAll(container(schema: schema, record: []))) { error in
            XCTAssertTrue("\(error)".contains("recursive"), "\(error)")
        }
    }

    func testAWriterSchemaWhoseRecordsCannotFitInABlockIsRefused() throws {
        // Avro C zeroes a record's fixed fields when it creates the value: 4 GB of memory here.
        let schema = #"{"type": "record", "name": "r", "fields": [{"name": "a", "type": {"type": "fixed", "name": "f", "size": 4294967296}}]}"#
        XCTAssertThrowsError(try readAll(container(schema: schema, record: []))) { error in
            XCTAssertTrue("\(error)".contains("more than a block may hold"), "\(error)")
        }
    }

    /// Thousands of mutated packets through ContainerReader: errors are fine, traps are not.
    func testMutatedPacketsNeverCrashTheContainerReader() throws {
        let packets = try sharedPackets(Repository.v3Alerts).map { try [UInt8](Data(contentsOf: $0)) }
        var random = SplitMix64(seed: 20_261_201)
        var outcomes = (read: 0, failed: 0)
        for _ in 0..<3000 {
            let mutated = mutate(packets[Int(random.next() % UInt64(packets.count))], &random)
            do {
                _ = try readAll(mutated)
                outcomes.read += 1
            } catch {
                outcomes.failed += 1
            }
        }
        XCTAssertGreaterThan(outcomes.failed, 1000)
    }

    /// Mutated tar archives through the real file reader: every input ends in packets or
    /// reasons, whatever its headers claim.
    func testMutatedArchivesNeverCrashThePacketSource() throws {
        let packets = try sharedPackets(Repository.v3Alerts).prefix(4).map { try [UInt8](Data(contentsOf: $0)) }
        let archive = tar(packets)
        let dir = try TemporaryDirectory()
        var random = SplitMix64(seed: 7)
        var damaged = 0
        for i in 0..<300 {
            var bytes = archive
            let header = [0, 1, 2, 3].map { headerOffset(of: $0, in: packets) }[Int(random.next() % 4)]
            switch random.next() % 3 {
            case 0:  // a size field set to an extreme, the checksum recomputed so it is believed
                let sizes: [[UInt8]] = [[0xFF] + Array(repeating: 0xFF, count: 11), [0x80] + Array(repeating: 0xFF, count: 11),
                                        [0x80, 0, 0, 0, 0, 0, 1] + Array(repeating: 0, count: 5), Array("77777777777\0".utf8)]
                bytes.replaceSubrange((header + 124)..<(header + 136), with: sizes[Int(random.next() % 4)])
                bytes[header + 156] = [UInt8(ascii: "0"), UInt8(ascii: "L"), UInt8(ascii: "x"), UInt8(ascii: "5")][Int(random.next() % 4)]
                fixChecksum(&bytes, at: header)
            case 1:
                bytes = mutate(bytes, &random)
            default:  // a damaged header
                bytes[header + Int(random.next() % 148)] ^= 0xFF
            }
            let path = dir.url.appendingPathComponent("\(i).tar").path
            try dir.write("\(i).tar", bytes)
            try PacketSource(inputs: [path]).forEach { item in
                if case .damaged = item { damaged += 1 }
            }
        }
        XCTAssertGreaterThan(damaged, 50)
    }

    // MARK: Helpers

    /// Shared, as ingest shares it: each packet's 20 kB schema is parsed once.
    private let schemas = SchemaCache()

    /// Reads every record; returns how many.
    private func readAll(_ bytes: [UInt8]) throws -> Int {
        let reader = try ContainerReader(bytes: bytes, name: "crafted", cache: schemas)
        var count = 0
        while try reader.next() != nil { count += 1 }
        return count
    }

    private func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return [0] }
        func position() -> Int { Int(random.next() % UInt64(bytes.count)) }
        switch random.next() % 6 {
        case 0: for _ in 0..<(1 + random.next() % 8) { bytes[position()] ^= UInt8(1) << UInt8(random.next() % 8) }
        case 1: bytes.removeSubrange(position()...)
        case 2: bytes.insert(contentsOf: (0..<(1 + random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position())
        case 3: let at = position(); bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(random.next() % 4096)))
        case 4 where (try? Container(input)) != nil:  // the block's count or size set to an extreme
            let container = try! Container(input)
            let extremes = [Int.max, Int.max - 19, 1 << 62, 1 << 40, -1, Int.min, 0]
            let extreme = long(extremes[Int(random.next() % UInt64(extremes.count))])
            let count = random.next() % 2 == 0 ? extreme : long(1)
            let size = count == extreme ? long(container.record.count) : extreme
            return container.header + count + size + container.record + container.sync
        default:
            let extremes = [Int.max, Int.max - 19, 1 << 62, 1 << 40, -1, Int.min]
            let varint = long(extremes[Int(random.next() % UInt64(extremes.count))])
            let at = position()
            bytes.replaceSubrange(at..<min(bytes.count, at + varint.count), with: varint)
        }
        return bytes
    }

    private func container(schema: String, record: [UInt8]) -> [UInt8] {
        let sync = [UInt8](repeating: 0x5A, count: 16)
        var file: [UInt8] = Array("Obj".utf8) + [1]
        file += long(1) + long(11) + Array("avro.schema".utf8) + long(schema.utf8.count) + Array(schema.utf8) + long(0) + sync
        return file + long(1) + long(record.count) + record + sync
    }

    private func tar(_ members: [[UInt8]]) -> [UInt8] {
        var archive: [UInt8] = []
        for (i, member) in members.enumerated() {
            var header = [UInt8](repeating: 0, count: 512)
            header.replaceSubrange(0..<7, with: Array("\(i).avro".utf8) + [0])
            header.replaceSubrange(100..<108, with: Array("0000644\0".utf8))
            header.replaceSubrange(124..<136, with: Array(String(format: "%011o\0", member.count).utf8))
            header.replaceSubrange(136..<148, with: Array("00000000000\0".utf8))
            header[156] = UInt8(ascii: "0")
            header.replaceSubrange(257..<263, with: Array("ustar\0".utf8) )
            header.replaceSubrange(263..<265, with: Array("00".utf8))
            fixChecksum(&header, at: 0)
            archive += header + member + [UInt8](repeating: 0, count: (512 - member.count % 512) % 512)
        }
        return archive + [UInt8](repeating: 0, count: 1024)
    }

    private func headerOffset(of index: Int, in members: [[UInt8]]) -> Int {
        members.prefix(index).reduce(0) { $0 + 512 + ($1.count + 511) / 512 * 512 }
    }

    private func fixChecksum(_ bytes: inout [UInt8], at header: Int) {
        bytes.replaceSubrange((header + 148)..<(header + 156), with: [UInt8](repeating: 0x20, count: 8))
        let sum = bytes[header..<(header + 512)].reduce(0) { $0 + Int($1) }
        bytes.replaceSubrange((header + 148)..<(header + 156), with: Array(String(format: "%06o\0 ", sum).utf8))
    }
}

/// An Avro long: zig-zag, then base-128 varint.
private func long(_ n: Int) -> [UInt8] {
    var z = UInt64(bitPattern: Int64((n << 1) ^ (n >> 63))), out: [UInt8] = []
    repeat {
        var byte = UInt8(z & 0x7F)
        z >>= 7
        if z != 0 { byte |= 0x80 }
        out.append(byte)
    } while z != 0
    return out
}

/// A container of one block, split into header (through the sync marker), record bytes and sync.
private struct Container {
    let header: [UInt8], record: [UInt8], sync: [UInt8]

    init(_ data: [UInt8]) throws {
        var at = 4
        while true {
            var (count, size) = try Self.readLong(data, at: at)
            at += size
            if count == 0 { break }
            if count < 0 { count = -count; at += try Self.readLong(data, at: at).size }
            for _ in 0..<(2 * count) {
                let (length, size) = try Self.readLong(data, at: at)
                at += size + length
            }
        }
        guard at >= 0, at + 16 <= data.count else { throw CocoaError(.coderReadCorrupt) }
        sync = Array(data[at..<(at + 16)])
        header = Array(data[..<(at + 16)])
        at += 16
        at += try Self.readLong(data, at: at).size
        let (length, size) = try Self.readLong(data, at: at)
        guard length >= 0, length <= data.count - at - size else { throw CocoaError(.coderReadCorrupt) }
        record = Array(data[(at + size)..<(at + size + length)])
    }

    /// The Avro long at `start` and its size in bytes.
    static func readLong(_ data: [UInt8], at start: Int) throws -> (value: Int, size: Int) {
        var value: UInt64 = 0, shift: UInt64 = 0, at = start
        while true {
            guard at >= 0, at < data.count, shift < 64 else { throw CocoaError(.coderReadCorrupt) }
            let byte = data[at]
            value |= UInt64(byte & 0x7F) << shift
            at += 1
            shift += 7
            if byte & 0x80 == 0 { break }
        }
        return (Int(Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))), at - start)
    }
}

/// A small deterministic generator, so a failure replays.
private struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
