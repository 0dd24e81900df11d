import Postgres

/// The JSON of a row of a Rubin table as the API gives it: its columns in table order, less
/// those given apart or not at all (`extra`, the packet's lists), and, for a table with a
/// `psfFlux`, the AB magnitude `mag` derived from it.
///
/// Built by `row_to_json`, which prints each number as PostgreSQL prints it (shortest exact,
/// NaN as "NaN"). `to_jsonb` would read every number into a numeric first and print it again:
/// a page of 100 sources cost 31 ms of PostgreSQL that way, 8 ms this way.
public struct RubinRowJSON: Sendable {
    let alias: String
    let columns: [String]
    let hasFlux: Bool

    init(alias: String, columns: [TableColumn], leaving left: Set<String>) {
        self.alias = alias
        self.columns = columns.map(\.name).filter { !left.contains($0) }
        hasFlux = columns.contains { $0.name == "psfFlux" }
    }

    /// The row of `alias` as a `json` value, with `added` columns of the same row after its own.
    func sql(adding added: [String] = []) -> SQL {
        let alias = SQL(unchecked: alias)
        var items: [SQL] = (columns + added).map { "\(alias).\(SQL.identifier($0))" }
        if hasFlux { items.append("\(RubinStore.magnitude("\(alias).\"psfFlux\"")) AS mag") }
        return "(SELECT row_to_json(r) FROM (SELECT \(SQL.joined(items, separator: ", "))) r)"
    }
}
