import Model
@testable import Cutouts
import FITS
import PNG
import XCTest

/// FITS reading on small files written here card by card: scaling, BLANK, orientation.
final class CutoutFITSTests: XCTestCase {
    /// A FITS file with a 16-bit integer image of `rows` (FITS row 1 first) and the given extra cards.
    func fits16(_ rows: [[Int16]], cards: [String] = []) -> [UInt8] {
        let header = ["SIMPLE  =                    T", "BITPIX  =                   16", "NAXIS   =                    2",
                      "NAXIS1  = \(String(repeating: " ", count: 20 - String(rows[0].count).count))\(rows[0].count)",
                      "NAXIS2  = \(String(repeating: " ", count: 20 - String(rows.count).count))\(rows.count)"] + cards + ["END"]
        var bytes = Array(header.map { $0.padding(toLength: 80, withPad: " ", startingAt: 0) }.joined().utf8)
        bytes += repeatElement(UInt8(ascii: " "), count: (2880 - bytes.count % 2880) % 2880)
        for value in rows.joined() { bytes += [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
        bytes += repeatElement(0, count: (2880 - bytes.count % 2880) % 2880)
        return bytes
    }

    func testIntegerImagesAreScaledAndBlankPixelsBecomeNaN() throws {
        let file = fits16([[1, 2, 3], [4, -32768, 6]], cards: ["BSCALE  =                  0.5", "BZERO   =                 10.0",
                                                             "BLANK   =               -32768"])
        let image = try FITSImage(bytes: file)
        XCTAssertEqual(image.width, 3)
        XCTAssertEqual(image.height, 2)
        XCTAssertEqual(image.bitpix, 16)
        XCTAssertEqual(Array(image.pixels.prefix(4)), [10.5, 11, 11.5, 12])
        XCTAssertTrue(image.pixels[4].isNaN)
        XCTAssertEqual(image.pixels[5], 13)
    }

    /// FITS row 1 is the bottom of the picture; undefined pixels are black.
    func testThePNGShowsTheLastFITSRowOnTop() throws {
        // Rows brighten upwards; one blank pixel in the top row.
        var rows: [[Int16]] = (0..<8).map { y in (0..<8).map { x in Int16(100 * y + x) } }
        rows[7][0] = -32768
        let png = try CutoutImage.renderPNG(stamp: fits16(rows, cards: ["BLANK   =               -32768"]))
        let shown = try PNGDecoder.grayscale(png)
        XCTAssertEqual(shown.width, 8)
        XCTAssertEqual(shown.height, 8)
        let top = Array(shown.pixels.prefix(8)), bottom = Array(shown.pixels.suffix(8))
        XCTAssertEqual(top[0], 0, "blank pixel")
        XCTAssertEqual(top[7], 255)
        XCTAssertEqual(bottom[0], 0)
        XCTAssertTrue(zip(bottom, top).dropFirst().allSatisfy { $0 < $1 }, "top \(top) bottom \(bottom)")
    }

    func testAFileWithoutImageIsRefusedWithCFITSIOsMessage() throws {
        var header = Array(["SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    0", "END"]
            .map { $0.padding(toLength: 80, withPad: " ", startingAt: 0) }.joined().utf8)
        header += repeatElement(UInt8(ascii: " "), count: 2880 - header.count)
        XCTAssertThrowsError(try FITSImage(bytes: header)) { error in
            // No extension follows the empty primary header: CFITSIO reports the end of the file.
            XCTAssertTrue(String(describing: error).contains("cannot find an image extension FITS"), String(describing: error))
        }
    }
}
