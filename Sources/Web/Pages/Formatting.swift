import Model
import Store

/// How numbers, counts, ages and stored values are written on the pages.
enum Format {
    private static let powersOfTen: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// `value` rounded to `decimals` places, e.g. fixed(18.9234, 3) == "18.923".
    /// Written by hand because String(format:) goes through Foundation's formatter, which is
    /// slow enough to matter over a 100-row table.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf") }
        let places = min(max(decimals, 0), powersOfTen.count - 1)
        let scale = powersOfTen[places]
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        var text = value < 0 && units != 0 ? "-" : ""
        text += String(whole)
        if places > 0 {
            let fraction = String(units % Int64(scale))
            text += "."
            text += String(repeating: "0", count: places - fraction.count)
            text += fraction
        }
        return text
    }

    /// An integer with thousands separators: 1234567 -> "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var text = value < 0 ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }

    /// "1 alert", "123 alerts", or for an estimate "about 12,000 alerts" / "about 1.2 million alerts".
    static func alertCount(_ count: Int, isEstimate: Bool) -> String {
        let noun = count == 1 && !isEstimate ? "alert" : "alerts"
        guard isEstimate else { return "\(grouped(count)) \(noun)" }
        let value = Double(count)
        if value >= 1e9 { return "about \(fixed(value / 1e9, 1)) billion \(noun)" }
        if value >= 1e6 { return "about \(fixed(value / 1e6, 1)) million \(noun)" }
        // Two significant figures: an estimate claims no more.
        var magnitude = 1.0
        while value >= magnitude * 100 { magnitude *= 10 }
        return "about \(grouped(Int((value / magnitude).rounded() * magnitude))) \(noun)"
    }

    /// A duration as given in settings: "180 s", "0.5 s".
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value)) s" : "\(fixed(value, 3)) s"
    }

    /// An age in the largest unit that keeps it readable: "42 s", "5 min", "3 h", "2 d".
    static func age(seconds: Double) -> String {
        // Clamped so a nonsense age cannot overflow the Int conversions below.
        let s = seconds.isFinite ? min(max(seconds, 0), 1e15) : 0
        if s < 60 { return "\(Int(s)) s" }
        if s < 3_600 { return "\(Int(s / 60)) min" }
        if s < 86_400 { return "\(Int(s / 3_600)) h" }
        return "\(grouped(Int(s / 86_400))) d"
    }

    /// Decimal places for a listing or summary column: 6 for coordinates, 3 for magnitudes,
    /// scores and distances, 5 for Julian dates.
    static func decimals(for column: String) -> Int {
        switch column {
        case "ra", "dec", "ranr", "decnr", "l", "b": return 6
        case "jd", "jdstarthist", "jdendhist", "jdstartref", "jdendref": return 5
        default: return 3
        }
    }

    /// A stored value rounded for reading (NULL, NaN and ZTF's sentinels as the empty string).
    static func rounded(_ value: FieldValue, column: String) -> String {
        switch value {
        case .null: return ""
        case .integer(let i): return String(i)
        case .real(let d): return ZTFMissingValues.isMissing(d, in: column) ? "" : fixed(d, decimals(for: column))
        case .text: return exact(value, column: column)
        case .bool(let b): return b ? "true" : "false"
        }
    }

    /// A stored value in full, as the JSON API gives it (NULL as the empty string; NaN and
    /// ZTF's sentinels as missing, with the packet's number beside).
    static func exact(_ value: FieldValue, column: String = "") -> String {
        switch value {
        case .null: return ""
        case .text(let s) where column == "isdiffpos": return ZTFTextValues.isdiffpos(s)
        case .text(let s) where column == "ssnamenr": return ZTFTextValues.ssnamenr(s) ?? ""
        case .integer(let i): return String(i)
        case .real(let d) where ZTFMissingValues.isMissing(d, in: column): return d.isNaN ? "" : "none (\(fixed(d, 0)))"
        case .real(let d): return "\(d)"
        case .text(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }

    /// Right ascension in hours, minutes and seconds: 150.25 -> "10:01:00.00".
    static func sexagesimalRA(_ degrees: Double) -> String {
        guard degrees.isFinite, abs(degrees) < 1e9 else { return "" }
        var hours = (degrees.truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360) / 15
        // Round at the last shown place first, so 59.999 s never prints as 60.00.
        hours = (hours * 360_000).rounded() / 360_000
        return sexagesimal(hours, sign: "", secondDecimals: 2)
    }

    /// Declination in degrees, arcminutes and arcseconds: -5.5 -> "-05:30:00.0".
    static func sexagesimalDec(_ degrees: Double) -> String {
        guard degrees.isFinite, abs(degrees) <= 90 else { return "" }
        let rounded = (abs(degrees) * 36_000).rounded() / 36_000
        return sexagesimal(rounded, sign: degrees < 0 ? "-" : "+", secondDecimals: 1)
    }

    private static func sexagesimal(_ value: Double, sign: String, secondDecimals: Int) -> String {
        let whole = Int(value)
        let minutesValue = (value - Double(whole)) * 60
        let minutes = Int(minutesValue)
        let seconds = (minutesValue - Double(minutes)) * 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        var secondsText = fixed(seconds, secondDecimals)
        if seconds < 10 { secondsText = "0" + secondsText }
        return "\(sign)\(two(whole)):\(two(minutes)):\(secondsText)"
    }

    /// "g", "r" or "i" for a ZTF fid, else the number.
    static func filterName(fid: FieldValue) -> String {
        guard let number = fid.double else { return "" }
        return ZTFFilter.name(fid: Int64(exactly: number) ?? 0) ?? fixed(number, 0)
    }
}
