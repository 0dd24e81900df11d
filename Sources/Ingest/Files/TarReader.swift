import Gzip
import Store

/// Streams the regular-file members of a tar archive (POSIX ustar, with GNU long names and
/// pax path records), reading each member's bytes in one piece.
///
/// Every size in a header is checked before it is used: a header whose checksum fails, or whose
/// size is negative or cannot be a size, is damaged, and the reader resynchronises as GNU tar
/// does ("skipping to next header"): it scans block by block for the next header whose checksum
/// verifies and carries on from there, reporting the skipped region. A long name or pax header
/// larger than its cap (`InputLimits`) is treated the same way; a member larger than a packet
/// may be is skipped by its size, as tar would, without being read into memory.
struct TarReader {
    static let blockSize = 512

    /// What the archive holds, in order.
    enum Entry {
        /// A regular file's contents.
        case member(name: String, bytes: [UInt8])
        /// A member that is not read (larger than a packet may be); its data was skipped.
        case refused(name: String, reason: String)
        /// A damaged header at `offset` and everything up to the next good header (or the end):
        /// `skipped` bytes, kept in `bytes` when they are no more than a packet may be.
        case damaged(offset: Int, reason: String, bytes: [UInt8]?, skipped: Int)
    }

    /// The archive cannot be read on (it ends in the middle of a member or a header).
    struct Damaged: Error, CustomStringConvertible { let description: String }

    let reader: GzipReader
    let firstBlock: [UInt8]
    /// Where `firstBlock` starts in the archive (past a damaged beginning, it is not 0).
    var offset = 0

    /// True when `block` is a tar header: the ustar magic, or a valid checksum (old v7 archives).
    static func isTarHeader(_ block: [UInt8]) -> Bool {
        guard block.count == blockSize else { return false }
        if Array(block[257..<262]) == Array("ustar".utf8) { return true }
        guard let stored = octal(block[148..<156]), block.contains(where: { $0 != 0 }) else { return false }
        return checksum(block) == stored
    }

