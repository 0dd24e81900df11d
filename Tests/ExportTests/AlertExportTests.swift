import Avro
import Export
import Foundation
import Model
import Store
import TestSupport
import XCTest

/// Writing stored alerts back as Avro packets: each must decode to the record that was
/// ingested, field by field (float bits, nulls against empty lists, history order).
final class AlertExportTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    /// Alert `id` as `/<id>/avro/` gives it: read from the store, written by the exporter.
    func export(_ id: Int64) throws -> [UInt8]? {
        try AlertStore().storedAlert(id: id, db: db.connection).map { try AlertExporter().avroContainer($0) }
    }

    func testEverySharedAlertExportsAsTheIngestedPacket() throws {
        // Small batches, so that history rows shared by packets meet ones stored earlier.
        _ = try db.ingest([Repository.sharedAlerts.path], batchSize: 50)
        let packets = try sharedPackets(Repository.v3Alerts) + sharedPackets(Repository.alerts2017)
        let diffs = try exportDifferences(packets)
        XCTAssertEqual(diffs, [])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM candidate WHERE prv_keys IS NULL"), "0",
                       "every shared packet has a history list")
    }

    func testHistoryKeysTellUpperLimitsFromDetectionsOfTheSameImage() throws {
        // In 2017 packets one image (pid) can give an object an upper limit and a detection.
        _ = try db.ingest([Repository.alerts2017.path])
        let shared = Int(try db.scalar("""
            SELECT count(*) FROM (SELECT 1 FROM prv_candidate GROUP BY "objectId", pid HAVING count(*) > 1) s
            """)!)!
        XCTAssertGreaterThan(shared, 0)
        // prv_keys lists [pid, candid] pairs, NULL candid for upper limits.
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM candidate WHERE array_ndims(prv_keys) = 2 AND array_length(prv_keys, 2) = 2"),
                       try db.scalar("SELECT count(*) FROM candidate WHERE cardinality(prv_keys) > 0"))
    }

    func testUnknownAlertGivesNil() throws {
        XCTAssertNil(try export(123_456_789))
    }

    func testAlertsStoredBeforeTheMigrationTakeTheObjectsEarlierHistory() throws {
        _ = try db.ingest([Repository.alerts2017.path])
        let id = Int64(try db.scalar("""
            SELECT c.id FROM candidate c WHERE (SELECT count(*) FROM prv_candidate p
                WHERE p."objectId" = c."objectId" AND p.jd < c.jd) > 2 ORDER BY c.id LIMIT 1
            """)!)!
        try db.connection.execute("UPDATE candidate SET prv_keys = NULL, ingested_at = '2000-01-01' WHERE id = \(id)")
        let bytes = try XCTUnwrap(try export(id))
        let reader = try ContainerReader(bytes: bytes, name: "export")
        let alert = try XCTUnwrap(try reader.next())
        let history = try XCTUnwrap(alert.field("prv_candidates")?.unwrapped)
        let expected = Int(try db.scalar("""
            SELECT count(*) FROM prv_candidate p JOIN candidate c USING ("objectId") WHERE c.id = \(id) AND p.jd < c.jd
            """)!)!
        XCTAssertEqual(history.count, expected)
        let jds = (0..<history.count).map { history.child($0).field("jd")!.unwrapped!.double }
        XCTAssertEqual(jds, jds.sorted())
    }

    func testEverySchemaVersionExportsAsTheIngestedPacket() throws {
        let python = Repository.root.appendingPathComponent(".local/venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("no Python venv with fastavro at \(python) (Deploy/setup makes it)")
        }
        let dir = try TemporaryDirectory()
        let schemas = Repository.root.appendingPathComponent("../shared/schemas/ztf").standardizedFileURL.path
        let run = try shell([python, "-c", Self.writeSyntheticPackets, dir.path, schemas],
                            environment: ["PYTHONPATH": Repository.root.appendingPathComponent("Tests/python").path])
        XCTAssertEqual(run.status, 0, run.output)
        let packets = try FileManager.default.subpathsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".avro") }
            .map { dir.url.appendingPathComponent($0) }
        XCTAssertGreaterThanOrEqual(packets.count, 8 * 5, run.output)
        let summary = try db.ingest([dir.path])
        XCTAssertEqual(summary.counts.loaded, packets.count)
        XCTAssertEqual(try exportDifferences(packets), [])
        // Both a null and an empty history list were exercised.
        XCTAssertNotEqual(try db.scalar("SELECT count(*) FROM candidate WHERE prv_keys IS NULL"), "0")
        XCTAssertNotEqual(try db.scalar("SELECT count(*) FROM candidate WHERE prv_keys = '{}'"), "0")
    }

    /// For each packet file: its ingested alert exported and compared with the file's record.
    private func exportDifferences(_ packets: [URL]) throws -> [String] {
        let ids = Dictionary(uniqueKeysWithValues: try db.connection.execute("SELECT candid, id FROM candidate").rows
            .map { (try $0.decode("candid", as: Int64.self), try $0.decode("id", as: Int64.self)) })
        var diffs: [String] = []
        for url in packets {
            let original = try ContainerReader(bytes: Array(try Data(contentsOf: url)), name: url.path)
            while let record = try original.next() {
                let candid = record.field("candid")!.unwrapped!.int64
                guard let id = ids[candid] else { diffs.append("\(url.lastPathComponent): candid \(candid) not stored"); continue }
                guard let bytes = try export(id) else {
                    diffs.append("\(url.lastPathComponent): no export"); continue
                }
                let exported = try ContainerReader(bytes: bytes, name: "export of \(candid)")
                guard let copy = try exported.next() else { diffs.append("\(url.lastPathComponent): empty export"); continue }
                diffs += avroDifferences(record, copy).map { "\(url.lastPathComponent): \($0)" }
                if try exported.next() != nil { diffs.append("\(url.lastPathComponent): more than one record") }
            }
        }
        return diffs
    }

    /// Writes synthetic alerts of every schema version in ../shared/schemas/ztf (with the test
    /// oracle's generator), plus alerts with fields alertdb has no column for and an empty
    /// history list, into the folder given as argument.
    private static let writeSyntheticPackets = #"""
