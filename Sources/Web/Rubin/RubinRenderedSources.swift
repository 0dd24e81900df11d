import Store

extension AlertService {
    /// `rendered`'s key for a Rubin source's listing JSON (it holds no link, so one text serves
    /// every host).
    static let rubinRenderedBase = "rubin:dia_source"

    /// A page of a Rubin listing. The sources listing reuses the JSON of sources rendered before
    /// (kept in `rendered` beside ZTF's alerts: a stored source never changes, and the newest
    /// pages are the ones every client asks for); an object's row changes with its next
    /// source, so the objects listing is read afresh.
    func rubinListingPage(_ query: RubinListingQuery, table: RubinTable, objects: Bool) throws -> RubinListingPage {
        guard !objects else { return try archive.read { try $0.rubinListing(query, table: table) } }
        let rendered = self.rendered
        let page = try archive.read {
            try $0.rubinListing(query, table: table) { id in
                rendered.text(id: id, base: Self.rubinRenderedBase).map { String(decoding: $0, as: UTF8.self) }
            }
        }
        for (id, row) in zip(page.keys, page.rows) where rendered.text(id: id, base: Self.rubinRenderedBase) == nil {
            rendered.store(Array(row.utf8), id: id, base: Self.rubinRenderedBase)
        }
        return page
    }
}
