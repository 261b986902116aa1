import DICOMCore
import XCTest

/// The streaming writer gives the bytes `JSON.serialized` gives; the ASCII fast paths of value
/// splitting and trimming give what the character-based ones give.
final class JSONWriterTests: XCTestCase {
    /// Writes a tree through the writer's calls (not `value`), member by member.
    static func stream(_ j: JSON, into w: inout JSONWriter) {
        switch j {
        case .null: w.null()
        case .bool(let b): w.bool(b)
        case .int(let i): w.int(i)
        case .string(let s): w.string(s)
        case .double: w.value(j)
        case .array(let a):
            w.beginArray()
            for v in a { stream(v, into: &w) }
            w.endArray()
        case .object(let o):
            w.beginObject()
            for (k, v) in o {
                w.key(k)
                stream(v, into: &w)
            }
            w.endObject()
        }
    }

    static let samples: [JSON] = [
        .null, .int(0), .int(-42), .int(.min), .int(.max), .bool(true), .string(""), .double(1.5), .array([]), .object([]),
        .string("quote \" backslash \\ nl \n cr \r tab \t nul \u{0} bell \u{7} us \u{1F} del \u{7F} é 漢字 🩻 e\u{301}"),
        .object([
            ("fileSetID", .string("ID")), ("patients", .array([.object([("a", .array([])), ("b", .object([])), ("c", .array([.int(1), .null]))])])),
            ("rootRecords", .array([])), ("nested", .array([.array([.array([.string("x")])]), .object([("k\"ey", .bool(false))])])),
        ]),
    ]

    func testStreamedBytesEqualTheSerialisedTree() {
        for pretty in [true, false] {
            for j in Self.samples {
                var w = JSONWriter(pretty: pretty)
                Self.stream(j, into: &w)
                XCTAssertEqual(String(decoding: w.bytes, as: UTF8.self), j.serialized(pretty: pretty), "\(j)")
                var whole = JSONWriter(pretty: pretty)
                whole.value(j)
                XCTAssertEqual(whole.bytes, w.bytes)
            }
        }
    }

    /// An array written by a second writer (made for its depth) and inserted with `raw`.
    func testRawMemberFromAnIndentedWriter() {
        let inner: JSON = .array([.object([("n", .int(1)), ("l", .array([.string("a")]))]), .object([])])
        let doc: JSON = .object([("a", .int(1)), ("inner", inner), ("empty", .array([])), ("z", .null)])
        var sub = JSONWriter(pretty: true, indent: 1)
        Self.stream(inner, into: &sub)
        var emptySub = JSONWriter(pretty: true, indent: 1)
        emptySub.beginArray()
        emptySub.endArray()
        var w = JSONWriter(pretty: true)
        w.beginObject()
        w.key("a"); w.int(Int64(1))
        w.key("inner"); w.raw(sub.bytes)
        w.key("empty"); w.raw(emptySub.bytes)
        w.key("z"); w.string(nil as String?)
        w.endObject()
        XCTAssertEqual(String(decoding: w.bytes, as: UTF8.self), doc.serialized(pretty: true))
    }

    func testSplitAndTrimFastPathsAgreeWithCharacters() {
        // Each value also split and trimmed character by character, as before the fast paths.
        func reference(_ s: String, _ vr: VR) -> [String] {
            if s.isEmpty { return [] }
            let parts: [Substring] = vr.isSingleValuedText ? [Substring(s)] : s.split(separator: "\\", omittingEmptySubsequences: false)
            return parts.map { p in
                var t = p[..<(p.lastIndex(where: { $0 != " " && $0 != "\0" }).map(p.index(after:)) ?? p.startIndex)]
                if !vr.isSingleValuedText && vr != .PN { while let f = t.first, f == " " { t = t.dropFirst() } }
                return String(t)
            }
        }
        let values = [
            "", " ", "\0", "A", " A ", "A\\B", " A \\ B \0", "\\", "\\\\", "DICOM\\P0000001\\I1 ", "a\r\nb \\ c\0\0", "é\\ è ", "e\u{301}\\x",
            "\\\u{301}x", "漢字 \\ 🩻", "  lead", "tail  \0 \0",
        ]
        for vr in [VR.CS, .LO, .PN, .LT, .UT, .UI, .SH, .IS] {
            for v in values { XCTAssertEqual(DataSet.splitValues(v, vr: vr), reference(v, vr), "\(vr) \(v.debugDescription)") }
        }
    }
}
