import Postgres

extension StoreSchema {
    /// Columns of the alert shown at the top level of the API rather than in `candidate`,
    /// which expressions may name all the same.
    static let expressionExtraColumns: Set<String> = ["objectId", "publisher"]

    /// What a `where=` expression may name: every field of `candidate` the API shows (ZTF's
    /// names and the derived l, b, deltamaglatest, deltamagref), objectId and publisher, and
    /// `wall_time` (the observation time, compared as jd) and `filter` (g, r, i, compared as
    /// fid). Numbers read through `value(_:)`, so NaN and ZTF's sentinels are NULL.
    func expressionCatalogue() -> ExpressionCatalogue {
        var columns: [ExpressionCatalogue.Column] = []
        let shown = Set(candidateFields).union(Self.expressionExtraColumns)
        for (name, type) in columnTypes.sorted(by: { $0.key < $1.key }) where shown.contains(name) {
            if type.isNumber {
                columns.append(.init(name: name, kind: .number(type), value: value(name),
                                     stored: (column(name), presence(of: name))))
            } else if type.isText {
                columns.append(.init(name: name, kind: .text, value: column(name), stored: (column(name), nil)))
            }
        }
        columns.append(.init(name: "wall_time", kind: .time, value: column("jd"), stored: (column("jd"), nil)))
        columns.append(.init(name: "filter", kind: .band, value: column("fid"), stored: (column("fid"), nil)))
        return ExpressionCatalogue(columns: columns, position: (column("ra"), column("dec")))
    }
}
