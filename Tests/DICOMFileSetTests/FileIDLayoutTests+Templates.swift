import Foundation
import XCTest
import DICOMCore
import DICOMIO
@testable import DICOMFileSet

extension FileIDLayoutTests {
    // MARK: Templates: parsing, loading

    static let mySiteTemplate = """
        # my-site.layout
        {PatientID}              per patient  fallback P{hash:PatientID:7}  fallback P{counter:patient}
        {StudyDate:YYYYMMDD}     per study    fallback {hash:StudyInstanceUID:8}
        {Modality:text2}{SeriesNumber:num6}  per series  fallback S{counter:series}
        {InstanceNumber:num8}                fallback {counter:instance:8}
        """

    func testReadmeExampleLayout() throws {
        let l = try FileIDLayout(name: "my-site", template: Self.mySiteTemplate)
        var a = FileIDAllocator(layout: l, exportDate: "20261123", exportTime: "140509")
        var h = Self.header(patientID: "pat 42", seriesNumber: "3", instanceNumber: "17")
        h.setString(.studyDate, .DA, "20250102")
        h.setString(.modality, .CS, "CT")
        XCTAssertEqual(a.allocate(for: h).0.path, "PAT_42/20250102/CT000003/00000017")
        // The README quotes the two templates: they must be the files' component lines.
        let squeeze = { (s: String) in s.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        let readme = try String(contentsOfFile: Self.templates + "/layouts/README.md", encoding: .utf8)
            .split(separator: "\n").map { squeeze(String($0)) }.joined(separator: "\n")
        for name in ["standard", "arineta"] {
            let file = try String(contentsOfFile: Self.templates + "/layouts/\(name).layout", encoding: .utf8)
            for line in file.split(separator: "\n") where !line.hasPrefix("#") {
                let code = squeeze(line.components(separatedBy: "#")[0])
                if !code.isEmpty { XCTAssertTrue(readme.contains(code), "README lacks '\(code)' of \(name).layout") }
            }
        }
    }

    func testParseErrorsNameTheLine() {
        let cases: [(String, Int?, String)] = [
            ("DICOM\n\n# c\nST{StudyIDD:num6}\n", 4, "unknown keyword 'StudyIDD'"),
            ("A\n{StudyID:numx}\n", 2, "width 'x'"),
            ("A\n{StudyID:num9}\n", 2, "width '9'"),
            ("a\n", 1, "'a'"),
            ("A-B\n", 1, "'-'"),
            ("{StudyID\n", 1, "unclosed '{'"),
            ("AB}\n", 1, "'}' without '{'"),
            ("ABCDEFGHI\n", 1, "at least 9 characters"),
            ("ST{StudyID:num7}\n", 1, "at least 9 characters"),
            ("A fallback\n", 1, "'fallback' needs a pattern"),
            ("A per\n", 1, "'per' needs a level"),
            ("A per visit\nB\n", 1, "unknown level 'visit'"),
            ("A extra\n", 1, "unexpected 'extra'"),
            ("{counter:visit}\n", 1, "{counter:LEVEL"),
            ("{counter:series:3:hex}\n", 1, "'hex'"),
            ("{hash:StudyInstanceUID}{counter:instance}\n", 1, "more than one hash/counter without a width"),
            ("{StudyID:YYMMDD}\n", 1, "needs a DA, TM or DT element"),
            ("{StudyDate:HHMM}\n", 1, "is a date"),
            ("{ExportTime:YYMMDD}\n", 1, "is a time"),
            ("{StudyDate:YYY}\n", 1, "'YYY'"),
            ("{StudyDate:weird}\n", 1, "unknown format 'weird'"),
            ("A {counter:series}\n", 1, "unexpected"),
            ("{counter:series} per study\nI\n", 1, "{counter:series} in a component that is 'per study'"),
            ("S{counter:series:3} fallback {counter:study:3}\nI\n", 1, "counters of different levels"),
            ("A\nB per study\n", 2, "only for folders"),
            ("A\n{counter:series}\n", 2, "use {counter:instance}"),
            ("{ReferencedImageSequence}\n", 1, "is a sequence"),
            ("A\nB\nC\nD\nE\nF\nG\nH\nI\n", 9, "at most 8 components"),
            ("# only comments\n\n", nil, "no component lines"),
        ]
        for (template, line, expected) in cases {
            do {
                _ = try FileIDLayout(name: "bad", template: template)
                XCTFail("no error for \(template.debugDescription)")
            } catch let e as FileSetError {
                XCTAssertEqual(e.code, .layoutSyntax, "\(template.debugDescription): \(e)")
                XCTAssertEqual(e.templateLine, line, "\(template.debugDescription): \(e)")
                XCTAssertTrue(e.message.contains(expected), "\(template.debugDescription): \(e)")
                if let line { XCTAssertTrue(e.description.contains("line \(line)"), e.description) }
            } catch {
                XCTFail("unexpected error \(error)")
            }
        }
        // The example the README gives.
        XCTAssertThrowsError(try FileIDLayout(name: "my-site", template: "DICOM\n# c\nST{StudyID:numx}\nI{counter:instance}\n")) { e in
            XCTAssertEqual("\(e)", "layout 'my-site' line 3 'ST{StudyID:numx}': {StudyID:numx}: width 'x' must be 1 to 8")
        }
        // CRLF templates and trailing comments are fine.
        XCTAssertNoThrow(try FileIDLayout(name: "crlf", template: "DICOM\r\nI{counter:instance}   # file\r\n"))
    }

    func testLoadingAndTemplatesDirectory() throws {
        let names = FileIDLayout.available(templatesDirectory: Self.templates)
        XCTAssertTrue(names.contains("standard") && names.contains("arineta"), "\(names)")
        // By path.
        let byPath = try FileIDLayout.load(Self.templates + "/layouts/arineta.layout", templatesDirectory: "/nonexistent")
        XCTAssertEqual(byPath.name, "arineta")
        XCTAssertEqual(byPath.description, "{ExportDate:YYMMDD}/{ExportTime:HHMMSS}/ST{StudyID:num6}/{SeriesNumber:num6}/I{InstanceNumber:num5}")
        // Unknown name: the error lists what exists.
        XCTAssertThrowsError(try FileIDLayout.load("nope", templatesDirectory: Self.templates)) { e in
            XCTAssertEqual((e as? FileSetError)?.code, .layoutNotFound, "\(e)")
            XCTAssertTrue("\(e)".contains("standard"), "\(e)")
        }
        // A parse error in a file names the file's layout and line.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("layout-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("layouts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "DICOM\nI{counter:instance}\n{Bogus}\n".write(to: dir.appendingPathComponent("layouts/broken.layout"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FileIDLayout.load("broken", templatesDirectory: dir.path)) { e in
            XCTAssertEqual((e as? FileSetError)?.code, .layoutSyntax, "\(e)")
            XCTAssertEqual((e as? FileSetError)?.templateLine, 3, "\(e)")
            XCTAssertTrue("\(e)".contains("layout 'broken' line 3"), "\(e)")
        }

        // $DICOM_MEDIA_TEMPLATES first; without it, the repository's templates are found from the
        // test executable (.build/<triple>/debug) or the working directory.
        let old = ProcessInfo.processInfo.environment["DICOM_MEDIA_TEMPLATES"]
        setenv("DICOM_MEDIA_TEMPLATES", dir.path, 1)
        XCTAssertEqual(FileIDLayout.defaultTemplatesDirectory(), dir.path)
        unsetenv("DICOM_MEDIA_TEMPLATES")
        defer { if let old { setenv("DICOM_MEDIA_TEMPLATES", old, 1) } }
        let found = try XCTUnwrap(FileIDLayout.defaultTemplatesDirectory())
        XCTAssertNoThrow(try FileIDLayout.load("standard", templatesDirectory: found), found)
        XCTAssertEqual(FileIDLayout.lexical("/a/b/debug/../../templates"), "/a/templates")
        XCTAssertEqual(FileIDLayout.lexical("/a/./b/../../../x"), "/x")
    }
}
