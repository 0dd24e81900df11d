import ArgumentParser
import Foundation
import Kafka

/// Starts librdkafka's mock cluster, prints its address, then serves produce commands from stdin.
struct KafkaMockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alertdb-kafka-mock",
        abstract: "A Kafka cluster on loopback (librdkafka's mock) that produces alert packets, for tests and benchmarks.",
        discussion: """
        Prints `bootstrap HOST:PORT[,...]`, then reads commands on stdin, answering each with one line:
          produce TOPIC PATH...      every *.avro file under the paths, key = file name  -> produced N
          produce-bytes TOPIC HEX    one message with these bytes                        -> produced 1
          topic NAME PARTITIONS      creates a topic                                     -> created NAME
          quit                       exits (so do end of input and SIGTERM)
        A command that fails answers `error MESSAGE`.
        The mock keeps about 5 MB per partition and drops the oldest messages beyond that: give large
        sets enough partitions (ztf-2017, 24 MB: 8 or more), or consume while producing.
        """
    )

    @Option(help: "Number of brokers.")
    var brokers = 1

    @Option(help: "A topic to create (repeatable; pairs with --partitions).")
    var topic: [String] = []

    @Option(help: "Partitions of the --topic at the same position.")
    var partitions: [Int32] = []

    func validate() throws {
        guard topic.count == partitions.count else {
            throw ValidationError("give one --partitions per --topic")
        }
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
    }

    func run() throws {
        installExitOnTermination()
        let cluster = try KafkaMockCluster(brokers: brokers)
        let topics = topic.isEmpty ? [("ztf_20260101_programid1", Int32(1))] : Array(zip(topic, partitions))
        for (name, count) in topics { try cluster.createTopic(name, partitions: count) }
        let session = try MockSession(cluster: cluster)
        answer("bootstrap \(cluster.bootstrapServers)")
        while let line = readLine() {
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let verb = words.first else { continue }
            if verb == "quit" { break }
            answer(session.execute(verb, Array(words.dropFirst())))
        }
    }
}

/// Writes one answer line at once (unbuffered), so a test reading our stdout sees it immediately.
func answer(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
