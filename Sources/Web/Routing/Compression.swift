import Gzip
import HTTP

/// `Content-Encoding: gzip` for clients that accept it (RFC 9110 §12.5.3): a page of 100
/// alerts is about 250 kB of JSON and a tenth of that gzipped.
enum Compression {
    /// Bodies smaller than this are sent as they are: gzip's header and trailer, and the CPU,
    /// would cost more than the bytes saved.
    static let minimumBytes = 1024
    /// zlib's level 1: a 210 kB listing page shrinks to 32 kB in 2.3 ms, where level 6 (zlib's
    /// default) takes 5.9 ms for 24 kB. On a busy server the CPU is worth more than the bytes;
    /// and a body sent before is not compressed again (`CompressedBodies`).
    static let level: Int32 = 1
    /// Gzipped bodies kept: the newest pages, asked again and again, cost a lookup.
    static let recent = CompressedBodies(capacityBytes: 32 << 20)

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
        guard acceptsGzip(acceptEncoding),
              let compressed = recent.gzipped(response.body, compress: { gzipCompress($0, level: level) }) else { return answer }
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
