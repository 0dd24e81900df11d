import Foundation
import Model
import Postgres
import XCTest

/// The figures of every object worked out in Swift from the raw rows of `candidate` and
/// `prv_candidate`, independently of the SQL function the loader and the migration use, and
/// the comparison of the `object` table with them.
enum ObjectFiguresOracle {
    /// One detection: a stored alert (with its id) or a history detection.
    private struct Detection {
        let id: Int64?
        let candid: Int64
        let jd: Double?
        let fid: Int64?
        let magpsf: Double?
        let ra: Double?
        let dec: Double?
    }

    /// NaN is no value.
    private static func value(_ number: Double?) -> Double? { number.flatMap { $0.isNaN ? nil : $0 } }

    /// Figures by objectId, each figure by column name (numbers as Double, NULL as nil).
    static func expected(_ db: Connection) throws -> [String: [String: Double?]] {
        var detections: [String: [Int64: Detection]] = [:]
        for row in try db.execute(#"SELECT "objectId", id, candid, jd, fid, magpsf, ra, dec FROM candidate"#).rows {
            let detection = Detection(id: try row.decode("id"), candid: try row.decode("candid"), jd: try row.decode("jd"),
                                      fid: try row.decode("fid"), magpsf: try row.decode("magpsf"), ra: try row.decode("ra"),
                                      dec: try row.decode("dec"))
            detections[try row.decode("objectId"), default: [:]][detection.candid] = detection
        }
        // Lowest pid first, as a repeated candid is one detection whichever row tells it.
        for row in try db.execute(#"SELECT "objectId", candid, jd, fid, magpsf, ra, dec FROM prv_candidate WHERE candid IS NOT NULL ORDER BY pid"#).rows {
            let objectId: String = try row.decode("objectId")
            let candid: Int64 = try row.decode("candid")
            guard detections[objectId]?[candid] == nil, detections[objectId] != nil else { continue }
            detections[objectId]![candid] = Detection(id: nil, candid: candid, jd: try row.decode("jd"), fid: try row.decode("fid"),
                                                      magpsf: try row.decode("magpsf"), ra: try row.decode("ra"), dec: try row.decode("dec"))
        }
        return detections.mapValues { figures(Array($0.values)) }
    }

    private static func figures(_ all: [Detection]) -> [String: Double?] {
        var figures: [String: Double?] = [:]
        let alerts = all.filter { $0.id != nil }
        figures["nalerts"] = Double(alerts.count)
        figures["ndet"] = Double(all.count)
        let jds = all.compactMap { value($0.jd) }
        figures["firstjd"] = jds.min()
        figures["lastjd"] = jds.max()
        var x = 0.0, y = 0.0, z = 0.0, placed = 0
        for detection in all {
            // A position counts only when finite.
            guard let ra = value(detection.ra), let dec = value(detection.dec), ra.isFinite, dec.isFinite else { continue }
            let (a, d) = (ra * .pi / 180, dec * .pi / 180)
            x += cos(d) * cos(a); y += cos(d) * sin(a); z += sin(d)
            placed += 1
        }
        if placed > 0 {
            let ra = atan2(y, x) * 180 / .pi
            figures["ra"] = ra < 0 ? ra + 360 : ra
            figures["dec"] = atan2(z, (x * x + y * y).squareRoot()) * 180 / .pi
        } else {
            (figures["ra"], figures["dec"]) = (Double?.none, Double?.none)
        }
        for (index, filter) in ZTFFilter.names.enumerated() {
            let measured = all.filter { $0.fid == Int64(index + 1) && value($0.magpsf) != nil }
            figures["brightest_\(filter)"] = measured.compactMap(\.magpsf).min()
            let timed = measured.filter { value($0.jd) != nil }
            let last = timed.max { ($0.jd!, $0.candid) < ($1.jd!, $1.candid) }
            figures["lastmag_\(filter)"] = last?.magpsf
            figures["lastjd_\(filter)"] = last?.jd
        }
        let latest = alerts.max { (value($0.jd) ?? -.infinity, $0.id!) < (value($1.jd) ?? -.infinity, $1.id!) }
        figures["latest_id"] = latest.map { Double($0.id!) }
        return figures
    }

    /// The `object` table, in the same shape.
    static func stored(_ db: Connection) throws -> [String: [String: Double?]] {
        let columns = try db.columns(of: "object").map(\.name).filter { $0 != "objectId" }
        var objects: [String: [String: Double?]] = [:]
        for row in try db.execute("SELECT * FROM object").rows {
            var figures: [String: Double?] = [:]
            for column in columns { figures[column] = try row.decode(column, as: Double?.self) }
            objects[try row.decode("objectId")] = figures
        }
        return objects
    }

    /// Asserts that the `object` table holds exactly the oracle's figures: every number equal,
    /// the mean position within 1e-9 degrees (the SQL sums in numeric, the oracle in doubles).
    static func assertTableMatches(_ db: Connection, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try expected(db), stored = try stored(db)
        let unexpected = Set(stored.keys).subtracting(expected.keys), absent = Set(expected.keys).subtracting(stored.keys)
        XCTAssertTrue(unexpected.isEmpty && absent.isEmpty,
                      "\(message): objects stored but not expected \(unexpected.sorted().prefix(5)), expected but not stored \(absent.sorted().prefix(5))",
                      file: file, line: line)
        var differences: [String] = []
        for (objectId, figures) in expected {
            guard let got = stored[objectId] else { continue }
            for (name, value) in figures {
                let have = got[name] ?? nil
                let close: Bool
                switch (name, value, have) {
                case ("ra", let a?, let b?): close = min(abs(a - b), 360 - abs(a - b)) < 1e-9
                case ("dec", let a?, let b?): close = abs(a - b) < 1e-9
                default: close = value == have
                }
                if !close { differences.append("\(objectId).\(name): \(String(describing: have)) stored, \(String(describing: value)) expected") }
            }
        }
        XCTAssertEqual(differences.count, 0, "\(message): \(differences.prefix(10).joined(separator: "; "))", file: file, line: line)
    }

    /// Asserts that the `object` table is, bit for bit, what `object_figures` computes from
    /// scratch over every stored object (the rebuild the migration fills the table with).
    static func assertTableEqualsRebuild(_ db: Connection, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let rebuild: SQL = #"object_figures(ARRAY(SELECT DISTINCT "objectId" FROM candidate))"#
        let extra: Int = try db.execute("SELECT count(*) FROM (SELECT * FROM object EXCEPT ALL SELECT * FROM \(rebuild)) d")[0].decode(0)
        let missing: Int = try db.execute("SELECT count(*) FROM (SELECT * FROM \(rebuild) EXCEPT ALL SELECT * FROM object) d")[0].decode(0)
        XCTAssertEqual(extra, 0, "rows of object that a rebuild does not give \(message)", file: file, line: line)
        XCTAssertEqual(missing, 0, "rows of a rebuild that object does not hold \(message)", file: file, line: line)
    }
}
