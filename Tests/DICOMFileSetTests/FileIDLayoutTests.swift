import Foundation
import TestSupport
import XCTest
import DICOMCore
import DICOMIO
@testable import DICOMFileSet

/// File ID layouts (templates/layouts/*.layout) and the allocator: conformance (PS3.10 §8.5),
/// the exact arineta shape, fallbacks, collisions, updates, scale and determinism.
final class FileIDLayoutTests: XCTestCase {
    // MARK: Fixtures

    /// Tests/DICOMFileSetTests/FileIDLayoutTests.swift -> the repository.
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var templates: String { repo.appendingPathComponent("templates").path }

    /// Headers of the corpus's DICOM files (manifest.tsv rows with a content column), read header-only.
    static func corpusHeaders() throws -> [(String, DataSet)] {
        let root = try Corpus.root
        var out: [(String, DataSet)] = []
        for entry in try Corpus.manifest() where !entry.content.isEmpty && !entry.path.hasSuffix("DICOMDIR") {
            let path = root.appendingPathComponent(entry.path).path
            if let f = try? Part10Reader.read(path: path, options: .headerOnly) { out.append((entry.path, f.dataSet)) }
        }
        return out
    }

    static func header(
        patientID: String? = "PAT1", study: String? = "1.2.3.1", studyID: String? = "123",
        series: String? = "1.2.3.1.1", seriesNumber: String? = "4", instanceNumber: String? = "12",
        sop: String = "1.2.3.1.1.12"
    ) -> DataSet {
        var d = DataSet()
        d.setString(.sopInstanceUID, .UI, sop)
        if let patientID { d.setString(.patientID, .LO, patientID) }
        if let study { d.setString(.studyInstanceUID, .UI, study) }
        if let series { d.setString(.seriesInstanceUID, .UI, series) }
        if let studyID { d.setString(.studyID, .SH, studyID) }
        if let seriesNumber { d.setString(.seriesNumber, .IS, seriesNumber) }
        if let instanceNumber { d.setString(.instanceNumber, .IS, instanceNumber) }
        return d
    }

    func load(_ name: String) throws -> FileIDLayout { try FileIDLayout.load(name, templatesDirectory: Self.templates) }

    func arineta(existing: Set<FileID> = []) throws -> FileIDAllocator {
        FileIDAllocator(layout: try load("arineta"), exportDate: "20261123", exportTime: "140509", existing: existing)
    }

    /// FNV-1a 64, written out again here so the test does not trust the implementation's.
    func fnv(_ s: String) -> UInt64 {
        var h: UInt64 = 14_695_981_039_346_656_037
        for b in s.utf8 { h ^= UInt64(b); h = h &* 1_099_511_628_211 }
        return h
    }

    func assertConformant(_ id: FileID, _ context: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(id.nonConformance, "\(id) \(context)", file: file, line: line)
    }

    // MARK: Arineta

    func testArinetaExactShape() throws {
        var a = try arineta()
        let (id, warnings) = a.allocate(for: Self.header())
        XCTAssertEqual(id.path, "261123/140509/ST000123/000004/I00012")
        XCTAssertEqual(warnings, [])
        // Leading zeros and IS padding are tolerated.
        let (id2, w2) = a.allocate(for: Self.header(studyID: "000123", seriesNumber: " 4", instanceNumber: "+13"))
        XCTAssertEqual(id2.path, "261123/140509/ST000123/000004/I00013")
        XCTAssertEqual(w2, [])
    }

