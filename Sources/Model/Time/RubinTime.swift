/// Rubin's times: MJD in TAI, as its packets give them (`midpointMjdTai`), shown in UTC.
public enum RubinTime {
    /// TAI − UTC, 37 s since the leap second of 2017-01-01; no leap second has been announced
    /// since (IERS Bulletin C), and Rubin's survey starts after it.
    public static let taiMinusUTC = 37.0

    /// The Julian date (UTC) of an MJD in TAI.
    public static func julianDateUTC(mjdTai: Double) -> Double { mjdTai + 2_400_000.5 - taiMinusUTC / 86_400 }

    /// The MJD in TAI of a Julian date (UTC).
    public static func mjdTai(julianDateUTC: Double) -> Double { julianDateUTC - 2_400_000.5 + taiMinusUTC / 86_400 }

    /// ISO 8601 UTC with milliseconds, e.g. `2025-09-05T07:58:37.698Z`.
    public static func isoTime(mjdTai: Double) -> String { JulianDate.isoTime(julianDateUTC(mjdTai: mjdTai)) }
}
