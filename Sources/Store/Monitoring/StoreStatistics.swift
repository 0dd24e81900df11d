import Model
import Postgres

/// What the database says about the archive's health: how many alerts it holds, how fresh the
/// newest is, and how much input was set aside. Every figure is read through an index or a
/// one-row table, so a scrape costs about a millisecond however large the archive.
public struct StoreStatistics: Sendable {
    /// Alerts stored (kept by every load in `alert_count`).
    public let alertsStored: Int64
    /// Unix time at which the last alert was stored, if any.
    public let lastStoredAt: Double?
    /// Inputs kept in the reject table.
    public let rejects: Int64
    /// The newest alert's observation time (Julian date), if any.
    public let newestJD: Double?
    /// Rubin's alerts stored, when the last was stored (Unix time), and the newest one's
    /// observation time (MJD TAI, as Rubin gives it).
    public let rubinStored: Int64
    public let rubinLastStoredAt: Double?
    public let rubinNewestMjdTai: Double?

    public static func read(from db: Connection) throws -> StoreStatistics {
        let result = try db.execute("""
            SELECT stored, extract(epoch FROM last_stored_at)::double precision AS last_stored_at,
                   (SELECT count(*) FROM reject) AS rejects, (SELECT max(jd) FROM candidate) AS newest_jd,
                   rubin_stored, extract(epoch FROM rubin_last_stored_at)::double precision AS rubin_last_stored_at,
                   (SELECT max("midpointMjdTai") FROM dia_source WHERE "midpointMjdTai" <> 'NaN') AS rubin_newest
            FROM alert_count
            """)
        guard result.rowCount == 1 else { throw AlertDBError.database("alert_count has no row: run alertdb migrate") }
        let row = result[0]
        return StoreStatistics(alertsStored: try row.decode("stored"), lastStoredAt: try row.decode("last_stored_at"),
                               rejects: try row.decode("rejects"), newestJD: try row.decode("newest_jd"),
                               rubinStored: try row.decode("rubin_stored"), rubinLastStoredAt: try row.decode("rubin_last_stored_at"),
                               rubinNewestMjdTai: try row.decode("rubin_newest"))
    }

    /// Seconds from the newest alert's observation to `now`.
    public func newestAlertAge(now: Double = JulianDate.now) -> Double? {
        newestJD.map { (now - $0) * 86_400 }
    }

    /// Seconds from the newest Rubin alert's observation to `now`.
    public func newestRubinAlertAge(now: Double = JulianDate.now) -> Double? {
        rubinNewestMjdTai.map { (now - RubinTime.julianDateUTC(mjdTai: $0)) * 86_400 }
    }
}
