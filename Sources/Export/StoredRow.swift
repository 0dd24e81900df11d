import Model

/// One stored row as a source of Avro field values: its columns (text, nil for NULL) by
/// name, and the leftovers kept in `extra` for fields that had no column when it was loaded.
struct StoredRow {
    var columns: [String: String?]
    var extra: [String: JSONNode]

    init(columns: [String: String?], extra: [String: JSONNode] = [:]) {
        self.columns = columns
        self.extra = extra
    }

    /// A stored row; its `extra` column, if any, is parsed.
    init(_ stored: StoredAlertRows.Row) throws {
        var columns = stored
        let extraText = columns.removeValue(forKey: "extra") ?? nil
        self.init(columns: columns, extra: try extraText.map { try JSONNode.parse($0).members } ?? [:])
    }

    /// The stored value of the field `name`. `extra` comes first: a field is there only when
    /// it had no column at load time, and a column of that name added later is NULL for the
    /// row. A field found in neither is null.
    func value(_ name: String) -> StoredValue {
        if let json = extra[name] { return .json(json) }
        if let text = columns[name] { return .text(text) }
        return .text(nil)
    }
}

/// A field's stored value: a column's text (nil for SQL NULL) or JSON from `extra`.
enum StoredValue {
    case text(String?)
    case json(JSONNode)

    var isNull: Bool {
        switch self {
        case .text(let text): return text == nil
        case .json(let json): return json == .null
        }
    }
}
