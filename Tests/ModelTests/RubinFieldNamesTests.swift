import Model
import XCTest

/// Which names a Rubin record's fields are stored under (the full check against every schema
/// version's packets is Tests/python/test_rubin_ingest.py and test_rubin_listing.py).
final class RubinFieldNamesTests: XCTestCase {
    let columns: Set = ["dec", "decl", "midpointMjdTai", "midPointTai", "band", "psfFlux", "ra"]

    func testOldNamesTakeTheCurrentColumnWhereThereIsOne() {
        let names = RubinFieldNames.storedNames(["ra", "decl", "midPointTai", "filterName", "psFlux", "psLnL", "spuriousness"],
                                                hasColumn: columns.contains)
        // psLnL has no psfLnL column here, and spuriousness is no old name: both keep theirs.
        XCTAssertEqual(names, ["ra", "dec", "midpointMjdTai", "band", "psfFlux", "psLnL", "spuriousness"])
    }

    func testARecordWithBothNamesKeepsBoth() {
        XCTAssertEqual(RubinFieldNames.storedNames(["decl", "dec"], hasColumn: columns.contains), ["decl", "dec"])
    }

    func testNoCurrentNameIsAlsoAnOldOne() {
        // Renaming twice would send a field to a column of another meaning.
        XCTAssert(Set(RubinFieldNames.current.values).isDisjoint(with: RubinFieldNames.current.keys))
    }
}
