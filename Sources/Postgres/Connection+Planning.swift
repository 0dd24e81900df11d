/// What callers choose per statement: how it is planned, and what the planner expects of it.
extension Connection {
    /// `executeWithGenericPlan` when `plannedOnce`, else `execute`: for a query whose plan may
    /// or may not depend on its values.
    @discardableResult
    public func execute(_ sql: SQL, plannedOnce: Bool) throws -> QueryResult {
        plannedOnce ? try executeWithGenericPlan(sql) : try execute(sql)
    }

    /// The rows the planner expects `statement` to return, from `EXPLAIN`'s first line (`rows=N`).
    public func plannedRows(of statement: SQL) throws -> Int {
        let plan = try execute("EXPLAIN \(statement)")[0].decode(0, as: String.self)
        guard let range = plan.range(of: "rows=") else { return 0 }
        return Int(plan[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }
}