    func forEachEntry(_ body: (Entry) throws -> Void) throws {
        var stream = Stream(reader: reader, position: offset + firstBlock.count)
        var header = firstBlock
        var longName: String?
        var entries = 0
        while true {
            if header.count < Self.blockSize {
                if entries == 0 || header.count > 0 { throw Damaged(description: "archive ends inside a header after \(entries) members") }
                return
            }
            if header.allSatisfy({ $0 == 0 }) { return }  // end-of-archive marker
            let headerOffset = stream.position - Self.blockSize
            guard let size = Self.validSize(header) else {
                entries += 1
                longName = nil
                header = try resynchronise(&stream, from: header, at: headerOffset, why: "damaged tar header", body) ?? []
                if header.isEmpty { return }
                continue
            }
            entries += 1
            // A size is at most 2^62 (validSize), so rounding it up cannot overflow.
            let padded = (size + Self.blockSize - 1) / Self.blockSize * Self.blockSize
            let type = header[156]
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "x"):  // GNU long name; pax "len key=value\n" records
                let isLongName = type == UInt8(ascii: "L")
                let cap = isLongName ? InputLimits.maximumLongNameSize : InputLimits.maximumPaxHeaderSize
                guard size <= cap else {
                    // No real archive has such a header: read as damage, so that the members
                    // after it are found rather than skipped along with its claimed size.
                    longName = nil
                    let what = "tar header claiming a \(isLongName ? "GNU long name" : "pax header") of \(size) bytes (at most \(cap))"
                    header = try resynchronise(&stream, from: header, at: headerOffset, why: what, body) ?? []
                    if header.isEmpty { return }
                    continue
                }
                let data = try stream.read(padded, inside: isLongName ? "a long name" : "a pax header")[0..<size]
                longName = isLongName ? Self.string(data) : Self.paxPath(data) ?? longName
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                let name = longName ?? Self.name(header)
                longName = nil
                guard size <= InputLimits.maximumPacketSize else {
                    try stream.skip(padded, inside: name)
                    try body(.refused(name: name, reason: "member is \(size) bytes, more than the \(InputLimits.maximumPacketSize) "
                        + "an alert packet may be"))
                    continue
                }
                let data = try stream.read(padded, inside: name)
                try body(.member(name: name, bytes: Array(data[0..<size])))
            default:  // directories, links, devices, global pax headers: nothing to load
                longName = nil
                try stream.skip(padded, inside: Self.name(header))
            }
            header = try stream.readBlock()
        }
    }

    /// Scans from a damaged header, one block at a time, for the next block that is a valid
    /// header; reports the region from the damaged header up to it ("`why` at byte N; skipped
    /// M bytes to the next header"), and returns that header (nil at the end of the archive).
    /// The region's bytes are kept for the reject table while they are no more than a packet may be.
    private func resynchronise(_ stream: inout Stream, from damaged: [UInt8], at offset: Int, why: String,
                               _ body: (Entry) throws -> Void) throws -> [UInt8]? {
        var kept: [UInt8]? = damaged
        while true {
            let block = try stream.readBlock()
            let skipped = stream.position - block.count - offset
            let found = block.count == Self.blockSize && Self.validSize(block) != nil
            if found || block.count < Self.blockSize {
                let whereTo = found ? "the next header" : "the end of the archive"
                try body(.damaged(offset: offset, reason: "\(why) at byte \(offset); skipped \(skipped) bytes to \(whereTo)",
                                  bytes: kept, skipped: skipped))
                return found ? block : nil
            }
            if kept != nil {
                kept! += block
                if kept!.count > InputLimits.maximumPacketSize { kept = nil }
            }
        }
    }

    /// Reads on from `first`, block by block, until a block that is a valid header: returns the
    /// bytes before it and that header, or everything read and nil at the end of the input or
    /// once more than `limit` bytes were read (without a header, they cannot be a tar archive
    /// and are too large for a packet).
    static func scanForHeader(_ reader: GzipReader, after first: [UInt8], limit: Int) throws -> (prefix: [UInt8], header: [UInt8]?) {
        var prefix = first
        while prefix.count <= limit {
            let block = try reader.read(count: blockSize)
            if block.count == blockSize, validSize(block) != nil { return (prefix, block) }
            prefix += block
            if block.count < blockSize { break }
        }
        return (prefix, nil)
    }

    /// The member size of a header whose checksum verifies, or nil for a damaged header (a bad
    /// checksum, or a size that is negative, not a number, or beyond 2^62).
    static func validSize(_ header: [UInt8]) -> Int? {
        guard header.count == blockSize, let stored = octal(header[148..<156]), checksum(header) == stored else { return nil }
        return size(header)
    }

    private static func name(_ header: [UInt8]) -> String {
        let name = string(header[0..<100])
        let prefix = Array(header[257..<262]) == Array("ustar".utf8) ? string(header[345..<500]) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The size field: octal digits, or GNU base-256 (first byte 0x80, big-endian after it; a
    /// first byte with 0x40 set is a negative number, which no size can be).
    private static func size(_ header: [UInt8]) -> Int? {
        let field = header[124..<136]
        guard let first = field.first, first & 0x80 != 0 else { return octal(field) }
        guard first & 0x40 == 0 else { return nil }
        var value = Int(first & 0x3F)
        for byte in field.dropFirst() {
            guard value <= (1 << 62) >> 8 else { return nil }
            value = value << 8 | Int(byte)
        }
        return value
    }

    /// An octal field: at most 12 digits, so at most 8^12 (no overflow).
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

    /// The path of pax records ("LENGTH key=value\n", LENGTH counting the whole record), each
    /// length checked against what is left; a malformed record ends the parse, as GNU tar
    /// ignores the rest of a damaged header.
    static func paxPath(_ data: ArraySlice<UInt8>) -> String? {
        var path: String?
        var at = data.startIndex
        while at < data.endIndex {
            guard let space = data[at...].prefix(20).firstIndex(of: 0x20),
                  let length = Int(String(decoding: data[at..<space], as: UTF8.self)),
                  length > space - at + 1, length <= data.endIndex - at, data[at + length - 1] == 0x0A
            else { break }
            let record = data[(space + 1)..<(at + length - 1)]
            // Up to a NUL, as a header's name field is read: a path has none.
            if record.starts(with: "path=".utf8) { path = string(record.dropFirst(5)) }
            at += length
        }
        return path
    }
}

extension TarReader {
    /// The archive's bytes, counted: offsets in reasons are bytes of the (uncompressed) tar stream.
    struct Stream {
        let reader: GzipReader
        private(set) var position: Int

        init(reader: GzipReader, position: Int) { (self.reader, self.position) = (reader, position) }

        /// The next block, shorter (or empty) only at the end of the archive.
        mutating func readBlock() throws -> [UInt8] {
            let block = try reader.read(count: TarReader.blockSize)
            position += block.count
            return block
        }

        /// Exactly `count` bytes (at most a packet's size: callers check), or `Damaged`.
        mutating func read(_ count: Int, inside what: String) throws -> [UInt8] {
            let bytes = try reader.read(count: count)
            position += bytes.count
            guard bytes.count == count else { throw Damaged(description: "archive is truncated inside \(what)") }
            return bytes
        }

        /// Skips `count` bytes without holding them, or throws `Damaged` at the end of the archive.
        mutating func skip(_ count: Int, inside what: String) throws {
            let skipped = try reader.skip(count)
            position += skipped
            guard skipped == count else { throw Damaged(description: "archive is truncated inside \(what)") }
        }
    }
}
