import CZlib
import Foundation

/// Streams a file through zlib's gzip reader, which passes plain (uncompressed) files through
/// unchanged: one reader serves `.tar`, `.tar.gz`, `.avro` and gzipped packets alike.
public final class GzipReader {
    private let file: gzFile

    /// Opens `path`, or standard input for "-".
    public init(path: String) throws {
        let file = path == "-" ? gzdopen(dup(0), "rb") : gzopen(path, "rb")
        guard let file else { throw GzipError(message: "cannot open \(path)") }
        gzbuffer(file, 256 * 1024)
        self.file = file
    }

    deinit { gzclose(file) }

    /// True when the input is not gzip-compressed (bytes are read as they are).
    public var isPlain: Bool { gzdirect(file) != 0 }

    /// Reads up to `count` bytes; fewer only at the end of the input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var total = 0
        while total < buffer.count {
            let want = UInt32(min(buffer.count - total, Int(Int32.max)))
            let n = gzread(file, buffer.baseAddress! + total, want)
            if n < 0 { throw GzipError(message: errorMessage()) }
            if n == 0 {
                // zlib reports a stream cut short (a truncated member, even a second one after
                // a complete first) as a soft error and returns 0 as at the end: checked here,
                // so that a truncated input is not taken for a shorter whole one.
                var code: Int32 = 0
                _ = gzerror(file, &code)
                if code == Z_BUF_ERROR { throw GzipError(message: "gzip: unexpected end of file: the compressed stream is truncated") }
                break
            }
            total += Int(n)
        }
        return total
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
    /// having read at most one byte more than the limit.
    public func readToEnd(appendingTo bytes: inout [UInt8], limit: Int) throws {
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

    private func errorMessage() -> String {
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
