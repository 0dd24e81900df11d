import Foundation
import Kafka

/// Executes the stdin commands against one mock cluster through one producer.
final class MockSession {
    private let cluster: KafkaMockCluster
    private let producer: KafkaProducer

    init(cluster: KafkaMockCluster) throws {
        self.cluster = cluster
        producer = try KafkaProducer(brokers: cluster.bootstrapServers)
    }

    /// The answer line for one command.
    func execute(_ verb: String, _ arguments: [String]) -> String {
        do {
            switch (verb, arguments.count) {
            case ("produce", 2...):
                return "produced \(try produceFiles(topic: arguments[0], paths: Array(arguments.dropFirst())))"
            case ("produce-bytes", 1...2):
                let bytes = try hexBytes(arguments.count == 2 ? arguments[1] : "")
                try producer.produce(topic: arguments[0], payload: bytes)
                try producer.flush()
                return "produced 1"
            case ("topic", 2):
                guard let count = Int32(arguments[1]), count > 0 else { return "error bad partition count \(arguments[1])" }
                try cluster.createTopic(arguments[0], partitions: count)
                return "created \(arguments[0])"
            default:
                return "error unknown command or wrong arguments: \(([verb] + arguments).joined(separator: " "))"
            }
        } catch {
            return "error \(error)"
        }
    }

    /// Produces each Avro file once, keyed by its file name (so the partitioner spreads them by name),
    /// and waits until all are delivered.
    private func produceFiles(topic: String, paths: [String]) throws -> Int {
        let files = try avroFiles(under: paths)
        for file in files {
            let payload = try Data(contentsOf: file)
            try producer.produce(topic: topic, key: Array(file.lastPathComponent.utf8), payload: Array(payload))
        }
        try producer.flush()
        return files.count
    }
}

/// Every `*.avro` file under `paths` (a path naming a file is taken as is), sorted by path.
func avroFiles(under paths: [String]) throws -> [URL] {
    var files: [URL] = []
    for path in paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MockError("no such file or directory: \(path)")
        }
        guard isDirectory.boolValue else { files.append(URL(fileURLWithPath: path)); continue }
        let root = URL(fileURLWithPath: path, isDirectory: true)
        guard let walker = FileManager.default.enumerator(atPath: path) else { continue }
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".avro") { files.append(root.appendingPathComponent(relative)) }
        }
    }
    return files.sorted { $0.path < $1.path }
}

/// The bytes of a hexadecimal string (two digits per byte).
func hexBytes(_ hex: String) throws -> [UInt8] {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { throw MockError("odd number of hex digits") }
    return try stride(from: 0, to: digits.count, by: 2).map { index in
        guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
            throw MockError("not hexadecimal: \(hex)")
        }
        return byte
    }
}

/// A command's arguments were wrong.
struct MockError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
