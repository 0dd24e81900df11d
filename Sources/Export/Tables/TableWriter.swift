import Model

/// A text format of tables: what comes before the rows, each row, what comes after. Split so
/// that a row, once written, can be kept and reused (a stored alert never changes).
public protocol TableWriter: Sendable {
    /// Everything before the first row: a header line, or a document's metadata. `table`'s rows are not read.
    func head(_ table: DataTable) -> [UInt8]
    /// One row: one value per column of `columns`, in order.
    func row(_ values: [FieldValue], _ columns: [DataTable.Column]) -> [UInt8]
    /// Everything after the last row.
    func tail() -> [UInt8]
}

extension TableWriter {
    /// The whole table.
    public func write(_ table: DataTable) -> [UInt8] {
        var out = head(table)
        for values in table.rows { out += row(values, table.columns) }
        return out + tail()
    }

    /// The table whose rows are `rows`, already written by `row`.
    public func write(_ table: DataTable, rows: [[UInt8]]) -> [UInt8] {
        var out = head(table)
        out.reserveCapacity(out.count + rows.reduce(64) { $0 + $1.count })
        for row in rows { out += row }
        return out + tail()
    }
}
