import TestSupport
import Model
@testable import Cutouts
import FITS
import Foundation
import PNG
import Synchronization
import XCTest

/// Every real cutout renders as a PNG of its FITS size, north up; other stamps are refused cleanly.
final class CutoutImageTests: XCTestCase {
    func testEveryV3CutoutRendersAsANonConstantPNGOfItsFITSSize() throws {
        let stamps = try cutoutStamps(in: Repository.v3Alerts)
        XCTAssertEqual(stamps.count, 99)
        for stamp in stamps {
            XCTAssertEqual(StampFormat(prefix: stamp.bytes), .fits, stamp.name)
            let fits = try CutoutImage.fitsFile(stamp: stamp.bytes)
            for stretch in CutoutImage.Stretch.allCases {
                let png = try CutoutImage.renderPNG(stamp: stamp.bytes, stretch: stretch)
                XCTAssertEqual(Array(png.prefix(8)), pngSignature, stamp.name)
                XCTAssertEqual(StampFormat(prefix: png), .png)
                let size = try XCTUnwrap(pngHeaderSize(png), stamp.name)
                XCTAssertEqual(size.width, fitsHeaderInteger(fits, "NAXIS1"), stamp.name)
                XCTAssertEqual(size.height, fitsHeaderInteger(fits, "NAXIS2"), stamp.name)
                // The same file uncompressed renders the same.
                XCTAssertEqual(try CutoutImage.renderPNG(stamp: fits, stretch: stretch), png, stamp.name)
                let decoded = try PNGDecoder.grayscale(png)
                XCTAssertGreaterThan(Set(decoded.pixels).count, 16, "\(stamp.name) \(stretch): nearly constant image")
            }
        }
    }

    /// Brighter sky is never darker on screen, and the picture is flipped: FITS row 1 is the PNG's last row.
    func testGrayLevelsFollowPixelValuesWithNorthUp() throws {
        for stamp in try cutoutStamps(in: Repository.v3Alerts) {
            let image = try CutoutImage.fitsImage(stamp: stamp.bytes)
            let decoded = try PNGDecoder.grayscale(try CutoutImage.renderPNG(stamp: stamp.bytes))
            func shown(_ i: Int) -> UInt8 {
                let x = i % image.width, y = i / image.width
                return decoded.pixels[(image.height - 1 - y) * image.width + x]
            }
            let finite = image.pixels.indices.filter { image.pixels[$0].isFinite }.sorted { image.pixels[$0] < image.pixels[$1] }
            var previous: UInt8 = 0
            for i in finite {
                XCTAssertGreaterThanOrEqual(shown(i), previous, "\(stamp.name): pixel \(i) breaks the ordering")
                previous = shown(i)
            }
            XCTAssertEqual(shown(finite.first!), 0, stamp.name)
            XCTAssertEqual(shown(finite.last!), 255, stamp.name)
            for i in image.pixels.indices where image.pixels[i].isNaN { XCTAssertEqual(shown(i), 0, "\(stamp.name): NaN not black") }
        }
    }

    func testStampsWithUndefinedPixelsStillRender() throws {
        let withNaN = try cutoutStamps(in: Repository.v3Alerts).filter { try CutoutImage.fitsImage(stamp: $0.bytes).pixels.contains { $0.isNaN } }
        XCTAssertFalse(withNaN.isEmpty, "the shared packets include stamps with NaN pixels")
        for stamp in withNaN {
            let limits = try XCTUnwrap(ZScale().limits(try CutoutImage.fitsImage(stamp: stamp.bytes).pixels))
            XCTAssertTrue(limits.lower.isFinite && limits.upper.isFinite && limits.lower < limits.upper, stamp.name)
        }
    }

    func test2017JPEGStampsAreRecognisedAndNotRendered() throws {
        let stamps = try cutoutStamps(in: Repository.alerts2017, limit: 30)
        XCTAssertEqual(stamps.count, 90)
        for stamp in stamps {
            XCTAssertEqual(StampFormat(prefix: stamp.bytes), .jpeg, stamp.name)
            XCTAssertThrowsError(try CutoutImage.renderPNG(stamp: stamp.bytes)) {
                XCTAssertEqual($0 as? CutoutError, .notFITS("jpeg"))
            }
        }
    }

