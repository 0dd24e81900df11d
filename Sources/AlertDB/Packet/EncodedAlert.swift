import Postgres

/// One alert turned into binary COPY rows, ready for the loader.
public struct EncodedAlert: Sendable {
    public let candid: Int64
    public let objectId: String
    /// Where it came from (a path, `archive.tar.gz:member.avro`, ...).
    public let source: String
    /// One row for `candidate`.
    var candidateRow: BinaryCopyWriter
    /// Rows for `cutout`.
    var cutoutRows: BinaryCopyWriter
    /// Rows for `prv_candidate`, and for each its identity and byte range in `historyRows`.
    var historyRows: BinaryCopyWriter
    var history: [(key: HistoryKey, range: Range<Int>)]

    /// Bytes this alert will send to the database.
    var byteCount: Int { candidateRow.bytes.count + cutoutRows.bytes.count + historyRows.bytes.count }
}

/// The identity of a history row: one image (pid) of one object yields at most one row
/// (a detection with its candid, or an upper limit without). Matches the table's unique key.
struct HistoryKey: Hashable, Sendable {
    let objectId: String
    let pid: Int64?
    let candid: Int64?
}

/// Something that could not be loaded, with why; its bytes are kept so nothing is lost.
public struct RejectedInput: Sendable {
    public let source: String
    public let reason: String
    public let bytes: [UInt8]?
}
