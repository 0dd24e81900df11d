import Foundation
import Model

/// Parsers for the values of query parameters. Each throws a `ParameterError` naming the
/// parameter, so that no malformed value ever reaches SQL.
public enum ValueParsing {
    static func real(_ text: String, _ parameter: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Swift's Double(_:) also reads "nan", "inf" and hexadecimal ("0x10", "0x0.8p0"), which
        // no one means in a filter: only a decimal number is one.
        guard trimmed.utf8.count <= 64, isDecimal(trimmed), let value = Double(trimmed), value.isFinite else {
            throw ParameterError(parameter, "\(parameter) must be a decimal number, not '\(clip(text))'")
        }
        return value
    }

    /// `[+-]digits[.digits][e[+-]digits]` (digits on at least one side of the point).
    static func isDecimal(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        var mantissa = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    static func integer(_ text: String, _ parameter: String) throws -> Int64 {
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)) else {
            throw ParameterError(parameter, "\(parameter) must be an integer, not '\(clip(text))'")
        }
        return value
    }

    static func positiveInteger(_ text: String, _ parameter: String, max: Int) throws -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), (1...max).contains(value) else {
            throw ParameterError(parameter, "\(parameter) must be an integer from 1 to \(max), not '\(clip(text))'")
        }
        return value
    }

    /// A number of seconds, at least 0.
    public static func seconds(_ text: String, _ parameter: String) throws -> Double {
        let value = try real(text, parameter)
        guard value >= 0 else { throw ParameterError(parameter, "\(parameter) must be a number of seconds, at least 0") }
        return value
    }

    /// Text for a text column: at most 200 bytes (no value of ZTF's is longer).
    static func text(_ text: String, _ parameter: String) throws -> String {
        guard text.utf8.count <= 200 else { throw ParameterError(parameter, "\(parameter) is too long") }
        return text
    }

    /// A comma-separated list of up to `FilterSpec.maxListValues` values, blanks dropped.
    static func list(_ text: String, _ parameter: String) throws -> [String] {
        let values = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !values.isEmpty, values.count <= FilterSpec.maxListValues else {
            throw ParameterError(parameter, "\(parameter) takes 1 to \(FilterSpec.maxListValues) comma-separated values, not \(values.count)")
        }
        return values
    }

    /// A ZTF object name in the case ZTF writes it (`ztf18ABCdefg` is `ZTF18abcdefg`); any
    /// other name as given.
    static func objectId(_ text: String, _ parameter: String) throws -> String {
        let name = try self.text(text, parameter)
        let bytes = Array(name.utf8)
        let isZTF = bytes.count == 12 && name.prefix(3).uppercased() == "ZTF"
            && bytes[3..<5].allSatisfy { $0 >= 48 && $0 <= 57 } && name.dropFirst(5).allSatisfy { $0.isASCII && $0.isLetter }
        return isZTF ? "ZTF" + name.dropFirst(3).lowercased() : name
    }

    /// g, r, i → ZTF fid 1, 2, 3.
    static func filterID(_ text: String, _ parameter: String) throws -> Int64 {
        guard let fid = ZTFFilter.fid(name: text.trimmingCharacters(in: .whitespaces)) else {
            throw ParameterError(parameter, "\(parameter) must be g, r or i, not '\(clip(text))'")
        }
        return fid
    }

    /// `ra,dec,radius` in degrees.
    static func cone(_ text: String, _ parameter: String) throws -> SkyCone {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3, let ra = try? real(parts[0], parameter), let dec = try? real(parts[1], parameter),
              let radius = try? real(parts[2], parameter) else {
            throw ParameterError(parameter, "\(parameter) must be ra,dec,radius in degrees (e.g. 150.1,2.2,0.01), not '\(clip(text))'")
        }
        guard (-90...90).contains(dec) else { throw ParameterError(parameter, "\(parameter): dec must be between -90 and 90") }
        // Below 1e-9 degrees (4 µas, far under any position's error) q3c's arithmetic underflows.
        guard radius >= 1e-9, radius <= 10 else {
            throw ParameterError(parameter, "\(parameter): radius must be from 1e-9 to 10 degrees")
        }
        let wrapped = ra.truncatingRemainder(dividingBy: 360)
        return SkyCone(ra: wrapped < 0 ? wrapped + 360 : wrapped, dec: dec, radius: radius)
    }

    /// An ISO 8601 date (`2018-06-01`) or date-time (`2018-06-01T04:05:06`, optionally with
    /// fractional seconds and `Z` or a `±hh:mm` offset; UTC when none), as a Julian date.
    static func time(_ text: String, _ parameter: String) throws -> Double {
        guard let seconds = unixSeconds(fromISO: text.trimmingCharacters(in: .whitespaces)) else {
            throw ParameterError(parameter, "\(parameter) must be an ISO 8601 UTC date or date-time such as 2018-06-01 or 2018-06-01T04:05:06Z, not '\(clip(text))'")
        }
        return JulianDate.from(unixSeconds: seconds)
    }

    /// A value quoted in an error message: short, and only what the client sent.
    static func clip(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(40)) + "…"
    }

    private static func unixSeconds(fromISO text: String) -> Double? {
        // A `+` in a URL query may arrive as a space: `...T04:00:00 00:00` means `+00:00`.
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes.count <= 40 else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for b in bytes[from..<from + count] {
                guard b >= 48, b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard let year = digits(0, 4), bytes[4] == UInt8(ascii: "-"), let month = digits(5, 2),
              bytes[7] == UInt8(ascii: "-"), let day = digits(8, 2),
              (1...12).contains(month), (1...daysIn(month, year)).contains(day) else { return nil }
        var seconds = Double(daysFromCivil(year, month, day)) * 86400
        var i = 10
        if i < bytes.count {
            guard bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: " "),
                  let hour = digits(i + 1, 2), bytes.count > i + 3, bytes[i + 3] == UInt8(ascii: ":"),
                  let minute = digits(i + 4, 2), hour < 24, minute < 60 else { return nil }
            seconds += Double(hour * 3600 + minute * 60)
            i += 6
            if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
                guard let second = digits(i + 1, 2), second < 61 else { return nil }
                seconds += Double(second)
                i += 3
                if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                    var j = i + 1, scale = 0.1, fraction = 0.0
                    while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57 {
                        fraction += Double(bytes[j] - 48) * scale
                        scale /= 10
                        j += 1
                    }
                    guard j > i + 1 else { return nil }
                    seconds += fraction
                    i = j
                }
            }
            if i < bytes.count {
                if bytes[i] == UInt8(ascii: "Z"), i + 1 == bytes.count {
                    i += 1
                } else if [UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: " ")].contains(bytes[i]),
                          let offsetHours = digits(i + 1, 2), offsetHours < 24 {
                    var offsetMinutes = 0
                    var end = i + 3
                    if end < bytes.count {
                        if bytes[end] == UInt8(ascii: ":") { end += 1 }
                        guard let m = digits(end, 2), m < 60 else { return nil }
                        offsetMinutes = m
                        end += 2
                    }
                    guard end == bytes.count else { return nil }
                    let offset = Double(offsetHours * 3600 + offsetMinutes * 60)
                    seconds += bytes[i] == UInt8(ascii: "-") ? offset : -offset
                    i = end
                } else {
                    return nil
                }
            }
        }
        return i == bytes.count ? seconds : nil
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }
}
