import Foundation
import HTTP
import Model
import Store
import Synchronization

extension AlertService {
    /// `GET /metrics`: Prometheus text. This process's requests and connection pool, then the
    /// archive's figures read from the database (the same from every process).
    func metricsText() -> Response {
        var text = PrometheusText()
        metrics.write(to: &text)
        let usage = archive.poolUsage
        text.gauge("alertdb_db_pool_connections", "Database connections this process may open.", Double(usage.size))
        text.gauge("alertdb_db_pool_in_use", "Database connections lent to requests now.", Double(usage.inUse))
        text.counter("alertdb_db_pool_waits_total", "Requests that waited for a database connection.", Double(usage.waits))
        text.gauge("alertdb_process_start_time_seconds", "When this process started (Unix time).", metrics.startTime)
        let stored = statistics.current()
        if let stored {
            text.counter("alertdb_alerts_loaded_total", "Alerts stored in the archive.", Double(stored.alertsStored))
            text.counter("alertdb_alerts_rejected_total", "Inputs set aside in the reject table.", Double(stored.rejects))
            if let jd = stored.newestJD, let age = stored.newestAlertAge() {
                text.gauge("alertdb_newest_alert_jd", "Observation time (Julian date) of the newest alert stored.", jd)
                text.gauge("alertdb_newest_alert_age_seconds", "Seconds since the newest stored alert was observed.", age)
            }
            if let last = stored.lastStoredAt {
                text.gauge("alertdb_last_load_timestamp_seconds", "When an alert was last stored (Unix time).", last)
            }
            // Rubin's, beside ZTF's (which keep their names, for the dashboards that read them).
            text.counter("alertdb_rubin_alerts_loaded_total", "Rubin alerts stored in the archive.", Double(stored.rubinStored))
            if let mjd = stored.rubinNewestMjdTai, let age = stored.newestRubinAlertAge() {
                text.gauge("alertdb_rubin_newest_alert_mjd_tai", "Observation time (MJD TAI) of the newest Rubin alert stored.", mjd)
                text.gauge("alertdb_rubin_newest_alert_age_seconds", "Seconds since the newest stored Rubin alert was observed.", age)
            }
            if let last = stored.rubinLastStoredAt {
                text.gauge("alertdb_rubin_last_load_timestamp_seconds", "When a Rubin alert was last stored (Unix time).", last)
            }
        }
        text.gauge("alertdb_database_up", "Whether the archive's figures could be read from the database.",
                   stored == nil ? 0 : 1)
        // Read on every scrape, not cached: the lag is what a replica's scrape is for.
        if let replication = try? archive.read({ try $0.replication() }) {
            text.gauge("alertdb_database_replica", "Whether the database this process reads is a hot standby.",
                       replication.isReplica ? 1 : 0)
            if replication.isReplica {
                text.gauge("alertdb_replication_receiving", "Whether the replica is connected to its primary.",
                           replication.receiving ? 1 : 0)
                if let lag = replication.lagSeconds {
                    text.gauge("alertdb_replication_lag_seconds", "Seconds by which the replica trails its primary.", lag)
                }
            }
        }
        return Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                        body: Array(text.text.utf8))
    }
}

/// The archive's figures, read from the database at most once every few seconds however many
/// scrapers ask.
final class CachedStatistics: Sendable {
    static let lifetime = 5.0

    private let archive: Archive
    private let cached = Mutex<(at: Double, value: StoreStatistics?)?>(nil)

    init(archive: Archive) { self.archive = archive }

    /// Nil when the database cannot be read.
    func current() -> StoreStatistics? {
        let now = ProcessInfo.processInfo.systemUptime
        if let cached = cached.withLock({ $0 }), now - cached.at < Self.lifetime { return cached.value }
        let value = try? archive.read { try $0.statistics() }
        cached.withLock { $0 = (now, value) }
        return value
    }
}
