/// Escapes `&`, `<`, `>`, `"` and `'`, so the result is safe as element content and as a
/// quoted attribute value (including an href).
public func escapeHTML(_ value: String) -> String {
    var output = ""
    appendEscapedHTML(value, to: &output)
    return output
}

/// Appends `value` escaped to `output`; strings with nothing to escape (nearly all of them)
/// are appended in one piece.
func appendEscapedHTML(_ value: String, to output: inout String) {
    let needsEscaping = value.utf8.contains { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }
    guard needsEscaping else {
        output.append(value)
        return
    }
    for scalar in value.unicodeScalars {
        switch scalar {
        case "&": output.append("&amp;")
        case "<": output.append("&lt;")
        case ">": output.append("&gt;")
        case "\"": output.append("&quot;")
        case "'": output.append("&#39;")
        default: output.unicodeScalars.append(scalar)
        }
    }
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters are kept), so a
/// stored name such as an objectId can be placed in a link's query.
func percentEncodeQueryValue(_ value: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(value.utf8.count)
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            bytes.append(byte)
        default:
            bytes.append(UInt8(ascii: "%"))
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0F)])
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
