import FITS
import Model
import PNG

/// Cutout stamps as stored in alert packets, and their rendering as PNG images for browsers.
public enum CutoutImage {
    /// How pixel values between the display limits become gray levels.
    public enum Stretch: String, Sendable, CaseIterable {
        /// Linear between the zscale limits.
        case zscale
        /// Arcsine-hyperbolic between the zscale limits: faint structure brighter, cores less saturated.
        case asinh
    }

    /// The uncompressed FITS file of a FITS stamp (inflated when gzip-compressed).
    public static func fitsFile(stamp: [UInt8]) throws -> [UInt8] {
        let kind = StampFormat(prefix: stamp)
        guard kind == .fits else { throw CutoutError.notFITS(kind.rawValue) }
        return stamp.starts(with: StampFormat.gzipMagic) ? try GzipMember.inflate(stamp) : stamp
    }

    /// The image of a FITS stamp.
    public static func fitsImage(stamp: [UInt8]) throws -> FITSImage {
        let file = try fitsFile(stamp: stamp)
        do {
            // A tile-compressed image can claim many more pixels than its bytes; a stamp is
            // about 63 x 63 (ZTF) to 200 x 200 (Rubin): 4 M pixels (16 MB of floats) is plenty.
            return try FITSImage(bytes: file, maxPixels: 1 << 22)
        } catch let error as FITSError {
            throw CutoutError.unreadable(error.message)
        }
    }

    /// A grayscale PNG of a FITS stamp, north up: FITS row 1 is the bottom row of the picture.
    /// Undefined pixels are black. Throws `CutoutError.notFITS` for JPEG and unknown stamps
    /// (which are best served as they are) and `.unreadable` for damaged ones.
    public static func renderPNG(stamp: [UInt8], stretch: Stretch = .zscale) throws -> [UInt8] {
        let image = try fitsImage(stamp: stamp)
        let levels = GrayLevels(image.pixels, stretch: stretch)
        let width = image.width, height = image.height
        var gray = [UInt8](repeating: 0, count: width * height)
        image.pixels.withUnsafeBufferPointer { pixels in
            gray.withUnsafeMutableBufferPointer { out in
                for row in 0..<height {
                    let source = (height - 1 - row) * width, target = row * width
                    for x in 0..<width { out[target + x] = levels.level(pixels[source + x]) }
                }
            }
        }
        do {
            return try PNGEncoder.grayscale(width: width, height: height, pixels: gray)
        } catch let error as PNGError {
            throw CutoutError.unreadable(error.message)
        }
    }
}

/// Why a stamp could not be rendered.
public enum CutoutError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The stamp is not a FITS file; the associated value is its format ("jpeg", "png", "unknown").
    case notFITS(String)
    /// The stamp claims to be FITS but cannot be read; the message says why.
    case unreadable(String)

    /// A sentence for logs and error responses.
    public var description: String {
        switch self {
        case .notFITS(let kind): return "the cutout is not a FITS image (\(kind))"
        case .unreadable(let message): return "unreadable FITS cutout: \(message)"
        }
    }
}
