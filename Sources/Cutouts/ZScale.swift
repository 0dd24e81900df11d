/// IRAF's zscale display limits, computed as astropy's `ZScaleInterval` does: a line is fitted
/// to a sorted sample of the pixels with iterative sigma rejection, and the limits lie around
/// the median, as far as the fitted slope divided by the contrast reaches.
public struct ZScale: Sendable {
    /// At most this many pixels are sampled, evenly spaced.
    public var sampleCount = 1000
    /// Smaller contrast widens the limits.
    public var contrast = 0.25
    /// When more than this fraction of the sample is rejected, the limits are the sample's extremes.
    public var maxReject = 0.5
    /// The fit needs at least this many good pixels.
    public var minPixels = 5
    /// Pixels further than this many standard deviations from the line are rejected.
    public var rejectionSigma = 2.5
    /// Fitting rounds at most.
    public var maxIterations = 5

    /// The default parameters (IRAF's and astropy's).
    public init() {}

    /// The lower and upper limits for `pixels` (in any order; NaN and infinities are ignored),
    /// or nil when no pixel is finite.
    public func limits(_ pixels: [Float]) -> (lower: Double, upper: Double)? {
        let samples = sample(pixels)
        guard let first = samples.first, let last = samples.last else { return nil }
        let n = samples.count
        var lower = first, upper = last
        let minGood = max(minPixels, Int(Double(n) * maxReject))
        // Rejected pixels are grown by this many neighbours, as astropy's convolution does.
        let grow = max(1, Int(Double(n) * 0.01))
        var bad = [Bool](repeating: false, count: n)
        var good = n, lastGood = n + 1
        var slope = 0.0
        for _ in 0..<maxIterations {
            if good >= lastGood || good < minGood { break }
            let line = fitLine(samples, excluding: bad)
            slope = line.slope
            var sum = 0.0, sumSquares = 0.0, count = 0.0
            var residuals = [Double](repeating: 0, count: n)
            for i in 0..<n {
                residuals[i] = samples[i] - (line.intercept + line.slope * Double(i))
                if !bad[i] { sum += residuals[i]; sumSquares += residuals[i] * residuals[i]; count += 1 }
            }
            let mean = sum / count
            let threshold = rejectionSigma * (max(0, sumSquares / count - mean * mean)).squareRoot()
            for i in 0..<n where residuals[i] < -threshold || residuals[i] > threshold { bad[i] = true }
            bad = dilate(bad, width: grow)
            lastGood = good
            good = bad.reduce(0) { $1 ? $0 : $0 + 1 }
        }
        if good >= minGood {
            if contrast > 0 { slope /= contrast }
            let center = (n - 1) / 2
            let median = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2
            lower = max(lower, median - Double(center - 1) * slope)
            upper = min(upper, median + Double(n - center) * slope)
        }
        return (lower, upper)
    }

    /// Every `stride`-th finite pixel, at most `sampleCount`, sorted.
    private func sample(_ pixels: [Float]) -> [Double] {
        let finite = pixels.reduce(0) { $1.isFinite ? $0 + 1 : $0 }
        let stride = max(1, Int(Double(finite) / Double(sampleCount)))
        var samples: [Double] = []
        samples.reserveCapacity(min(sampleCount, finite))
        var index = 0
        for p in pixels where p.isFinite {
            if index % stride == 0 { samples.append(Double(p)) }
            index += 1
            if samples.count == sampleCount { break }
        }
        samples.sort()
        return samples
    }

    /// Least-squares line through (i, y[i]) over the pixels not marked bad.
    private func fitLine(_ y: [Double], excluding bad: [Bool]) -> (slope: Double, intercept: Double) {
        var n = 0.0, sx = 0.0, sy = 0.0
        for i in 0..<y.count where !bad[i] { n += 1; sx += Double(i); sy += y[i] }
        let mx = sx / n, my = sy / n
        var sxx = 0.0, sxy = 0.0
        for i in 0..<y.count where !bad[i] {
            let dx = Double(i) - mx
            sxx += dx * dx
            sxy += dx * (y[i] - my)
        }
        let slope = sxx > 0 ? sxy / sxx : 0
        return (slope, my - slope * mx)
    }

    /// Marks every pixel within a window of `width` of a bad one, with numpy's "same"
    /// convolution alignment: pixel i becomes bad when any of i-width/2 ... i+(width-1)/2 is.
    private func dilate(_ bad: [Bool], width: Int) -> [Bool] {
        guard width > 1 else { return bad }
        let n = bad.count
        // before[k]: bad pixels among the first k.
        var before = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { before[i + 1] = before[i] + (bad[i] ? 1 : 0) }
        let ahead = (width - 1) / 2
        return (0..<n).map { i in
            let low = max(0, i + ahead - (width - 1)), high = min(n - 1, i + ahead)
            return before[high + 1] - before[low] > 0
        }
    }
}
