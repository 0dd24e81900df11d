import Model

/// Writes a table as CSV (RFC 4180): a header row of column names, then one line per row,
/// CRLF-terminated; a field holding a comma, a quote or a line break is quoted, its quotes
/// doubled. A missing value is an empty field.
public struct CSVWriter: TableWriter {
    /// Reals with every digit rather than 15 (`CellText.number`).
    let exactReals: Bool

    public init(exactReals: Bool = false) { self.exactReals = exactReals }

    public func head(_ table: DataTable) -> [UInt8] {
        var out = [UInt8]()
        for (index, column) in table.columns.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            Self.append(column.name, into: &out)
        }
        return out + [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
    }

    public func row(_ values: [FieldValue], _ columns: [DataTable.Column]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * 10)
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            switch value {
            case .text(let text): Self.append(text, into: &out)
            case .bool(let b): out += (b ? "true" : "false").utf8
            default: if let number = CellText.number(value, exact: exactReals) { out += number.utf8 }
            }
        }
        return out + [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
    }

    public func tail() -> [UInt8] { [] }

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
