import Avro

/// Where two Avro values differ, field by field: kinds, union branches, counts, map keys,
/// floats by bit pattern, bytes exactly. Empty when they are equal.
func avroDifferences(_ expected: AvroValue, _ actual: AvroValue, path: String = "") -> [String] {
    var diffs: [String] = []
    compare(expected, actual, path, &diffs)
    return diffs
}

private func compare(_ e: AvroValue, _ a: AvroValue, _ path: String, _ diffs: inout [String]) {
    guard diffs.count < 20 else { return }
    func differ(_ what: String) { diffs.append("\(path.isEmpty ? "<alert>" : path): \(what)") }
    guard e.kind == a.kind else { return differ("kind \(e.kind) != \(a.kind)") }
    switch e.kind {
    case .union:
        guard e.discriminant == a.discriminant else { return differ("branch \(e.discriminant) != \(a.discriminant)") }
        switch (e.unwrapped, a.unwrapped) {
        case (nil, nil): break
        case let (x?, y?): compare(x, y, path, &diffs)
        default: differ("null on one side only")
        }
    case .record:
        guard e.count == a.count else { return differ("\(e.count) fields != \(a.count)") }
        for i in 0..<e.count {
            let (name, x) = e.namedChild(i), (otherName, y) = a.namedChild(i)
            guard name == otherName else { return differ("field \(i) is \(name ?? "?") != \(otherName ?? "?")") }
            compare(x, y, path.isEmpty ? (name ?? "?") : "\(path).\(name ?? "?")", &diffs)
        }
    case .array:
        guard e.count == a.count else { return differ("\(e.count) elements != \(a.count)") }
        for i in 0..<e.count { compare(e.child(i), a.child(i), "\(path)[\(i)]", &diffs) }
    case .map:
        guard e.count == a.count else { return differ("\(e.count) entries != \(a.count)") }
        var actual: [String: AvroValue] = [:]
        for i in 0..<a.count { let (k, v) = a.namedChild(i); actual[k ?? ""] = v }
        for i in 0..<e.count {
            let (k, v) = e.namedChild(i)
            guard let other = actual[k ?? ""] else { differ("no key \(k ?? "")"); continue }
            compare(v, other, "\(path){\(k ?? "")}", &diffs)
        }
    case .float: if e.float.bitPattern != a.float.bitPattern { differ("float \(e.float) != \(a.float)") }
    case .double: if e.double.bitPattern != a.double.bitPattern { differ("double \(e.double) != \(a.double)") }
    case .int: if e.int32 != a.int32 { differ("\(e.int32) != \(a.int32)") }
    case .long: if e.int64 != a.int64 { differ("\(e.int64) != \(a.int64)") }
    case .boolean: if e.bool != a.bool { differ("\(e.bool) != \(a.bool)") }
    case .string: if e.string != a.string { differ("\"\(e.string)\" != \"\(a.string)\"") }
    case .enum: if e.enumIndex != a.enumIndex { differ("symbol \(e.enumSymbol) != \(a.enumSymbol)") }
    case .bytes, .fixed: if !e.bytes.elementsEqual(a.bytes) { differ("\(e.bytes.count) bytes differ from \(a.bytes.count)") }
    case .null, .link: break
    }
}
