import Foundation

/// Maps pixel values to gray levels 0...255 between zscale limits with a chosen stretch.
struct GrayLevels {
    private let lower: Float
    private let scale: Float
    private let stretch: CutoutImage.Stretch
    /// The asinh stretch's softening (astropy's `AsinhStretch` default): the curve is linear below
    /// about a tenth of the range and logarithmic above.
    private static let softening: Float = 0.1
    private static let asinhNorm = asinh(1 / softening)

    init(_ pixels: [Float], stretch: CutoutImage.Stretch) {
        let limits = ZScale().limits(pixels) ?? (0, 0)
        lower = Float(limits.lower)
        // A constant image has no range: every pixel maps to black.
        scale = limits.upper > limits.lower ? Float(1 / (limits.upper - limits.lower)) : 0
        self.stretch = stretch
    }

    /// The gray level of `value`; NaN (undefined) is black.
    @inline(__always)
    func level(_ value: Float) -> UInt8 {
        var t = (value - lower) * scale
        guard !t.isNaN else { return 0 }
        t = min(max(t, 0), 1)
        if stretch == .asinh { t = asinh(t / Self.softening) / Self.asinhNorm }
        return UInt8(t * 255 + 0.5)
    }
}
