import Postgres

/// One Rubin alert turned into binary COPY rows, ready for the loader.
public struct EncodedRubinAlert: Sendable {
    public let diaSourceId: Int64
    /// The object the source belongs to (nil for a source of a solar system object only).
    public let diaObjectId: Int64?
    /// When the source was observed (MJD TAI), which orders the states of its object.
    public let midpointMjdTai: Double?
    /// Where it came from (a path, `archive.tar.gz:member.avro`, `kafka:topic/0@12`).
    public let source: String
    /// One row for `dia_source`.
    public let sourceRow: BinaryCopyWriter
    /// Rows for `dia_source_cutout`.
    public let cutoutRows: BinaryCopyWriter
    /// Rows for `prv_dia_source`, each with its diaSourceId, time and byte range in `historyRows`.
    public let historyRows: BinaryCopyWriter
    public let history: [(diaSourceId: Int64, midpointMjdTai: Double?, range: Range<Int>)]
    /// Rows for `prv_dia_forced_source`, each with its key, time and byte range in `forcedRows`.
    public let forcedRows: BinaryCopyWriter
    public let forced: [(key: RubinForcedKey, midpointMjdTai: Double?, range: Range<Int>)]
    /// A row for `dia_object` (the packet's diaObject), when the packet has one.
    public let objectRow: BinaryCopyWriter?

    public init(diaSourceId: Int64, diaObjectId: Int64?, midpointMjdTai: Double?, source: String,
                sourceRow: BinaryCopyWriter, cutoutRows: BinaryCopyWriter,
                historyRows: BinaryCopyWriter, history: [(diaSourceId: Int64, midpointMjdTai: Double?, range: Range<Int>)],
                forcedRows: BinaryCopyWriter, forced: [(key: RubinForcedKey, midpointMjdTai: Double?, range: Range<Int>)],
                objectRow: BinaryCopyWriter?) {
        (self.diaSourceId, self.diaObjectId, self.midpointMjdTai, self.source) = (diaSourceId, diaObjectId, midpointMjdTai, source)
        (self.sourceRow, self.cutoutRows) = (sourceRow, cutoutRows)
        (self.historyRows, self.history, self.forcedRows, self.forced) = (historyRows, history, forcedRows, forced)
        self.objectRow = objectRow
    }

    /// Bytes this alert will send to the database.
    var byteCount: Int {
        sourceRow.bytes.count + cutoutRows.bytes.count + historyRows.bytes.count + forcedRows.bytes.count + (objectRow?.bytes.count ?? 0)
    }
}

/// The identity of a forced-photometry row: one per object and visit (ccdVisitId before
/// schema 7.0). Matches the unique index of `prv_dia_forced_source`.
public struct RubinForcedKey: Hashable, Sendable, Comparable {
    public let diaObjectId: Int64?
    public let visit: Int64?

    public init(diaObjectId: Int64?, visit: Int64?) { (self.diaObjectId, self.visit) = (diaObjectId, visit) }

    public static func < (a: RubinForcedKey, b: RubinForcedKey) -> Bool {
        (a.diaObjectId ?? .min, a.visit ?? .min) < (b.diaObjectId ?? .min, b.visit ?? .min)
    }
}
