import Postgres
import Store

/// The `prv_keys` value of one alert: its packet's history entries as [pid, candid] pairs,
/// in packet order, built in PostgreSQL's binary array format (a `bigint[][]`).
///
/// The pairs are what tells which of the object's stored history rows the packet carried:
/// the rows themselves are stored once per object, shared by every packet that repeats them.
struct HistoryKeyArray: Sendable {
    private var pairCount = 0
    private var hasNull = false
    /// The elements, each a length (-1 for NULL) and a big-endian int8.
    private var elements: [UInt8] = []

    init(count: Int) { elements.reserveCapacity(count * 24) }

    mutating func append(pid: Int64?, candid: Int64?) {
        element(pid)
        element(candid)
        pairCount += 1
    }

    private mutating func element(_ value: Int64?) {
        guard let value else {
            hasNull = true
            return appendBigEndian(Int32(-1))
        }
        appendBigEndian(Int32(8))
        appendBigEndian(value)
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { elements.append(contentsOf: $0) }
    }

    /// Writes the array as one COPY field: a header (dimensions, null flag, element type
    /// int8 = OID 20, then size and lower bound per dimension) and the elements.
    func write(to row: inout BinaryCopyWriter) {
        var array: [UInt8] = []
        array.reserveCapacity(36 + elements.count)
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.bigEndian) { array.append(contentsOf: $0) } }
        // PostgreSQL has one empty array, with no dimensions.
        put(Int32(pairCount == 0 ? 0 : 2))
        put(Int32(hasNull ? 1 : 0))
        put(Int32(20))
        if pairCount > 0 {
            put(Int32(pairCount)); put(Int32(1))
            put(Int32(2)); put(Int32(1))
            array.append(contentsOf: elements)
        }
        array.withUnsafeBytes { row.raw($0) }
    }
}
