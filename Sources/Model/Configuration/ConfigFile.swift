import Foundation

/// A configuration file in the format of systemd's `EnvironmentFile=`: `NAME=value` lines,
/// `#` or `;` comments, blank lines, values optionally in double or single quotes. One file
/// can so configure `alertdb serve --config FILE` and the systemd units that run it.
public enum ConfigFile {
    public static func read(path: String) throws -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AlertDBError.invalidInput("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        return try parse(text, name: path)
    }

    public static func parse(_ text: String, name: String = "configuration") throws -> [String: String] {
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            guard let equals = line.firstIndex(of: "="),
                  case let key = line[..<equals].trimmingCharacters(in: .whitespaces),
                  !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw AlertDBError.invalidInput("\(name), line \(number + 1): expected NAME=value, found \(line.prefix(80))")
            }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }
}
