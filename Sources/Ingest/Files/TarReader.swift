import Gzip
import Store

/// Streams the regular-file members of a tar archive (POSIX ustar, with GNU long names and
/// pax path records), reading each member's bytes in one piece.
struct TarReader {
    static let blockSize = 512
    /// A member larger than this is not an alert packet; it is skipped with an error rather than read.
    static let maximumMemberSize = 256 << 20

    struct Damaged: Error, CustomStringConvertible { let description: String }

    let reader: GzipReader
    let firstBlock: [UInt8]

    /// True when `block` is a tar header: the ustar magic, or a valid checksum (old v7 archives).
    static func isTarHeader(_ block: [UInt8]) -> Bool {
        guard block.count == blockSize else { return false }
        if Array(block[257..<262]) == Array("ustar".utf8) { return true }
        guard let stored = octal(block[148..<156]), block.contains(where: { $0 != 0 }) else { return false }
        return checksum(block) == stored
    }

    func forEachMember(_ body: (String, [UInt8]) throws -> Void) throws {
        var header = firstBlock
        var longName: String?
        var members = 0
        while true {
            if header.count < Self.blockSize {
                if members == 0 || header.count > 0 { throw Damaged(description: "archive ends inside a header after \(members) members") }
                return
            }
            if header.allSatisfy({ $0 == 0 }) { return }  // end-of-archive marker
            guard Self.checksum(header) == Self.octal(header[148..<156]) else {
                throw Damaged(description: "damaged tar header after \(members) members")
            }
            guard let size = Self.size(header) else { throw Damaged(description: "bad member size after \(members) members") }
            let type = header[156]
            let padded = (size + Self.blockSize - 1) / Self.blockSize * Self.blockSize
            switch type {
            case UInt8(ascii: "L"):  // GNU: the data is the next member's name
                longName = Self.string(try readExactly(padded)[0..<size])
            case UInt8(ascii: "x"):  // pax: "len key=value\n" records; only path matters here
                longName = Self.paxPath(try readExactly(padded)[0..<size]) ?? longName
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                let name = longName ?? Self.name(header)
                longName = nil
                members += 1
                if size > Self.maximumMemberSize {
                    try reader.skip(padded)
                    throw Damaged(description: "member \(name) is \(size) bytes, too large for an alert packet")
                }
                let data = try readExactly(padded)
                try body(name, Array(data[0..<size]))
            default:  // directories, links, devices: nothing to load
                try reader.skip(padded)
            }
            header = try reader.read(count: Self.blockSize)
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        let bytes = try reader.read(count: count)
        guard bytes.count == count else { throw Damaged(description: "archive is truncated") }
        return bytes
    }

    private static func name(_ header: [UInt8]) -> String {
        let name = string(header[0..<100])
        let prefix = Array(header[257..<262]) == Array("ustar".utf8) ? string(header[345..<500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private static func size(_ header: [UInt8]) -> Int? {
        let field = header[124..<136]
        if let first = field.first, first & 0x80 != 0 {  // GNU base-256 for large sizes
            return field.dropFirst().reduce(Int(first & 0x7F)) { $0 << 8 | Int($1) }
        }
        return octal(field)
    }

    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        let digits = field.drop { $0 == 0x20 }.prefix { $0 >= 0x30 && $0 <= 0x37 }
        guard !digits.isEmpty else { return field.allSatisfy { $0 == 0 || $0 == 0x20 } ? 0 : nil }
        return digits.reduce(0) { $0 * 8 + Int($1 - 0x30) }
    }

    /// The header checksum: the sum of all bytes with the checksum field read as spaces.
    private static func checksum(_ header: [UInt8]) -> Int {
        header.enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 0x20 : Int($1.element)) }
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func paxPath(_ data: ArraySlice<UInt8>) -> String? {
        for line in string(data).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let record = line[line.index(after: space)...]
            if record.hasPrefix("path=") { return String(record.dropFirst(5)) }
        }
        return nil
    }
}
