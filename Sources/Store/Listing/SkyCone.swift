import Postgres

/// The condition of a cone search (`cone=`, `objectcone=`, the objects' and Rubin's `cone=`)
/// over q3c's index on (ra, dec).
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
enum SkyCone {
    static let fourRangesUpTo = 0.2

    /// Rows whose (`ra`, `dec`) columns are within `radius` degrees of the centre.
    static func condition(ra: SQL, dec: SQL, centre: (ra: Double, dec: Double), radius: Double) -> SQL {
        radius <= fourRangesUpTo
            ? "q3c_join(\(centre.ra), \(centre.dec), \(ra), \(dec), \(radius))"
            : "q3c_radial_query(\(ra), \(dec), \(centre.ra), \(centre.dec), \(radius))"
    }
}
