import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

/// C-FIND SCU (PS3.4 §C.4.1, §K.4): Identifiers made from typed keys, Specific Character Set both ways, pending and final
/// statuses and C-CANCEL, against Orthanc (Patient/Study Root, worklist plugin) and DCMTK's wlmscpfs.
final class FindTests: XCTestCase {
    let timeouts = QRFixture.timeouts

    // MARK: Identifiers, no server

    func testStudyIdentifierKeysAndNoCharacterSetWhenASCII() throws {
        let keys = QueryKeys(
            level: .study, patientID: "P1", patientName: "DOE^*", studyDate: DateRange(parsing: "20240101-20240131"), modality: "CT",
            accessionNumber: "A7")
        let ds = try keys.identifier()
        XCTAssertEqual(ds.string(.queryRetrieveLevel), "STUDY")
        XCTAssertNil(ds[.specificCharacterSet])
        XCTAssertEqual(ds.string(.studyDate), "20240101-20240131")
        XCTAssertEqual(ds.string(.modalitiesInStudy), "CT")
        XCTAssertNil(ds[.modality])
        XCTAssertEqual(ds.string(.patientName), "DOE^*")
        XCTAssertEqual(ds[.studyInstanceUID]?.bytes, [], "a return key is sent empty")
        XCTAssertEqual(ds[.studyInstanceUID]?.vr, .UI)
        let series = try QueryKeys(level: .series, modality: "MR").identifier()
        XCTAssertEqual(series.string(.modality), "MR")
        XCTAssertNil(series[.modalitiesInStudy])
    }

    func testCharacterSetChosenAndEncoded() throws {
        let utf8 = try QueryKeys(level: .patient, patientName: "Äneas*").identifier()
        XCTAssertEqual(utf8.string(.specificCharacterSet), "ISO_IR 192")
        XCTAssertEqual(utf8[.patientName]?.bytes, Array("Äneas*".utf8) + [0x20], "UTF-8 bytes, padded to even length")
        let latin1 = try QueryKeys(level: .patient, patientName: "Äneas*").identifier(characterSet: "ISO_IR 100")
        XCTAssertEqual(latin1.string(.specificCharacterSet), "ISO_IR 100")
        XCTAssertEqual(latin1[.patientName]?.bytes, [0xC4] + Array("neas*".utf8), "one Latin-1 byte for Ä")
        XCTAssertThrowsError(try QueryKeys(level: .patient, patientName: "Иванов").identifier(characterSet: "ISO_IR 100")) {
            XCTAssertEqual(($0 as? NetworkError)?.code, .queryCharacterSet)
        }
        XCTAssertThrowsError(try QueryKeys(level: .patient, patientName: "X").identifier(characterSet: "ISO_IR 999")) {
            XCTAssertEqual(($0 as? NetworkError)?.code, .queryCharacterSet)
        }
    }

    func testWorklistIdentifierHasTheStepSequence() throws {
        let ds = try WorklistKeys(patientName: "Gómez*", scheduledStationAETitle: "SCANNER", scheduledDate: DateRange(day: "20240102"), modality: "CT")
            .identifier()
        XCTAssertEqual(ds.string(.specificCharacterSet), "ISO_IR 192")
        let step = try XCTUnwrap(ds[.scheduledProcedureStepSequence]?.items?.first)
        XCTAssertEqual(step.string(.scheduledStationAETitle), "SCANNER")
        XCTAssertEqual(step.string(.scheduledProcedureStepStartDate), "20240102")
        XCTAssertEqual(step.string(.modality), "CT")
        XCTAssertEqual(step[.scheduledProcedureStepID]?.bytes, [])
        XCTAssertEqual(ds[.accessionNumber]?.bytes, [])
    }

    func testDateRangeParsing() {
        XCTAssertEqual(DateRange(parsing: "20240101")?.matchValue, "20240101")
        XCTAssertEqual(DateRange(parsing: "20240101-")?.matchValue, "20240101-")
        XCTAssertEqual(DateRange(parsing: "-20240101")?.matchValue, "-20240101")
        for bad in ["", "-", "2024", "20240101-2024", "a0240101", "20240101-20240102-20240103"] { XCTAssertNil(DateRange(parsing: bad), bad) }
    }

    // MARK: Orthanc, Patient and Study Root

