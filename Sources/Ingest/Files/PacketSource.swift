import Foundation
import Gzip
import Model
import Store

/// Walks the inputs of `alertdb ingest` and hands over each packet's bytes with a name for it:
/// files; directories, recursively, in name order; `.tar` and `.tar.gz`/`.tgz` archives (one
/// packet per member); gzipped packets; and "-" for standard input. Archives are recognised by
/// their contents, not their names, and streamed, so a nightly archive never sits in memory.
public struct PacketSource {
    /// One packet, or an input that could not be read (with why).
    public enum Item {
        case packet(source: String, bytes: [UInt8])
        case unreadable(source: String, reason: String)
        /// A damaged region of an archive, `skipped` bytes from a damaged header to the next
        /// good one, with those bytes while they are no more than a packet may be.
        case damaged(source: String, reason: String, bytes: [UInt8]?, skipped: Int)
    }

    public let inputs: [String]

    public init(inputs: [String]) { self.inputs = inputs }

    /// What an Avro object container starts with.
    private static let avroMagic: [UInt8] = Array("Obj".utf8) + [1]

    public func forEach(_ body: (Item) throws -> Void) throws {
        for input in inputs {
            if input == "-" {
                try readFile(input, name: "stdin", body)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                try body(.unreadable(source: input, reason: "no such file or directory"))
                continue
            }
            if isDirectory.boolValue {
                try readDirectory(input, body)
            } else {
                try readFile(input, name: input, body)
            }
        }
    }

    /// Reads the regular files below `directory`, hidden ones left out, each folder's entries in
    /// name order so that runs are repeatable. Folders are listed with readdir, whose entries
    /// carry their type: Foundation's enumerator took 3.3 s to list 100,000 packets (a tenth of
    /// the time to load them). Symbolic links to files are followed, links to folders are not.
    private func readDirectory(_ directory: String, _ body: (Item) throws -> Void) throws {
        guard let stream = opendir(directory) else {
            return try body(.unreadable(source: directory, reason: "cannot list: \(String(cString: strerror(errno)))"))
        }
        var entries: [(path: String, isDirectory: Bool)] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard !name.hasPrefix(".") else { continue }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if let isDirectory = Self.isDirectory(path, type: Int32(entry.pointee.d_type)) {
                entries.append((path, isDirectory))
            }
        }
        closedir(stream)
        for entry in entries.sorted(by: { $0.path < $1.path }) {
            if entry.isDirectory { try readDirectory(entry.path, body) } else { try readFile(entry.path, name: entry.path, body) }
        }
    }

    /// Whether a folder entry is a folder to walk (true), a file to read (false) or neither
    /// (nil). readdir's type usually says; for links, and on file systems that do not give the
    /// type, lstat does. A link counts only when it leads to a file, so no link can loop.
    private static func isDirectory(_ path: String, type: Int32) -> Bool? {
        if type == Int32(DT_DIR) { return true }
        if type == Int32(DT_REG) { return false }
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return true
        case S_IFREG: return false
        case S_IFLNK: return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG ? false : nil
        default: return nil
        }
    }

    private func readFile(_ path: String, name: String, _ body: (Item) throws -> Void) throws {
        let reader: GzipReader
        do {
            reader = try GzipReader(path: path)
        } catch {
            return try body(.unreadable(source: name, reason: "cannot open: \(String(cString: strerror(errno)))"))
        }
        do {
            var bytes = try reader.read(count: TarReader.blockSize)
            var archive: (header: [UInt8], offset: Int)?
            if TarReader.isTarHeader(bytes) {
                archive = (bytes, 0)
            } else if !bytes.starts(with: Self.avroMagic) {
                // Neither a packet nor a tar header: perhaps an archive whose first header is
                // damaged. As GNU tar does, look for the next good header; while there is none
                // the bytes may still be one (damaged) packet, and are kept as such.
                let (prefix, header) = try TarReader.scanForHeader(reader, after: bytes, limit: InputLimits.maximumPacketSize)
                bytes = prefix
                if let header {
                    try body(.damaged(source: "\(name):0", reason: "damaged tar header at byte 0; skipped \(prefix.count) bytes "
                        + "to the next header", bytes: prefix, skipped: prefix.count))
                    archive = (header, prefix.count)
                }
            }
            if let archive {
                try TarReader(reader: reader, firstBlock: archive.header, offset: archive.offset).forEachEntry { entry in
                    switch entry {
                    case .member(let member, let bytes):
                        try body(.packet(source: "\(name):\(member)", bytes: bytes))
                    case .refused(let member, let reason):
                        try body(.unreadable(source: "\(name):\(member)", reason: reason))
                    case .damaged(let offset, let reason, let bytes, let skipped):
                        try body(.damaged(source: "\(name):\(offset)", reason: reason, bytes: bytes, skipped: skipped))
                    }
                }
            } else {
                try reader.readToEnd(appendingTo: &bytes, limit: InputLimits.maximumPacketSize)
                try body(.packet(source: name, bytes: bytes))
            }
        } catch let error as GzipError where error.isTooLarge {
            try body(.unreadable(source: name, reason: "more than \(InputLimits.maximumPacketSize) bytes: too large for an alert packet"))
        } catch let error as GzipError {
            try body(.unreadable(source: name, reason: error.message))
        } catch let error as TarReader.Damaged {
            try body(.unreadable(source: name, reason: error.description))
        }
    }
}
