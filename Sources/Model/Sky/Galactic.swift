import Foundation

/// Equatorial (ICRS, "J2000") to galactic coordinates, matching astropy's
/// `SkyCoord(ra, dec, unit="deg").galactic` (which MARS used) to ~1e-12°.
public enum Galactic {
    /// astropy's chain: the ICRS→FK5 frame bias (USNO circular 179), then FK5 J2000→galactic
    /// through the J2000 north galactic pole (192.8594812065348°, 27.12825118085622°) and
    /// the longitude of the celestial pole, 122.9319185680026°.
    static let matrix: [[Double]] = {
        let bias = multiply(multiply(rotation(19.9 / 3_600_000, axis: 0), rotation(9.1 / 3_600_000, axis: 1)),
                            rotation(-22.9 / 3_600_000, axis: 2))
        let toGalactic = multiply(multiply(rotation(180 - 122.9319185680026, axis: 2),
                                           rotation(90 - 27.12825118085622, axis: 1)),
                                  rotation(192.8594812065348, axis: 2))
        return multiply(toGalactic, bias)
    }()

    /// Galactic longitude and latitude in degrees; l in [0, 360).
    public static func from(ra: Double, dec: Double) -> (l: Double, b: Double) {
        let (ra, dec) = (ra * .pi / 180, dec * .pi / 180)
        let v = [cos(dec) * cos(ra), cos(dec) * sin(ra), sin(dec)]
        let m = matrix
        let x = m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2]
        let y = m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2]
        let z = m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2]
        var l = atan2(y, x) * 180 / .pi
        if l < 0 { l += 360 }
        if l >= 360 { l -= 360 }
        return (l, atan2(z, (x * x + y * y).squareRoot()) * 180 / .pi)
    }

    /// astropy's `rotation_matrix(angle, axis)`: rotates the frame (not the vector) by `degrees`.
    private static func rotation(_ degrees: Double, axis: Int) -> [[Double]] {
        let (c, s) = (cos(degrees * .pi / 180), sin(degrees * .pi / 180))
        switch axis {
        case 0: return [[1, 0, 0], [0, c, s], [0, -s, c]]
        case 1: return [[c, 0, -s], [0, 1, 0], [s, 0, c]]
        default: return [[c, s, 0], [-s, c, 0], [0, 0, 1]]
        }
    }

    private static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
    }
}
