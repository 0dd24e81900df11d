import Foundation
import Model

/// How a value is written in a text table (CSV, VOTable's TABLEDATA): numbers as the JSON API
/// prints them, so that each format parses back to the same value; nil for a missing value.
enum CellText {
    /// Significant digits of reals: 15, as the JSON API (`Responses.realPrecision`), which
    /// prints float4 and float8 columns as stored.
    static let realDigits: Int32 = 15

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

    /// `%.15g` through vsnprintf: a page of 100 alerts holds 10,000 reals, and
    /// `String(format:)` costs several times more per value.
    static func real(_ d: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let written = withVaList([d]) { vsnprintf(buffer.baseAddress!, 32, "%.15g", $0) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(min(written, 31))), as: UTF8.self)
        }
    }
}
