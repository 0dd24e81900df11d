import Model
import Store

/// The light curve as inline SVG: magnitude (bright at the top) against days relative to one
/// alert, one colour per filter, upper limits as downward triangles.
struct LightCurve {
    let points: [PhotometryPoint]
    /// The alert the page is about: its point is ringed and the time axis counts from it.
    let highlightJD: Double?
    let highlightFilter: String?

    private static let width = 760.0, height = 380.0
    private static let left = 58.0, right = 16.0, top = 34.0, bottom = 50.0
    private static var plotWidth: Double { width - left - right }
    private static var plotHeight: Double { height - top - bottom }

    /// The colour of a ZTF filter: g green, r red, i dark yellow.
    static func colour(_ filter: String) -> String {
        switch filter {
        case "g": return "#1a9641"
        case "r": return "#d7191c"
        case "i": return "#b8860b"
        default: return "#555555"
        }
    }

    /// The magnitude a point is drawn at: magpsf for a detection, diffmaglim for a limit.
    private static func magnitude(_ point: PhotometryPoint) -> Double? {
        if let mag = point.magpsf, mag.isFinite { return mag }
        if point.magpsf == nil, let limit = point.diffmaglim, limit.isFinite { return limit }
        return nil
    }

    func write(into html: inout HTMLWriter) {
        let drawable = points.filter { $0.jd.isFinite && Self.magnitude($0) != nil }
        guard !drawable.isEmpty else {
            html.raw("<p class=\"muted\">No photometry to plot.</p>\n")
            return
        }
        let referenceJD = highlightJD ?? drawable.map(\.jd).max()!
        var xLow = Double.infinity, xHigh = -Double.infinity
        var yLow = Double.infinity, yHigh = -Double.infinity
        for point in drawable {
            let x = point.jd - referenceJD
            xLow = min(xLow, x); xHigh = max(xHigh, x)
            let mag = Self.magnitude(point)!
            let sigma = point.magpsf != nil ? (point.sigmapsf.flatMap { $0.isFinite ? abs($0) : nil } ?? 0) : 0
            yLow = min(yLow, mag - sigma); yHigh = max(yHigh, mag + sigma)
        }
        // Room around the data, and a sensible span when every point sits at one value.
        let xPad = max((xHigh - xLow) * 0.04, xHigh == xLow ? 1 : 0)
        xLow -= xPad; xHigh += xPad
        let yPad = max((yHigh - yLow) * 0.08, yHigh == yLow ? 0.5 : 0.1)
        yLow -= yPad; yHigh += yPad

        func px(_ jd: Double) -> Double { Self.left + (jd - referenceJD - xLow) / (xHigh - xLow) * Self.plotWidth }
        // Larger magnitudes are fainter, so they go down: yLow (brightest) maps to the top.
        func py(_ mag: Double) -> Double { Self.top + (mag - yLow) / (yHigh - yLow) * Self.plotHeight }
        func n(_ value: Double) -> String { Format.fixed(value, 1) }

        html.raw("<svg class=\"lightcurve\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(Self.width)) \(n(Self.height))\" role=\"img\" font-family=\"system-ui,sans-serif\" font-size=\"12\">")
        html.raw("<title>Light curve: magnitude against time, one colour per filter</title>\n")
        writeAxes(xLow: xLow, xHigh: xHigh, yLow: yLow, yHigh: yHigh, referenceJD: referenceJD,
                  px: { Self.left + ($0 - xLow) / (xHigh - xLow) * Self.plotWidth }, py: py, into: &html)

        // Limits first, so detections are drawn over them.
        let ordered = drawable.filter { $0.magpsf == nil } + drawable.filter { $0.magpsf != nil }
        var highlighted: (Double, Double)?
        for point in ordered {
            let x = px(point.jd), mag = Self.magnitude(point)!, y = py(mag)
            let colour = Self.colour(point.filter)
            // The filter names a CSS class, so only the three known names are written raw.
            let filterClass = ZTFFilter.names.contains(point.filter) ? point.filter : "other"
            var label = point.filter + " "
            if point.magpsf == nil {
                html.raw("<path class=\"nondet \(filterClass)\" d=\"M\(n(x - 5)) \(n(y - 4))L\(n(x + 5)) \(n(y - 4))L\(n(x)) \(n(y + 5))Z\" fill=\"\(colour)\" fill-opacity=\"0.3\" stroke=\"\(colour)\">")
                label += "upper limit \(Format.fixed(mag, 2))"
            } else {
                if let sigma = point.sigmapsf, sigma.isFinite, sigma > 0 {
                    html.raw("<line class=\"errorbar\" x1=\"\(n(x))\" x2=\"\(n(x))\" y1=\"\(n(py(mag - sigma)))\" y2=\"\(n(py(mag + sigma)))\" stroke=\"\(colour)\"/>")
                }
                let fill = point.isPositive ? colour : "#ffffff"
                html.raw("<circle class=\"det \(filterClass) \(point.isPositive ? "pos" : "neg")\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"4\" fill=\"\(fill)\" stroke=\"\(colour)\" stroke-width=\"1.5\">")
                label += "\(Format.fixed(mag, 3)) ± \(Format.fixed(point.sigmapsf ?? 0, 3))"
                if !point.isPositive { label += " (negative subtraction)" }
            }
            label += ", JD \(Format.fixed(point.jd, 5))"
            html.raw("<title>")
            html.text(label)
            html.raw(point.magpsf == nil ? "</title></path>\n" : "</title></circle>\n")
            if let highlightJD, abs(point.jd - highlightJD) < 1e-6, highlightFilter == nil || highlightFilter == point.filter,
               point.magpsf != nil {
                highlighted = (x, y)
            }
        }
        if let (x, y) = highlighted {
            html.raw("<circle class=\"current\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"9\" fill=\"none\" stroke=\"#111\" stroke-width=\"1.5\"><title>this alert</title></circle>\n")
        }
        writeLegend(filters: Set(drawable.map(\.filter)), into: &html)
        html.raw("</svg>\n")
    }

