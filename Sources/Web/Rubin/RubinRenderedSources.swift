import JSON
import Store

extension AlertService {
    /// `rendered`'s key for a Rubin source's listing JSON (it holds no link, so one text serves
    /// every host).
    static let rubinRenderedBase = "rubin:dia_source"

    /// `rendered`'s key for an object's listing JSON as of its latest source (`version`).
    static func rubinRenderedObjectBase(_ version: Int64?) -> String { "rubin:dia_object@\(version.map(String.init) ?? "-")" }

    /// A page of a Rubin listing. It reuses the JSON of rows rendered before (kept in
    /// `rendered` beside ZTF's alerts, the newest pages being the ones every client asks for): a
    /// stored source never changes; an object's row changes with its next source, and is kept
    /// under the object's latest source, so that a newer state is never answered by an older one.
    /// With the cache off, each row's JSON comes with the page, in one statement.
    func rubinListingPage(_ query: RubinListingQuery, table: RubinTable, objects: Bool) throws -> RubinListingPage {
        let rendered = self.rendered
        func base(_ version: Int64?) -> String { objects ? Self.rubinRenderedObjectBase(version) : Self.rubinRenderedBase }
        let kept = rendered.isOn ? RenderedRows(
            lookup: { id, version in rendered.text(id: id, base: base(version)).map { String(decoding: $0, as: UTF8.self) } },
            keep: { id, version, json in rendered.store(Array(json.utf8), id: id, base: base(version)) }) : nil
        return try archive.read { try $0.rubinListing(query, table: table, rendered: kept) }
    }
}

extension AlertService {
    /// `rendered`'s key for the fields of a Rubin source that the HTML listing shows.
    static let rubinShownBase = "rubin:dia_source:html"

    /// The rows of an HTML listing page. A source's are only the fields the page shows, kept in
    /// `rendered` once made: parsing a source's full JSON (some 250 fields) cost the page about
    /// 0.3 ms of CPU a row, most of an HTML page's 29 ms.
    func rubinShownRows(_ page: RubinListingPage, objects: Bool) -> [JSONValue] {
        guard !objects else { return page.rows.compactMap { try? JSONValue.parse(Array($0.utf8)) } }
        let shown = Set(["diaSourceId", "midpointMjdTai"] + Pages.rubinListingColumns)
        return zip(page.keys, page.rows).compactMap { id, row in
            if let text = rendered.text(id: id, base: Self.rubinShownBase), let fields = try? JSONValue.parse(text) { return fields }
            guard let full = try? JSONValue.parse(Array(row.utf8)) else { return nil }
            let fields = JSONValue.object()
            for (name, value) in full.members where shown.contains(name) { fields.set(name, value) }
            // Every digit: parsed again, a number is the double it was.
            rendered.store(Array(fields.serialized().utf8), id: id, base: Self.rubinShownBase)
            return fields
        }
    }
}
