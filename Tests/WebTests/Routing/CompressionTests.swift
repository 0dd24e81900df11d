import Gzip
import HTTP
@testable import Web
import XCTest

/// `Content-Encoding: gzip`: when the client allows it, what is worth compressing, and that the
/// body inflates back to the bytes it replaced.
final class CompressionTests: XCTestCase {
    func testAcceptEncodingIsReadWithItsQualities() {
        XCTAssertTrue(Compression.acceptsGzip("gzip"))
        XCTAssertTrue(Compression.acceptsGzip("deflate, gzip;q=0.5, br"))
        XCTAssertTrue(Compression.acceptsGzip("X-GZIP"))
        XCTAssertTrue(Compression.acceptsGzip("*"))
        XCTAssertTrue(Compression.acceptsGzip("gzip;q=0, gzip"), "named twice, once allowed")
        XCTAssertFalse(Compression.acceptsGzip(nil))
        XCTAssertFalse(Compression.acceptsGzip(""))
        XCTAssertFalse(Compression.acceptsGzip("identity"))
        XCTAssertFalse(Compression.acceptsGzip("br, deflate"))
        XCTAssertFalse(Compression.acceptsGzip("gzip;q=0"))
        XCTAssertFalse(Compression.acceptsGzip("gzip; q=0.000"))
        XCTAssertFalse(Compression.acceptsGzip("*, gzip;q=0"), "named with q=0 beats *")
        XCTAssertFalse(Compression.acceptsGzip("*;q=0"))
    }

    func testALargeJSONBodyIsGzippedAndInflatesToTheSameBytes() throws {
        let body = Array(String(repeating: "{\"magpsf\": 18.25, \"objectId\": \"ZTF18abcdefg\"},", count: 200).utf8)
        let response = Compression.apply(to: Response(status: 200, headers: [("Content-Type", "application/json")], body: body),
                                         acceptEncoding: "gzip, deflate")
        XCTAssertEqual(response.header("Content-Encoding"), "gzip")
        XCTAssertEqual(response.header("Vary"), "Accept-Encoding")
        XCTAssertLessThan(response.body.count, body.count / 10)
        // A gzip member: magic, deflate, a 10-byte header; the CRC-32 and length of the input last.
        XCTAssertEqual(Array(response.body.prefix(3)), [0x1f, 0x8b, 8])
        let inflated = try response.body.dropFirst(10).dropLast(8).withUnsafeBytes { try inflateRaw($0, limit: 1 << 20) }
        XCTAssertEqual(inflated, body)
        let size = response.body.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(size, body.count)
    }

    func testSmallBodiesRefusedCodingsAndCompressedTypesAreLeftAlone() {
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 4096)
        let small = Response(status: 200, headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
        XCTAssertEqual(Compression.apply(to: small, acceptEncoding: "gzip").body, small.body)
        XCTAssertNil(Compression.apply(to: small, acceptEncoding: "gzip").header("Vary"))

        let refused = Compression.apply(to: Response(status: 200, headers: [("Content-Type", "text/csv; charset=utf-8")], body: big),
                                        acceptEncoding: "gzip;q=0")
        XCTAssertEqual(refused.body, big)
        XCTAssertNil(refused.header("Content-Encoding"))
        XCTAssertEqual(refused.header("Vary"), "Accept-Encoding", "a cache must still tell the two forms apart")

        for type in ["application/fits", "image/png", "image/jpeg", "application/avro"] {
            let stamp = Compression.apply(to: Response(status: 200, headers: [("Content-Type", type)], body: big), acceptEncoding: "gzip")
            XCTAssertEqual(stamp.body, big, type)
            XCTAssertNil(stamp.header("Content-Encoding"), type)
        }
    }
}