    func testArinetaNonNumericStudyIDFallsBackToHash() throws {
        let uid = "1.2.826.0.1.3680043.8.498.77"
        let expected = "ST" + String(format: "%06llu", fnv(uid) % 1_000_000)
        var ids: [String] = []
        for _ in 0..<2 {
            var a = try arineta()
            let (id, warnings) = a.allocate(for: Self.header(study: uid, studyID: "ABC"))
            XCTAssertEqual(id.components[2], expected)
            XCTAssertEqual(warnings.count, 1)
            XCTAssertTrue(warnings[0].contains("non-numeric Study ID 'ABC'"), warnings[0])
            XCTAssertTrue(warnings[0].contains("used \(expected) (hash of the Study Instance UID)"), warnings[0])
            assertConformant(id)
            ids.append(id.path)
            // The other instances of the study go to the same folder, with no more warnings.
            let (id2, w2) = a.allocate(for: Self.header(study: uid, studyID: "ABC", instanceNumber: "13"))
            XCTAssertEqual(id2.components[2], expected)
            XCTAssertEqual(w2, [])
        }
        XCTAssertEqual(ids[0], ids[1], "deterministic")

        // Too large, missing: the same fallback.
        var a = try arineta()
        let (big, wBig) = a.allocate(for: Self.header(study: "1.9.1", studyID: "1234567"))
        XCTAssertEqual(big.components[2], "ST" + String(format: "%06llu", fnv("1.9.1") % 1_000_000))
        XCTAssertTrue(wBig.first?.contains("Study ID 1234567 has more than 6 digits") == true, "\(wBig)")
        let (none, wNone) = a.allocate(for: Self.header(study: "1.9.2", studyID: nil))
        XCTAssertEqual(none.components[2], "ST" + String(format: "%06llu", fnv("1.9.2") % 1_000_000))
        XCTAssertTrue(wNone.first?.contains("no Study ID") == true, "\(wNone)")
        // No Study ID and no Study Instance UID: the study counter.
        let (neither, wNeither) = a.allocate(for: Self.header(study: nil, studyID: nil))
        XCTAssertEqual(neither.components[2], "ST000001")
        XCTAssertTrue(wNeither.first?.contains("study counter") == true, "\(wNeither)")
    }

    func testArinetaMissingSeriesAndInstanceNumbers() throws {
        var a = try arineta()
        let (id, w) = a.allocate(for: Self.header(seriesNumber: nil, instanceNumber: nil))
        XCTAssertEqual(id.path, "261123/140509/ST000123/000001/I00001")
        XCTAssertEqual(w.count, 2, "\(w)")
        XCTAssertTrue(w[0].contains("no Series Number") && w[0].contains("series counter"), w[0])
        XCTAssertTrue(w[1].contains("no Instance Number") && w[1].contains("instance counter"), w[1])
        let (id2, _) = a.allocate(for: Self.header(seriesNumber: nil, instanceNumber: nil, sop: "9"))
        XCTAssertEqual(id2.path, "261123/140509/ST000123/000001/I00002")
        // Instance Number too large for 5 digits.
        let (id3, w3) = a.allocate(for: Self.header(series: "1.2.3.1.5", instanceNumber: "123456"))
        XCTAssertEqual(id3.path, "261123/140509/ST000123/000004/I00001")
        XCTAssertTrue(w3.first?.contains("Instance Number 123456 has more than 5 digits") == true, "\(w3)")
        // A real series 1 of another series UID comes after the counter took 000001: next free.
        let (id4, w4) = a.allocate(for: Self.header(series: "1.2.3.1.9", seriesNumber: "1"))
        XCTAssertEqual(id4.path, "261123/140509/ST000123/000002/I00012")
        XCTAssertTrue(w4.first?.contains("'000001'") == true && w4.first?.contains("used 000002") == true, "\(w4)")
    }

