import ArgumentParser
import Avro
import Foundation
import HTTP
import Ingest
import Kafka
import Model

struct ConsumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Load alerts from a Kafka stream, committing offsets only after they are stored.",
        discussion: """
            Several processes with the same group split the topics' partitions between them.
            SIGTERM or SIGINT stores and commits the batch in hand, then exits.

            Each setting is taken from its flag, else its environment variable, else the file given
            with --config (NAME=value lines, as systemd's EnvironmentFile=, shared with serve),
            else its default:
            \(Setting.consume.map { "  \($0.key)=\($0.defaultValue ?? "(required)")  \($0.help)" }.joined(separator: "\n"))
            """
    )

    @Option(name: .long, help: ArgumentHelp("PostgreSQL URL or libpq connection string (DATABASE_URL).", valueName: "postgresql://..."))
    var database: String?

    @Option(help: ArgumentHelp("Configuration file: NAME=value lines (see below).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Kafka bootstrap servers (ALERTDB_KAFKA_BROKERS).", valueName: "host:port[,...]"))
    var brokers: String?

    @Option(help: ArgumentHelp("Topic names, or regexes starting with ^ (e.g. '^ztf_[0-9]{8}_programid1$'), comma-separated (ALERTDB_KAFKA_TOPICS).",
                               valueName: "topics"))
    var topics: String?

    @Option(help: "Consumer group: processes in one group share the partitions (ALERTDB_KAFKA_GROUP).")
    var group: String?

    @Option(help: "Messages per transaction at most (ALERTDB_CONSUME_BATCH_SIZE).")
    var batchSize: Int?

    @Option(help: ArgumentHelp("Seconds after its first message by which a batch is stored (ALERTDB_CONSUME_BATCH_SECONDS).", valueName: "seconds"))
    var batchSeconds: Double?

    @Option(help: ArgumentHelp("Avro schema of messages in the Confluent wire format: magic byte, schema id, datum (ALERTDB_WIRE_SCHEMA).",
                               valueName: "file"))
    var wireSchema: String?

    @Option(help: ArgumentHelp("Schema registry (Confluent API) resolving the schema ids of framed messages; without it, "
                               + "Rubin's schemas bundled with alertdb (ALERTDB_SCHEMA_REGISTRY).", valueName: "url"))
    var schemaRegistry: String?

    @Option(help: ArgumentHelp("Serve Prometheus metrics on 127.0.0.1:PORT/metrics (ALERTDB_CONSUME_METRICS_PORT).", valueName: "port"))
    var metricsPort: Int?

    @Option(help: ArgumentHelp("Exit once no message arrived for this many seconds.", valueName: "seconds"))
    var idleExit: Double?

    @Option(name: .customLong("kafka"),
            help: ArgumentHelp("A librdkafka setting, e.g. security.protocol=SASL_SSL (repeatable; ALERTDB_KAFKA_OPTIONS).", valueName: "name=value"))
    var kafkaSettings: [String] = []

    /// The flags given, by setting name.
    private var flags: [String: String] {
        let given: [(String, String?)] = [
            ("DATABASE_URL", database), ("ALERTDB_KAFKA_BROKERS", brokers), ("ALERTDB_KAFKA_TOPICS", topics),
            ("ALERTDB_KAFKA_GROUP", group), ("ALERTDB_CONSUME_BATCH_SIZE", batchSize.map(String.init)),
            ("ALERTDB_CONSUME_BATCH_SECONDS", batchSeconds.map { String($0) }), ("ALERTDB_WIRE_SCHEMA", wireSchema),
            ("ALERTDB_SCHEMA_REGISTRY", schemaRegistry),
            ("ALERTDB_CONSUME_METRICS_PORT", metricsPort.map(String.init)),
            ("ALERTDB_KAFKA_OPTIONS", kafkaSettings.isEmpty ? nil : kafkaSettings.joined(separator: " ")),
        ]
        return Dictionary(uniqueKeysWithValues: given.compactMap { key, value in value.map { (key, $0) } })
    }

    func run() throws {
        let stop = StopSignal()
        // Before librdkafka starts its threads, so that they inherit the mask and SIGTERM waits
        // for the loop to finish its batch instead of killing the process.
        watchTerminationSignals(stop)

        let settings: ConsumeConfiguration
        var ingest: StreamIngest
        do {
            settings = try ConsumeConfiguration(flags: flags, environment: ProcessInfo.processInfo.environment,
                                                file: try config.map { try ConfigFile.read(path: $0) } ?? [:])
            ingest = StreamIngest(database: settings.database)
            ingest.options.batchSize = settings.batchSize
            ingest.options.batchSeconds = settings.batchSeconds
            ingest.options.idleExit = idleExit
            ingest.options.schemaRegistry = settings.schemaRegistry
            if let path = settings.wireSchemaPath {
                do {
                    ingest.options.wireSchema = try AvroSchema(json: String(contentsOfFile: path, encoding: .utf8))
                } catch {
                    throw AlertDBError.invalidInput("cannot read the schema in \(path): \(error)")
                }
            }
        } catch {
            throw fail("\(error)")
        }

        var metricsServer: Server?
        if let port = settings.metricsPort {
            let metrics = ingest.metrics
            do {
                metricsServer = try Server(host: "127.0.0.1", port: port) { request in
                    guard request.path.trimmingCharacters(in: CharacterSet(charactersIn: "/")) == "metrics" else {
                        return Response(status: 404, contentType: "text/plain", body: "not found\n")
                    }
                    return Response(status: 200, contentType: "text/plain; version=0.0.4", body: metrics.prometheusText())
                }
            } catch {
                throw fail("\(error)")
            }
        }
        defer { metricsServer?.stop() }

        let summary: IngestSummary
        do {
            let kafka = StreamIngest.consumerSettings.merging(settings.kafkaSettings) { _, given in given }
            let consumer = try KafkaConsumer(brokers: settings.brokers, group: settings.group, config: kafka)
            try consumer.subscribe(settings.topics)
            summary = try ingest.run(consumer, stop: stop)
        } catch let stopped as IngestInterrupted {
            Log.command(stopped.summary.line)
            throw fail("stopped: \(stopped); offsets are committed only for what was stored, so the rest is read again")
        } catch {
            throw fail("\(error)")
        }
        Log.command(summary.line)
    }
}

/// Turns SIGTERM and SIGINT into `stop.stop()`: they are blocked in every thread and taken by
/// one thread of their own with sigwait.
private func watchTerminationSignals(_ stop: StopSignal) {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGTERM)
    sigaddset(&signals, SIGINT)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    let blocked = signals
    Thread {
        var set = blocked
        var received: Int32 = 0
        sigwait(&set, &received)
        stop.stop()
    }.start()
}
