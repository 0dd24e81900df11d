import Postgres

/// A cone on the sky (`cone=`, `objectcone=`, the objects' and Rubin's `cone=`) and the SQL
/// that finds the rows in it through q3c's index on (ra, dec).
///
/// q3c writes a cone two ways, which keep exactly the same rows (the same exact distance test
/// follows the index): `q3c_radial_query` covers the cone with a hundred narrow index ranges,
/// `q3c_join` with four wider ones. A hundred index scans cost about a millisecond a partition
/// to open whatever the cone's size; the four wider ranges cost the rows near the cone they
/// read for nothing, which grow with the cone's area and the archive's density. A listing's
/// count at a million alerts (pgbench, a prepared statement planned once, ms per query):
///
///     radius    0.01°  0.5°  1°    2°    10°
///     hundred   1.02   1.10  1.55  2.28  33.7
///     four      0.12   0.40  2.26  8.19  229
///
/// So small cones, which are most of them (a cross-match is a few arcseconds), take the four
/// ranges: up to 0.2°, where they stay cheaper at twenty times that density.
struct SkyCone: Sendable {
    static let fourRangesUpTo = 0.2

    let ra: Double
    let dec: Double
    /// Degrees.
    let radius: Double

    /// Wider than `fourRangesUpTo`: a listing reads its matches from `rows` rather than filter
    /// every month's partition with `condition`.
    var isWide: Bool { radius > Self.fourRangesUpTo }

    /// Rows whose (`raColumn`, `decColumn`) are within `radius` degrees of the centre.
    func condition(ra raColumn: SQL, dec decColumn: SQL) -> SQL {
        isWide
            ? "q3c_radial_query(\(raColumn), \(decColumn), \(ra), \(dec), \(radius))"
            : "q3c_join(\(ra), \(dec), \(raColumn), \(decColumn), \(radius))"
    }

    /// Where a listing collects its matches, and the condition they must meet: `table alias`
    /// filtered by every condition, or the rows of the query's wide cone (whose condition is
    /// `conditions[condition]`) filtered by the others.
    static func matches(in table: SQL, alias: SQL, conditions: [SQL],
                        wideCone: (cone: SkyCone, condition: Int)?) -> (from: SQL, filter: SQL) {
        var conditions = conditions
        var from: SQL = "\(table) \(alias)"
        if let wideCone {
            conditions.remove(at: wideCone.condition)
            from = wideCone.cone.rows(of: table, alias: alias)
        }
        return (from, conditions.isEmpty ? "TRUE" : SQL.joined(conditions, separator: " AND "))
    }

    /// For a wide cone: a FROM item, `(...) alias`, holding the rows of `table` (ra and dec
    /// columns named so) in the cone, the same rows as `condition` keeps.
    ///
    /// As a condition, the hundred ranges are a hundred bitmap index scans in every month's
    /// partition, each opened and closed at every run: at ten million alerts in four months,
    /// 400 of them cost the 0.5° cone about 10 ms of PostgreSQL's time for 200 rows (and its
    /// first plan 100 ms). Here q3c's ranges are computed once, merged (about a dozen are left
    /// at 0.5°), and each is one index range in each partition, through a join that the
    /// planner cannot flatten (`OFFSET 0`) and so reads by index: 1.7 ms, and a first plan of
    /// 30 ms. The ranges and the distance test are q3c's own (`q3c_radial_query`'s definition);
    /// unused ranges come back empty (lower above upper) and are left out.
    func rows(of table: SQL, alias: SQL) -> SQL {
        """
            (SELECT m.* FROM (SELECT unnest(range_agg(int8range(b.low, b.high))) AS r
                              FROM (SELECT q3c_radial_query_it(\(ra), \(dec), \(radius), 2 * i, f) AS low,
                                           q3c_radial_query_it(\(ra), \(dec), \(radius), 2 * i + 1, f) AS high
                                    FROM generate_series(0, 49) i, (VALUES (0), (1)) v (f)) b
                              WHERE b.low < b.high) ranges
             CROSS JOIN LATERAL (SELECT * FROM \(table) t
                                 WHERE q3c_ang2ipix(t.ra, t.dec) >= lower(ranges.r) AND q3c_ang2ipix(t.ra, t.dec) < upper(ranges.r)
                                   AND q3c_sindist(t.ra, t.dec, \(ra), \(dec)) < pow(sin(radians(\(radius)) / 2), 2)
                                 OFFSET 0) m) \(alias)
            """
    }
}
