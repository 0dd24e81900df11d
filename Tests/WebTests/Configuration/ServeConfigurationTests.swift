import HTTP
import Store
@testable import Web
import XCTest

final class ServeConfigurationTests: XCTestCase {
    func testFlagsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws {
        let file = ["ALERTDB_PORT": "1", "ALERTDB_THREADS": "2", "ALERTDB_RATE_LIMIT_BURST": "3", "DATABASE_URL": "file"]
        let environment = ["ALERTDB_PORT": "10", "ALERTDB_THREADS": "20", "PATH": "/bin"]
        let configuration = try ServeConfiguration(flags: ["ALERTDB_PORT": "100"], environment: environment, file: file)
        XCTAssertEqual(configuration.port, 100)
        XCTAssertEqual(configuration.threads, 20)
        XCTAssertEqual(configuration.rateLimitBudget, Budget(burst: 3, interval: 180))
        XCTAssertEqual(configuration.database, "file")
        XCTAssertEqual(configuration.rateLimitDatabase, "file", "the buckets live in the same database unless told")
        XCTAssertEqual(configuration.host, "127.0.0.1")
        XCTAssertTrue(configuration.rateLimit)
        XCTAssertEqual(configuration.cutoutBudgetFactor, 3)
        XCTAssertEqual(configuration.trustedProxies, [])
    }

    func testEveryDefaultIsValid() throws {
        let configuration = try ServeConfiguration(flags: [:], environment: [:], file: [:])
        XCTAssertEqual(configuration.port, 8080)
        XCTAssertEqual(configuration.connectionTimeout, 30)
        XCTAssertEqual(configuration.requestTimeout, 10)
        XCTAssertEqual(configuration.maxConnections, 1024)
        XCTAssertEqual(configuration.maxConnectionsPerClient, 64)
        XCTAssertTrue(configuration.metricsAccess.allows(Request(method: "GET", path: "/metrics", remoteAddress: "127.0.0.1")))
        XCTAssertTrue(configuration.metricsAccess.allows(Request(method: "GET", path: "/metrics", remoteAddress: "::1")))
        XCTAssertFalse(configuration.metricsAccess.allows(Request(method: "GET", path: "/metrics", remoteAddress: "192.0.2.1")))
        XCTAssertNil(configuration.publicURL)
    }

    func testThePublicURLLosesItsFinalSlash() throws {
        let configuration = try ServeConfiguration(flags: [:], environment: ["ALERTDB_PUBLIC_URL": "https://alerts.example.org/"], file: [:])
        XCTAssertEqual(configuration.publicURL, "https://alerts.example.org")
    }

    func testCrossOriginIsAnyByDefaultOneOriginOrOff() throws {
        XCTAssertEqual(try ServeConfiguration(flags: [:], environment: [:], file: [:]).corsOrigin, "*")
        XCTAssertNil(try ServeConfiguration(flags: [:], environment: ["ALERTDB_CORS_ORIGIN": ""], file: [:]).corsOrigin)
        XCTAssertEqual(try ServeConfiguration(flags: ["ALERTDB_CORS_ORIGIN": "https://tools.example.org:8443"], environment: [:], file: [:]).corsOrigin,
                       "https://tools.example.org:8443")
        for bad in ["tools.example.org", "https://tools.example.org/path", "https://a.org, https://b.org", "null", "https://a.org\r\nX: y"] {
            XCTAssertThrowsError(try ServeConfiguration(flags: [:], environment: ["ALERTDB_CORS_ORIGIN": bad], file: [:]), bad) { error in
                XCTAssertTrue("\(error)".contains("ALERTDB_CORS_ORIGIN"), "\(error)")
            }
        }
    }

    func testMistakesStopTheStartAndNameTheSetting() {
        for (key, value) in [("ALERTDB_PORT", "http"), ("ALERTDB_PORT", "70000"), ("ALERTDB_RATE_LIMIT", "maybe"),
                             ("ALERTDB_RATE_LIMIT_INTERVAL", "0"), ("ALERTDB_THREADS", "0"), ("ALERTDB_REQUEST_TIMEOUT", "0"),
                             ("ALERTDB_MAX_CONNECTIONS_PER_CLIENT", "-1"), ("ALERTDB_METRICS_ALLOW", "127.0.0.1,prometheus.example.org"),
                             ("ALERTDB_PUBLIC_URL", "alerts.example.org"), ("ALERTDB_PUBLIC_URL", "https://alerts.example.org/?x")] {
            XCTAssertThrowsError(try ServeConfiguration(flags: [:], environment: [key: value], file: [:])) { error in
                XCTAssertTrue("\(error)".hasPrefix(key), "\(error)")
            }
        }
        XCTAssertThrowsError(try ServeConfiguration(flags: [:], environment: [:], file: ["ALERTDB_PROT": "1"])) { error in
            XCTAssertEqual("\(error)", "unknown setting ALERTDB_PROT in the configuration file")
        }
        // The settings of consume and the spool script share the file.
        XCTAssertNoThrow(try ServeConfiguration(flags: [:], environment: [:], file: ["ALERTDB_KAFKA_BROKERS": "k:9092"]))
        XCTAssertThrowsError(try ServeConfiguration(flags: ["ALERTDB_TRUSTED_PROXIES": "10.0.0.1,proxy.example.org"],
                                                    environment: [:], file: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("ALERTDB_TRUSTED_PROXIES"), "\(error)")
        }
    }
}
