import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Streams a file through zlib's gzip reader, or, when it is not gzip-compressed, reads it as it
/// is: one reader serves `.tar`, `.tar.gz`, `.avro` and gzipped packets alike.
public final class GzipReader {
    private enum Source {
        case zlib(gzFile)
        /// A file that does not start with gzip's magic number, read with read(2) straight into
        /// the caller's buffer. Through zlib, a plain packet was copied twice more (into zlib's
        /// buffer, then out of it), which for Rubin's packets, most of whose bytes are stamps,
        /// was a good part of the cost of reading them. `size` is the file's length when opened.
        case plain(descriptor: Int32, size: Int)
    }

    private let source: Source
    /// Bytes returned so far.
    private var position = 0

    /// Opens `path`, or standard input for "-" (always through zlib, which tells plain input from
    /// gzip by reading it).
    public init(path: String) throws {
        if path != "-" {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw GzipError(message: "cannot open \(path)") }
            var magic: [UInt8] = [0, 0]
            var status = stat()
            let peeked = magic.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 2, 0) }
            if peeked >= 0, fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
               !(peeked == 2 && magic == [0x1f, 0x8b]) {
                source = .plain(descriptor: descriptor, size: Int(status.st_size))
                return
            }
            // zlib opens its own descriptor on the same file.
            close(descriptor)
        }
        let file = path == "-" ? gzdopen(dup(0), "rb") : gzopen(path, "rb")
        guard let file else { throw GzipError(message: "cannot open \(path)") }
        gzbuffer(file, 256 * 1024)
        source = .zlib(file)
    }

    deinit {
        switch source {
        case .zlib(let file): gzclose(file)
        case .plain(let descriptor, _): close(descriptor)
        }
    }

    /// True when the input is not gzip-compressed (bytes are read as they are).
    public var isPlain: Bool {
        switch source {
        case .zlib(let file): gzdirect(file) != 0
        case .plain: true
        }
    }

    /// Reads up to `buffer.count` bytes; fewer only at the end of the input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var total = 0
        while total < buffer.count {
            let n: Int
            switch source {
            case .zlib(let file): n = try zlibRead(file, into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]))
            case .plain(let descriptor, _):
                n = Glibc.read(descriptor, buffer.baseAddress! + total, buffer.count - total)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw GzipError(message: "read error: \(String(cString: strerror(errno)))")
                }
            }
            if n == 0 { break }
            total += n
        }
        position += total
        return total
    }

    /// One gzread: some bytes, or 0 at the end of the input.
    private func zlibRead(_ file: gzFile, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = gzread(file, buffer.baseAddress!, UInt32(min(buffer.count, Int(Int32.max))))
        if n < 0 { throw GzipError(message: errorMessage(file)) }
        if n == 0 {
            // zlib reports a stream cut short (a truncated member, even a second one after
            // a complete first) as a soft error and returns 0 as at the end: checked here,
            // so that a truncated input is not taken for a shorter whole one.
            var code: Int32 = 0
            _ = gzerror(file, &code)
            if code == Z_BUF_ERROR { throw GzipError(message: "gzip: unexpected end of file: the compressed stream is truncated") }
        }
        return Int(n)
    }

    /// Reads exactly `count` bytes, or fewer at the end of the input.
    public func read(count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw GzipError(message: "cannot read \(count) bytes") }
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = try read(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// Appends everything that is left to `bytes`, which may then hold at most `limit` bytes:
    /// past that it throws `GzipError.tooLarge` (a gzip bomb, or a file that is not a packet),
    /// having read at most one byte more than the limit. What is left of a plain file is read
    /// in one go into a buffer of its size; anything else in growing chunks.
    public func readToEnd(appendingTo bytes: inout [UInt8], limit: Int) throws {
        if case .plain(_, let size) = source, size - position >= 0, bytes.count + size - position <= limit {
            let start = bytes.count, left = size - position
            // One byte more than the file held when opened: a file that has grown since goes on
            // to the chunked reads below.
            bytes = try [UInt8](unsafeUninitializedCapacity: start + left + 1) { buffer, initialized in
                _ = UnsafeMutableBufferPointer(rebasing: buffer[..<start]).initialize(fromContentsOf: bytes)
                initialized = start
                initialized += try read(into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[start...])))
            }
            if bytes.count <= start + left { return }
        }
        var chunk = 64 * 1024
        while true {
            let want = min(chunk, limit - bytes.count + 1)
            guard want > 0 else { throw GzipError.tooLarge(limit: limit) }
            let part = try read(count: want)
            bytes.append(contentsOf: part)
            if bytes.count > limit { throw GzipError.tooLarge(limit: limit) }
            if part.count < want { return }
            chunk = min(chunk * 2, 8 << 20)
        }
    }

    /// Skips `count` bytes, or what is left of the input when that is less; returns how many
    /// were skipped. Streams: no buffer larger than 64 kB, whatever `count` is.
    @discardableResult
    public func skip(_ count: Int) throws -> Int {
        guard count > 0 else { return 0 }
        var left = count
        var scratch = [UInt8](repeating: 0, count: min(count, 64 * 1024))
        while left > 0 {
            let n = try scratch.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min(left, $0.count)])) }
            if n == 0 { break }
            left -= n
        }
        return count - left
    }

    private func errorMessage(_ file: gzFile) -> String {
        var code: Int32 = 0
        let text = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
        return "gzip: \(text)"
    }
}

/// An error reading a possibly gzip-compressed input.
public struct GzipError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// The input inflates past the limit it was read with (not damaged, just too large).
    public let isTooLarge: Bool
    public var description: String { message }

    public init(message: String, isTooLarge: Bool = false) {
        self.message = message
        self.isTooLarge = isTooLarge
    }
}
