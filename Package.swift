// swift-tools-version:6.0
import PackageDescription

/// alertdb: a queryable database of astronomical transient alerts.
///
/// The modules follow an alert from packet to page:
/// - one small Swift module per C library, owning its pointers (`Postgres`, `Avro`, `JSON`,
///   `Gzip`, `HTTP`, `FITS`, `PNG`, `Kafka`), each over a `systemLibrary` shim (`C*`);
/// - `Model`: what the other modules say to each other (records, filters and the listing's
///   query, sky and time, settings, logging, metrics text), with no C library;
/// - `Store`: the PostgreSQL side (migrations, loading, queries, rate-limit budgets, tokens,
///   the archive's figures); the only module above `Postgres` that writes SQL;
/// - `Ingest`: packets decoded, from files, archives and the Kafka stream, into the store;
/// - `Export` (an alert written back as its Avro packet) and `Cutouts` (stamps as PNG);
/// - `Web`: the HTTP service, with no SQL of its own; `alertdb`: the command line.
/// `Tools/` holds programs for tests and benchmarks only.
let package = Package(
    name: "alertdb",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "alertdb", targets: ["alertdb"]),
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

        .target(name: "Model"),
        .target(name: "Store", dependencies: ["Model", "Postgres"]),
        .target(name: "Ingest", dependencies: ["Model", "Store", "Postgres", "Avro", "JSON", "Gzip", "Kafka"]),
        .target(name: "Export", dependencies: ["Model", "Avro"]),
        .target(name: "Cutouts", dependencies: ["Model", "FITS", "PNG", "Gzip"]),
        .target(name: "Web", dependencies: ["Model", "Store", "Export", "Cutouts", "HTTP", "JSON", "Gzip"]),
        .executableTarget(name: "alertdb", dependencies: [
            "Model", "Store", "Ingest", "Web", "HTTP", "Kafka", "Avro",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests mirror the modules; `TestSupport` holds what they share (a throwaway database, paths).
        .target(name: "TestSupport", dependencies: ["Model", "Store", "Ingest", "Postgres"], path: "Tests/Support"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Model", "Postgres", "TestSupport"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Store", "Model", "Postgres", "Avro", "BenchTools", "TestSupport"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Store", "Model", "Avro", "TestSupport"]),
        .testTarget(name: "CutoutsTests", dependencies: ["Cutouts", "Model", "Avro", "FITS", "PNG", "TestSupport"]),
        .testTarget(name: "WebTests", dependencies: ["Web", "Store", "Model", "HTTP", "Gzip", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),

        // Benchmark helpers kept out of the product: synthetic packets and the raw-COPY ceiling.
        .target(name: "BenchTools", dependencies: ["Model", "Ingest", "Postgres", "Avro"], path: "Tools/Bench/Library"),
        .executableTarget(name: "alertdb-bench", dependencies: [
            "BenchTools", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/Bench/Command"),
        // A Kafka cluster on loopback (librdkafka's mock) that produces packets, for tests and benchmarks.
        .executableTarget(name: "alertdb-kafka-mock", dependencies: [
            "Kafka", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/KafkaMock"),
    ]
)