    func testFindAgainstOrthancStudyAndPatientRoot() async throws {
        let server = try QRFixture.orthanc(self)
        let paths = try QRFixture.charsetFiles.map(Corpus.path) + [try Corpus.path("pydicom-3.0.2/test_files/CT_small.dcm")]
        try await QRFixture.store(paths, into: server)
        let studies = Set(try paths.map { try Part10Reader.read(path: $0, options: .headerOnly).dataSet.string(.studyInstanceUID) })

        // Every study, each as a pending response (FF00/FF01), then success.
        let association = try await Association.connect(
            host: "127.0.0.1", port: server.dicomPort, callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC",
            contexts: FindSCU.contexts([.studyRoot, .patientRoot]), timeouts: timeouts)
        var responses: [FindResponse] = []
        for try await r in try await association.find(try QueryKeys(level: .study).identifier(), model: .studyRoot) { responses.append(r) }
        XCTAssertEqual(responses.count, 5)
        XCTAssertTrue(responses.dropLast().allSatisfy { $0.status.isPending && $0.identifier != nil })
        XCTAssertEqual(responses.last?.status, .success)
        XCTAssertNil(responses.last?.identifier)
        XCTAssertEqual(Set(responses.compactMap { $0.identifier?.string(.studyInstanceUID) }), studies)

        // Patient Root, PATIENT level, by Patient ID: one patient, the name decoded with the response's own character set.
        var patients: [DataSet] = []
        for try await r in try await association.find(try QueryKeys(level: .patient, patientID: "SCSFREN").identifier(), model: .patientRoot) {
            if let m = r.identifier { patients.append(m) }
            if r.isFinal { XCTAssertEqual(r.status, .success) }
        }
        XCTAssertEqual(patients.count, 1)
        XCTAssertEqual(patients.first?.personNames(.patientName)?.first?.alphabetic, "Buc^Jérôme")
        try await association.release()

        // A study's series by Study Instance UID and modality, in one call.
        let ct = try Part10Reader.read(path: paths[3], options: .headerOnly).dataSet
        let series = try await FindSCU.find(
            try QueryKeys(level: .series, modality: "CT", studyInstanceUID: ct.string(.studyInstanceUID)).identifier(), model: .studyRoot,
            host: "127.0.0.1", port: server.dicomPort, callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", timeouts: timeouts)
        XCTAssertEqual(series.status, .success)
        XCTAssertEqual(series.matches.map { $0.string(.seriesInstanceUID) }, [ct.string(.seriesInstanceUID)])
    }

    /// Names with ISO_IR 100 and ISO_IR 192 bytes both ways: the query encoded in either, the matches decoded with their own
    /// (0008,0005), which is Orthanc's DefaultEncoding (Latin1: ISO_IR 100, Utf8: ISO_IR 192; Latin-1 cannot hold the Chinese name).
    func testOrthancNamesRoundTripInLatin1AndUTF8() async throws {
        for (encoding, answered) in [("Latin1", "ISO_IR 100"), ("Utf8", "ISO_IR 192")] {
            let server = try QRFixture.orthanc(self, config: ["DefaultEncoding": encoding])
            try await QRFixture.store(try QRFixture.charsetFiles.map(Corpus.path), into: server)
            for charset in ["ISO_IR 100", "ISO_IR 192"] {
                let result = try await FindSCU.find(
                    try QueryKeys(level: .patient, patientName: "Äneas*").identifier(characterSet: charset), model: .patientRoot, host: "127.0.0.1",
                    port: server.dicomPort, callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", timeouts: timeouts)
                XCTAssertEqual(result.status, .success, charset)
                XCTAssertEqual(result.matches.compactMap { $0.string(.specificCharacterSet) }, [answered], encoding)
                XCTAssertEqual(result.matches.compactMap { $0.personNames(.patientName)?.first?.alphabetic }, ["Äneas^Rüdiger"], "\(encoding) \(charset)")
            }
            let chinese = try await FindSCU.find(
                try QueryKeys(level: .patient, patientID: "X1EXAMPLE").identifier(), model: .patientRoot, host: "127.0.0.1", port: server.dicomPort,
                callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC", timeouts: timeouts)
            let name = try XCTUnwrap(chinese.matches.first?.personNames(.patientName)?.first)
            XCTAssertEqual(name.alphabetic, "Wang^XiaoDong")
            if encoding == "Utf8" { XCTAssertEqual(name.ideographic, "王^小東") }
            server.stop()
        }
    }

    // MARK: Modality Worklist

    static let worklist = [
        QRFixture.WorklistEntry(characterSet: "ISO_IR 100", patientName: "Äneas^Rüdiger", patientID: "WL1", accession: "A1001"),
        QRFixture.WorklistEntry(characterSet: "ISO_IR 192", patientName: "Gómez^José", patientID: "WL2", accession: "A1002"),
        QRFixture.WorklistEntry(characterSet: nil, patientName: "Smith^John", patientID: "WL3", accession: "A1003", modality: "MR"),
        QRFixture.WorklistEntry(characterSet: nil, patientName: "Smith^Jane", patientID: "WL4", accession: "A1004"),
        QRFixture.WorklistEntry(characterSet: nil, patientName: "Smith^Joe", patientID: "WL5", accession: "A1005"),
    ]

    func startWlmscpfs(sleepDuring: Int = 0) throws -> Int {
        let db = try tempDir("wlm").path
        try FileManager.default.createDirectory(atPath: db + "/WLMSCP", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: db + "/WLMSCP/lockfile", contents: nil)
        try QRFixture.writeWorklist(Self.worklist, in: db + "/WLMSCP")
        let port = try Loopback.freePort()
        var args = ["-dfp", db, "-csk", "--single-process"]
        if sleepDuring > 0 { args += ["--sleep-during", String(sleepDuring)] }
        let p = try Loopback.startPeer("wlmscpfs", args + [String(port)], port: port)
        addTeardownBlock { Loopback.stop(p) }
        return port
    }

    func worklistFind(_ keys: WorklistKeys, charset: String? = nil, port: Int, called: String) async throws -> FindResult {
        try await FindSCU.find(
            try keys.identifier(characterSet: charset), model: .modalityWorklist, host: "127.0.0.1", port: port, callingAETitle: QRFixture.ourAE,
            calledAETitle: called, timeouts: timeouts)
    }

    /// The worklist checks shared by wlmscpfs and Orthanc's plugin: all entries, by modality, names in Latin-1 and UTF-8.
    /// `matchesBytes`: the server compares the query's bytes with the file's (wlmscpfs), so a UTF-8 query misses a Latin-1 entry.
    func checkWorklist(port: Int, called: String, matchesBytes: Bool) async throws {
        let all = try await worklistFind(WorklistKeys(), port: port, called: called)
        XCTAssertEqual(all.status, .success)
        XCTAssertEqual(Set(all.matches.compactMap { $0.string(.accessionNumber) }), Set(Self.worklist.map(\.accession)))
        let step = try XCTUnwrap(all.matches.first?[.scheduledProcedureStepSequence]?.items?.first)
        XCTAssertEqual(step.string(.scheduledStationAETitle), "SCANNER")
        let mr = try await worklistFind(WorklistKeys(modality: "MR"), port: port, called: called)
        XCTAssertEqual(mr.matches.map { $0.string(.patientID) }, ["WL3"])
        for (name, charset) in [("Äneas*", "ISO_IR 100"), ("Äneas*", "ISO_IR 192"), ("Gómez*", "ISO_IR 192")] {
            let r = try await worklistFind(WorklistKeys(patientName: name), charset: charset, port: port, called: called)
            let entry = try XCTUnwrap(Self.worklist.first { $0.patientName.hasPrefix(name.dropLast()) })
            let expected = matchesBytes && entry.characterSet != charset ? nil : entry.patientName
            XCTAssertEqual(r.matches.compactMap { $0.personNames(.patientName)?.first?.alphabetic }, [expected].compactMap { $0 }, "\(name) in \(charset)")
        }
    }

    func testWorklistAgainstWlmscpfs() async throws {
        let port = try startWlmscpfs()
        try await checkWorklist(port: port, called: "WLMSCP", matchesBytes: true)
    }

    /// C-CANCEL after the first match: wlmscpfs (sleeping between matches) ends with Cancel (FE00) before sending them all.
    func testCancelAgainstWlmscpfs() async throws {
        let port = try startWlmscpfs(sleepDuring: 1)
        let result = try await FindSCU.find(
            try WorklistKeys().identifier(), model: .modalityWorklist, host: "127.0.0.1", port: port, callingAETitle: QRFixture.ourAE,
            calledAETitle: "WLMSCP", limit: 1, timeouts: timeouts)
        XCTAssertEqual(result.status, .cancel)
        XCTAssertGreaterThanOrEqual(result.matches.count, 1)
        XCTAssertLessThan(result.matches.count, Self.worklist.count)
    }

    func testWorklistAgainstOrthancPlugin() async throws {
        let db = try tempDir("orthanc-wl").path
        try QRFixture.writeWorklist(Self.worklist, in: db)
        let server = try QRFixture.orthanc(
            self, plugins: [OrthancServer.worklistsPlugin], config: ["Worklists": ["Enable": true, "Database": db] as [String: any Sendable]])
        try await checkWorklist(port: server.dicomPort, called: "ORTHANC", matchesBytes: false)
    }

    /// A model the peer did not accept is `no-accepted-context`, before anything is sent.
    func testFindWithoutAcceptedContext() async throws {
        let server = try QRFixture.orthanc(self)
        let association = try await Association.connect(
            host: "127.0.0.1", port: server.dicomPort, callingAETitle: QRFixture.ourAE, calledAETitle: "ORTHANC",
            contexts: FindSCU.contexts([.studyRoot]), timeouts: timeouts)
        do {
            _ = try await association.find(try QueryKeys(level: .patient).identifier(), model: .patientRoot)
            XCTFail("a C-FIND on a model that was not proposed")
        } catch let e as NetworkError {
            XCTAssertEqual(e.code, .noAcceptedContext)
        }
        try await association.release()
    }
}
