@testable import DICOMCore
import Foundation
import Synchronization
import XCTest

/// Specific Character Set decoding and encoding (PS3.5 §6.1, PS3.3 C.12.1.1.2), checked against
/// pydicom's decoding of the vectors in CharacterSetVectors.swift (made by Tools/charset-vectors.py).
final class CharacterSetTests: XCTestCase {
    private func bytes(_ hex: String) -> [UInt8] {
        let h = Array(hex.utf8)
        return stride(from: 0, to: h.count, by: 2).map { UInt8(String(decoding: h[$0...$0 + 1], as: UTF8.self), radix: 16)! }
    }
    private func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
    /// Values as pydicom gives them: split at "\\" except for LT/ST/UT, trailing spaces and NULs stripped.
    private func pydicomValues(_ s: String, vr: VR) -> [String] {
        let parts = vr.isSingleValuedText ? [Substring(s)] : s.split(separator: "\\", omittingEmptySubsequences: false)
        return parts.map { String($0).trimmingTrailingPadding() }
    }
    private func label(_ v: CharsetVector) -> String { "\(v.source) \(v.tag) \(v.terms) \(v.vr)" }

    /// Vectors whose encode(decode(b)) differs from b, and why (checked: the list is exact).
    private let notByteExact: [String: String] = [
        // pydicom writes ESC ( B where the initial G0 is JIS X 0201 romaji (value 1 is ISO 2022 IR 13): we write ESC ( J.
        "pydicom/data/charset_files/chrSQEncoding.dcm (0032,1064)[0].(0010,0010)": "ESC ( B instead of ESC ( J",
        "pydicom/data/charset_files/chrSQEncoding1.dcm (0032,1064)[0].(0010,0010)": "ESC ( B instead of ESC ( J",
        // pydicom writes a redundant ESC ( B after KS X 1001 (G1) although G0 never left ASCII.
        "pydicom/data/charset_files/chrKoreanMulti.dcm (0008,1070)": "redundant ESC ( B",
        "pydicom/data/charset_files/chrKoreanMulti.dcm (0010,0010)": "redundant ESC ( B",
        "pydicom/data/charset_files/chrKoreanMulti.dcm (0010,1001)": "redundant ESC ( B",
        "pydicom/data/charset_files/chrKoreanMulti.dcm (0010,21B0)": "redundant ESC ( B",
        // pydicom designates the initial set ESC ) I again at the start of the value.
        "synthetic (pydicom-written) InstitutionName [\"ISO 2022 IR 13\", \"ISO 2022 IR 87\"]": "redundant ESC ) I",
        // pydicom writes ESC ( B before the first Latin-1 character, where G0 already is ASCII.
        "synthetic (pydicom-written) StudyDescription [\"ISO 2022 IR 6\", \"ISO 2022 IR 100\", \"ISO 2022 IR 144\"]": "redundant ESC ( B",
        // pydicom designates Latin-1 although it is the initial G1.
        "synthetic (pydicom-written) StudyDescription [\"ISO 2022 IR 100\", \"ISO 2022 IR 126\"]": "redundant ESC - A",
        // Bytes that do not decode (U+FFFD) or are not in the default repertoire cannot come back.
        "synthetic (raw bytes) - [\"ISO_IR 192\"]": "invalid UTF-8",
        "synthetic (raw bytes) - [\"ISO_IR 127\"]": "undefined ISO 8859-6 byte",
        "synthetic (raw bytes) - [\"\"]": "Latin-1 byte in the default repertoire is written as ?",
    ]
    private func key(_ v: CharsetVector) -> [String] {
        [v.source + " " + v.tag, v.source + " " + v.tag + " " + "[" + v.terms.map { "\"\($0)\"" }.joined(separator: ", ") + "]"]
    }

    func testVectorsCoverEveryClunieFileAndTerm() {
        let clunie = ["SCSARAB", "SCSFREN", "SCSGERM", "SCSGREEK", "SCSH31", "SCSH32", "SCSHBRW", "SCSI2", "SCSRUSS", "SCSX1", "SCSX2"]
        for name in clunie {
            XCTAssertTrue(charsetVectors.contains { $0.source == "clunie-charset-fileset/\(name)" && $0.tag == "(0010,0010)" }, name)
        }
        let terms = Set(charsetVectors.flatMap(\.terms))
        for t in [
            "ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 126", "ISO_IR 127", "ISO_IR 138", "ISO_IR 144",
            "ISO_IR 148", "ISO_IR 166", "ISO_IR 13", "ISO_IR 192", "GB18030", "GBK", "ISO 2022 IR 6", "ISO 2022 IR 13",
            "ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 100", "ISO 2022 IR 101",
            "ISO 2022 IR 126", "ISO 2022 IR 144", "ISO 2022 IR 148",
        ] {
            XCTAssertTrue(terms.contains(t), t)
        }
        XCTAssertGreaterThanOrEqual(charsetVectors.count, 80)
    }

