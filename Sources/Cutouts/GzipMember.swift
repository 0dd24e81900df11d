import Gzip
import Model

/// A gzip file held in memory (RFC 1952), as ZTF compresses the FITS file in each `stampData`.
enum GzipMember {
    static let magic = StampFormat.gzipMagic

    /// The most a stamp may inflate to. A ZTF stamp is a 63 x 63 float image, about 20 kB as
    /// FITS; a Rubin one is up to about 200 kB. 16 MiB is 80 times that, so no real stamp comes
    /// near it, while a gzip bomb (a few kB that inflate to gigabytes) is stopped after 16 MiB
    /// of output instead of taking the server's memory with it. Beyond it the stamp is
    /// unreadable, which the cutout route answers with a 404 as for any damaged stamp.
    static let maximumInflatedSize = 16 << 20

    /// The uncompressed contents of the first member of `bytes`.
    static func inflate(_ bytes: [UInt8]) throws -> [UInt8] {
        guard bytes.count >= 18, bytes.starts(with: magic) else { throw CutoutError.unreadable("not a gzip file") }
        guard bytes[2] == 8 else { throw CutoutError.unreadable("gzip: unknown compression method \(bytes[2])") }
        let flags = bytes[3]
        guard flags & 0xE0 == 0 else { throw CutoutError.unreadable("gzip: reserved header flags set") }
        // Fixed header: magic, method, flags, mtime, extra flags, OS.
        var start = 10
        if flags & 0x04 != 0 {  // FEXTRA: a little-endian length, then that many bytes
            guard start + 2 <= bytes.count else { throw CutoutError.unreadable("gzip: truncated header") }
            start += 2 + (Int(bytes[start]) | Int(bytes[start + 1]) << 8)
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: NUL-terminated
            guard start < bytes.count, let end = bytes[start...].firstIndex(of: 0) else {
                throw CutoutError.unreadable("gzip: truncated header")
            }
            start = end + 1
        }
        if flags & 0x02 != 0 { start += 2 }  // FHCRC
        guard start + 8 <= bytes.count else { throw CutoutError.unreadable("gzip: truncated file") }
        // The trailer's ISIZE sizes the first buffer; inflateRaw holds it (and the output) to the limit.
        let n = bytes.count
        let size = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
        do {
            return try bytes.withUnsafeBytes {
                try inflateRaw(UnsafeRawBufferPointer(rebasing: $0[start...]), expectedSize: size, limit: maximumInflatedSize)
            }
        } catch let error as GzipError {
            throw CutoutError.unreadable("gzip: \(error.message)")
        }
    }
}
