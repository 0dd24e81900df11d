import Foundation

/// Julian dates (UTC, as ZTF's `jd`) and the ISO times shown for them.
public enum JulianDate {
    /// The Julian date of the Unix epoch.
    static let unixEpoch = 2_440_587.5

    public static func from(unixSeconds: Double) -> Double { unixEpoch + unixSeconds / 86400 }

    public static func unixSeconds(_ jd: Double) -> Double { (jd - unixEpoch) * 86400 }

    public static var now: Double { from(unixSeconds: Date().timeIntervalSince1970) }

    /// ISO 8601 UTC with milliseconds, e.g. `2018-06-01T04:35:12.345Z`.
    public static func isoTime(_ jd: Double) -> String {
        let millis = (unixSeconds(jd) * 1000).rounded()
        guard millis.isFinite, abs(millis) < 1e15 else { return "" }
        let totalMillis = Int64(millis)
        var days = totalMillis / 86_400_000, rest = totalMillis % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        let (year, month, day) = civil(fromDays: Int(days))
        let h = rest / 3_600_000, m = rest / 60_000 % 60, s = rest / 1000 % 60, ms = rest % 1000
        // Digits by hand: String(format:) took 4 % of a listing page's time.
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(Int(h), 2)):\(pad(Int(m), 2)):\(pad(Int(s), 2)).\(pad(Int(ms), 3))Z"
    }

    private static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
