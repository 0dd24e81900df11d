import Avro
import Model
import Postgres
import Store

/// How one Avro field's value is written into a typed column, chosen once per writer schema.
enum FieldEncoding: Sendable {
    case int32, int64, int64FromInt, float32, float64, float64FromFloat, float64FromInt, text, bool, bytea

    /// The encoding that stores an Avro `kind` in a column of `type` without loss, if any.
    init?(avro kind: AvroKind, column type: PostgresType) {
        switch (kind, type) {
        case (.int, .int4): self = .int32
        case (.int, .int8): self = .int64FromInt
        case (.int, .float8): self = .float64FromInt
        case (.long, .int8): self = .int64
        case (.float, .float4): self = .float32
        case (.float, .float8): self = .float64FromFloat
        case (.double, .float8): self = .float64
        case (.string, .text), (.enum, .text): self = .text
        case (.boolean, .bool): self = .bool
        case (.bytes, .bytea), (.fixed, .bytea): self = .bytea
        default: return nil
        }
    }

    /// Writes `value` (a union is unwrapped; null becomes SQL NULL). Throws for a string that
    /// PostgreSQL cannot store as text.
    @inline(__always)
    func write(_ value: AvroValue, to row: inout BinaryCopyWriter) throws {
        guard let value = value.unwrapped else { return row.null() }
        switch self {
        case .int32: row.int32(value.int32)
        case .int64: row.int64(value.int64)
        case .int64FromInt: row.int64(Int64(value.int32))
        case .float32: row.float32(value.float)
        case .float64: row.float64(value.double)
        case .float64FromFloat: row.float64(Double(value.float))
        case .float64FromInt: row.float64(Double(value.int32))
        case .text: value.kind == .enum ? row.text(value.enumSymbol) : row.raw(try storableText(value.stringBytes))
        case .bool: row.bool(value.bool)
        case .bytea: row.raw(value.bytes)
        }
    }
}

extension AvroSchema {
    /// The type a field holds, looking through `["null", T]`; nil for a union of several types.
    var storedKind: AvroKind? {
        let inner = nonNull
        return inner.kind == .union ? nil : inner.kind
    }
}

/// A string's bytes, when PostgreSQL can store them as text: valid UTF-8 without NUL bytes.
///
/// Avro strings are meant to be UTF-8, but nothing in the decoding checks it, and a single
/// damaged string reached the server inside a batch's COPY, whose failure ("invalid byte
/// sequence for encoding UTF8") ended the whole `alertdb ingest` run, and would stop
/// `alertdb consume` on the same message at every restart. Such a packet is rejected instead.
func storableText(_ bytes: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer {
    guard !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil else {
        throw AlertEncoder.Invalid(description: "a string is not valid UTF-8 text (\(bytes.count) bytes): PostgreSQL cannot store it")
    }
    return bytes
}
