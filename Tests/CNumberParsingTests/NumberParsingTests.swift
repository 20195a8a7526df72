import CNumberParsing
import Foundation
import XCTest

/// `bp_parse_finite_double` must give, bit for bit, the double glibc's `strtod` gives, and take
/// only whole fields holding one finite decimal number.
final class NumberParsingTests: XCTestCase {
    private func parse(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        var value = 0.0
        let ok = bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { bp_parse_finite_double($0.baseAddress, $0.count, &value) }
        }
        return ok == 1 ? value : nil
    }

    /// strtod over the whole text, or nil when it stops early or gives a non-finite value.
    private func strtodValue(_ text: String) -> Double? {
        text.withCString { (start: UnsafePointer<CChar>) -> Double? in
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(start, &end)
            guard let end, UnsafePointer(end) - start == text.utf8.count, value.isFinite else { return nil }
            return value
        }
    }

    func testHandPickedValues() {
        XCTAssertEqual(parse("0.5"), 0.5)
        XCTAssertEqual(parse("-3.25e2"), -325)
        XCTAssertEqual(parse("+7"), 7)
        XCTAssertEqual(parse(".5"), 0.5)
        XCTAssertEqual(parse("5."), 5)
        XCTAssertEqual(parse("000123.4500"), 123.45)
        XCTAssertEqual(parse("4.9406564584124654e-324"), Double.leastNonzeroMagnitude)
        XCTAssertEqual(parse("1.7976931348623157e308"), Double.greatestFiniteMagnitude)
        XCTAssertEqual(parse("-0")?.sign, .minus)
    }

    func testRejectsWhatIsNotOneFiniteNumber() {
        for text in ["", " 1", "1 ", "1,5", "5\u{0}00", "1e", "e5", "+", "-", "+-1", "++1", "--1", "1..2",
                     "inf", "-inf", "nan", "NaN", "infinity", "1e999", "-1e400", "0x1p3", "six", "1_000"] {
            XCTAssertNil(parse(text), "\"\(text)\" must not parse")
        }
    }

    func testUnderflowGivesWhatStrtodGives() {
        for text in ["1e-400", "-1e-400", "2.4703282292062327e-324", "2.4703282292062328e-324"] {
            XCTAssertEqual(parse(text)?.bitPattern, strtodValue(text)?.bitPattern, text)
        }
    }

    /// 200,000 random decimal strings of every shape: bit-identical to strtod.
    func testAgreesWithStrtodOnARandomCorpus() {
        var generator = SplitMix64(seed: 20_240_601)
        var checked = 0
        for _ in 0..<200_000 {
            let text = randomDecimal(&generator)
            let expected = strtodValue(text)
            let got = parse(text)
            if expected?.bitPattern != got?.bitPattern {
                XCTFail("\"\(text)\": strtod \(String(describing: expected)), parsed \(String(describing: got))")
                return
            }
            if got != nil { checked += 1 }
        }
        XCTAssertGreaterThan(checked, 150_000, "most of the corpus is valid numbers")
    }

    /// The bits of random doubles (all exponents, subnormals included) printed with 17 digits,
    /// and with 1 to 40 digits: round-trip and rounding cases.
    func testAgreesWithStrtodOnPrintedDoubles() {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<100_000 {
            let value = Double(bitPattern: generator.next() & ~(UInt64(0x7FF) << 52) | (generator.next() % 2047) << 52)
            let digits = Int(generator.next() % 40) + 1
            let text = String(format: "%.\(digits)e", value)
            XCTAssertEqual(parse(text)?.bitPattern, strtodValue(text)?.bitPattern, text)
            if digits == 17 { XCTAssertEqual(parse(text), value, text) }
        }
    }

    private func randomDecimal(_ g: inout SplitMix64) -> String {
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(g.next() % 10)) }) }
        var text = ""
        switch g.next() % 4 { case 0: text += "-"; case 1: text += "+"; default: break }
        if g.next() % 5 == 0 { text += String(repeating: "0", count: Int(g.next() % 6)) }  // leading zeros
        let shape = g.next() % 6
        let integerDigits = Int(g.next() % (shape == 0 ? 60 : 12))  // long mantissas sometimes
        let fractionDigits = Int(g.next() % (shape == 1 ? 60 : 12))
        text += digits(integerDigits)
        if fractionDigits > 0 || g.next() % 3 == 0 { text += "." + digits(fractionDigits) }
        if integerDigits == 0 && fractionDigits == 0 { text += "0" }
        if g.next() % 2 == 0 {
            text += g.next() % 2 == 0 ? "e" : "E"
            switch g.next() % 3 { case 0: text += "-"; case 1: text += "+"; default: break }
            let exponentRange: UInt64 = shape == 2 ? 400 : shape == 3 ? 330 : 40  // big, small, subnormal
            text += String(g.next() % exponentRange)
        }
        return text
    }
}

/// A small deterministic generator for the corpus (SplitMix64).
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
