@testable import Model
import XCTest

final class PrometheusTextTests: XCTestCase {
    func testFamiliesSamplesAndCumulativeHistograms() {
        var text = PrometheusText()
        text.counter("x_total", "Things.", [([("route", "a\"b\\c\nd")], 3)])
        text.gauge("y", "A level.", 0.25)
        text.histogram("z_seconds", "Durations.", bounds: [0.1, 1], [([("route", "r")], [2, 3], 4.5, 6)])
        XCTAssertEqual(text.text, """
            # HELP x_total Things.
            # TYPE x_total counter
            x_total{route="a\\"b\\\\c\\nd"} 3
            # HELP y A level.
            # TYPE y gauge
            y 0.25
            # HELP z_seconds Durations.
            # TYPE z_seconds histogram
            z_seconds_bucket{route="r",le="0.1"} 2
            z_seconds_bucket{route="r",le="1"} 5
            z_seconds_bucket{route="r",le="+Inf"} 6
            z_seconds_sum{route="r"} 4.5
            z_seconds_count{route="r"} 6

            """)
    }
}
