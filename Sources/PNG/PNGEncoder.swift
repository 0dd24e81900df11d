import CPNG

/// Encodes images as PNG files in memory with libpng's simplified write API, which catches
/// libpng's own errors (its setjmp/longjmp) inside C and reports them as a return value,
/// so no jump ever crosses a Swift frame.
public enum PNGEncoder {
    /// The PNG file of an 8-bit grayscale image whose `pixels` hold `height` rows of `width`
    /// bytes, the top row first.
    public static func grayscale(width: Int, height: Int, pixels: [UInt8]) throws -> [UInt8] {
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max),
              width.multipliedReportingOverflow(by: height) == (pixels.count, false) else {
            throw PNGError(message: "\(pixels.count) pixels do not make a \(width) x \(height) image")
        }
        let image = PNGImage(width: width, height: height, format: PNGFormat.gray)
        // Deflate rarely grows data by more than a little; a too-small guess is retried at the size libpng asks for.
        var capacity = pixels.count + height + 1024
        while true {
            var output = [UInt8](repeating: 0, count: capacity)
            var written = capacity
            let ok = output.withUnsafeMutableBytes { out in
                pixels.withUnsafeBytes { image.write(to: out.baseAddress, size: &written, rows: $0.baseAddress, rowStride: width) }
            }
            if ok {
                output.removeSubrange(written...)
                return output
            }
            guard written > capacity else { throw PNGError(message: "cannot write PNG: \(image.message)") }
            capacity = written
        }
    }
}

/// An error reported by libpng or found in the image handed over.
public struct PNGError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String
    /// The message itself.
    public var description: String { message }
}
