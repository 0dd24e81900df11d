import Foundation
import Model

/// The settings of `alertdb consume` (`Setting.consume`), each read from its command-line
/// flag, else its environment variable, else the configuration file (`--config`), else its
/// default; brokers, topics and group have no default.
public struct ConsumeConfiguration: Sendable {
    public let database: String
    public let brokers: String
    public let topics: [String]
    public let group: String
    /// librdkafka settings by name, under which alertdb's own (`StreamIngest.consumerSettings`) give way.
    public let kafkaSettings: [String: String]
    public let metricsPort: Int?
    public let batchSize: Int
    public let batchSeconds: Double
    /// The file of the writer schema of Confluent-framed messages, if any.
    public let wireSchemaPath: String?
    /// The schema registry that resolves the schema ids of Confluent-framed messages, if any.
    public let schemaRegistry: String?

    /// Every value is checked here, so that a mistake stops the start and names the setting.
    public init(flags: [String: String], environment: [String: String], file: [String: String]) throws {
        let read = try SettingValues(Setting.consume, flags: flags, environment: environment, file: file)
        database = read.text("DATABASE_URL")
        brokers = read.text("ALERTDB_KAFKA_BROKERS")
        topics = read.list("ALERTDB_KAFKA_TOPICS")
        group = read.text("ALERTDB_KAFKA_GROUP")
        guard !brokers.isEmpty, !topics.isEmpty, !group.isEmpty else {
            throw AlertDBError.invalidInput("ALERTDB_KAFKA_BROKERS, ALERTDB_KAFKA_TOPICS and ALERTDB_KAFKA_GROUP must not be empty")
        }
        var settings: [String: String] = [:]
        for pair in read.text("ALERTDB_KAFKA_OPTIONS").split(whereSeparator: \.isWhitespace) {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw AlertDBError.invalidInput("--kafka takes name=value (in ALERTDB_KAFKA_OPTIONS, separated by spaces), not \(pair)")
            }
            settings[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        kafkaSettings = settings
        metricsPort = try read.optionalInteger("ALERTDB_CONSUME_METRICS_PORT", 1...65535)
        batchSize = try read.integer("ALERTDB_CONSUME_BATCH_SIZE", 1...100_000)
        batchSeconds = try read.number("ALERTDB_CONSUME_BATCH_SECONDS", 0.01...3600)
        let schema = read.text("ALERTDB_WIRE_SCHEMA")
        wireSchemaPath = schema.isEmpty ? nil : schema
        let registry = read.text("ALERTDB_SCHEMA_REGISTRY")
        schemaRegistry = registry.isEmpty ? nil : registry
    }
}
