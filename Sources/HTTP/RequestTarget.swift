import CMicroHTTPD
import Foundation

/// The request target (path and query, as sent) checked against the limits before
/// libmicrohttpd parses it: a target too long or with too many parameters is answered 414 with
/// a JSON body. libmicrohttpd 0.9.75 itself answered nothing past about 3,800 parameters: the
/// connection hung until its timeout (see `cmhd_drop_query`).
enum RequestTarget {
    /// Why `target` is refused, or nil. A refused target's query is emptied, unparsed.
    static func refusal(_ target: UnsafePointer<CChar>, limits: Server.Limits) -> Response? {
        let length = strlen(target)
        var parameters = 0
        if let query = strchr(target, Int32(UInt8(ascii: "?"))), query[1] != 0 {
            // libmicrohttpd makes one parameter of every piece between two `&`, empty ones too.
            parameters = 1
            var cursor = query + 1
            while cursor.pointee != 0 {
                if cursor.pointee == CChar(UInt8(ascii: "&")) { parameters += 1 }
                cursor += 1
            }
        }
        let message: String
        if length > limits.maxTargetBytes {
            message = "the request target (path and query) is longer than \(limits.maxTargetBytes) bytes"
        } else if parameters > limits.maxQueryParameters {
            message = "more than \(limits.maxQueryParameters) query parameters"
        } else {
            return nil
        }
        cmhd_drop_query(target)
        return Response.refusal(414, message)
    }
}

extension Response {
    /// An answer of the server's own, before any handler: JSON, and the connection closed after
    /// it (a client that sent such a request may have more of it on the way).
    static func refusal(_ status: Int, _ message: String) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json"), ("Connection", "close")],
                 body: Array("{\"error\":\"\(message)\"}".utf8))
    }
}
