import Model
import Postgres

/// The order of a Rubin listing (`sort_value`, `sort_order`): a number column, largest first
/// unless `sort_order=asc`, ties broken by the table's key in the same direction, so that a
/// row's place is exact and a cursor resumes right after it.
///
/// A row without a value (NULL, or NaN, which PostgreSQL sorts above every number) comes after
/// every row with one, in both orders, as in ZTF's listing. Rather than ordering by a "missing"
/// flag first (which no index can serve with a keyset), the listing sorts by one expression:
/// the value, a missing one read as the end of the order (-Infinity descending, +Infinity
/// ascending; the extreme bigints for integer columns). The default order of `/rubin/`,
/// `midpointMjdTai` descending, is then exactly the expression of `dia_source_newest_idx`
/// (Migrations/0010), and every page, first or after a cursor, walks that index.
struct RubinOrder: Sendable {
    let column: String
    let ascending: Bool
    /// The sort expression over the table's alias; the column itself for the key.
    let value: SQL
    /// The type `value` has, for a cursor's bound value.
    let type: PostgresType
    /// What `value` reads for a missing value, as PostgreSQL prints it; nil for the key, which
    /// every row has.
    let missing: String?

    init(column: String, ascending: Bool, table: RubinTable) {
        (self.column, self.ascending) = (column, ascending)
        let sql = table.column(column)
        let type = table.columnTypes[column] ?? .float8
        if column == table.key {
            (value, self.type, missing) = (sql, type, nil)
        } else if type.isFloatingPoint {
            // Written as the migration writes its index (constants in the text, not bound), so
            // that the planner matches the two.
            let end = ascending ? "Infinity" : "-Infinity"
            (value, self.type, missing) = ("coalesce(nullif(\(sql), 'NaN'), \(SQL(unchecked: "'\(end)'")))", type, end)
        } else {
            let end = ascending ? String(Int64.max) : String(-Int64.max)
            (value, self.type, missing) = ("coalesce(\(sql), \(SQL(unchecked: end)))", .int8, end)
        }
    }

    var direction: SQL { ascending ? "ASC" : "DESC" }

    /// `ORDER BY` for the table's alias.
    func orderBy(_ table: RubinTable) -> SQL {
        column == table.key ? "\(value) \(direction)" : "\(value) \(direction), \(table.column(table.key)) \(direction)"
    }

    /// Rows after the cursor's row in this order.
    func after(_ cursor: Cursor, _ table: RubinTable) -> SQL {
        let beyond: SQL = ascending ? ">" : "<"
        let key = table.column(table.key)
        if column == table.key { return "\(key) \(beyond) \(cursor.id)" }
        // The value as PostgreSQL printed it, read back as the expression's type: exact.
        let value = PostgresParameter(text: cursor.value ?? missing ?? "NaN", type: type)
        return "(\(self.value), \(key)) \(beyond) (\(value), \(cursor.id))"
    }

    /// The cursor of a row, from its key and its sort value as PostgreSQL printed it.
    func cursor(id: Int64, printed: String?) -> Cursor {
        // The missing value's stand-in is not a value: the token says "missing" (Cursor's nil).
        Cursor(sortColumn: column, ascending: ascending, value: printed == missing ? nil : printed, id: id)
    }
}