    func testArinetaCollisionsFallBackToNextFreeNumber() throws {
        var a = try arineta()
        // Two studies with the same Study ID.
        let (s1, w1) = a.allocate(for: Self.header(study: "1.1", studyID: "123"))
        let (s2, w2) = a.allocate(for: Self.header(study: "1.2", studyID: "123", series: "1.2.1"))
        XCTAssertEqual(s1.path, "261123/140509/ST000123/000004/I00012")
        XCTAssertEqual(w1, [])
        XCTAssertEqual(s2.path, "261123/140509/ST000124/000004/I00012")
        XCTAssertEqual(w2.count, 1)
        XCTAssertTrue(w2[0].contains("'ST000123'") && w2[0].contains("another study") && w2[0].contains("used ST000124"), w2[0])
        // The first study's later instances stay in ST000123, the second's in ST000124.
        XCTAssertEqual(a.allocate(for: Self.header(study: "1.1", studyID: "123", instanceNumber: "13")).0.path, "261123/140509/ST000123/000004/I00013")
        XCTAssertEqual(
            a.allocate(for: Self.header(study: "1.2", studyID: "123", series: "1.2.1", instanceNumber: "13")).0.path,
            "261123/140509/ST000124/000004/I00013")
        // A third study whose own Study ID is 124 gets the next free number too.
        let (s3, w3) = a.allocate(for: Self.header(study: "1.3", studyID: "124", series: "1.3.1"))
        XCTAssertEqual(s3.components[2], "ST000125")
        XCTAssertEqual(w3.count, 1)
        // Two series with the same Series Number in one study.
        let (r1, _) = a.allocate(for: Self.header(study: "1.1", series: "1.1.7", seriesNumber: "4"))
        XCTAssertEqual(r1.path, "261123/140509/ST000123/000005/I00012")
        // Duplicated Instance Numbers in one series.
        let (d1, wd1) = a.allocate(for: Self.header(study: "1.1", series: "1.1.8", seriesNumber: "8", instanceNumber: "12"))
        let (d2, wd2) = a.allocate(for: Self.header(study: "1.1", series: "1.1.8", seriesNumber: "8", instanceNumber: "12"))
        XCTAssertEqual(d1.path, "261123/140509/ST000123/000008/I00012")
        XCTAssertEqual(wd1, [])
        XCTAssertEqual(d2.path, "261123/140509/ST000123/000008/I00013")
        XCTAssertTrue(wd2.first?.contains("'I00012'") == true && wd2.first?.contains("used I00013") == true, "\(wd2)")

        // Deterministic: the same sequence again gives the same IDs and warnings.
        func run() throws -> [String] {
            var a = try arineta()
            var out: [String] = []
            for (study, sid, inst) in [("1.1", "123", "12"), ("1.2", "123", "12"), ("1.3", "X", "1"), ("1.1", "123", "12"), ("1.4", "", "")] {
                let (id, w) = a.allocate(for: Self.header(study: study, studyID: sid, series: study + ".1", instanceNumber: inst))
                assertConformant(id)
                out.append(id.path + " " + w.joined(separator: "; "))
            }
            return out
        }
        XCTAssertEqual(try run(), try run())
    }

    func testArinetaUpdateAvoidsExistingNames() throws {
        let existing: Set<FileID> = [FileID(path: "261123/140509/ST000123/000004/I00012"), FileID(path: "DICOMDIR")]
        var a = try arineta(existing: existing)
        let (id, w) = a.allocate(for: Self.header())
        XCTAssertEqual(id.path, "261123/140509/ST000124/000004/I00012")
        XCTAssertTrue(w.first?.contains("already on the medium") == true, "\(w)")
        XCTAssertFalse(existing.contains(id))
    }

    // MARK: Standard

    func testStandardShapeConsistencyAndUpdate() throws {
        let layout = try load("standard")
        XCTAssertEqual(layout.name, "standard")
        XCTAssertEqual(layout.componentCount, 5)
        // A folder is its name, owner and counter; what is in it lives in the allocator's tables.
        XCTAssertEqual(MemoryLayout<FileIDAllocator.Node>.stride, 32)
        var a = FileIDAllocator(layout: layout, exportDate: "20261123", exportTime: "140509")
        let h = { (p: String, st: String, se: String, sop: String) in Self.header(patientID: p, study: st, series: se, sop: sop) }
        // Interleaved input: each series keeps its folder.
        let ids = [
            h("A", "1", "1.1", "a"), h("A", "1", "1.2", "b"), h("B", "2", "2.1", "c"), h("A", "1", "1.1", "d"),
            h("A", "3", "3.1", "e"), h("B", "2", "2.1", "f"),
        ].map { a.allocate(for: $0) }
        XCTAssertEqual(
            ids.map(\.0.path),
            [
                "DICOM/P0000001/S0000001/SE000001/I0000001",
                "DICOM/P0000001/S0000001/SE000002/I0000001",
                "DICOM/P0000002/S0000001/SE000001/I0000001",
                "DICOM/P0000001/S0000001/SE000001/I0000002",
                "DICOM/P0000001/S0000002/SE000001/I0000001",
                "DICOM/P0000002/S0000001/SE000001/I0000002",
            ])
        XCTAssertTrue(ids.allSatisfy { $0.1.isEmpty })

        // Update: the DICOM folder is shared, patient numbering continues after the existing ones,
        // existing names are compared case-insensitively.
        let existing: Set<FileID> = [
            FileID(path: "DICOM/P0000001/S0000001/SE000001/I0000001"), FileID(path: "dicom/p0000002/S0000001/SE000001/I0000001"),
            FileID(path: "DICOMDIR"),
        ]
        var u = FileIDAllocator(layout: layout, exportDate: "20261123", exportTime: "140509", existing: existing)
        let (n1, w1) = u.allocate(for: h("NEW", "9", "9.1", "x"))
        XCTAssertEqual(n1.path, "DICOM/P0000003/S0000001/SE000001/I0000001")
        XCTAssertEqual(w1, [])
        XCTAssertEqual(u.allocate(for: h("NEW", "9", "9.1", "y")).0.path, "DICOM/P0000003/S0000001/SE000001/I0000002")
    }

