import Foundation

/// PostgreSQL's text of a `double precision` value (the shortest that reads back as the same
/// number, up to 17 significant digits) rounded to 15 significant digits and written as
/// `printf("%.15g")` writes it, which is how the server's JSON prints reals
/// (`Responses.realPrecision`).
///
/// The listing used to have PostgreSQL round its doubles through a cast to `numeric`, which
/// cost it about a millisecond per page of 100 alerts. Rounding the printed digits here costs
/// a few tens of nanoseconds a value: a text of 15 digits or fewer already is what `%.15g`
/// writes (the same digits, and PostgreSQL switches to an exponent at the same magnitudes), and
/// a longer one is rounded as a decimal. Only a value whose dropped digits lie near one half
/// could round either way, since its shortest text is not its exact value; for those the
/// value's side of the half is settled by reading both back as doubles, and in the rare case
/// where the half reads back as the value itself, `printf` decides. Only those values near a
/// half allocate anything but the output (the text of the half).
enum DoubleText {
    /// Appends `printed` (PostgreSQL's text of a finite double) rounded to 15 significant digits.
    static func appendRounded(_ printed: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard let number = PrintedDecimal(parsing: printed) else { return out += printed }
        // A subnormal number's shortest text has fewer digits than its value needs: 5e-324 is
        // 4.94065645841247e-324.
        guard number.exponent > -308 else { return appendPrintf(printed, to: &out) }
        guard number.digitCount > 15 else { return out += printed }
        guard let rounded = number.roundedTo15(printed) else { return appendPrintf(printed, to: &out) }
        rounded.write(to: &out)
    }

    /// The slow, exact way: read the value and have `printf` round it.
    private static func appendPrintf(_ printed: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out += Array(String(format: "%.15g", readDouble(printed)).utf8)
    }

    /// C's `strtod` of `text`, which need not end in a NUL.
    static func readDouble(_ text: UnsafeRawBufferPointer) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            for (index, byte) in text.enumerated() { buffer[index] = CChar(bitPattern: byte) }
            buffer[text.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}

/// A printed number as its significant digits and decimal exponent: `-1.25e-3` is negative,
/// digits 125 (three of them) and exponent −3, the power of ten of the first digit.
private struct PrintedDecimal {
    var negative = false
    /// The significant digits as an integer, without trailing zeros (0 for zero).
    var digits: UInt64 = 0
    var digitCount = 0
    var exponent = 0
    /// The first significant digit (1 to 9; 0 for zero).
    var leadingDigit: UInt64 = 0

    init?(parsing text: UnsafeRawBufferPointer) {
        var index = 0
        if index < text.count, text[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        var pointSeen = false
        var digitsBeforePoint = 0, zerosAfterPoint = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                guard !pointSeen else { return nil }
                pointSeen = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if digitCount == 0 && byte == UInt8(ascii: "0") {
                    if pointSeen { zerosAfterPoint += 1 }   // 0.000123
                } else {
                    guard digitCount < 18 else { return nil }
                    if digitCount == 0 { leadingDigit = UInt64(byte - UInt8(ascii: "0")) }
                    digits = digits * 10 + UInt64(byte - UInt8(ascii: "0"))
                    digitCount += 1
                    if !pointSeen { digitsBeforePoint += 1 }
                }
            } else {
                break
            }
            index += 1
        }
        var power = 0
        if index < text.count {
            guard text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") else { return nil }
            index += 1
            var powerNegative = false
            if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                powerNegative = text[index] == UInt8(ascii: "-"); index += 1
            }
            guard index < text.count else { return nil }
            while index < text.count {
                let byte = text[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), power < 10_000 else { return nil }
                power = power * 10 + Int(byte - UInt8(ascii: "0"))
                index += 1
            }
            if powerNegative { power = -power }
        }
        guard digitCount > 0 else { return }
        exponent = (digitsBeforePoint > 0 ? digitsBeforePoint - 1 : -(zerosAfterPoint + 1)) + power
        while digits % 10 == 0 { digits /= 10; digitCount -= 1 }
        guard digitCount <= 17 else { return nil }
    }

    private init(negative: Bool, digits: UInt64, digitCount: Int, exponent: Int) {
        self.negative = negative
        self.digits = digits
        self.digitCount = digitCount
        self.exponent = exponent
    }

    /// The number (of 16 or 17 digits) rounded to 15, or nil when the digits alone cannot tell
    /// which way.
    func roundedTo15(_ printed: UnsafeRawBufferPointer) -> PrintedDecimal? {
        let divisor: UInt64 = digitCount == 16 ? 10 : 100
        var kept = digits / divisor
        // The dropped digits as hundredths of a unit in the 15th digit: 50 is one half.
        let dropped = Int(digits % divisor) * (digitCount == 16 ? 10 : 1)
        // The printed text is within half a unit in the last place of the double: at most
        // 2^-53 of the value, which is 1.11 × m of these hundredths for a value m × 10^e. Nearer
        // than that to the half, the value may lie on either side of it.
        let margin = Int((111 * (leadingDigit + 1) + 99) / 100)
        var up = dropped > 50
        if abs(dropped - 50) <= margin {
            let half = PrintedDecimal(negative: negative, digits: kept * 10 + 5, digitCount: 16, exponent: exponent)
            var text: [UInt8] = []
            half.write(to: &text)
            let halfValue = text.withUnsafeBytes(DoubleText.readDouble), value = DoubleText.readDouble(printed)
            if halfValue == value { return nil }
            up = (halfValue < value) != negative
        }
        var exponent = self.exponent
        if up {
            kept += 1
            if kept == 1_000_000_000_000_000 { kept = 100_000_000_000_000; exponent += 1 }   // 9.99…9 rounds to 10
        }
        var count = 15
        while kept % 10 == 0 { kept /= 10; count -= 1 }
        return PrintedDecimal(negative: negative, digits: kept, digitCount: count, exponent: exponent)
    }

    /// Written as `%.15g` writes it: positional from 1e-4 up to below 1e15, else with an exponent
    /// of at least two digits; no trailing zeros.
    func write(to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 18) { ascii in
            var rest = digits
            for index in stride(from: digitCount - 1, through: 0, by: -1) {
                ascii[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            let all = UnsafeBufferPointer(rebasing: ascii[..<digitCount])
            if negative { out.append(UInt8(ascii: "-")) }
            if exponent < -4 || exponent >= 15 {
                out.append(all[0])
                if digitCount > 1 { out.append(UInt8(ascii: ".")); out += all[1...] }
                out.append(UInt8(ascii: "e"))
                out.append(UInt8(ascii: exponent < 0 ? "-" : "+"))
                let power = abs(exponent)
                if power >= 100 { out.append(UInt8(ascii: "0") + UInt8(power / 100)) }
                out.append(UInt8(ascii: "0") + UInt8(power / 10 % 10))
                out.append(UInt8(ascii: "0") + UInt8(power % 10))
            } else if exponent < 0 {
                out += [UInt8(ascii: "0"), UInt8(ascii: ".")]
                out += repeatElement(UInt8(ascii: "0"), count: -exponent - 1)
                out += all
            } else if digitCount <= exponent + 1 {
                out += all
                out += repeatElement(UInt8(ascii: "0"), count: exponent + 1 - digitCount)
            } else {
                out += all[..<(exponent + 1)]
                out.append(UInt8(ascii: "."))
                out += all[(exponent + 1)...]
            }
        }
    }
}
