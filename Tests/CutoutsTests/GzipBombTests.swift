@testable import Cutouts
import Foundation
import XCTest

/// A stamp that inflates to more than a stamp can be is refused once inflation passes the cap,
/// not after it has taken the memory.
final class GzipBombTests: XCTestCase {
    func testAStampInflatingPastTheCapIsUnreadable() throws {
        // 64 MiB of zeros in about 400 kB: four times the cap.
        let bomb = gzipOfZeros(count: 64 << 20)
        XCTAssertLessThan(bomb.count, 512 << 10)
        let started = Date()
        XCTAssertThrowsError(try CutoutImage.renderPNG(stamp: bomb)) { error in
            XCTAssertEqual(error as? CutoutError, .unreadable("gzip: inflates to more than \(GzipMember.maximumInflatedSize) bytes"))
        }
        // Stopping at 16 MiB takes a fraction of what inflating all 64 MiB would.
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testAStampUpToTheCapStillInflates() throws {
        let zeros = try GzipMember.inflate(gzipOfZeros(count: 1 << 20))
        XCTAssertEqual(zeros.count, 1 + (((1 << 20) - 1) / 258) * 258)
        XCTAssertTrue(zeros.allSatisfy { $0 == 0 })
    }
}

/// A gzip member of (about) `count` zero bytes: one literal 0, then back-references of 258
/// bytes at distance 1, in a fixed-Huffman deflate block (13 bits per 258 bytes). Written by
/// hand so that the test needs no compressor; the trailer's CRC is left 0, as GzipMember
/// does not check it.
func gzipOfZeros(count: Int) -> [UInt8] {
    var bits = DeflateBits()
    bits.append(1, count: 1)        // BFINAL
    bits.append(1, count: 2)        // BTYPE 01: fixed Huffman
    bits.appendCode(0x30, length: 8) // literal 0
    for _ in 0..<((count - 1) / 258) {
        bits.appendCode(0xC5, length: 8) // length code 285: 258 bytes
        bits.appendCode(0, length: 5)    // distance code 0: distance 1
    }
    bits.appendCode(0, length: 7)   // end of block
    let size = UInt32(truncatingIfNeeded: 1 + (count - 1) / 258 * 258)
    return [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF] + bits.bytes + [0, 0, 0, 0]
        + withUnsafeBytes(of: size.littleEndian) { Array($0) }
}

/// Deflate's bit order: values least significant bit first, Huffman codes most significant first.
private struct DeflateBits {
    var bytes: [UInt8] = []
    private var used = 8

    mutating func append(_ value: Int, count: Int) {
        for i in 0..<count { push((value >> i) & 1) }
    }

    mutating func appendCode(_ code: Int, length: Int) {
        for i in stride(from: length - 1, through: 0, by: -1) { push((code >> i) & 1) }
    }

    private mutating func push(_ bit: Int) {
        if used == 8 { bytes.append(0); used = 0 }
        bytes[bytes.count - 1] |= UInt8(bit) << UInt8(used)
        used += 1
    }
}
