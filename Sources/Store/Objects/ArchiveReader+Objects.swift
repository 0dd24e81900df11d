import Model

extension ArchiveReader {
    /// One page of the objects listing (see `ObjectStore.listing`).
    public func objects(_ query: ObjectListingQuery, limit: Int = ListingQuery.pageSize) throws -> ObjectListingPage {
        try objectStore.listing(query, limit: limit, db: db)
    }

    /// The object named `name`, in any letter case.
    public func object(named name: String) throws -> ObjectRecord? { try objectStore.object(named: name, db: db) }

    /// The object named `name`, in any letter case, with its whole light curve.
    public func objectDetail(named name: String) throws -> ObjectDetail? { try objectStore.detail(named: name, db: db) }
}
