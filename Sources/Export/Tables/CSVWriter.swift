import Model

/// Writes a table as CSV (RFC 4180): a header row of column names, then one line per row,
/// CRLF-terminated; a field holding a comma, a quote or a line break is quoted, its quotes
/// doubled. A missing value is an empty field.
public enum CSVWriter {
    public static func write(_ table: DataTable) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(64 + table.rows.count * table.columns.count * 10)
        line(table.columns.map(\.name), into: &out)
        for row in table.rows {
            line(row.map { CellText.text($0) ?? "" }, into: &out)
        }
        return out
    }

    private static func line(_ fields: [String], into out: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            append(field, into: &out)
        }
        out += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
    }

    private static func append(_ field: String, into out: inout [UInt8]) {
        let bytes = field.utf8
        guard bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
        else {
            out += bytes
            return
        }
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
}
