import Model

/// A table of rows to write as CSV or VOTable: named, typed columns with their meaning, and the
/// rows' values. A missing value is `.null` (or a non-finite real): whoever builds the table
/// decides what counts as missing (ZTF's sentinels), the writers only write it as missing.
public struct DataTable: Sendable {
    /// One column: what VOTable's FIELD says of it. CSV uses only the name.
    public struct Column: Sendable {
        /// VOTable's primitive types that alertdb's columns need.
        public enum DataType: String, Sendable {
            case boolean, short, int, long, float, double
            /// Text: `char` with `arraysize="*"`.
            case char
        }

        public let name: String
        public let type: DataType
        /// A VOUnit (`deg`, `d`, `mag`, `pix`, `arcsec`, `s`), or nil for a number without unit.
        public let unit: String?
        /// A UCD1+ word list (`pos.eq.ra;meta.main`), or nil.
        public let ucd: String?
        /// One line on what the column holds, or nil.
        public let description: String?
        /// For a time given as an MJD, its time scale (`TAI`): VOTable's TIMESYS, so that a
        /// reader takes the number as that instant. Nil for other columns.
        public let mjdTimeScale: String?

        public init(name: String, type: DataType, unit: String? = nil, ucd: String? = nil, description: String? = nil,
                    mjdTimeScale: String? = nil) {
            (self.name, self.type, self.unit, self.ucd, self.description) = (name, type, unit, ucd, description)
            self.mjdTimeScale = mjdTimeScale
        }
    }

    /// The table's name (VOTable's TABLE name, the file name's stem).
    public let name: String
    /// One sentence on what the table holds.
    public let description: String
    public let columns: [Column]
    /// Each row holds one value per column, in column order.
    public let rows: [[FieldValue]]
    /// Facts about the whole answer (count, next page), as VOTable INFO elements.
    public let infos: [(name: String, value: String)]

    public init(name: String, description: String, columns: [Column], rows: [[FieldValue]],
                infos: [(name: String, value: String)] = []) {
        precondition(rows.allSatisfy { $0.count == columns.count }, "every row needs one value per column")
        (self.name, self.description, self.columns, self.rows, self.infos) = (name, description, columns, rows, infos)
    }
}
