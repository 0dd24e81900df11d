import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSON
import Synchronization

/// Fetches writer schemas by id from a schema registry speaking the Confluent registry API
/// (`GET <url>/schemas/ids/<id>`, answering `{"schema": "<the schema's JSON text>"}`), as the
/// brokers of Rubin's stream name one beside their Kafka topics.
///
/// A registry that does not answer, or answers with a server error, is asked again a few times
/// with growing pauses; an id it says it does not know (404) is not asked again.
final class SchemaRegistryClient: Sendable {
    let base: String
    private let attempts: Int
    private let timeout: Double
    /// A registry's answer holds one schema: Rubin's are about 60 kB.
    static let maximumResponseSize = 4 << 20

    init(url: String, attempts: Int = 4, timeout: Double = 10) throws {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw WireSchemas.Unknown(description: "the schema registry must be an http:// or https:// URL, not \(url)", permanent: true)
        }
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        (self.attempts, self.timeout) = (attempts, timeout)
    }

    /// The JSON text of schema `id`.
    func schema(id: Int32) throws -> String {
        let url = URL(string: "\(base)/schemas/ids/\(id)")!
        var pause = 0.2
        var last = ""
        for attempt in 1...attempts {
            if attempt > 1 {
                Thread.sleep(forTimeInterval: pause)
                pause *= 2
            }
            let (status, body, failure) = get(url)
            switch status {
            case 200:
                guard body.count <= Self.maximumResponseSize else {
                    throw WireSchemas.Unknown(description: "schema registry \(base): schema id \(id) answered with \(body.count) bytes, more than \(Self.maximumResponseSize)", permanent: true)
                }
                guard let schema = try? JSONValue.parse(body).members.first(where: { $0.key == "schema" })?.value.scalarText else {
                    throw WireSchemas.Unknown(description: "schema registry \(base): the answer for schema id \(id) holds no schema", permanent: true)
                }
                return schema
            case 404:
                throw WireSchemas.Unknown(description: "schema registry \(base) knows no schema id \(id)", permanent: true)
            case let status? where (400..<500).contains(status) && status != 429:
                // The registry refuses the request itself: asking again gets the same answer.
                throw WireSchemas.Unknown(description: "schema registry \(base) answered HTTP \(status) for schema id \(id)", permanent: true)
            case let status?:
                last = "HTTP status \(status)"
            case nil:
                last = failure
            }
        }
        throw WireSchemas.Unknown(description: "schema registry \(base) did not give schema id \(id) after \(attempts) attempts (\(last))", permanent: false)
    }

    /// One GET: the status (nil when no answer came), the body, and why not.
    private func get(_ url: URL) -> (Int?, [UInt8], String) {
        let result = Mutex<(Int?, [UInt8], String)>((nil, [], "no answer"))
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("application/vnd.schemaregistry.v1+json, application/json", forHTTPHeaderField: "Accept")
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            result.withLock { value in
                if let error { value.2 = "\(error.localizedDescription)" }
                if let response = response as? HTTPURLResponse { value.0 = response.statusCode }
                value.1 = data.map { Array($0.prefix(Self.maximumResponseSize + 1)) } ?? []
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return result.withLock { $0 }
    }
}
