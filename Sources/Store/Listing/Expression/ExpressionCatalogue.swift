import Postgres

/// What a filter expression may name: each column with the SQL that reads its value and the
/// kind of value it is. The compiler knows tables only through this, so the same language
/// can filter any table whose columns are described here (`StoreSchema.expressionCatalogue`
/// describes an alert's).
public struct ExpressionCatalogue: Sendable {
    /// One name an expression may use.
    public struct Column: Sendable {
        /// What the column holds, which decides what it may be compared with.
        public enum Kind: Sendable, Equatable {
            /// A number of this PostgreSQL type; literals compared with it directly are bound in it.
            case number(PostgresType)
            /// Text: compared with quoted strings, and matched with LIKE.
            case text
            /// A time held as a Julian date, compared with ISO dates and date-times.
            case time
            /// A ZTF filter held as its fid, compared with 'g', 'r' or 'i'.
            case band
        }

        /// The name as the expression writes it (ZTF's).
        public let name: String
        public let kind: Kind
        /// The value, with anything that means "no value" (NaN, ZTF's sentinels) as NULL.
        public let value: SQL
        /// The stored column and what it must satisfy to hold a value (nil: every non-NULL
        /// value is one). A comparison of the column with constants is compiled on the stored
        /// column, so that its index serves it, with the presence test beside it.
        public let stored: (column: SQL, presence: SQL?)?
        /// A quoted string compared with the column, in the form `value` reads it in (for a
        /// column written two ways, such as isdiffpos's "1" and "t").
        public let textForm: @Sendable (String) -> String

        /// A column; `stored` as for `value`, or nil when the value is computed.
        public init(name: String, kind: Kind, value: SQL, stored: (column: SQL, presence: SQL?)?,
                    textForm: @escaping @Sendable (String) -> String = { $0 }) {
            self.name = name
            self.kind = kind
            self.value = value
            self.stored = stored
            self.textForm = textForm
        }
    }

    /// The columns, by name.
    public let columns: [Column]
    private let byName: [String: Column]
    private let byLowercasedName: [String: Column]
    /// Right ascension and declination (degrees) for `cone()`, nil where there is no position.
    public let position: (ra: SQL, dec: SQL)?

    /// A catalogue of `columns`; the first of two with the same name wins.
    public init(columns: [Column], position: (ra: SQL, dec: SQL)?) {
        self.columns = columns
        byName = Dictionary(columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        byLowercasedName = Dictionary(columns.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        self.position = position
    }

    /// The column called `name`: exactly, else in any case (`objectid` is `objectId`).
    func column(_ name: String) -> Column? {
        byName[name] ?? byLowercasedName[name.lowercased()]
    }

    /// Up to three names close to `name` (a typing mistake away), closest first.
    func suggestions(for name: String) -> [String] {
        let wanted = Array(name.lowercased().unicodeScalars)
        let allowed = max(1, min(3, wanted.count / 3))
        return columns.lazy
            .map { ($0.name, Self.editDistance(wanted, Array($0.name.lowercased().unicodeScalars))) }
            .filter { $0.1 <= allowed }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(3).map(\.0)
    }

    /// Levenshtein's distance, with a transposition of neighbours counting one (`mapgsf`).
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var row = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    row[j] = min(row[j], previous2[j - 2] + 1)
                }
            }
            previous2 = previous
            previous = row
        }
        return previous[b.count]
    }
}