    func testDamagedOrForeignBytesThrowInsteadOfCrashing() throws {
        let stamp = try XCTUnwrap(cutoutStamps(in: Repository.v3Alerts, limit: 1).first).bytes
        let fits = try CutoutImage.fitsFile(stamp: stamp)
        var random = SystemRandomNumberGenerator()
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        /// The stamp's FITS file with the NAXIS1 card claiming `width` pixels per row.
        func claiming(width: Int) throws -> [UInt8] {
            var file = fits
            let card = try XCTUnwrap(fits.prefix(2880).firstRange(of: Array("NAXIS1  =".utf8))).lowerBound
            let value = "NAXIS1  = " + String(repeating: " ", count: 20 - String(width).count) + String(width)
            file.replaceSubrange(card..<(card + 80), with: Array(value.padding(toLength: 80, withPad: " ", startingAt: 0).utf8))
            return file
        }

        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "unknown"),
            ("noise", [0x00] + noise, "unknown"),
            ("PNG signature only", pngSignature + noise.prefix(100), "png"),
            ("gzip magic and noise", [0x1F, 0x8B] + noise, "fits"),
            ("gzip header only", Array(stamp.prefix(20)), "fits"),
            ("truncated gzip", Array(stamp.prefix(stamp.count / 2)), "fits"),
            ("SIMPLE and noise", Array("SIMPLE  =".utf8) + noise, "fits"),
            ("FITS header only", Array(fits.prefix(2880)), "fits"),
            ("FITS data cut short", Array(fits.prefix(2880 + 63 * 63 * 4 - 2000)), "fits"),
            ("FITS data cut short inside the header's size", Array(fits.prefix(63 * 63 * 4 + 100)), "fits"),
            ("FITS claiming 100000000 x 63 pixels", try claiming(width: 100_000_000), "fits"),
            ("FITS claiming 10000 x 63 pixels", try claiming(width: 10_000), "fits"),
        ]
        for (name, bytes, format) in cases {
            XCTAssertEqual(StampFormat(prefix: bytes).rawValue, format, name)
            XCTAssertThrowsError(try CutoutImage.renderPNG(stamp: bytes), name) { error in
                let description = String(describing: error)
                XCTAssertFalse(description.isEmpty, name)
                print("cutout \(name): \(description)")
            }
        }
    }

    /// Optional gzip header fields (extra data, file name, comment, header CRC) are skipped.
    func testGzipHeadersWithOptionalFieldsAreRead() throws {
        let stamp = try XCTUnwrap(cutoutStamps(in: Repository.v3Alerts, limit: 1).first).bytes
        XCTAssertEqual(stamp[3], 0, "ZTF writes no optional gzip fields")
        var withFields = Array(stamp.prefix(10))
        withFields[3] = 0x04 | 0x08 | 0x10 | 0x02
        withFields += [3, 0] + Array("abc".utf8) + Array("cutout.fits".utf8) + [0] + Array("a comment".utf8) + [0] + [0x12, 0x34]
        withFields += stamp.dropFirst(10)
        XCTAssertEqual(try CutoutImage.fitsFile(stamp: withFields), try CutoutImage.fitsFile(stamp: stamp))
    }

    /// The HTTP service renders on several threads at once: CFITSIO and libpng must not mix them up.
    func testConcurrentRenderingGivesTheSameImages() throws {
        let stamps = try cutoutStamps(in: Repository.v3Alerts)
        let expected = try stamps.map { try CutoutImage.renderPNG(stamp: $0.bytes) }
        let results = Mutex([[UInt8]?](repeating: nil, count: stamps.count * 4))
        DispatchQueue.concurrentPerform(iterations: stamps.count * 4) { i in
            let png = try? CutoutImage.renderPNG(stamp: stamps[i % stamps.count].bytes)
            results.withLock { $0[i] = png }
        }
        results.withLock { results in
            for (i, png) in results.enumerated() { XCTAssertEqual(png, expected[i % stamps.count], stamps[i % stamps.count].name) }
        }
    }

    /// Prints the time per stamp; the real figure comes from a release build.
    func testCutoutRenderingTime() throws {
        let stamps = try cutoutStamps(in: Repository.v3Alerts)
        let rounds = 10
        let start = ContinuousClock.now
        for _ in 0..<rounds { for stamp in stamps { _ = try CutoutImage.renderPNG(stamp: stamp.bytes) } }
        let perStamp = (ContinuousClock.now - start) / (rounds * stamps.count)
        print("cutout render time per stamp: \(perStamp)")
        XCTAssertLessThan(perStamp, .milliseconds(50))
    }
}
