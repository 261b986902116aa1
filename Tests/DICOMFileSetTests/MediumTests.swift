import DICOMFileSet
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The guarded medium: File ID rules, the PS3.12 lookup, the symbolic link rule, writes that never follow links, the journal's validation.
final class MediumTests: XCTestCase {
    var base = ""
    var root: String { base + "/root" }
    var outside: String { base + "/outside" }

    override func setUpWithError() throws {
        base = NSTemporaryDirectory() + "medium-tests-\(getpid())-\(UUID().uuidString.prefix(8))"
        let fm = FileManager.default
        for d in [root + "/DICOM/P1", root + "/dicom2", outside + "/DICOM"] { try fm.createDirectory(atPath: d, withIntermediateDirectories: true) }
        for f in [root + "/DICOM/P1/IMG", root + "/dicom2/img.dcm;1", outside + "/SECRET", outside + "/DICOM/IMG"] {
            XCTAssertTrue(fm.createFile(atPath: f, contents: Data("x".utf8)))
        }
        symlink(outside, root + "/OUT")
        symlink(outside + "/SECRET", root + "/DICOM/P1/SECRET")
        symlink("../P1/LOOP", root + "/DICOM/P1/LOOP")
        symlink("DICOM", root + "/INLINK")
        symlink("../../outside/SECRET", root + "/DICOM/REL")
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: base) }

    func testIllegalComponentsAreRefused() {
        for comps in [[".."], ["DICOM", "..", "..", "X"], ["."], ["DICOM", "", "X"], [], ["/etc/passwd"], ["A/B"], ["A\\B"], ["C:"], ["~root"], ["A\u{0}B"]] {
            XCTAssertNotNil(Medium.pathProblem(comps), "\(comps)")
            XCTAssertEqual(Medium(root: root).resolve(FileID(comps)), .outsideRoot, "\(comps)")
        }
        XCTAssertNil(Medium.pathProblem(["DICOM", "P1", "IMG"]))
        // A NUL would cut the name the kernel sees to "..": found by Fuzz/Medium.
        XCTAssertEqual(Medium(root: root).locate(root + "/..\u{0}x"), .outside)
        XCTAssertThrowsError(try Medium(root: root).read("..\u{0}x"))
        XCTAssertThrowsError(try Medium.components(ofRelativePath: "/etc/passwd"))
        XCTAssertThrowsError(try Medium.components(ofRelativePath: "DICOM//X"))
        XCTAssertEqual(try Medium.components(ofRelativePath: "DICOM/P1/IMG"), ["DICOM", "P1", "IMG"])
    }

    func testLookupExactAndVariants() {
        let m = Medium(root: root)
        XCTAssertEqual(m.resolve(FileID(["DICOM", "P1", "IMG"])), .exact(root + "/DICOM/P1/IMG"))
        XCTAssertEqual(m.resolve(FileID(["dicom", "p1", "img"])), .variant(root + "/DICOM/P1/IMG"))
        XCTAssertEqual(m.resolve(FileID(["DICOM2", "IMG"])), .variant(root + "/dicom2/img.dcm;1"))
        XCTAssertEqual(m.resolve(FileID(["DICOM", "P1", "NONE"])), .missing)
        XCTAssertEqual(Medium.normalisedPath("dicom/img.DCM;1"), "DICOM/IMG")
    }

    /// The batch lookup gives what `resolve` gives one by one (exact, variants, links in and out,
    /// loops, missing, illegal), and the real path of every file it found exactly.
    func testResolveAllAgreesWithResolve() {
        let m = Medium(root: root)
        let ids = [
            ["DICOM", "P1", "IMG"], ["dicom", "p1", "img"], ["DICOM2", "IMG"], ["DICOM", "P1", "NONE"], ["INLINK", "P1", "IMG"], ["OUT", "SECRET"],
            ["DICOM", "P1", "SECRET"], ["DICOM", "REL"], ["DICOM", "P1", "LOOP"], ["DICOM", "P1", "LOOP", "X"], ["NONE", "X"], ["DICOM", "P1"],
            [".."], ["DICOM", "..", "X"], [], ["A/B"], ["DICOM", "P1", "IMG", "X"], ["DICOM", "P1", "IMG"],
        ].map(FileID.init)
        let all = m.resolveAllWithRealPaths(ids)
        XCTAssertEqual(all.map(\.match), ids.map(m.resolve))
        XCTAssertEqual(m.resolveAll(ids), ids.map(m.resolve))
        for (id, r) in zip(ids, all) {
            if let real = r.real {
                XCTAssertEqual(real, Self.real(root + "/" + id.path), "\(id)")
            } else if case .exact = r.match {
                XCTAssertEqual(id, FileID(["INLINK", "P1", "IMG"]), "only a path through a link leaves the fast path")
            }
        }
        XCTAssertEqual(all[0].real, Self.real(root + "/DICOM/P1/IMG"))
    }

    /// realpath(3).
    static func real(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    func testLinksInsideFollowedOutsideRefused() {
        let m = Medium(root: root)
        XCTAssertEqual(m.resolve(FileID(["INLINK", "P1", "IMG"])), .exact(root + "/INLINK/P1/IMG"))
        XCTAssertEqual(m.resolve(FileID(["OUT", "SECRET"])), .outsideRoot)
        XCTAssertEqual(m.resolve(FileID(["DICOM", "P1", "SECRET"])), .outsideRoot)
        XCTAssertEqual(m.resolve(FileID(["DICOM", "REL"])), .outsideRoot)
        XCTAssertEqual(m.locate(root + "/DICOM/P1/LOOP"), .loop)
        XCTAssertEqual(m.locate(root + "/OUT/SECRET"), .outside)
        XCTAssertThrowsError(try m.read("OUT/SECRET"))
        XCTAssertThrowsError(try m.read(root + "/DICOM/P1/SECRET"))
        XCTAssertEqual(try m.read("INLINK/P1/IMG"), Array("x".utf8))
        let w = m.walk()
        XCTAssertEqual(Set(w.files), [root + "/DICOM/P1/IMG", root + "/dicom2/img.dcm;1", root + "/INLINK/P1/IMG"])
        // INLINK is followed, so what is skipped under DICOM is skipped (and listed) under INLINK too.
        XCTAssertEqual(
            Set(w.skipped.map(\.path)),
            [
                root + "/OUT", root + "/DICOM/P1/SECRET", root + "/DICOM/P1/LOOP", root + "/DICOM/REL",
                root + "/INLINK/P1/SECRET", root + "/INLINK/P1/LOOP", root + "/INLINK/REL",
            ])
        XCTAssertEqual(w.skipped.first { $0.path == root + "/DICOM/P1/LOOP" }?.reason.contains("loop"), true)
        XCTAssertEqual(w.skipped.first { $0.path == root + "/OUT" }?.reason.contains("out of"), true)
        XCTAssertFalse(w.files.contains { $0.hasPrefix(outside) })
    }

    func testFileWrittenInPartsLeavesNothingWhenItsContentFails() throws {
        struct Failed: Error {}
        let m = Medium(root: root)
        try m.createFile(["DICOM", "PARTS"]) { write in
            for part in [[UInt8]([1, 2]), [3], []] { try part.withUnsafeBytes(write) }
        }
        XCTAssertEqual(FileManager.default.contents(atPath: root + "/DICOM/PARTS").map([UInt8].init), [1, 2, 3])
        // Whatever the content throws, no file is left: not the new one, nor its ".tmp" when it replaces one.
        XCTAssertThrowsError(
            try m.createFile(["DICOM", "HALF"]) { write in
                try [UInt8]([1]).withUnsafeBytes(write); throw Failed()
            }
        ) {
            XCTAssertTrue($0 is Failed)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/DICOM/HALF"))
        XCTAssertThrowsError(try m.createFile(["DICOM", "PARTS"], replace: true) { _ in throw Failed() })
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/DICOM/PARTS.tmp"))
        XCTAssertEqual(FileManager.default.contents(atPath: root + "/DICOM/PARTS").map([UInt8].init), [1, 2, 3], "the file replaced is kept")
        XCTAssertThrowsError(try m.createFile(["OUT", "PARTS"]) { write in try [UInt8]([1]).withUnsafeBytes(write) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside + "/PARTS"))
    }

    func testWritesNeverFollowLinks() throws {
        let m = Medium(root: root)
        XCTAssertThrowsError(try m.createFile(["OUT", "NEW"], bytes: [1])) { XCTAssertEqual(($0 as? FileSetError)?.code, .refused) }
        XCTAssertThrowsError(try m.createFile(["INLINK", "P1", "NEW"], bytes: [1]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside + "/NEW"))
        XCTAssertThrowsError(try m.remove(["OUT", "SECRET"]))
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside + "/SECRET"))
        // Removing a link removes the link, never its target.
        XCTAssertTrue(try m.remove(["DICOM", "P1", "SECRET"], pruneEmptyFolders: false))
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside + "/SECRET"))
        try m.createFile(["DICOM", "P2", "NEW"], bytes: [1, 2])
        XCTAssertEqual(try m.regularFileSize(["DICOM", "P2", "NEW"]), 2)
        XCTAssertThrowsError(try m.createFile(["DICOM", "P2", "NEW"], bytes: [3]))  // O_EXCL: never replaced
        try m.move(["DICOM", "P2", "NEW"], to: ["DICOM", "P3", "MOVED"])
        XCTAssertTrue(try m.remove(["DICOM", "P3", "MOVED"]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/DICOM/P3"))
        try m.removeTree(["OUT"])  // a link: the link goes, nothing under its target
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/OUT"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside + "/DICOM/IMG"))
    }

    func testJournalIsWrittenAsJSONEncoderWritesIt() throws {
        let j = MediumJournal(
            operation: "update", started: "2026-12-05T18:00:00Z",
            copies: [
                .init(fileID: "DICOM/P1/NEW", size: 12, staged: "t1"), .init(fileID: "DICOM/\"Ü\\\u{1}", size: 0, staged: nil),
            ], deletions: ["DICOM/P1/OLD", "ÄÖ"])
        let bytes = try j.encoded()
        XCTAssertEqual(try JSONDecoder().decode(MediumJournal.self, from: Data(bytes)), j)
        let valid = MediumJournal(operation: "create", started: "x", copies: [.init(fileID: "DICOM/I1", size: 3, staged: nil)], deletions: [])
        XCTAssertEqual(try MediumJournal.parse(valid.encoded(), journal: "j"), valid)
        // The same document JSONEncoder gives (sorted keys, nil left out), byte for byte.
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(decoding: try e.encode(j), as: UTF8.self))
        XCTAssertFalse(String(decoding: bytes, as: UTF8.self).contains("null"))
    }

    func testJournalValidation() throws {
        func journal(_ copies: String = "[]", _ deletions: String = "[]", version: Int = 2) -> [UInt8] {
            Array(#"{"version":\#(version),"operation":"update","started":"x","copies":\#(copies),"deletions":\#(deletions)}"#.utf8)
        }
        XCTAssertNoThrow(try MediumJournal.parse(journal(#"[{"fileID":"DICOM/P1/NEW","size":1,"staged":"t1"}]"#, #"["DICOM/P1/IMG"]"#), journal: "j"))
        // A journal that is not JSON: the decoder's error is kept as the cause.
        XCTAssertThrowsError(try MediumJournal.parse(Array("not json".utf8), journal: "j")) { e in
            XCTAssertTrue((e as? FileSetError)?.cause is DecodingError, "\(e)")
        }
        for bad in [
            journal("[]", #"["../X"]"#), journal("[]", #"["/etc/passwd"]"#), journal("[]", #"["DICOMDIR"]"#),
            journal("[]", #"[".dicom-media/journal.json"]"#), journal(#"[{"fileID":"../X","size":1}]"#),
            journal(#"[{"fileID":"A","size":1,"staged":"../../X"}]"#), journal(#"[{"fileID":"A","size":1,"staged":"/etc/passwd"}]"#),
            journal(#"[{"fileID":"A","size":-1}]"#), journal(version: 1), Array("{}".utf8), Array("not json".utf8),
            Array(#"{"operation":"update","started":"x","copies":[{"source":"/etc/passwd","fileID":"A","size":1}],"deletions":[]}"#.utf8),
        ] {
            XCTAssertThrowsError(try MediumJournal.parse(bad, journal: "/m/.dicom-media/journal.json")) { e in
                XCTAssertEqual((e as? FileSetError)?.code, .refused, "\(e)")
                XCTAssertEqual((e as? FileSetError)?.path, "/m/.dicom-media/journal.json", "\(e)")
            }
        }
    }
}
