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
