@testable import Export
import Foundation
import Model
import XCTest

/// The CSV and VOTable writers: quoting and escaping, missing values, numbers that read back
/// as the values written.
final class TableWriterTests: XCTestCase {
    let columns = [
        DataTable.Column(name: "id", type: .long, ucd: "meta.id"),
        DataTable.Column(name: "ra", type: .double, unit: "deg", ucd: "pos.eq.ra;meta.main", description: "Right ascension <J2000> & more"),
        DataTable.Column(name: "mag", type: .float, unit: "mag"),
        DataTable.Column(name: "note", type: .char),
        DataTable.Column(name: "flag", type: .boolean),
    ]

    func table(_ rows: [[FieldValue]]) -> DataTable {
        DataTable(name: "t", description: "a \"test\" table", columns: columns, rows: rows, infos: [("next", "http://x/?a=1&b=2")])
    }

    func testCSVQuotesOnlyWhatNeedsItAndLeavesMissingValuesEmpty() {
        let text = String(decoding: CSVWriter().write(table([
            [.integer(1), .real(75.2007803), .real(18.5), .text("plain"), .bool(true)],
            [.integer(2), .real(.nan), .null, .text("a,b \"c\"\nd"), .null],
            [.null, .real(.infinity), .real(-0.5), .text(""), .bool(false)],
        ])), as: UTF8.self)
        XCTAssertEqual(text, "id,ra,mag,note,flag\r\n1,75.2007803,18.5,plain,true\r\n2,,,\"a,b \"\"c\"\"\nd\",\r\n,,-0.5,,false\r\n")
    }

    func testRowsWrittenOneByOneMakeTheSameDocument() {
        let rows: [[FieldValue]] = [[.integer(1), .real(1.5), .null, .text("a,b"), .bool(true)], [.null, .null, .real(2), .text("<"), .null]]
        for writer in [CSVWriter(), VOTableWriter()] as [any TableWriter] {
            let kept = rows.map { writer.row($0, columns) }
            XCTAssertEqual(writer.write(table([]), rows: kept), writer.write(table(rows)))
        }
    }

    func testRealsAreWrittenWithFifteenSignificantDigitsAsTheJSONIs() {
        // A float4 widened to double prints as the JSON API prints it, and reads back as the same float.
        let widened = Double(Float(20.550894))
        XCTAssertEqual(CellText.real(widened), "20.5508937835693")
        XCTAssertEqual(Float(CellText.real(widened)), Float(20.550894))
        XCTAssertEqual(CellText.real(2458493.7607639), "2458493.7607639")
        XCTAssertEqual(CellText.real(1e-300), "1e-300")
        XCTAssertEqual(CellText.real(-999), "-999.0")
        XCTAssertEqual(CellText.text(.integer(Int64.min)), "-9223372036854775808")
        XCTAssertEqual(CellText.real(13.496726134618302), "13.4967261346183", "a computed value needing 17 digits is rounded to 15")
        XCTAssertEqual(CellText.real(19), "19.0")
        XCTAssertEqual(CellText.significantDigits("0.000123e-7"), 3)
        // The fast path (Swift's shortest form) and %.15g read back as the same double.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let value = Double(Float(Double.random(in: -30...30, using: &generator)))
            let jd = (Double.random(in: 2_458_000...2_461_000, using: &generator) * 1e7).rounded() / 1e7
            for d in [value, jd, Double.random(in: -1e6...1e6, using: &generator)] {
                XCTAssertEqual(Double(CellText.real(d)), Double(String(format: "%.15g", d)), "\(d)")
            }
        }
    }

    func testVOTableFieldsCarryTypeUnitUCDAndIntegersANullValue() {
        let text = String(decoding: VOTableWriter().write(table([[.integer(1), .real(75.2), .real(18.5), .text("x"), .bool(true)]])), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VOTABLE version=\"1.4\""))
        XCTAssertTrue(text.contains("<FIELD name=\"id\" datatype=\"long\" ucd=\"meta.id\"><VALUES null=\"-9223372036854775808\"/></FIELD>"), text)
        XCTAssertTrue(text.contains("<FIELD name=\"ra\" datatype=\"double\" unit=\"deg\" ucd=\"pos.eq.ra;meta.main\"><DESCRIPTION>Right ascension &lt;J2000&gt; &amp; more</DESCRIPTION></FIELD>"), text)
        XCTAssertTrue(text.contains("<FIELD name=\"note\" datatype=\"char\" arraysize=\"*\">"), text)
        XCTAssertTrue(text.contains("<INFO name=\"next\" value=\"http://x/?a=1&amp;b=2\"/>"), text)
        XCTAssertTrue(text.contains("<DESCRIPTION>a &quot;test&quot; table</DESCRIPTION>"), text)
        XCTAssertTrue(text.contains("<TR><TD>1</TD><TD>75.2</TD><TD>18.5</TD><TD>x</TD><TD>T</TD></TR>"), text)
    }

    func testVOTableMissingValuesAreEmptyCellsAndTextIsEscaped() {
        let text = String(decoding: VOTableWriter().write(table([[.null, .real(.nan), .null, .text("<a & 'b'>\u{1}\t"), .null]])), as: UTF8.self)
        XCTAssertTrue(text.contains("<TR><TD/><TD/><TD/><TD>&lt;a &amp; &apos;b&apos;&gt;\t</TD><TD/></TR>"), text)
    }

    func testExactRealsKeepEveryDigitForTablesWhoseJSONDoes() {
        // A Rubin time to the microsecond needs 17 significant digits; 15 would move it by ~4 µs.
        let time = 60924.33268375296
        let row: [FieldValue] = [.integer(1), .real(time), .real(Double(Float(20.550894))), .text("x"), .null]
        XCTAssertEqual(String(decoding: CSVWriter(exactReals: true).row(row, columns), as: UTF8.self),
                       "1,60924.33268375296,20.550893783569336,x,\r\n")
        XCTAssertEqual(String(decoding: CSVWriter().row(row, columns), as: UTF8.self), "1,60924.332683753,20.5508937835693,x,\r\n")
        let cell = String(decoding: VOTableWriter(exactReals: true).row(row, columns), as: UTF8.self)
        XCTAssert(cell.contains("<TD>60924.33268375296</TD>"), cell)
    }

    func testMJDColumnsNameTheirTimeScale() {
        let columns = [DataTable.Column(name: "midpointMjdTai", type: .double, unit: "d", mjdTimeScale: "TAI"),
                       DataTable.Column(name: "psfFlux", type: .float, unit: "nJy")]
        let head = String(decoding: VOTableWriter().head(DataTable(name: "t", description: "", columns: columns, rows: [])), as: UTF8.self)
        XCTAssert(head.contains(#"<TIMESYS ID="mjd_TAI" timeorigin="MJD-origin" timescale="TAI" refposition="TOPOCENTER"/>"#), head)
        XCTAssert(head.contains(#"<FIELD name="midpointMjdTai" datatype="double" unit="d" ref="mjd_TAI">"#), head)
        XCTAssertEqual(head.components(separatedBy: "TIMESYS").count, 2, "one TIMESYS, and none for a table without times")
    }
}
