import CZlib

/// Compresses `input` into one gzip member (RFC 1952), as `Content-Encoding: gzip` sends it.
/// `level` is zlib's, 1 (fastest) to 9 (smallest). Nil only when zlib cannot start (no memory).
public func gzipCompress(_ input: [UInt8], level: Int32 = 6) -> [UInt8]? {
    var stream = z_stream()
    guard czlib_deflate_init_gzip(&stream, level) == Z_OK else { return nil }
    defer { deflateEnd(&stream) }
    // deflateBound is the most a single Z_FINISH call can produce, header and trailer included:
    // one call, no growing.
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))))
    let status = input.withUnsafeBytes { source in
        output.withUnsafeMutableBytes { target -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
            stream.avail_out = uInt(target.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    guard status == Z_STREAM_END else { return nil }
    output.removeSubrange(Int(stream.total_out)...)
    return output
}
