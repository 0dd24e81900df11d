import CPNG

/// Decodes PNG files held in memory with libpng's simplified read API (errors come back as
/// return values, never as a jump through Swift frames).
public enum PNGDecoder {
    /// The pixels of any PNG file converted to 8-bit grayscale, top row first.
    public static func grayscale(_ bytes: [UInt8]) throws -> (width: Int, height: Int, pixels: [UInt8]) {
        let image = PNGImage()
        // libpng reads from the caller's memory until the image is finished: keep both steps in this scope.
        return try bytes.withUnsafeBytes { file in
            guard image.beginRead(file) else { throw PNGError(message: "cannot read PNG: \(image.message)") }
            let (width, height) = image.size
            let (count, overflow) = width.multipliedReportingOverflow(by: height)
            guard !overflow, count <= 1 << 28 else { throw PNGError(message: "PNG image too large: \(width) x \(height)") }
            var pixels = [UInt8](repeating: 0, count: count)
            let ok = pixels.withUnsafeMutableBytes { image.finishRead(into: $0.baseAddress!, format: PNGFormat.gray, rowStride: width) }
            guard ok else { throw PNGError(message: "cannot read PNG: \(image.message)") }
            return (width, height, pixels)
        }
    }
}
