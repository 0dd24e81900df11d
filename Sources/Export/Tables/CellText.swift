import Foundation
import Model

/// How a value is written in a text table (CSV, VOTable's TABLEDATA): numbers as the JSON API
/// prints them, so that each format parses back to the same value; nothing for a missing value.
enum CellText {
    /// Significant digits of reals: 15, as the JSON API (`Responses.realPrecision`), which
    /// prints float4 and float8 columns as stored.
    static let realDigits = 15

    /// The value's text, or nil when it is missing (NULL, NaN, infinity).
    static func text(_ value: FieldValue) -> String? {
        switch value {
        case .null: return nil
        case .integer(let i): return String(i)
        case .real(let d): return d.isFinite ? real(d) : nil
        case .text(let s): return s
        case .bool(let b): return b ? "true" : "false"
        }
    }

    /// A number, or nil when it is missing; text is the writers' own (each escapes it its way).
    /// `exact` writes a real's every digit (its shortest round-trip form), for tables whose
    /// JSON gives every digit (Rubin's), rather than the 15 of ZTF's.
    static func number(_ value: FieldValue, exact: Bool = false) -> String? {
        switch value {
        case .integer(let i): return String(i)
        case .real(let d): return d.isFinite ? (exact ? d.description : real(d)) : nil
        default: return nil
        }
    }

    /// The real to 15 significant digits. Swift's shortest round-trip form is that already for
    /// nearly every value ZTF sends (single-precision measurements, jd to 7 decimals) and costs
    /// a fraction of `%.15g`, which took a quarter of a CSV page's CPU; values that need more
    /// digits (computed ones: l, b) are rounded by `%.15g`, as the JSON rounds them.
    static func real(_ d: Double) -> String {
        let shortest = d.description
        if significantDigits(shortest) <= realDigits { return shortest }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let written = withVaList([d]) { vsnprintf(buffer.baseAddress!, 32, "%.15g", $0) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(min(written, 31))), as: UTF8.self)
        }
    }

    /// Digits of a number's text before any exponent, leading zeros aside.
    static func significantDigits(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var count = 0
            for byte in bytes {
                if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { continue }
                if count > 0 || byte != UInt8(ascii: "0") { count += 1 }
            }
            return count
        }
    }
}