    /// Update: a new study of an existing patient goes under that patient's folder, a new series of an
    /// existing study under the study's folder, a new instance of an existing series into its folder.
    func testStandardUpdateReusesExistingPatientStudySeriesFolders() throws {
        let layout = try load("standard")
        let h = { (p: String, st: String, se: String, sop: String) in Self.header(patientID: p, study: st, series: se, sop: sop) }
        let onMedium: [(String, DataSet)] = [
            ("DICOM/P0000001/S0000001/SE000001/I0000001", h("A", "1", "1.1", "a")),
            ("DICOM/P0000002/S0000001/SE000001/I0000001", h("B", "2", "2.1", "b")),
            ("DICOM/P0000002/S0000001/SE000002/I0000001", h("B", "2", "2.2", "c")),
        ]
        var u = FileIDAllocator(
            layout: layout, exportDate: "20261123", exportTime: "140509",
            existing: Set(onMedium.map { FileID(path: $0.0) } + [FileID(path: "DICOMDIR")]))
        for (id, header) in onMedium { u.adopt(FileID(path: id), header: header) }
        let ids = [h("B", "2", "2.1", "d"), h("B", "2", "2.9", "e"), h("B", "7", "7.1", "f"), h("A", "1", "1.1", "g"), h("C", "3", "3.1", "h")]
            .map { u.allocate(for: $0) }
        XCTAssertEqual(
            ids.map(\.0.path),
            [
                "DICOM/P0000002/S0000001/SE000001/I0000002",  // same series: its folder, next free file name
                "DICOM/P0000002/S0000001/SE000003/I0000001",  // new series of an existing study
                "DICOM/P0000002/S0000002/SE000001/I0000001",  // new study of an existing patient
                "DICOM/P0000001/S0000001/SE000001/I0000002",
                "DICOM/P0000003/S0000001/SE000001/I0000001",  // new patient: next free patient folder
            ])
        XCTAssertTrue(ids.allSatisfy { $0.1.isEmpty })

        // Without adopt (the behaviour before), the same patient would get a new folder: the test can fail.
        var plain = FileIDAllocator(layout: layout, exportDate: "20261123", exportTime: "140509", existing: Set(onMedium.map { FileID(path: $0.0) }))
        XCTAssertEqual(plain.allocate(for: h("B", "2", "2.1", "d")).0.path, "DICOM/P0000003/S0000001/SE000001/I0000001")

        // File IDs of another shape (another layout) are not adopted.
        var other = FileIDAllocator(layout: layout, exportDate: "20261123", exportTime: "140509", existing: [FileID(path: "IMAGES/IM1")])
        other.adopt(FileID(path: "IMAGES/IM1"), header: h("B", "2", "2.1", "x"))
        XCTAssertEqual(other.allocate(for: h("B", "2", "2.1", "d")).0.path, "DICOM/P0000001/S0000001/SE000001/I0000001")
    }

    /// Stray folders: no file and no new keyed folder takes their name; a shared folder of that name is reused.
    func testReservedFoldersArePlannedAround() throws {
        var a = FileIDAllocator(
            layout: try load("standard"), exportDate: "20261123", exportTime: "140509",
            existing: [FileID(path: "DICOM/P0000002/STRAY")])
        a.reserveFolder(FileID(path: "DICOM"))
        a.reserveFolder(FileID(path: "DICOM/P0000001"))
        a.reserveFolder(FileID(path: "DICOM/P0000003/S0000001/SE000001/I0000001"))
        a.reserveFolder(FileID(path: "DICOM/P0000002/STRAY/BELOW"))  // below a file: ignored
        let (id, w) = a.allocate(for: Self.header())
        XCTAssertEqual(id.path, "DICOM/P0000004/S0000001/SE000001/I0000001")
        XCTAssertEqual(w, [])
        // A folder where a file would go.
        var b = FileIDAllocator(
            layout: try load("standard"), exportDate: "20261123", exportTime: "140509",
            existing: [FileID(path: "DICOM/P0000001/S0000001/SE000001/I0000001")])
        b.adopt(FileID(path: "DICOM/P0000001/S0000001/SE000001/I0000001"), header: Self.header())
        b.reserveFolder(FileID(path: "DICOM/P0000001/S0000001/SE000001/I0000002"))
        XCTAssertEqual(b.allocate(for: Self.header(sop: "9.9")).0.path, "DICOM/P0000001/S0000001/SE000001/I0000003")
    }

