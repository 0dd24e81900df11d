import Postgres

/// The JSON of a row of a Rubin table as the API gives it: its columns in table order, less
/// those given apart or not at all (`extra`, the packet's lists), and, for a table with a
/// `psfFlux`, the AB magnitude `mag` derived from it.
///
/// Built by `row_to_json`, which prints each number as PostgreSQL prints it (shortest exact,
/// NaN as "NaN"). `to_jsonb` would read every number into a numeric first and print it again:
/// a page of 100 sources cost 31 ms of PostgreSQL that way, 8 ms this way.
public struct RubinRowJSON: Sendable {
    /// `(SELECT row_to_json(r) FROM (SELECT alias."column", ...) r)`, made once: the same for every request.
    let sql: SQL

    /// The row of `alias`, less the columns `left`, with `added` columns of the same row after its own.
    init(alias: String, columns: [TableColumn], leaving left: Set<String>, adding added: [String] = []) {
        let alias = SQL(unchecked: alias)
        var items: [SQL] = (columns.map(\.name).filter { !left.contains($0) } + added).map { "\(alias).\(SQL.identifier($0))" }
        if columns.contains(where: { $0.name == "psfFlux" }) {
            items.append("\(RubinStore.magnitude("\(alias).\"psfFlux\"")) AS mag")
        }
        sql = "(SELECT row_to_json(r) FROM (SELECT \(SQL.joined(items, separator: ", "))) r)"
    }
}
