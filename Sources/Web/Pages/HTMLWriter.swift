import Model

/// Builds one HTML document in a single growing String.
///
/// `raw` is for markup written in this module; `text` is for anything stored or sent by a
/// client, and is the only way such a string reaches the output, so escaping cannot be forgotten
/// at one call site and not another.
struct HTMLWriter {
    private(set) var output: String

    init(capacity: Int = 16_384) {
        output = ""
        output.reserveCapacity(capacity)
    }

    /// Appends markup as it is.
    mutating func raw(_ markup: String) { output.append(markup) }

    /// Appends text escaped for element content and quoted attribute values alike.
    mutating func text(_ value: String) { appendEscapedHTML(value, to: &output) }

    /// Appends ` name="value"` with the value escaped.
    mutating func attribute(_ name: String, _ value: String) {
        output.append(" ")
        output.append(name)
        output.append("=\"")
        appendEscapedHTML(value, to: &output)
        output.append("\"")
    }

    /// Appends `<a href="url">label</a>`, both escaped.
    mutating func link(_ url: String, _ label: String, className: String? = nil) {
        output.append("<a")
        if let className { attribute("class", className) }
        attribute("href", url)
        output.append(">")
        text(label)
        output.append("</a>")
    }

    /// Appends `<tag>text</tag>` with the text escaped.
    mutating func element(_ tag: String, _ content: String, className: String? = nil) {
        output.append("<")
        output.append(tag)
        if let className { attribute("class", className) }
        output.append(">")
        text(content)
        output.append("</")
        output.append(tag)
        output.append(">")
    }
}
