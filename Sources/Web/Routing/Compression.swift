import Gzip
import HTTP

/// `Content-Encoding: gzip` for clients that accept it (RFC 9110 §12.5.3): a page of 100
/// alerts is about 250 kB of JSON and a tenth of that gzipped.
enum Compression {
    /// Bodies smaller than this are sent as they are: gzip's header and trailer, and the CPU,
    /// would cost more than the bytes saved.
    static let minimumBytes = 1024
    /// zlib's level: 6 (its default) shrinks a JSON page about as well as 9 in half the time.
    static let level: Int32 = 6

    /// Content types already compressed (gzipped FITS stamps, images, Avro blocks): gzip would
    /// add bytes and spend CPU for nothing.
    private static let compressedTypes: Set<String> = ["application/fits", "application/gzip", "image/png", "image/jpeg", "application/avro"]

    /// `response` gzipped when `acceptEncoding` allows it and the body is worth it. Every
    /// response that could have been gzipped says `Vary: Accept-Encoding`, so that a cache
    /// keeps the two forms apart.
    static func apply(to response: Response, acceptEncoding: String?) -> Response {
        guard response.body.count >= minimumBytes, response.header("Content-Encoding") == nil,
              let type = response.header("Content-Type")?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased(),
              !compressedTypes.contains(type) else { return response }
        var answer = response
        answer.headers.append(("Vary", "Accept-Encoding"))
        guard acceptsGzip(acceptEncoding), let compressed = gzipCompress(response.body, level: level) else { return answer }
        answer.body = compressed
        answer.headers.append(("Content-Encoding", "gzip"))
        return answer
    }

    /// Whether an Accept-Encoding value allows gzip: `gzip` (or `x-gzip`) with a q above 0, or
    /// `*` with a q above 0 when gzip is not named. `gzip;q=0` refuses it.
    static func acceptsGzip(_ acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        var gzip: Bool?
        var any: Bool?
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, !coding.isEmpty else { continue }
            var allowed = true
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                allowed = (Double(parameter.dropFirst(2)) ?? 0) > 0
            }
            switch coding {
            case "gzip", "x-gzip": gzip = (gzip ?? false) || allowed
            case "*": any = allowed
            default: break
            }
        }
        return gzip ?? any ?? false
    }
}
