import AlertDB
@testable import Web
import XCTest

final class ServeConfigurationTests: XCTestCase {
    func testFlagsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws {
        let file = ["ALERTDB_PORT": "1", "ALERTDB_THREADS": "2", "ALERTDB_RATE_LIMIT_BURST": "3", "DATABASE_URL": "file"]
        let environment = ["ALERTDB_PORT": "10", "ALERTDB_THREADS": "20", "PATH": "/bin"]
        let configuration = try ServeConfiguration(flags: ["ALERTDB_PORT": "100"], environment: environment, file: file)
        XCTAssertEqual(try configuration.port, 100)
        XCTAssertEqual(try configuration.threads, 20)
        XCTAssertEqual(try configuration.rateLimitBudget, Budget(burst: 3, interval: 180))
        XCTAssertEqual(configuration.database, "file")
        XCTAssertEqual(configuration.rateLimitDatabase, "file", "the buckets live in the same database unless told")
        XCTAssertEqual(configuration.host, "127.0.0.1")
        XCTAssertTrue(try configuration.rateLimit)
        XCTAssertEqual(try configuration.cutoutBudgetFactor, 3)
        XCTAssertEqual(try configuration.trustedProxies, [])
    }

    func testEveryDefaultIsValid() throws {
        let configuration = try ServeConfiguration(flags: [:], environment: [:], file: [:])
        XCTAssertEqual(try configuration.port, 8080)
        XCTAssertEqual(try configuration.connectionTimeout, 30)
        XCTAssertEqual(try configuration.maxConnections, 1024)
    }

    func testMistakesStopTheStartAndNameTheSetting() {
        for (key, value) in [("ALERTDB_PORT", "http"), ("ALERTDB_PORT", "70000"), ("ALERTDB_RATE_LIMIT", "maybe"),
                             ("ALERTDB_RATE_LIMIT_INTERVAL", "0"), ("ALERTDB_THREADS", "0")] {
            XCTAssertThrowsError(try ServeConfiguration(flags: [:], environment: [key: value], file: [:])) { error in
                XCTAssertTrue("\(error)".hasPrefix(key), "\(error)")
            }
        }
        XCTAssertThrowsError(try ServeConfiguration(flags: [:], environment: [:], file: ["ALERTDB_PROT": "1"])) { error in
            XCTAssertEqual("\(error)", "unknown setting ALERTDB_PROT in the configuration file")
        }
        // The settings of consume and the spool script share the file.
        XCTAssertNoThrow(try ServeConfiguration(flags: [:], environment: [:], file: ["ALERTDB_KAFKA_BROKERS": "k:9092"]))
        let proxies = try? ServeConfiguration(flags: ["ALERTDB_TRUSTED_PROXIES": "10.0.0.1,proxy.example.org"], environment: [:], file: [:])
        XCTAssertThrowsError(try proxies?.trustedProxies)
    }
}
