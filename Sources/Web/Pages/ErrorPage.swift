import Model

extension Pages {
    /// A failed request: the status, the message and the parameter at fault.
    public static func error(status: Int, message: String, parameter: String?) -> String {
        let reason = reasonPhrase(status)
        return document(title: "\(status) \(reason)") { html in
            html.raw("<h1>\(status) ")
            html.text(reason)
            html.raw("</h1>\n")
            writeErrorMessage(message, parameter: parameter, into: &html)
            html.raw("<p><a href=\"/\">All alerts</a> · <a href=\"/help/\">Help: routes, filters and value formats</a></p>\n")
        }
    }

    /// The standard reason phrase of the statuses the service sends.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 413: return "Content Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Error"
        }
    }

    /// The message of a rejected request, prominently, led by the parameter at fault unless
    /// the message already names it.
    static func writeErrorMessage(_ message: String, parameter: String?, into html: inout HTMLWriter) {
        html.raw("<div class=\"error\" id=\"error\" role=\"alert\">")
        if let parameter, !parameter.isEmpty, !message.contains(parameter) {
            html.raw("<code>")
            html.text(parameter)
            html.raw("</code>: ")
        }
        html.text(message)
        html.raw("</div>\n")
    }
}