    /// decode/decodePersonName give pydicom's values for every vector.
    func testDecodeMatchesPydicom() {
        for v in charsetVectors {
            let cs = SpecificCharacterSet(terms: v.terms), b = bytes(v.hex), vr = VR(v.vr)!
            if let names = v.names {
                let ours = cs.decodePersonName(b)
                let joined = ours.map { groups -> String in
                    var g = groups
                    while g.last == "" { g.removeLast() }
                    return g.joined(separator: "=")
                }
                XCTAssertEqual(joined, v.values, label(v))
                XCTAssertEqual(ours.map { PersonName(groups: $0) }, names.map { PersonName(groups: $0) }, label(v))
            } else {
                XCTAssertEqual(pydicomValues(cs.decode(b, vr: vr), vr: vr), v.values, label(v))
            }
        }
    }

    /// encode(decode(b)) == b, except for the listed writer quirks, where the text still comes back.
    func testEncodeRoundTrip() {
        var differing: Set<String> = []
        for v in charsetVectors {
            let cs = SpecificCharacterSet(terms: v.terms), b = bytes(v.hex), vr = VR(v.vr)!
            let text = cs.decode(b, vr: vr), back = cs.encode(text, vr: vr)
            let exception = key(v).first { notByteExact[$0] != nil }
            if let k = exception {
                XCTAssertNotEqual(hex(back), v.hex, "listed as not byte-exact but is: \(k)")
                differing.insert(k)
            } else {
                XCTAssertEqual(hex(back), v.hex, label(v))
            }
            if !text.contains("\u{FFFD}") && v.terms != [""] {
                XCTAssertEqual(cs.decode(back, vr: vr), text, "text round trip: \(label(v))")
            }
        }
        XCTAssertEqual(differing, Set(notByteExact.keys))
        // Every Clunie file is byte-exact, ISO 2022 ones included.
        XCTAssertFalse(differing.contains { $0.hasPrefix("clunie") })
    }

    /// PS3.5 Annex K style GB 2312 value (ISO 2022 IR 58); bytes checked with Python's gb2312 codec.
    /// pydicom 3.0.2 cannot decode this set (it hands the escape sequences to its gb2312 codec).
    func testGB2312CodeExtension() {
        let cs = SpecificCharacterSet(terms: ["", "ISO 2022 IR 58"])
        let b = bytes("5a68616e675e5869616f446f6e673d" + "1b242941d5c5" + "5e" + "1b242941d0a1b6ab" + "3d")
        XCTAssertEqual(cs.decodePersonName(b), [["Zhang^XiaoDong", "张^小东", ""]])
        XCTAssertEqual(cs.encode("Zhang^XiaoDong=张^小东=", vr: .PN), b)
        XCTAssertEqual(SpecificCharacterSet(terms: ["", "ISO 2022 58"]).decodePersonName(b), [["Zhang^XiaoDong", "张^小东", ""]])
        XCTAssertEqual(
            SpecificCharacterSet(terms: ["", "ISO 2022 58"]).diagnostics,
            ["non-standard Specific Character Set term 'ISO 2022 58': read as ISO 2022 IR 58"])
    }

