import CAvro

/// A borrowed view of one Avro value inside a record being read or written.
///
/// Valid only while the `ContainerReader` (or `GenericRecord`) it came from is alive and has
/// not moved on to the next record: it points into that object's memory.
public struct AvroValue {
    var raw: avro_value_t

    public var kind: AvroKind {
        var v = raw
        return AvroKind(cavro_value_type(&v))
    }

    /// The field at `index` of a record, or the element at `index` of an array.
    public func child(_ index: Int) -> AvroValue {
        var v = raw
        var child = avro_value_t()
        _ = cavro_get_by_index(&v, index, &child, nil)
        return AvroValue(raw: child)
    }

    /// The field named `name` of a record, if there is one.
    public func field(_ name: String) -> AvroValue? {
        var v = raw
        var child = avro_value_t()
        return cavro_get_by_name(&v, name, &child, nil) == 0 ? AvroValue(raw: child) : nil
    }

    /// The number of fields of a record or elements of an array.
    public var count: Int {
        var v = raw
        var size = 0
        _ = cavro_get_size(&v, &size)
        return size
    }

    /// For a union, the value of its current branch; for anything else, itself.
    /// Returns nil when the union holds null.
    public var unwrapped: AvroValue? {
        var value = self
        if value.kind == .union {
            var v = raw
            var branch = avro_value_t()
            guard cavro_get_current_branch(&v, &branch) == 0 else { return nil }
            value = AvroValue(raw: branch)
        }
        return value.kind == .null ? nil : value
    }

    /// The current branch index of a union.
    public var discriminant: Int {
        var v = raw
        var d: Int32 = 0
        _ = cavro_get_discriminant(&v, &d)
        return Int(d)
    }

    public var int32: Int32 { var v = raw; var x: Int32 = 0; _ = cavro_get_int(&v, &x); return x }
    public var int64: Int64 { var v = raw; var x: Int64 = 0; _ = cavro_get_long(&v, &x); return x }
    public var float: Float { var v = raw; var x: Float = 0; _ = cavro_get_float(&v, &x); return x }
    public var double: Double { var v = raw; var x: Double = 0; _ = cavro_get_double(&v, &x); return x }
    public var bool: Bool { var v = raw; var x: Int32 = 0; _ = cavro_get_boolean(&v, &x); return x != 0 }
    public var enumIndex: Int { var v = raw; var x: Int32 = 0; _ = cavro_get_enum(&v, &x); return Int(x) }

    /// The numeric value of an int, long, float or double as a Double (nil for other kinds).
    public var number: Double? {
        switch kind {
        case .int: return Double(int32)
        case .long: return Double(int64)
        case .float: return Double(float)
        case .double: return double
        default: return nil
        }
    }

    /// The UTF-8 bytes of a string (without Avro C's terminating NUL), valid while the value is.
    public var stringBytes: UnsafeRawBufferPointer {
        var v = raw
        var pointer: UnsafePointer<CChar>?
        var size = 0
        guard cavro_get_string(&v, &pointer, &size) == 0, let pointer, size > 0 else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: pointer, count: size - 1)
    }

    public var string: String { String(decoding: stringBytes, as: UTF8.self) }

    /// The contents of a bytes or fixed value, valid while the value is.
    public var bytes: UnsafeRawBufferPointer {
        var v = raw
        var pointer: UnsafeRawPointer?
        var size = 0
        let status = kind == .fixed ? cavro_get_fixed(&v, &pointer, &size) : cavro_get_bytes(&v, &pointer, &size)
        guard status == 0, let pointer else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: size)
    }

    // MARK: Writing (used to vary packets in place)

    public func set(int32 x: Int32) { var v = raw; _ = cavro_set_int(&v, x) }
    public func set(int64 x: Int64) { var v = raw; _ = cavro_set_long(&v, x) }
    public func set(float x: Float) { var v = raw; _ = cavro_set_float(&v, x) }
    public func set(double x: Double) { var v = raw; _ = cavro_set_double(&v, x) }
    public func set(string x: String) {
        var v = raw
        var x = x
        x.withUTF8 { utf8 in
            // Avro C stores strings with their terminating NUL and counts it in the size.
            var copy = Array(utf8)
            copy.append(0)
            copy.withUnsafeBufferPointer { p in
                _ = p.withMemoryRebound(to: CChar.self) { cavro_set_string_len(&v, $0.baseAddress, $0.count) }
            }
        }
    }
}

extension AvroValue {
    /// The field name (records) or key (maps) of the child at `index`, with the child.
    public func namedChild(_ index: Int) -> (name: String?, value: AvroValue) {
        var v = raw
        var child = avro_value_t()
        var name: UnsafePointer<CChar>?
        _ = cavro_get_by_index(&v, index, &child, &name)
        return (name.map { String(cString: $0) }, AvroValue(raw: child))
    }

    /// The symbol of an enum value.
    public var enumSymbol: String {
        var v = raw
        guard let schema = cavro_value_schema(&v), let symbol = avro_schema_enum_get(schema, Int32(enumIndex)) else { return "" }
        return String(cString: symbol)
    }
}

extension AvroValue {
    /// For a `["null", T]` union: switches it to (or keeps) its T branch and returns that branch,
    /// ready to be set. For any other value, returns itself.
    public func settingNonNullBranch() -> AvroValue {
        guard kind == .union else { return self }
        var v = raw
        var branch = avro_value_t()
        _ = cavro_get_current_branch(&v, &branch)
        if AvroKind(cavro_value_type(&branch)) != .null { return AvroValue(raw: branch) }
        let unionSchema = cavro_value_schema(&v)!
        for d in 0..<Int32(avro_schema_union_size(unionSchema)) where cavro_typeof(avro_schema_union_branch(unionSchema, d)) != AVRO_NULL {
            _ = cavro_set_branch(&v, d, &branch)
            return AvroValue(raw: branch)
        }
        return self
    }
}
