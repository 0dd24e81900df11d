import CFITSIO

/// One CFITSIO file opened read-only on a private copy of a memory buffer; closed in deinit.
///
/// CFITSIO's memory driver keeps the *addresses* of the buffer pointer and size it was given
/// and reads through them for as long as the file is open, so both live in cells this object
/// allocates, next to the copy of the bytes they describe.
///
/// The memory driver also reads whole 2880-byte records, and large pixel reads, without checking
/// them against the buffer size (a truncated file would be read past its end). So the copy is
/// padded with zeros to whole records, and pixels are read only when the header's data unit
/// lies inside that copy.
final class FITSFile {
    private let file: UnsafeMutablePointer<fitsfile>
    private let data: UnsafeMutableRawPointer
    private let address: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let size: UnsafeMutablePointer<Int>
    /// Bytes of the file as given.
    private let byteCount: Int
    /// Bytes of the padded copy.
    private let allocated: Int

    /// The FITS record size: files are read in whole records.
    static let recordSize = 2880

    init(bytes: [UInt8]) throws {
        let allocated = max(1, (bytes.count + Self.recordSize - 1) / Self.recordSize) * Self.recordSize
        let data = UnsafeMutableRawPointer.allocate(byteCount: allocated, alignment: 16)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: allocated)
        bytes.withUnsafeBytes { if let base = $0.baseAddress { data.copyMemory(from: base, byteCount: $0.count) } }
        let address = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: 1)
        address.initialize(to: data)
        let size = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        size.initialize(to: bytes.count)
        var opened: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        ffomem(&opened, "mem://", READONLY, address, size, 0, nil, &status)
        guard status == 0, let opened else {
            Self.release(data, address, size)
            throw FITSError(message: Self.message(status, doing: "open"))
        }
        (self.file, self.data, self.address, self.size) = (opened, data, address, size)
        (self.byteCount, self.allocated) = (bytes.count, allocated)
    }

    deinit {
        var status: Int32 = 0
        ffclos(file, &status)
        Self.release(data, address, size)
    }

    /// BITPIX and the axis lengths of the current HDU (no axes: a header without data).
    func imageParameters() throws -> (bitpix: Int, axes: [Int]) {
        var bitpix: Int32 = 0, naxis: Int32 = 0, status: Int32 = 0
        var axes = [Int](repeating: 0, count: 9)
        ffgipr(file, 9, &bitpix, &naxis, &axes, &status)
        guard status == 0 else { throw FITSError(message: Self.message(status, doing: "read the image header")) }
        return (Int(bitpix), Array(axes.prefix(Int(min(max(naxis, 0), 9)))))
    }

    /// Moves to the next HDU.
    func moveToNextHDU() throws {
        var type: Int32 = 0, status: Int32 = 0
        ffmrhd(file, 1, &type, &status)
        guard status == 0 else { throw FITSError(message: Self.message(status, doing: "find an image extension")) }
    }

    /// The first `count` pixels of the current image (`bitpix` as its header says) as floats,
    /// scaled; undefined pixels as NaN.
    func readPixels(count: Int, bitpix: Int) throws -> [Float] {
        var status: Int32 = 0
        var headerStart: Int64 = 0, dataStart: Int64 = 0, dataEnd: Int64 = 0
        ffghadll(file, &headerStart, &dataStart, &dataEnd, &status)
        let compressed = fits_is_compressed_image(file, &status) != 0
        guard status == 0 else { throw FITSError(message: Self.message(status, doing: "locate the image data")) }
        // A tile-compressed image is a table whose size says nothing about the pixel count.
        let pixelEnd = compressed ? dataEnd : dataStart + Int64(count) * Int64(abs(bitpix) / 8)
        guard dataEnd <= Int64(allocated), pixelEnd <= Int64(byteCount) else {
            throw FITSError(message: "truncated FITS file: its data ends at byte \(compressed ? dataEnd : pixelEnd) of \(byteCount)")
        }
        var anyNull: Int32 = 0
        // With a null value given, CFITSIO substitutes it for BLANK pixels of integer images.
        var null = Float.nan
        var pixels = [Float](repeating: .nan, count: count)
        pixels.withUnsafeMutableBufferPointer { buffer in
            _ = ffgpv(file, TFLOAT, 1, Int64(count), &null, buffer.baseAddress, &anyNull, &status)
        }
        guard status == 0 else { throw FITSError(message: Self.message(status, doing: "read the pixels")) }
        return pixels
    }

    private static func release(_ data: UnsafeMutableRawPointer, _ address: UnsafeMutablePointer<UnsafeMutableRawPointer?>,
                                _ size: UnsafeMutablePointer<Int>) {
        data.deallocate()
        address.deallocate()
        size.deallocate()
    }

    /// CFITSIO's text for `status`, followed by the messages it stacked while failing (emptied here).
    static func message(_ status: Int32, doing action: String) -> String {
        var text = [CChar](repeating: 0, count: 32)
        ffgerr(status, &text)
        var parts = ["cannot \(action) FITS: \(text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }) (status \(status))"]
        var line = [CChar](repeating: 0, count: 96)
        while ffgmsg(&line) > 0 { parts.append(line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }) }
        return parts.joined(separator: "; ")
    }
}