    /// The value-1 sets are active again after "\", CR/LF, and for PN "^" and "=" (PS3.5 §6.1.2.5.3).
    func testInitialSetIsRestoredAtDelimiters() {
        let cs = SpecificCharacterSet(terms: ["ISO 2022 IR 100", "ISO 2022 IR 126"])
        let greekThenDelimiter: (UInt8) -> [UInt8] = { [0x1B, 0x2D, 0x46, 0xC4, $0, 0xC4] }  // ESC - F, Δ, delimiter, 0xC4
        XCTAssertEqual(cs.decode(greekThenDelimiter(0x5C), vr: .LO), "Δ\\Ä")
        XCTAssertEqual(cs.decode(greekThenDelimiter(0x5C), vr: .LT), "Δ\\Δ")  // LT is single-valued: "\" is text
        XCTAssertEqual(cs.decode(greekThenDelimiter(0x0A), vr: .LT), "Δ\nÄ")
        XCTAssertEqual(cs.decode(greekThenDelimiter(0x5E), vr: .PN), "Δ^Ä")
        XCTAssertEqual(cs.decode(greekThenDelimiter(0x5E), vr: .LO), "Δ^Δ")
        XCTAssertEqual(cs.decodePersonName(greekThenDelimiter(0x3D)), [["Δ", "Ä"]])
        // Encoding switches back before each delimiter and at the end of the value.
        XCTAssertEqual(cs.encode("Δ^Ä", vr: .PN), [0x1B, 0x2D, 0x46, 0xC4, 0x1B, 0x2D, 0x41, 0x5E, 0xC4])
        XCTAssertEqual(cs.encode("ÄΔ", vr: .LO), [0xC4, 0x1B, 0x2D, 0x46, 0xC4, 0x1B, 0x2D, 0x41])
        let jis = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        XCTAssertEqual(hex(jis.encode("山田\\x\r\n太", vr: .LO)), "1b24423b3345441b28425c780d0a1b244242401b2842")
        // Lenient: value 1 has no G1, so a G1 set stays in use when a writer forgets to re-designate it after
        // CR LF (pydicom 3.0.2 writes these bytes for "서울\r\n병원"; it reads the second line back as Latin-1).
        let korean = SpecificCharacterSet(terms: ["", "ISO 2022 IR 149"])
        XCTAssertEqual(korean.decode(bytes("1b242943bcadbfef0d0abab4bff8"), vr: .LT), "서울\r\n병원")
        XCTAssertEqual(hex(korean.encode("서울\r\n병원", vr: .LT)), "1b242943bcadbfef0d0a1b242943bab4bff8")
    }

    /// 0x5C, 0x3D and 0x5E inside two-byte characters are not delimiters: decoded first, split after.
    func testDelimiterBytesInsideMultiByteCharacters() {
        let jis = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        // ESC $ B 25 3D 25 5E 24 5C ESC ( B = ソマぼ, one group, one value.
        XCTAssertEqual(jis.decodePersonName(bytes("1b2442253d255e245c1b2842")), [["ソマぼ"]])
        XCTAssertEqual(jis.decode(bytes("1b2442253d255e245c1b2842"), vr: .LO), "ソマぼ")
        let gbk = SpecificCharacterSet(terms: ["GBK"])
        XCTAssertEqual(gbk.decodePersonName(bytes("815c3d815c5c41")), [["乗", "乗"], ["A"]])
        XCTAssertEqual(SpecificCharacterSet(terms: ["GB18030"]).decode(bytes("815cb05c5c41"), vr: .LO), "乗癨\\A")
    }

    func testUnknownAndMisspeltTerms() {
        let foo = SpecificCharacterSet(terms: ["FOO"])
        XCTAssertEqual(foo.diagnostics, ["unknown Specific Character Set term 'FOO': decoded as ISO 8859-1"])
        XCTAssertEqual(foo.decode([0x4A, 0xE9, 0xFF], vr: .LO), "Jéÿ")
        XCTAssertFalse(foo.isDefault)
        let ext = SpecificCharacterSet(terms: ["", "ISO 2022 IR 999"])
        XCTAssertEqual(ext.diagnostics, ["unknown Specific Character Set term 'ISO 2022 IR 999' (value 2): ignored"])
        XCTAssertEqual(ext.decode([0x41, 0x1B, 0x2C, 0x41, 0xC4], vr: .LO), "A\u{1B},AÄ")  // unknown escape: kept as text
        // A known designation is honoured even when its set is not listed (lenient; pydicom ignores it).
        XCTAssertEqual(ext.decode([0x41, 0x1B, 0x24, 0x42, 0x3B, 0x33], vr: .LO), "A山")
        let misspelt = SpecificCharacterSet(terms: ["ISO IR 100"])
        XCTAssertEqual(misspelt.diagnostics, ["non-standard Specific Character Set term 'ISO IR 100': read as ISO_IR 100"])
        XCTAssertEqual(
            SpecificCharacterSet(terms: ["ISO_2022_IR_87"]).diagnostics.first,
            "non-standard Specific Character Set term 'ISO_2022_IR_87': read as ISO 2022 IR 87")
        XCTAssertEqual(SpecificCharacterSet(terms: ["ISO 2022 GBK"]).decode(bytes("815c"), vr: .LO), "乗")
        let standAlone = SpecificCharacterSet(terms: ["ISO_IR 192", "ISO 2022 IR 87"])
        XCTAssertEqual(standAlone.diagnostics, ["ISO_IR 192 allows no code extensions: other values ignored"])
        XCTAssertEqual(standAlone.decode(Array("東京".utf8), vr: .LO), "東京")
        for good in [[], [""], ["ISO_IR 6"], ["ISO_IR 100"], [" ISO_IR 192 "], ["", "ISO 2022 IR 87"], ["ISO 2022 IR 13", "ISO 2022 IR 87"], ["GB18030"]] {
            XCTAssertEqual(SpecificCharacterSet(terms: good).diagnostics, [], "\(good)")
        }
        XCTAssertEqual(SpecificCharacterSet(terms: [" ISO_IR 192 "]).terms, ["ISO_IR 192"])
        XCTAssertTrue(SpecificCharacterSet(terms: ["", "ISO 2022 IR 6"]).isDefault)
        XCTAssertTrue(SpecificCharacterSet.default.isDefault)
        XCTAssertEqual(SpecificCharacterSet(terms: ["ISO_IR 100"]), SpecificCharacterSet(terms: ["ISO_IR 100 "]))
        XCTAssertNotEqual(SpecificCharacterSet(terms: ["ISO_IR 100"]), SpecificCharacterSet(terms: ["ISO_IR 101"]))
    }

