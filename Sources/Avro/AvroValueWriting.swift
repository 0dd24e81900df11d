import CAvro

/// Setting values of every Avro kind, to build a record from scratch (see `GenericRecord`).
/// Each returns false when Avro C refuses (the value is not of that kind).
extension AvroValue {
    /// The schema of this value (a union's own schema for a union, not its branch's).
    public var schema: AvroSchema {
        var v = raw
        return AvroSchema(retaining: cavro_value_schema(&v))
    }

    @discardableResult
    public func setNull() -> Bool { var v = raw; return cavro_set_null(&v) == 0 }

    @discardableResult
    public func set(bool x: Bool) -> Bool { var v = raw; return cavro_set_boolean(&v, x ? 1 : 0) == 0 }

    /// Sets an enum by the index of its symbol.
    @discardableResult
    public func set(enumIndex x: Int) -> Bool { var v = raw; return cavro_set_enum(&v, Int32(x)) == 0 }

    /// Sets a bytes or fixed value (Avro C copies the bytes).
    @discardableResult
    public func set(bytes x: [UInt8]) -> Bool {
        var v = raw
        // Avro C copies from the pointer even for no bytes, so it must point somewhere valid.
        var copy = x.isEmpty ? [0] : x
        let isFixed = kind == .fixed
        return copy.withUnsafeMutableBytes { p in
            (isFixed ? cavro_set_fixed(&v, p.baseAddress, x.count) : cavro_set_bytes(&v, p.baseAddress, x.count)) == 0
        }
    }

    /// Makes branch `discriminant` a union's current one and returns it, ready to be set.
    public func selectBranch(_ discriminant: Int) -> AvroValue? {
        var v = raw
        var branch = avro_value_t()
        guard cavro_set_branch(&v, Int32(discriminant), &branch) == 0 else { return nil }
        return AvroValue(raw: branch)
    }

    /// Appends a new element to an array and returns it, ready to be set.
    public func appendElement() -> AvroValue? {
        var v = raw
        var element = avro_value_t()
        guard cavro_append(&v, &element, nil) == 0 else { return nil }
        return AvroValue(raw: element)
    }

    /// Adds (or finds) the entry `key` of a map and returns its value, ready to be set.
    public func addEntry(_ key: String) -> AvroValue? {
        var v = raw
        var entry = avro_value_t()
        guard cavro_add(&v, key, &entry, nil, nil) == 0 else { return nil }
        return AvroValue(raw: entry)
    }
}

extension AvroSchema {
    /// The index of an enum's symbol, if it has that symbol.
    public func enumIndex(of symbol: String) -> Int? {
        guard kind == .enum else { return nil }
        var schema = raw
        while cavro_typeof(schema) == AVRO_LINK { schema = avro_schema_link_target(schema) }
        let index = avro_schema_enum_get_by_name(schema, symbol)
        return index >= 0 ? Int(index) : nil
    }
}

extension AvroValue {
    /// For a union, makes its first non-null branch current and returns it; for anything
    /// else, itself. (Unlike `settingNonNullBranch`, safe on a union that has no branch yet.)
    public func selectNonNullBranch() -> AvroValue? {
        guard kind == .union else { return self }
        guard let d = schema.branches.firstIndex(where: { $0.kind != .null }) else { return nil }
        return selectBranch(d)
    }
}
