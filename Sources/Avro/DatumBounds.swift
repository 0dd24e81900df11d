/// Checks encoded datums against the bytes that hold them, before Avro C reads them.
///
/// Avro C 1.11.1 believes every length and count it reads: a string or bytes value claiming a
/// terabyte is a terabyte `malloc` (and a few gigabytes succeed, then leak when the read comes
/// up short), and an array of nulls claiming 2^62 items is appended to until memory runs out.
/// Walking the datum with its `DatumShape` first, and accepting it only when every length and
/// count fits in what is left, means Avro C never sees a size it cannot satisfy. The walk
/// allocates nothing and recurses no deeper than the schema nests (`AvroLimits.maximumDepth`).
struct DatumBounds {
    private let bytes: UnsafeRawBufferPointer
    /// Where the next value starts.
    private(set) var position = 0
    /// Array items and map entries so far.
    private var items = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    private var left: Int { bytes.count - position }

    /// Checks one datum of `shape` at the current position and moves past it.
    mutating func check(_ shape: DatumShape) throws {
        switch shape.kind {
        case .null: break
        case .boolean: try advance(1)
        case .int:
            let value = try long()
            guard Int64(Int32.min)...Int64(Int32.max) ~= value else { throw damaged("int \(value) out of range") }
        case .long: _ = try long()
        case .float: try advance(4)
        case .double: try advance(8)
        case .fixed(let size): try advance(size)
        case .bytes, .string: try advance(try length("length"))
        case .enumeration(let symbols):
            let index = try long()
            guard index >= 0, index < symbols else { throw damaged("enum index \(index) of \(symbols) symbols") }
        case .record:
            for field in shape.children { try check(field) }
        case .union:
            let index = try long()
            guard index >= 0, index < shape.children.count else {
                throw damaged("union branch \(index) of \(shape.children.count)")
            }
            try check(shape.children[Int(index)])
        case .array, .map:
            let item = shape.children[0]
            let isMap = if case .map = shape.kind { true } else { false }
            // Blocks of items until a count of 0; a negative count is followed by the block's size.
            while true {
                var count = try long()
                if count == 0 { break }
                if count < 0 {
                    guard count != Int64.min else { throw damaged("item count \(count)") }
                    count = -count
                    _ = try length("block size")
                }
                let smallest = item.minimumSize + (isMap ? 1 : 0)  // a map entry's key is a string
                guard smallest == 0 || count <= left / smallest else {
                    throw damaged("\(count) items cannot fit in the \(left) bytes left")
                }
                guard count <= AvroLimits.maximumItems - items else {
                    throw damaged("more than \(AvroLimits.maximumItems) array items and map entries in one datum")
                }
                items += Int(count)
                for _ in 0..<count {
                    if isMap { try advance(try length("key length")) }
                    try check(item)
                }
            }
        }
    }

    /// A zig-zag varint of at most 10 bytes, as Avro C reads it.
    private mutating func long() throws -> Int64 {
        var value: UInt64 = 0
        for i in 0..<10 {
            guard position < bytes.count else { throw damaged("ends inside a number") }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << UInt64(7 * i)
            if byte & 0x80 == 0 { return Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1))) }
        }
        throw damaged("varint longer than 10 bytes")
    }

    /// A length (of a string, bytes, a key or an array block) that must fit in what is left.
    private mutating func length(_ what: String) throws -> Int {
        let value = try long()
        guard value >= 0, value <= Int64(left) else {
            throw damaged("\(what) \(value) with \(left) bytes left")
        }
        return Int(value)
    }

    private mutating func advance(_ count: Int) throws {
        guard count <= left else { throw damaged("needs \(count) bytes, \(left) left") }
        position += count
    }

    private func damaged(_ detail: String) -> AvroError {
        AvroError(message: "damaged Avro data at byte \(position): \(detail)")
    }
}
