/// Everything stored about one alert that its packet is rebuilt from (`/<id>/avro/`), as
/// PostgreSQL prints it: each row's columns by name, as text (nil for NULL).
public struct StoredAlertRows: Sendable {
    /// A stored row: column name to its text.
    public typealias Row = [String: String?]

    /// The writer schema's JSON text.
    public let schemaJSON: String
    /// The candidate row; its `extra` (jsonb text) holds the alert's top-level leftovers, the
    /// candidate record's under "candidate", and each cutout record's under its field name.
    public let candidate: Row
    /// Stamps by kind (Science, Template, Difference), with `fileName` and `stampData` (bytea as `\x` hex).
    public let cutouts: [String: Row]
    /// The packet's history entries in packet order; nil when its prv_candidates was null.
    public let history: [Row]?

    public init(schemaJSON: String, candidate: Row, cutouts: [String: Row], history: [Row]?) {
        (self.schemaJSON, self.candidate, self.cutouts, self.history) = (schemaJSON, candidate, cutouts, history)
    }
}
