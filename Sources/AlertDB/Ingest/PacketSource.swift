import Foundation
import Gzip

/// Walks the inputs of `alertdb ingest` and hands over each packet's bytes with a name for it:
/// files; directories, recursively, in name order; `.tar` and `.tar.gz`/`.tgz` archives (one
/// packet per member); gzipped packets; and "-" for standard input. Archives are recognised by
/// their contents, not their names, and streamed, so a nightly archive never sits in memory.
struct PacketSource {
    /// One packet, or an input that could not be read (with why).
    enum Item {
        case packet(source: String, bytes: [UInt8])
        case unreadable(source: String, reason: String)
    }

    let inputs: [String]

    func forEach(_ body: (Item) throws -> Void) throws {
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
                for path in try filesBelow(input) { try readFile(path, name: path, body) }
            } else {
                try readFile(input, name: input, body)
            }
        }
    }

    /// Regular files below `directory`, hidden ones left out, sorted so runs are repeatable.
    private func filesBelow(_ directory: String) throws -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var files: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(url.path)
        }
        return files.sorted()
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
            if TarReader.isTarHeader(bytes) {
                try TarReader(reader: reader, firstBlock: bytes).forEachMember { member, bytes in
                    try body(.packet(source: "\(name):\(member)", bytes: bytes))
                }
            } else {
                try reader.readToEnd(appendingTo: &bytes)
                try body(.packet(source: name, bytes: bytes))
            }
        } catch let error as GzipError {
            try body(.unreadable(source: name, reason: error.message))
        } catch let error as TarReader.Damaged {
            try body(.unreadable(source: name, reason: error.description))
        }
    }
}
