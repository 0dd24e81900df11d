import CZlib

/// Inflates raw deflate data (the Avro container "deflate" codec).
public func inflateRaw(_ input: UnsafeRawBufferPointer, expectedSize: Int = 0) throws -> [UInt8] {
    var stream = z_stream()
    guard czlib_inflate_init_raw(&stream) == Z_OK else { throw GzipError(message: "cannot start inflate") }
    defer { inflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: max(expectedSize, input.count * 4, 4096))
    stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
    stream.avail_in = uInt(input.count)
    while true {
        let produced = Int(stream.total_out)
        let status = output.withUnsafeMutableBytes { out -> Int32 in
            stream.next_out = out.bindMemory(to: Bytef.self).baseAddress! + produced
            stream.avail_out = uInt(out.count - produced)
            return inflate(&stream, Z_NO_FLUSH)
        }
        if status == Z_STREAM_END { return Array(output.prefix(Int(stream.total_out))) }
        guard status == Z_OK || status == Z_BUF_ERROR, stream.avail_in > 0 || stream.avail_out == 0 else {
            throw GzipError(message: "damaged deflate data")
        }
        if stream.avail_out == 0 { output.append(contentsOf: repeatElement(0, count: output.count)) }
    }
}