import sys
from pathlib import Path
from synthetic_alerts import add_field, alert_schema, load_schema_parts, make_alert, write_alert, ValueMaker

out, root = Path(sys.argv[1]), Path(sys.argv[2])
versions = sorted((p.name for p in root.iterdir() if (p / "alert.avsc").is_file()),
                  key=lambda v: tuple(int(x) for x in v.split(".")))
maker = ValueMaker(20240607)

def emit(group, parts, version, variant, tweak=None):
    record = make_alert(maker, parts, version, variant)
    if tweak:
        tweak(record)
    write_alert(out / group / f"{record['candid']}.avro", alert_schema(parts), record)

for version in versions:
    parts = load_schema_parts(root / version)
    for variant in range(4):  # 3: prv_candidates and cutoutTemplate null
        emit(version, parts, version, variant)
    emit(version, parts, version, 0, lambda r: r.__setitem__("prv_candidates", []))

newest = load_schema_parts(root / versions[-1])
unknown = newest
for part, field in [("candidate", {"name": "newfield", "type": ["null", "double"], "default": None}),
                    ("candidate", {"name": "newfloat", "type": "float"}),
                    ("candidate", {"name": "newbytes", "type": ["null", "bytes"], "default": None}),
                    ("alert", {"name": "brokerNote", "type": ["null", "string"], "default": None}),
                    ("alert", {"name": "reviewed", "type": "boolean"})]:
    unknown = add_field(unknown, part, field)

def set_unknown(r):
    r["candidate"]["newfield"] = 0.1 + maker.rng.uniform(-1, 1) * 1e-3
    r["brokerNote"] = "ingested"

for variant in range(3):
    emit("unknown-candidate", unknown, versions[-1], variant, set_unknown)

unknown = add_field(add_field(newest, "cutout", {"name": "compression", "type": "string"}),
                    "prv_candidate", {"name": "newprv", "type": ["null", "int"], "default": None})

def set_nested(r):
    for f in ("cutoutScience", "cutoutTemplate", "cutoutDifference"):
        if r[f] is not None:
            r[f]["compression"] = "gzip"
    for i, e in enumerate(r["prv_candidates"] or []):
        e["newprv"] = 7 + i

for variant in (0, 3):
    emit("unknown-cutout-history", unknown, versions[-1], variant, set_nested)
print(len(versions), "schema versions")
"""#
}
