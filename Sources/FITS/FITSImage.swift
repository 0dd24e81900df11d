import CFITSIO

/// A two-dimensional FITS image read into memory, pixels as `Float` in FITS order:
/// `pixels[x + y * width]`, with y = 0 the FITS row 1 (the bottom row as astronomers display it).
public struct FITSImage: Sendable {
    /// NAXIS1: pixels per row.
    public let width: Int
    /// NAXIS2: number of rows.
    public let height: Int
    /// BITPIX of the stored data (8, 16, 32, 64, -32 or -64).
    public let bitpix: Int
    /// Physical values (BSCALE and BZERO applied); undefined pixels (BLANK, NaN) are NaN.
    public let pixels: [Float]

    /// The largest image read, in pixels (a 256 MB array of floats).
    public static let maxPixels = 1 << 26

    /// Reads the first image of the uncompressed FITS file in `bytes`: the primary array, or
    /// the first extension when the primary header holds no data. Extra axes of length 1 are
    /// allowed. An image of more than `maxPixels` is refused before anything is allocated.
    public init(bytes: [UInt8], maxPixels: Int = FITSImage.maxPixels) throws {
        let file = try FITSFile(bytes: bytes)
        var (bitpix, axes) = try file.imageParameters()
        if axes.isEmpty {
            try file.moveToNextHDU()
            (bitpix, axes) = try file.imageParameters()
        }
        guard axes.count >= 2, axes.dropFirst(2).allSatisfy({ $0 == 1 }) else {
            throw FITSError(message: "not a 2-D image: NAXIS = \(axes.count), axes \(axes)")
        }
        let width = axes[0], height = axes[1]
        guard width > 0, height > 0 else { throw FITSError(message: "empty image: \(width) x \(height)") }
        // Bounded so that a damaged header cannot make us allocate gigabytes (the data itself
        // is checked against the file before it is read).
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count <= maxPixels else {
            throw FITSError(message: "image of \(width) x \(height) pixels is larger than \(maxPixels) pixels")
        }
        self.width = width
        self.height = height
        self.bitpix = bitpix
        self.pixels = try file.readPixels(count: count, bitpix: bitpix)
    }
}

/// An error reported by CFITSIO (its status text and error-message stack) or found in the image.
public struct FITSError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String
    /// The message itself.
    public var description: String { message }
}
