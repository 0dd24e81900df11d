import TestSupport
import Avro
import Foundation

/// One cutout stamp read straight from a shared alert packet.
struct CutoutStamp {
    let packet: String
    let kind: String
    let bytes: [UInt8]

    var name: String { "\(packet):\(kind)" }
}

/// The stamps of every alert in the packets of `folder` (the first `limit` packets when given).
func cutoutStamps(in folder: URL, limit: Int = .max) throws -> [CutoutStamp] {
    var stamps: [CutoutStamp] = []
    for url in try sharedPackets(folder).prefix(limit) {
        let reader = try ContainerReader(bytes: [UInt8](Data(contentsOf: url)), name: url.lastPathComponent)
        while let alert = try reader.next() {
            for kind in ["Science", "Template", "Difference"] {
                guard let stamp = alert.field("cutout\(kind)")?.unwrapped?.field("stampData")?.unwrapped else { continue }
                stamps.append(CutoutStamp(packet: url.lastPathComponent, kind: kind, bytes: Array(stamp.bytes)))
            }
        }
    }
    return stamps
}

/// The integer value of header keyword `key` in a FITS file's primary header (80-character cards).
func fitsHeaderInteger(_ file: [UInt8], _ key: String) -> Int? {
    var offset = 0
    while offset + 80 <= file.count {
        let card = String(decoding: file[offset..<(offset + 80)], as: UTF8.self)
        let name = card.prefix(8).trimmingCharacters(in: .whitespaces)
        if name == "END" { return nil }
        if name == key, card.dropFirst(8).hasPrefix("=") {
            let value = card.dropFirst(10).split(separator: "/").first ?? ""
            return Int(value.trimmingCharacters(in: .whitespaces))
        }
        offset += 80
    }
    return nil
}

/// Width and height from a PNG file's IHDR chunk, which must come first.
func pngHeaderSize(_ png: [UInt8]) -> (width: Int, height: Int)? {
    guard png.count >= 24, Array(png[12..<16]) == Array("IHDR".utf8) else { return nil }
    func be32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (be32(16), be32(20))
}

let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
