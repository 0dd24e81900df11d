import Postgres

/// Where the archive's database stands in streaming replication: a primary, or a hot standby
/// and how far behind it is. `alertdb serve` on a replica reads what the primary stored a
/// moment ago; `/health` and `/metrics` say how long that moment is.
public struct ReplicationStatus: Sendable {
    /// True on a hot standby (the database is in recovery).
    public let isReplica: Bool
    /// On a replica: whether a WAL receiver is connected to the primary.
    public let receiving: Bool
    /// On a replica: seconds by which what it shows trails the primary. Zero when everything
    /// received has been replayed while connected (an idle primary sends nothing, so the last
    /// replayed transaction's age would only measure the quiet); otherwise the age of the last
    /// replayed transaction, which keeps growing while the primary is out of reach. Nil on a
    /// primary, and on a replica that has replayed nothing yet.
    public let lagSeconds: Double?

    /// One statement that needs no privileges: without `pg_read_all_stats` the receiver's row
    /// shows only its pid, which is enough to know it exists.
    public static func read(from db: Connection) throws -> ReplicationStatus {
        let result = try db.execute("""
            SELECT pg_is_in_recovery() AS replica,
                   EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL) AS receiving,
                   CASE WHEN NOT pg_is_in_recovery() THEN NULL
                        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                             AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL) THEN 0
                        ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())
                   END::double precision AS lag
            """)
        let row = result[0]
        let replica: Bool = try row.decode("replica"), receiving: Bool = try row.decode("receiving")
        return ReplicationStatus(isReplica: replica, receiving: replica && receiving,
                                 lagSeconds: try row.decode("lag"))
    }
}
