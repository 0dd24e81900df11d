import CZlib

/// Inflates raw deflate data (the Avro container "deflate" codec, a gzip member's body).
///
/// Deflate shrinks a run of zeros about a thousandfold, so a few kilobytes of input can ask for
/// gigabytes of output: inflation stops with `GzipError.tooLarge` as soon as the output would
/// pass `limit` bytes, and the output buffer never grows beyond it. `expectedSize` (a size the
/// input claims, such as a gzip trailer's ISIZE) only sizes the first buffer, within `limit`.
public func inflateRaw(_ input: UnsafeRawBufferPointer, expectedSize: Int = 0, limit: Int) throws -> [UInt8] {
    precondition(limit >= 0)
    var stream = z_stream()
    guard czlib_inflate_init_raw(&stream) == Z_OK else { throw GzipError(message: "cannot start inflate") }
    defer { inflateEnd(&stream) }
    // One byte past the limit, so that output of exactly `limit` bytes is told from more.
    let ceiling = limit < Int.max ? limit + 1 : limit
    let first = min(max(expectedSize, input.count.multipliedReportingOverflow(by: 4).partialValue, 4096), ceiling)
    var output = [UInt8](repeating: 0, count: max(first, 1))
    stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
    // zlib counts input in 32-bit units: more than 4 GiB of compressed input is not a packet or a stamp.
    guard input.count <= Int(UInt32.max) else { throw GzipError.tooLarge(limit: limit) }
    stream.avail_in = uInt(input.count)
    while true {
        let produced = Int(stream.total_out)
        let status = output.withUnsafeMutableBytes { out -> Int32 in
            stream.next_out = out.bindMemory(to: Bytef.self).baseAddress! + produced
            stream.avail_out = uInt(out.count - produced)
            return inflate(&stream, Z_NO_FLUSH)
        }
        if Int(stream.total_out) > limit { throw GzipError.tooLarge(limit: limit) }
        if status == Z_STREAM_END { return Array(output.prefix(Int(stream.total_out))) }
        guard status == Z_OK || status == Z_BUF_ERROR, stream.avail_in > 0 || stream.avail_out == 0 else {
            throw GzipError(message: "damaged deflate data")
        }
        if stream.avail_out == 0 {
            guard output.count < ceiling else { throw GzipError.tooLarge(limit: limit) }
            let grown = min(output.count.multipliedReportingOverflow(by: 2).partialValue, ceiling)
            output.append(contentsOf: repeatElement(0, count: grown - output.count))
        }
    }
}

extension GzipError {
    /// The data inflates to more than `limit` bytes: a decompression bomb, or not what it claims to be.
    public static func tooLarge(limit: Int) -> GzipError {
        GzipError(message: "inflates to more than \(limit) bytes", isTooLarge: true)
    }
}
