import Postgres

extension StoreSchema {
    /// Columns of the alert shown at the top level of the API rather than in `candidate`,
    /// which expressions may name all the same.
    static let expressionExtraColumns: Set<String> = ["objectId", "publisher"]

    /// What a `where=` expression may name: every field of `candidate` the API shows (ZTF's
    /// names and the derived l, b, deltamaglatest, deltamagref), objectId and publisher, and
    /// `wall_time` (the observation time, compared as jd) and `filter` (g, r, i, compared as
    /// fid). Every column reads through `value(_:)`: NaN and ZTF's sentinels are NULL, and
    /// isdiffpos and ssnamenr read as their filters read them.
    func expressionCatalogue() -> ExpressionCatalogue {
        var columns: [ExpressionCatalogue.Column] = []
        let shown = Set(candidateFields).union(Self.expressionExtraColumns)
        for (name, type) in columnTypes.sorted(by: { $0.key < $1.key }) where shown.contains(name) {
            if type.isNumber {
                columns.append(.init(name: name, kind: .number(type), value: value(name),
                                     stored: (column(name), presence(of: name))))
            } else if type.isText {
                // Text read in science terms (isdiffpos as t/f, ssnamenr's "null" as none) has
                // no stored column to compare on; the rest compares on the column and its index.
                let value = value(name)
                columns.append(.init(name: name, kind: .text, value: value, stored: value == column(name) ? (column(name), nil) : nil,
                                     textForm: { Self.textForm($0, of: name) }))
            }
        }
        columns.append(.init(name: "wall_time", kind: .time, value: column("jd"), stored: (column("jd"), nil)))
        columns.append(.init(name: "filter", kind: .band, value: column("fid"), stored: (column("fid"), nil)))
        return ExpressionCatalogue(columns: columns, position: (column("ra"), column("dec")))
    }

    /// A quoted string compared with a text column, as the filters read one: isdiffpos's
    /// "1" is "t", and a ZTF object name in any case is the name ZTF writes.
    static func textForm(_ text: String, of column: String) -> String {
        if column == "objectId" { return (try? ValueParsing.objectId(text, "where")) ?? text }
        return ConditionBuilder.textForm(text, of: column)
    }
}
