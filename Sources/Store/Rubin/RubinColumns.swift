import Model
import Postgres

/// The columns of the Rubin tables the loader writes, as the database reports them
/// (Migrations/0008_rubin.sql), less those the database fills itself.
public struct RubinColumns: Sendable {
    /// `dia_source`: one row per alert.
    public let source: [TableColumn]
    /// `prv_dia_source`: a history source, once per diaSourceId.
    public let historySource: [TableColumn]
    /// `prv_dia_forced_source`: forced photometry, once per object and visit.
    public let forcedSource: [TableColumn]
    /// `dia_object`: the latest state of each object.
    public let object: [TableColumn]

    public init(source: [TableColumn], historySource: [TableColumn], forcedSource: [TableColumn], object: [TableColumn]) {
        self.source = source.filter { !$0.isGenerated }
        self.historySource = historySource.filter { !$0.isGenerated }
        self.forcedSource = forcedSource.filter { !$0.isGenerated }
        self.object = object.filter { !$0.isGenerated }
    }

    public static func read(from db: Connection) throws -> RubinColumns {
        let columns = RubinColumns(source: try db.columns(of: "dia_source"), historySource: try db.columns(of: "prv_dia_source"),
                                   forcedSource: try db.columns(of: "prv_dia_forced_source"), object: try db.columns(of: "dia_object"))
        guard !columns.source.isEmpty, !columns.historySource.isEmpty, !columns.forcedSource.isEmpty, !columns.object.isEmpty else {
            throw AlertDBError.database("the database has no Rubin tables (\(db.target)); run `alertdb migrate` first")
        }
        return columns
    }
}