    /// Invalid bytes become U+FFFD and decoding goes on; nothing throws or traps.
    func testInvalidBytes() {
        let jis = SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"])
        XCTAssertEqual(jis.decode(bytes("1b24423b332f7e3b1b2842"), vr: .LO), "山\u{FFFD}\u{FFFD}")  // unassigned row 15, lone byte
        XCTAssertEqual(jis.decode(bytes("1b24427e7e1b284241"), vr: .LO), "\u{FFFD}A")  // undefined JIS row
        XCTAssertEqual(SpecificCharacterSet(terms: ["", "ISO 2022 IR 149"]).decode(bytes("1b242943b1e8a1"), vr: .LO), "김\u{FFFD}")
        XCTAssertEqual(SpecificCharacterSet(terms: ["GB18030"]).decode(bytes("41ff8130"), vr: .LO), "A\u{FFFD}\u{FFFD}")
        XCTAssertEqual(SpecificCharacterSet(terms: ["ISO_IR 192"]).decode([0x41, 0xC3], vr: .LO), "A\u{FFFD}")
        XCTAssertEqual(SpecificCharacterSet(terms: ["ISO_IR 13"]).decode([0xE0, 0xB1], vr: .LO), "\u{FFFD}ｱ")
        XCTAssertEqual(jis.decode([0x1B], vr: .LO), "\u{1B}")
        XCTAssertEqual(jis.decodePersonName([]), [[""]])
    }

    /// Characters a set cannot hold are written as "?".
    func testUnrepresentableCharacters() {
        XCTAssertEqual(SpecificCharacterSet(terms: ["ISO_IR 100"]).encode("aΩb", vr: .LO), Array("a?b".utf8))
        XCTAssertEqual(SpecificCharacterSet.default.encode("é", vr: .LO), [0x3F])
        XCTAssertEqual(
            hex(SpecificCharacterSet(terms: ["", "ISO 2022 IR 87"]).encode("山😀田", vr: .LO)),
            "1b24423b331b28423f1b244245441b2842")
        XCTAssertEqual(SpecificCharacterSet(terms: ["GBK"]).encode("A😀乗", vr: .LO), [0x41, 0x3F, 0x81, 0x5C])
        XCTAssertEqual(SpecificCharacterSet(terms: ["GB18030"]).encode("😀", vr: .LO), bytes("9439fc36"))
        XCTAssertEqual(SpecificCharacterSet(terms: ["ISO_IR 192"]).encode("😀", vr: .LO), Array("😀".utf8))
    }

    /// iconv descriptors are per call, so concurrent decoding is safe.
    func testConcurrentDecoding() {
        let cases = charsetVectors.filter { !$0.values.joined().contains("\u{FFFD}") }
            .map { (SpecificCharacterSet(terms: $0.terms), bytes($0.hex), VR($0.vr)!) }
        let expected = cases.map { $0.0.decode($0.1, vr: $0.2) }
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<20 {
                for (i, c) in cases.enumerated() where c.0.decode(c.1, vr: c.2) != expected[i] { failures.add(1, ordering: .relaxed) }
            }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
    }
}
