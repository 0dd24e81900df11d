import Postgres

/// Keeps the `object` table up to date: the loader calls `refresh` for the objects of every
/// batch it stores, in the batch's transaction, so that an object's figures change exactly
/// when its alerts become visible.
///
/// Several loaders store at once (ingest runs, the members of a consumer group), and two of
/// them may hold alerts of one object. Two transactions that write an object's row take turns
/// on it: a second insert of the row waits for the first to end, and an update takes the row's
/// lock first. The figures that stay are those of the later one, and it computes them in a
/// statement issued after the earlier one has committed: under READ COMMITTED that statement
/// sees both loaders' rows, so no loader's alerts are lost from an object. Rows are inserted,
/// then locked, in objectId order in every loader, after the alert and history rows (which are
/// inserted in key order too), so two loaders never wait on each other in a circle.
public enum ObjectTable {
    /// Brings the rows of `objectIds` up to date with what `candidate` and `prv_candidate`
    /// hold, by the SQL function `object_figures` of Migrations/0007_objects.sql (which the
    /// migration fills the table with too). An id without a stored alert gets no row.
    public static func refresh(_ objectIds: Set<String>, db: Connection) throws {
        guard !objectIds.isEmpty else { return }
        let ids = objectIds.sorted()

        // New objects (most of a night's) are inserted with their figures at once: one row
        // version, one entry per index, no lock. A loader that inserts an object's row has
        // computed its figures first, maybe without another's uncommitted alerts; but that
        // other loader then finds the row taken (waiting for this one to commit if need be),
        // and recomputes below, seeing both. A row another loader inserted meanwhile is left
        // to the same path.
        let stored = Set(try db.execute(#"SELECT "objectId" FROM object WHERE "objectId" = ANY(\#(ids))"#)
            .rows.map { try $0.decode(0, as: String.self) })
        let fresh = ids.filter { !stored.contains($0) }
        var inserted: Set<String> = []
        if !fresh.isEmpty {
            inserted = Set(try db.execute("""
                INSERT INTO object SELECT * FROM object_figures(\(fresh)::text[]) f ORDER BY f."objectId"
                ON CONFLICT ("objectId") DO NOTHING RETURNING "objectId"
                """).rows.map { try $0.decode(0, as: String.self) })
        }

        // Objects stored before, or by another loader meanwhile: their rows are locked, in
        // order, then their figures computed in a new statement, so a new snapshot that sees
        // what other loaders committed up to the lock. The `= ANY` on object itself lets the
        // planner reach the rows through its key.
        let known = ids.filter { !inserted.contains($0) }
        guard !known.isEmpty else { return }
        try db.execute(#"SELECT "objectId" FROM object WHERE "objectId" = ANY(\#(known)) ORDER BY "objectId" FOR UPDATE"#)
        let figures = ObjectCatalogue.columns.filter { $0.name != "objectId" }
        let targets = SQL.joined(figures.map { SQL.identifier($0.name) }, separator: ", ")
        let values = SQL.joined(figures.map { "f.\(SQL.identifier($0.name))" }, separator: ", ")
        try db.execute("""
            UPDATE object o SET (\(targets)) = (\(values))
            FROM object_figures(\(known)::text[]) f
            WHERE o."objectId" = f."objectId" AND o."objectId" = ANY(\(known)::text[])
            """)
    }
}
