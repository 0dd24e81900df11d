import Postgres

/// Keeps the `object` table up to date: the loader calls `refresh` for the objects of every
/// batch it stores, in the batch's transaction, so that an object's figures change exactly
/// when its alerts become visible.
///
/// Several loaders store at once (ingest runs, the members of a consumer group), and two of
/// them may hold alerts of one object. Each takes the object's row lock before it computes the
/// figures, and computes them in a statement issued after the lock is held: under READ
/// COMMITTED that statement sees everything committed before it, so whichever loader commits
/// last computes over both loaders' rows, and no loader's alerts are lost from an object.
/// Locks are taken in objectId order in every loader, after the alert and history rows (which
/// are inserted in key order too), so two loaders never wait on each other in a circle.
public enum ObjectTable {
    /// Creates the rows of `objectIds` that do not exist yet, locks them all, and recomputes
    /// their figures from `candidate` and `prv_candidate` (the SQL function `object_figures`
    /// of Migrations/0007_objects.sql, which the migration fills the table with too).
    public static func refresh(_ objectIds: Set<String>, db: Connection) throws {
        guard !objectIds.isEmpty else { return }
        let ids = objectIds.sorted()
        // A new object's row, to have something to lock (only for an object with an alert: an
        // object exists because one of its alerts is stored). Inserting in order keeps two
        // loaders creating the same objects from waiting on each other's new rows in a circle;
        // a row another loader is creating is waited for, then left alone.
        try db.execute("""
            INSERT INTO object ("objectId")
            SELECT w.name FROM unnest(\(ids)::text[]) AS w(name)
            WHERE EXISTS (SELECT FROM candidate c WHERE c."objectId" = w.name) ORDER BY w.name
            ON CONFLICT ("objectId") DO NOTHING
            """)
        // Every row of the batch is visible now (committed, or this transaction's own).
        try db.execute(#"SELECT "objectId" FROM object WHERE "objectId" = ANY(\#(ids)) ORDER BY "objectId" FOR UPDATE"#)
        // A new statement, so a new snapshot: it sees what other loaders committed up to now.
        // The `= ANY` on object itself lets the planner reach the rows through its key.
        let figures = ObjectCatalogue.columns.filter { $0.name != "objectId" }
        let targets = SQL.joined(figures.map { SQL.identifier($0.name) }, separator: ", ")
        let values = SQL.joined(figures.map { "f.\(SQL.identifier($0.name))" }, separator: ", ")
        try db.execute("""
            UPDATE object o SET (\(targets)) = (\(values))
            FROM object_figures(\(ids)::text[]) f
            WHERE o."objectId" = f."objectId" AND o."objectId" = ANY(\(ids)::text[])
            """)
    }
}
