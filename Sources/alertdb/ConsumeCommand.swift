import AlertDB
import ArgumentParser
import Avro
import Foundation
import HTTP
import Kafka

struct ConsumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Load alerts from a Kafka stream, committing offsets only after they are stored.",
        discussion: """
            Several processes with the same --group split the topics' partitions between them.
            SIGTERM or SIGINT stores and commits the batch in hand, then exits.
            """
    )

    @OptionGroup var db: DatabaseOptions

    @Option(help: ArgumentHelp("Kafka bootstrap servers.", valueName: "host:port[,...]"))
    var brokers: String

    @Option(help: ArgumentHelp("Topic names, or regexes starting with ^ (e.g. '^ztf_[0-9]{8}_programid1$'), comma-separated.",
                               valueName: "topics"))
    var topics: String

    @Option(help: "Consumer group: processes in one group share the partitions.")
    var group: String

    @Option(help: "Messages per transaction at most.")
    var batchSize = 500

    @Option(help: ArgumentHelp("Seconds after its first message by which a batch is stored.", valueName: "seconds"))
    var batchSeconds = 1.0

    @Option(help: ArgumentHelp("Avro schema of messages in the Confluent wire format (magic byte, schema id, datum).",
                               valueName: "file"))
    var wireSchema: String?

    @Option(help: ArgumentHelp("Serve Prometheus metrics on 127.0.0.1:PORT/metrics.", valueName: "port"))
    var metricsPort: Int?

    @Option(help: ArgumentHelp("Exit once no message arrived for this many seconds.", valueName: "seconds"))
    var idleExit: Double?

    @Option(name: .customLong("kafka"),
            help: ArgumentHelp("A librdkafka setting, e.g. security.protocol=SASL_SSL (repeatable).", valueName: "name=value"))
    var kafkaSettings: [String] = []

    func run() throws {
        let stop = StopSignal()
        // Before librdkafka starts its threads, so that they inherit the mask and SIGTERM waits
        // for the loop to finish its batch instead of killing the process.
        _ = watchTerminationSignals(stop)

        var ingest = StreamIngest(database: db.connectionString)
        ingest.options.batchSize = max(1, batchSize)
        ingest.options.batchSeconds = max(0.01, batchSeconds)
        ingest.options.idleExit = idleExit
        do {
            if let wireSchema {
                ingest.options.wireSchema = try AvroSchema(json: String(contentsOfFile: wireSchema, encoding: .utf8))
            }
        } catch {
            throw fail("cannot read the schema in \(wireSchema!): \(error)")
        }

        var metricsServer: Server?
        if let metricsPort {
            let metrics = ingest.metrics
            do {
                metricsServer = try Server(host: "127.0.0.1", port: metricsPort) { request in
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

        let summary: Ingest.Summary
        do {
            let settings = StreamIngest.consumerSettings.merging(try librdkafkaSettings()) { _, given in given }
            let consumer = try KafkaConsumer(brokers: brokers, group: group, config: settings)
            try consumer.subscribe(topics.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            summary = try ingest.run(consumer, stop: stop)
        } catch {
            throw fail("\(error)")
        }
        FileHandle.standardError.write(Data((summary.line + "\n").utf8))
    }
}

extension ConsumeCommand {
    /// The `--kafka name=value` settings, by name.
    func librdkafkaSettings() throws -> [String: String] {
        var settings: [String: String] = [:]
        for setting in kafkaSettings {
            guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
                throw fail("--kafka takes name=value, not \(setting)")
            }
            settings[String(setting[..<equals])] = String(setting[setting.index(after: equals)...])
        }
        return settings
    }
}

/// Turns SIGTERM and SIGINT into `stop.stop()`: they are blocked in every thread and taken by
/// one thread of their own with sigwait.
private func watchTerminationSignals(_ stop: StopSignal) -> Thread {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGTERM)
    sigaddset(&signals, SIGINT)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    let blocked = signals
    let watcher = Thread {
        var set = blocked
        var received: Int32 = 0
        sigwait(&set, &received)
        stop.stop()
    }
    watcher.start()
    return watcher
}