    func testStandardUniqueForAMillionInstancesInOneSeries() throws {
        var a = FileIDAllocator(layout: try load("standard"), exportDate: "20261123", exportTime: "140509")
        let h = Self.header()
        let n = 1_000_000
        var leaves = Set<String>(minimumCapacity: n)
        let folder = a.allocate(for: h).0
        leaves.insert(folder.components[4])
        let start = Date()
        for i in 2...n {
            let (id, w) = a.allocate(for: h)
            if id.components.count != 5 || id.components[3] != folder.components[3] || !w.isEmpty {
                XCTFail("\(i): \(id) \(w)"); return
            }
            leaves.insert(id.components[4])
            if i % 100_000 == 0 || i == n { assertConformant(id) }
            if i == n { XCTAssertEqual(id.path, "DICOM/P0000001/S0000001/SE000001/I1000000") }
        }
        XCTAssertEqual(leaves.count, n)
        print("standard: \(n) allocations in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }

    func testStandardCounterOverflowUsesBase36Fallback() throws {
        // A scaled-down standard: 1-digit instance counter, then base 36.
        let layout = try FileIDLayout(name: "tiny", template: "DICOM\nI{counter:instance:1} fallback {counter:instance:b36}\n")
        var a = FileIDAllocator(layout: layout, exportDate: "20261123", exportTime: "140509")
        var seen = Set<FileID>()
        for i in 1...12 {
            let (id, w) = a.allocate(for: Self.header())
            assertConformant(id)
            XCTAssertTrue(seen.insert(id).inserted)
            if i == 10 {
                XCTAssertEqual(id.path, "DICOM/0000000A")
                XCTAssertTrue(w.first?.contains("instance counter (10) needs more than 1 digits") == true, "\(w)")
            }
        }
    }

    // MARK: Conformance on real and synthetic headers

    func testBothLayoutsConformantOnTheCorpus() throws {
        let headers = try Self.corpusHeaders()
        XCTAssertGreaterThan(headers.count, 100, "corpus headers read")
        for name in ["standard", "arineta"] {
            let layout = try load(name)
            func run() -> [(String, [String])] {
                var a = FileIDAllocator(layout: layout, exportDate: "20261123", exportTime: "140509")
                return headers.map { a.allocate(for: $0.1) }.map { ($0.0.path, $0.1) }
            }
            let first = run()
            var unique = Set<String>()
            var folderOfSeries: [String: String] = [:]
            var warnings = 0
            for ((file, h), (path, w)) in zip(headers, first) {
                let id = FileID(path: path)
                assertConformant(id, "\(name): \(file)")
                XCTAssertTrue(unique.insert(path).inserted, "\(name): \(path) twice")
                let seriesKey = (h.string(.studyInstanceUID) ?? "") + "|" + (h.string(.seriesInstanceUID) ?? "") + "|" + (h.string(.patientID) ?? "")
                let folder = id.components.dropLast().joined(separator: "/")
                if let f = folderOfSeries[seriesKey] { XCTAssertEqual(f, folder, "\(name): series of \(file) split") }
                folderOfSeries[seriesKey] = folder
                warnings += w.count
            }
            let second = run()
            XCTAssertEqual(first.map(\.0), second.map(\.0), "\(name): same input order, same IDs")
            XCTAssertEqual(first.map(\.1), second.map(\.1), "\(name): same warnings")
            print("\(name): \(headers.count) corpus headers, \(warnings) warnings, e.g. \(first.first.map { $0.0 } ?? "-")")
        }
    }

    func testSyntheticHeadersAlwaysConformant() throws {
        let mySite = try FileIDLayout(name: "my-site", template: Self.mySiteTemplate)
        let layouts = [
            try load("standard"), try load("arineta"), mySite,
            try FileIDLayout(name: "raw", template: "{PatientID}\n{StudyDate:YYYYMMDD} per study\n{PatientName}\n"),
        ]
        let weird: [String?] = [nil, "", " ", "abc", "ÄÖü-é", "1.2.3", "12345678901234567890", "-5", "0", "99999999", "a b\\c", "日本語", "+7", "3.0", "x/..//y"]
        var rng = SplitMix(seed: 20_261_123)
        for layout in layouts {
            var a = FileIDAllocator(layout: layout, exportDate: "2026112", exportTime: "99", existing: [FileID(path: "DICOM")])
            var seen = Set<FileID>()
            for i in 0..<600 {
                func pick() -> String? { weird.randomElement(using: &rng)! }
                var h = Self.header(
                    patientID: pick(), study: pick(), studyID: pick(), series: pick(), seriesNumber: pick(),
                    instanceNumber: pick(), sop: "\(i)")
                if let d = pick() { h.setString(.studyDate, .DA, d) }
                if let n = pick() { h.setString(.patientName, .PN, n) }
                h.setString(.modality, .CS, ["CT", "mr", "", "S C"][i % 4])
                let (id, _) = a.allocate(for: h)
                assertConformant(id, layout.name)
                XCTAssertEqual(id.components.count, layout.componentCount)
                XCTAssertTrue(seen.insert(id).inserted, "\(layout.name): \(id) twice")
                XCTAssertNotEqual(id.path, "DICOM")
            }
        }
    }

    func testSanitisingCuttingAndLastResort() throws {
        let layout = try FileIDLayout(
            name: "t",
            template: """
                {PatientID}
                {StudyID:num3} per study
                {SeriesDate:YYYY}{SeriesTime:HHMM}
                F{InstanceNumber:num4}
                """)
        var a = FileIDAllocator(layout: layout, exportDate: "20261123", exportTime: "140509")
        var h = Self.header(patientID: "ab-c.d é", studyID: "x", instanceNumber: "7")
        h.setString(.seriesDate, .DA, "2019.03.04")
        h.setString(.seriesTime, .TM, "09:30")
        let (id, w) = a.allocate(for: h)
        XCTAssertEqual(id.path, "AB_C_D__/X0000001/20190930/F0007")
        XCTAssertEqual(w.count, 1)
        XCTAssertTrue(w[0].contains("non-numeric Study ID 'x'") && w[0].contains("used X0000001"), w[0])
        // Too long, no fallback: cut to 8 characters, with a warning; shared folder warnings come once.
        h.setString(.patientID, .LO, "Patient-0123456789")
        let (id2, w2) = a.allocate(for: h)
        XCTAssertEqual(id2.components[0], "PATIENT_")
        XCTAssertTrue(w2.contains { $0.contains("longer than 8 characters") && $0.contains("cut to PATIENT_") }, "\(w2)")
        let (_, w3) = a.allocate(for: h)
        XCTAssertFalse(w3.contains { $0.contains("cut to") }, "\(w3)")

        // Dates, times and numbers that are not.
        let dates = try FileIDLayout(name: "d", template: "{StudyDate:YYMMDD} fallback NODATE\n{StudyTime:HHMMSS} fallback NOTIME\nI{InstanceNumber:num7}")
        for (date, time, number, expected) in [
            ("20261123", "140509.123", "12.0", "261123/140509/I0000012"),
            ("20261323", "250000", "1e3", "NODATE/NOTIME/X0000001"),
            ("2026112", "14", "-4", "NODATE/140000/X0000001"),
        ] {
            var c = FileIDAllocator(layout: dates, exportDate: "20261123", exportTime: "140509")
            var h = Self.header(instanceNumber: number)
            h.setString(.studyDate, .DA, date)
            h.setString(.studyTime, .TM, time)
            XCTAssertEqual(c.allocate(for: h).0.path, expected, "\(date) \(time) \(number)")
        }

        // DICOMDIR at the root and FAT device names are never given out.
        var b = FileIDAllocator(layout: try FileIDLayout(name: "flat", template: "{PatientID}"), exportDate: "20261123", exportTime: "140509")
        let (d, wd) = b.allocate(for: Self.header(patientID: "dicomdir"))
        XCTAssertEqual(d.path, "DICOMDI1")
        XCTAssertTrue(wd.first?.contains("DICOMDIR's name") == true, "\(wd)")
        let (c, wc) = b.allocate(for: Self.header(patientID: "con"))
        XCTAssertEqual(c.path, "CON1")
        XCTAssertTrue(wc.first?.contains("device name") == true, "\(wc)")
        XCTAssertEqual(b.allocate(for: Self.header(patientID: "COM1")).0.path, "COM11")
    }
}
