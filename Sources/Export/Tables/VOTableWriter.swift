import Model

/// Writes a table as a VOTable 1.4 document (IVOA, 2019): one RESOURCE holding the table's
/// INFO elements, a TIMESYS per time scale of its MJD columns, and one TABLE, each column a
/// FIELD with its datatype, unit and UCD (and TIMESYS), the rows
/// as TABLEDATA. A missing value is an empty TD, which VOTable 1.3 and later read as null for
/// every type; integer FIELDs also name a null value (`VALUES null`) for older readers, a value
/// no ZTF integer takes.
public struct VOTableWriter: TableWriter {
    /// Reals with every digit rather than 15 (`CellText.number`).
    let exactReals: Bool

    public init(exactReals: Bool = false) { self.exactReals = exactReals }

    public func head(_ table: DataTable) -> [UInt8] {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.ivoa.net/xml/VOTable/v1.3 http://www.ivoa.net/xml/VOTable/v1.3">
            <RESOURCE type="results">
            <INFO name="QUERY_STATUS" value="OK"/>

            """
        for info in table.infos {
            out += "<INFO name=\"\(XMLText.escaped(info.name))\" value=\"\(XMLText.escaped(info.value))\"/>\n"
        }
        // One TIMESYS per time scale the MJD columns use, which their FIELDs name (VOTable 1.4, 6.5).
        var scales: [String] = []
        for column in table.columns { if let scale = column.mjdTimeScale, !scales.contains(scale) { scales.append(scale) } }
        for scale in scales {
            out += "<TIMESYS ID=\"\(Self.timeSystemID(scale))\" timeorigin=\"MJD-origin\" timescale=\"\(XMLText.escaped(scale))\" refposition=\"TOPOCENTER\"/>\n"
        }
        out += "<TABLE name=\"\(XMLText.escaped(table.name))\">\n<DESCRIPTION>\(XMLText.escaped(table.description))</DESCRIPTION>\n"
        for column in table.columns { Self.field(column, into: &out) }
        out += "<DATA><TABLEDATA>\n"
        return Array(out.utf8)
    }

    public func row(_ values: [FieldValue], _ columns: [DataTable.Column]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * 16 + 10)
        out += "<TR>".utf8
        for (value, column) in zip(values, columns) {
            guard let text = Self.cell(value, column.type, exactReals: exactReals) else {
                out += "<TD/>".utf8
                continue
            }
            out += "<TD>".utf8
            if case .text = value { out += XMLText.escaped(text).utf8 } else { out += text.utf8 }
            out += "</TD>".utf8
        }
        out += "</TR>\n".utf8
        return out
    }

    public func tail() -> [UInt8] { Array("</TABLEDATA></DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n".utf8) }

    private static func field(_ column: DataTable.Column, into out: inout String) {
        out += "<FIELD name=\"\(XMLText.escaped(column.name))\" datatype=\"\(column.type.rawValue)\""
        if column.type == .char { out += " arraysize=\"*\"" }
        if let unit = column.unit { out += " unit=\"\(XMLText.escaped(unit))\"" }
        if let ucd = column.ucd { out += " ucd=\"\(XMLText.escaped(ucd))\"" }
        if let scale = column.mjdTimeScale { out += " ref=\"\(Self.timeSystemID(scale))\"" }
        out += ">"
        if let description = column.description { out += "<DESCRIPTION>\(XMLText.escaped(description))</DESCRIPTION>" }
        if let null = nullValue(column.type) { out += "<VALUES null=\"\(null)\"/>" }
        out += "</FIELD>\n"
    }

    /// The ID of a time scale's TIMESYS: an XML name made of the scale's letters.
    private static func timeSystemID(_ scale: String) -> String {
        "mjd_" + scale.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// The smallest value of each integer type: no count, id or flag of ZTF's reaches it.
    private static func nullValue(_ type: DataTable.Column.DataType) -> String? {
        switch type {
        case .short: return String(Int16.min)
        case .int: return String(Int32.min)
        case .long: return String(Int64.min)
        default: return nil
        }
    }

    /// The TD's text, or nil for an empty TD. Booleans are T and F; a value that does not fit
    /// its column's type (which the columns' own types rule out) is written as missing rather
    /// than as a document readers refuse.
    private static func cell(_ value: FieldValue, _ type: DataTable.Column.DataType, exactReals: Bool) -> String? {
        switch (value, type) {
        case (.bool(let b), .boolean): return b ? "T" : "F"
        case (.bool, _), (_, .boolean): return nil
        case (.text(let text), .char): return text
        case (.text, _): return nil
        default: return CellText.number(value, exact: exactReals)
        }
    }
}

/// Text escaped for XML 1.0 content and attribute values: the five special characters as
/// entities, and the control characters XML 1.0 cannot hold at all (even as references) left out.
enum XMLText {
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
            || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
