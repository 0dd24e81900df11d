import Foundation
import Postgres

/// One alert turned into binary COPY rows, ready for the loader.
public struct EncodedAlert: Sendable {
    public let candid: Int64
    public let objectId: String
    /// The alert's jd, which chooses the month partition of its row and stamps.
    public let jd: Double?
    /// Where it came from (a path, `archive.tar.gz:member.avro`, ...).
    public let source: String
    /// One row for `candidate`.
    public let candidateRow: BinaryCopyWriter
    /// Rows for `cutout`, each ending with the alert's jd.
    public let cutoutRows: BinaryCopyWriter
    /// Rows for `prv_candidate`, and for each its identity, its jd (its month partition) and
    /// byte range in `historyRows`.
    public let historyRows: BinaryCopyWriter
    public let history: [(key: HistoryKey, jd: Double?, range: Range<Int>)]

    public init(candid: Int64, objectId: String, jd: Double?, source: String, candidateRow: BinaryCopyWriter,
                cutoutRows: BinaryCopyWriter, historyRows: BinaryCopyWriter, history: [(key: HistoryKey, jd: Double?, range: Range<Int>)]) {
        (self.candid, self.objectId, self.jd, self.source) = (candid, objectId, jd, source)
        (self.candidateRow, self.cutoutRows, self.historyRows, self.history) = (candidateRow, cutoutRows, historyRows, history)
    }

    /// Bytes this alert will send to the database.
    var byteCount: Int { candidateRow.bytes.count + cutoutRows.bytes.count + historyRows.bytes.count }
}

/// The identity of a history row: one image (pid) of one object yields at most one row
/// (a detection with its candid, or an upper limit without). Matches the table's unique key.
public struct HistoryKey: Hashable, Sendable, Comparable {
    public let objectId: String
    public let pid: Int64?
    public let candid: Int64?

    public init(objectId: String, pid: Int64?, candid: Int64?) {
        (self.objectId, self.pid, self.candid) = (objectId, pid, candid)
    }

    /// The order loaders insert history rows in (any total order shared by all of them will do).
    public static func < (a: HistoryKey, b: HistoryKey) -> Bool {
        (a.objectId, a.pid ?? .min, a.candid ?? .min) < (b.objectId, b.pid ?? .min, b.candid ?? .min)
    }
}

/// Something that could not be loaded, with why; its bytes are kept so nothing is lost.
public struct RejectedInput: Sendable {
    public let source: String
    public let reason: String
    public let bytes: [UInt8]?

    /// A NUL in `source` or `reason` (a member name from a crafted archive, say) becomes U+FFFD:
    /// PostgreSQL's text has no NUL, and one would fail the batch's COPY and end the run.
    public init(source: String, reason: String, bytes: [UInt8]?) {
        func storable(_ text: String) -> String { text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text }
        (self.source, self.reason, self.bytes) = (storable(source), storable(reason), bytes)
    }
}
