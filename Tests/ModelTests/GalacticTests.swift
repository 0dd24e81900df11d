import Model
import XCTest

/// The defining points of the galactic frame (the full comparison with astropy is in Tests/python).
final class GalacticTests: XCTestCase {
    func testGalacticCentreAndNorthPole() {
        // Sgr A*'s direction defines l = 0, b = 0 (IAU 1958, as realised in ICRS by astropy).
        let centre = Galactic.from(ra: 266.40498829, dec: -28.93617776)
        XCTAssertEqual(min(centre.l, 360 - centre.l), 0, accuracy: 1e-6)
        XCTAssertEqual(centre.b, 0, accuracy: 1e-6)
        let pole = Galactic.from(ra: 192.85948121, dec: 27.12825118)
        XCTAssertEqual(pole.b, 90, accuracy: 1e-5)
    }

    func testLongitudeIsInRange() {
        for ra in stride(from: 0.0, to: 360, by: 7.5) {
            for dec in stride(from: -89.0, through: 89, by: 8) {
                let (l, b) = Galactic.from(ra: ra, dec: dec)
                XCTAssert((0..<360).contains(l) && (-90...90).contains(b), "\(ra), \(dec) -> \(l), \(b)")
            }
        }
    }
}
