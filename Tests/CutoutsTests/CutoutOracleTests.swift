import TestSupport
@testable import Cutouts
import FITS
import Foundation
import XCTest

/// The display limits and the rendering agree with astropy: `ZScaleInterval` on the same FITS
/// files, and a numpy rendering (FITS row 1 at the bottom) compared with the PNG read by Pillow.
final class CutoutOracleTests: XCTestCase {
    static let python = Repository.root.appendingPathComponent(".local/venv/bin/python").path

    /// Reads "fits png lower upper" lines; prints "fits astropy_lower astropy_upper max_level_difference".
    static let oracle = """
        import sys, warnings
        import numpy as np
        from astropy.io import fits
        from astropy.visualization import ZScaleInterval
        from PIL import Image
        warnings.simplefilter("ignore")
        for line in sys.stdin:
            fits_path, png_path, lower, upper = line.split()
            lower, upper = float(lower), float(upper)
            data = fits.getdata(fits_path).astype(np.float64)
            zlow, zhigh = ZScaleInterval().get_limits(data)
            t = np.clip((data - lower) / (upper - lower), 0, 1)
            expected = np.where(np.isnan(data), 0, np.floor(t * 255 + 0.5))
            shown = np.asarray(Image.open(png_path).convert("L"), dtype=np.float64)
            # astropy's row 0 is FITS row 1, which must be the picture's bottom row.
            difference = np.abs(np.flipud(expected) - shown).max()
            print(fits_path, zlow, zhigh, difference)
        """

    func testZScaleLimitsAndRenderingMatchAstropy() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw XCTSkip("no Python venv at \(Self.python)")
        }
        let dir = try TemporaryDirectory()
        var input = ""
        var ours: [String: (lower: Double, upper: Double, range: Double)] = [:]
        for (i, stamp) in try cutoutStamps(in: Repository.v3Alerts).enumerated() {
            let fits = try CutoutImage.fitsFile(stamp: stamp.bytes)
            let image = try FITSImage(bytes: fits)
            let limits = try XCTUnwrap(ZScale().limits(image.pixels), stamp.name)
            let finite = image.pixels.filter(\.isFinite)
            let fitsPath = dir.url.appendingPathComponent("\(i).fits").path
            try dir.write("\(i).fits", fits)
            try dir.write("\(i).png", try CutoutImage.renderPNG(stamp: stamp.bytes))
            input += "\(fitsPath) \(dir.path)/\(i).png \(limits.lower) \(limits.upper)\n"
            ours[fitsPath] = (limits.lower, limits.upper, Double(finite.max()! - finite.min()!))
        }
        let run = try shell([Self.python, "-c", Self.oracle], stdin: Data(input.utf8))
        XCTAssertEqual(run.status, 0, run.output)
        let lines = run.output.split(separator: "\n").map { $0.split(separator: " ") }.filter { $0.count == 4 }
        XCTAssertEqual(lines.count, ours.count, run.output)
        var worst = 0.0
        for line in lines {
            let (path, astropyLower, astropyUpper, difference) = (String(line[0]), Double(line[1])!, Double(line[2])!, Double(line[3])!)
            let mine = try XCTUnwrap(ours[path])
            let tolerance = 0.02 * mine.range
            XCTAssertEqual(mine.lower, astropyLower, accuracy: tolerance, "lower limit of \(path)")
            XCTAssertEqual(mine.upper, astropyUpper, accuracy: tolerance, "upper limit of \(path)")
            worst = max(worst, abs(mine.lower - astropyLower) / mine.range, abs(mine.upper - astropyUpper) / mine.range)
            // One gray level of slack for float32 against float64 rounding.
            XCTAssertLessThanOrEqual(difference, 1, "PNG of \(path) differs from the numpy rendering")
        }
        print("cutout zscale: largest difference from astropy \(worst * 100)% of the pixel range over \(lines.count) stamps")
    }
}
