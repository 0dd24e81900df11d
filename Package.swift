// swift-tools-version:6.0
import PackageDescription

/// alertdb: a queryable database of astronomical transient alerts.
///
/// Each C library sits behind one `systemLibrary` shim (`C*`) and one small Swift
/// module that owns its pointers (`Postgres`, `Avro`, `JSON`, `Gzip`, `HTTP`, `FITS`, `PNG`, `Kafka`).
/// `AlertDB` holds the data flow (packets, ingest, storage, queries, cutouts, sky geometry);
/// `Web` is the HTTP service (routes, JSON API, HTML pages); `alertdb` is the command line.
/// `Tools/` holds programs for tests and benchmarks only.
let package = Package(
    name: "alertdb",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "alertdb", targets: ["alertdb"]),
        .library(name: "AlertDB", targets: ["AlertDB"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CAvro", pkgConfig: "avro-c", providers: [.apt(["libavro-dev"])]),
        .systemLibrary(name: "CJansson", pkgConfig: "jansson", providers: [.apt(["libjansson-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CFITSIO", pkgConfig: "cfitsio", providers: [.apt(["libcfitsio-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),

        .target(name: "Postgres", dependencies: ["CPostgres"]),
        .target(name: "Avro", dependencies: ["CAvro", "Gzip"]),
        .target(name: "JSON", dependencies: ["CJansson"]),
        .target(name: "Gzip", dependencies: ["CZlib"]),
        .target(name: "HTTP", dependencies: ["CMicroHTTPD"]),
        .target(name: "FITS", dependencies: ["CFITSIO"]),
        .target(name: "PNG", dependencies: ["CPNG"]),
        .target(name: "Kafka", dependencies: ["CRdKafka"]),

        .target(name: "AlertDB", dependencies: ["Postgres", "Avro", "JSON", "Gzip", "FITS", "PNG", "Kafka"]),
        .target(name: "Web", dependencies: ["AlertDB", "HTTP", "JSON", "Postgres"]),
        .executableTarget(name: "alertdb", dependencies: [
            "AlertDB", "Web", "Kafka",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "AlertDBTests", dependencies: ["AlertDB", "Postgres", "Avro", "FITS", "PNG"]),
        .testTarget(name: "WebTests", dependencies: ["Web", "AlertDB", "HTTP", "Postgres"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),

        // A Kafka cluster on loopback (librdkafka's mock) that produces packets, for tests and benchmarks.
        .executableTarget(name: "alertdb-kafka-mock", dependencies: [
            "Kafka", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/KafkaMock"),
    ]
)