    private func writeAxes(xLow: Double, xHigh: Double, yLow: Double, yHigh: Double, referenceJD: Double,
                           px: (Double) -> Double, py: (Double) -> Double, into html: inout HTMLWriter) {
        func n(_ value: Double) -> String { Format.fixed(value, 1) }
        let (left, top) = (Self.left, Self.top)
        let (bottomY, rightX) = (Self.top + Self.plotHeight, Self.left + Self.plotWidth)
        html.raw("<g class=\"axes\" stroke=\"#888\" fill=\"none\"><rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(Self.plotWidth))\" height=\"\(n(Self.plotHeight))\"/></g>\n")
        html.raw("<g class=\"xticks\" fill=\"#333\" text-anchor=\"middle\">")
        let (xTicks, xDecimals) = Self.ticks(xLow, xHigh, count: 8)
        for tick in xTicks {
            let x = px(tick)
            html.raw("<line x1=\"\(n(x))\" x2=\"\(n(x))\" y1=\"\(n(bottomY))\" y2=\"\(n(bottomY + 5))\" stroke=\"#888\"/><text x=\"\(n(x))\" y=\"\(n(bottomY + 18))\">\(Format.fixed(tick, xDecimals))</text>")
        }
        html.raw("</g>\n<g class=\"yticks\" fill=\"#333\" text-anchor=\"end\">")
        let (yTicks, yDecimals) = Self.ticks(yLow, yHigh, count: 7)
        for tick in yTicks {
            let y = py(tick)
            html.raw("<line x1=\"\(n(left))\" x2=\"\(n(rightX))\" y1=\"\(n(y))\" y2=\"\(n(y))\" stroke=\"#eee\"/><line x1=\"\(n(left - 5))\" x2=\"\(n(left))\" y1=\"\(n(y))\" y2=\"\(n(y))\" stroke=\"#888\"/><text x=\"\(n(left - 8))\" y=\"\(n(y + 4))\">\(Format.fixed(tick, yDecimals))</text>")
        }
        html.raw("</g>\n")
        html.raw("<text class=\"xlabel\" x=\"\(n(left + Self.plotWidth / 2))\" y=\"\(n(Self.height - 8))\" text-anchor=\"middle\" fill=\"#333\">days relative to \(highlightJD == nil ? "the last point" : "this alert") (JD \(Format.fixed(referenceJD, 5)))</text>")
        html.raw("<text class=\"ylabel\" transform=\"translate(14 \(n(top + Self.plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">magnitude (brighter up)</text>\n")
    }

    private func writeLegend(filters: Set<String>, into html: inout HTMLWriter) {
        func n(_ value: Double) -> String { Format.fixed(value, 1) }
        var x = Self.left
        let y = 18.0
        html.raw("<g class=\"legend\" fill=\"#333\">")
        for filter in ZTFFilter.names where filters.contains(filter) {
            let colour = Self.colour(filter)
            html.raw("<circle cx=\"\(n(x + 5))\" cy=\"\(n(y - 4))\" r=\"4\" fill=\"\(colour)\" stroke=\"\(colour)\"/><text x=\"\(n(x + 13))\" y=\"\(n(y))\">\(filter)</text>")
            x += 34
        }
        x += 10
        html.raw("<circle cx=\"\(n(x + 5))\" cy=\"\(n(y - 4))\" r=\"4\" fill=\"#fff\" stroke=\"#555\" stroke-width=\"1.5\"/><text x=\"\(n(x + 13))\" y=\"\(n(y))\">negative subtraction</text>")
        x += 150
        html.raw("<path d=\"M\(n(x)) \(n(y - 8))L\(n(x + 10)) \(n(y - 8))L\(n(x + 5)) \(n(y + 1))Z\" fill=\"#555\" fill-opacity=\"0.3\" stroke=\"#555\"/><text x=\"\(n(x + 15))\" y=\"\(n(y))\">upper limit (non-detection)</text>")
        x += 190
        if highlightJD != nil {
            html.raw("<circle cx=\"\(n(x + 7))\" cy=\"\(n(y - 4))\" r=\"7\" fill=\"none\" stroke=\"#111\" stroke-width=\"1.5\"/><text x=\"\(n(x + 19))\" y=\"\(n(y))\">this alert</text>")
        }
        html.raw("</g>\n")
    }

    /// Round tick values (1, 2 or 5 times a power of ten) inside low...high, and the decimals
    /// their labels need.
    static func ticks(_ low: Double, _ high: Double, count: Int) -> ([Double], Int) {
        let span = high - low
        // Spans too small or too large for round steps get one tick (and no endless loop).
        guard span.isFinite, span > 1e-9 * max(abs(low), abs(high), 1) else { return ([low], 2) }
        let rough = span / Double(max(count, 1))
        var power = 1.0
        while power > rough { power /= 10 }
        while power * 10 <= rough { power *= 10 }
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? power * 10
        var decimals = 0
        var unit = 1.0
        while unit > step * 1.0001 && decimals < 6 { unit /= 10; decimals += 1 }
        var ticks: [Double] = []
        let first = (low / step).rounded(.up)
        // Multiplying rather than adding keeps 0.1 + 0.1 + 0.1 from drifting off the grid.
        for index in 0..<50 {
            let tick = (first + Double(index)) * step
            guard tick <= high + step * 1e-9 else { break }
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
        }
        return (ticks, decimals)
    }
}
