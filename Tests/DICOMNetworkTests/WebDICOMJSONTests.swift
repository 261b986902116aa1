import DICOMCore
import DICOMNetwork
import XCTest

/// The DICOM JSON Model (PS3.18 §F.2) into DataSets, STOW-RS responses and QIDO-RS targets, without HTTP.
final class WebDICOMJSONTests: XCTestCase {
    func decode(_ text: String, bulk: DICOMJSONDecoder.BulkData = .refuse) throws -> DataSet {
        var d = DICOMJSONDecoder(bulkData: bulk)
        return try d.decodeDataSet(try JSONText.parse(Array(text.utf8)))
    }

    func code(_ body: () throws -> Any) -> NetworkError.Code? {
        do { _ = try body() } catch let e as NetworkError { return e.code } catch { XCTFail("\(error)") }
        return nil
    }

    func testValuesGetTheirVRsAndPart10Bytes() throws {
        let ds = try decode(
            """
            {"00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^John", "Ideographic": "ド^ジ"}, null, {"Phonetic": "do"}]},
             "00100020": {"vr": "LO", "Value": ["ID1"]},
             "00080061": {"vr": "CS", "Value": ["CT", null, "MR"]},
             "0020000D": {"vr": "UI", "Value": ["1.2.3"]},
             "00201208": {"vr": "IS", "Value": [12]},
             "00180050": {"vr": "DS", "Value": [1.50, "2"]},
             "00200032": {"vr": "DS", "Value": [-1e2]},
             "00280010": {"vr": "US", "Value": [512]},
             "00409216": {"vr": "SS", "Value": [-2]},
             "00280009": {"vr": "AT", "Value": ["00181063"]},
             "7FE00008": {"vr": "OF", "InlineBinary": "AACAPw=="},
             "00081030": {"vr": "LO"},
             "00081115": {"vr": "SQ", "Value": [{"0020000E": {"vr": "UI", "Value": ["1.2.3.4"]}}, {}]}}
            """)
        XCTAssertEqual(ds[.patientName]?.vr, .PN)
        XCTAssertEqual(ds[.patientName]?.bytes, Array("Doe^John=ド^ジ\\\\==do".utf8))
        XCTAssertEqual(ds.string(.specificCharacterSet), "ISO_IR 192")
        XCTAssertEqual(ds.personNames(.patientName)?.first?.ideographic, "ド^ジ")
        XCTAssertEqual(ds[.patientID]?.bytes, Array("ID1 ".utf8))
        XCTAssertEqual(ds[.modalitiesInStudy]?.bytes, Array("CT\\\\MR".utf8))
        XCTAssertEqual(ds[.studyInstanceUID]?.bytes, Array("1.2.3".utf8) + [0])
        XCTAssertEqual(ds.integer(.numberOfStudyRelatedInstances), 12)
        XCTAssertEqual(ds[.sliceThickness]?.bytes, Array("1.50\\2".utf8))
        XCTAssertEqual(ds.doubles(.imagePositionPatient), [-100])
        XCTAssertEqual(ds[.rows]?.bytes, [0x00, 0x02])
        XCTAssertEqual(ds[.realWorldValueFirstValueMapped]?.bytes, [0xFE, 0xFF])
        XCTAssertEqual(ds[.frameIncrementPointer]?.bytes, [0x18, 0x00, 0x63, 0x10])
        XCTAssertEqual(ds[.floatPixelData]?.bytes, [0, 0, 0x80, 0x3F])
        XCTAssertEqual(ds[.studyDescription]?.bytes, [])
        XCTAssertEqual(ds[.referencedSeriesSequence]?.items?.count, 2)
        XCTAssertEqual(ds[.referencedSeriesSequence]?.items?.first?.string(.seriesInstanceUID), "1.2.3.4")
        XCTAssertEqual(ds.elements.map(\.tag), ds.elements.map(\.tag).sorted())
        // ASCII only: the character set is left alone.
        XCTAssertNil(try decode(#"{"00100020": {"vr": "LO", "Value": ["A"]}}"#).string(.specificCharacterSet))
    }

    func testBulkDataURIIsRefusedOrSkipped() throws {
        let text = #"{"7FE00010": {"vr": "OW", "BulkDataURI": "http://h/bulk/1"}, "00100020": {"vr": "LO", "Value": ["A"]}}"#
        XCTAssertEqual(code { try self.decode(text) }, .bulkDataURI)
        var d = DICOMJSONDecoder(bulkData: .skip)
        let ds = try d.decodeDataSet(try JSONText.parse(Array(text.utf8)))
        XCTAssertNil(ds[.pixelData])
        XCTAssertEqual(d.skippedBulkData, [.pixelData])
        XCTAssertEqual(ds.string(.patientID), "A")
    }

    func testMalformedModelsAreErrors() throws {
        let bad = [
            #"{"0010002": {"vr": "LO"}}"#, #"{"0010002G": {"vr": "LO"}}"#, #"{"00100020": {"Value": ["A"]}}"#,
            #"{"00100020": {"vr": "XX"}}"#, #"{"00100020": {"vr": "LO", "Value": [1]}}"#, #"{"00280010": {"vr": "US", "Value": [70000]}}"#,
            #"{"00280010": {"vr": "US", "Value": [-1]}}"#, #"{"00280010": {"vr": "US", "Value": ["1"]}}"#,
            #"{"00201208": {"vr": "IS", "Value": [1.5]}}"#, #"{"00280009": {"vr": "AT", "Value": ["0018"]}}"#,
            #"{"00100010": {"vr": "PN", "Value": ["Doe"]}}"#, #"{"00100010": {"vr": "PN", "Value": [{"Given": "x"}]}}"#,
            #"{"7FE00008": {"vr": "OF", "Value": [1]}}"#, #"{"7FE00008": {"vr": "OF", "InlineBinary": "!!"}}"#,
            #"{"00100020": {"vr": "LO", "Value": ["A"], "InlineBinary": "AA=="}}"#, #"{"00100020": {"vr": "LO", "extra": 1}}"#,
            #"{"00081030": {"vr": "LT", "Value": ["a", "b"]}}"#, #"{"00081115": {"vr": "SQ", "Value": [1]}}"#, #"[]"#,
        ]
        for text in bad { XCTAssertEqual(code { try self.decode(text) }, .dicomJSON, text) }
        XCTAssertEqual(code { try JSONText.parse(Array(#"{"a": [1, 2}"#.utf8)) }, .jsonSyntax)
        XCTAssertEqual(code { try JSONText.parse(Array("[01]".utf8)) }, .jsonSyntax)
        XCTAssertEqual(code { try JSONText.parse(Array(String(repeating: "[", count: 100).utf8)) }, .jsonSyntax)
        XCTAssertEqual(
            try JSONText.parse(Array(#"["\u00e9\ud83d\ude00\n", -0.5e+3, true, null]"#.utf8)),
            .array([.string("é😀\n"), .number("-0.5e+3"), .bool(true), .null]))
    }

    /// Orthanc's answer to a STOW-RS of one stored and one failed instance (PS3.18 §10.5.3).
    func testSTOWResponse() throws {
        let body = """
            {"00081190": {"vr": "UR", "Value": ["http://h/dicom-web/studies/1.2"]},
             "00081198": {"vr": "SQ", "Value": [{"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]},
               "00081155": {"vr": "UI", "Value": ["1.2.9"]}, "00081197": {"vr": "US", "Value": [49152]}}]},
             "00081199": {"vr": "SQ", "Value": [{"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.7"]},
               "00081155": {"vr": "UI", "Value": ["1.2.3"]}, "00081190": {"vr": "UR", "Value": ["http://h/x"]}}]}}
            """
        let r = try STOWResult.parse(status: 202, body: Array(body.utf8))
        XCTAssertEqual(r.retrieveURL, "http://h/dicom-web/studies/1.2")
        XCTAssertEqual(r.referenced, [.init(sopClassUID: "1.2.840.10008.5.1.4.1.1.7", sopInstanceUID: "1.2.3", retrieveURL: "http://h/x", reason: nil)])
        XCTAssertEqual(r.failed, [.init(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", sopInstanceUID: "1.2.9", retrieveURL: nil, reason: 0xC000)])
        XCTAssertFalse(r.allStored)
        XCTAssertTrue(try STOWResult.parse(status: 200, body: Array("[{}]".utf8)).allStored)
        XCTAssertEqual(try STOWResult.parse(status: 409, body: []).referenced, [])
        XCTAssertEqual(code { try STOWResult.parse(status: 200, body: Array("<NativeDicomModel/>".utf8)) }, .jsonSyntax)
    }

    func testQIDOTargets() throws {
        XCTAssertEqual(
            try QIDOQuery(match: [("PatientID", "A B*")], includeFields: ["all"], limit: 5, offset: 10).target(),
            "/studies?PatientID=A%20B*&includefield=all&limit=5&offset=10")
        XCTAssertEqual(try QIDOQuery(level: .series(study: "1.2.3")).target(), "/studies/1.2.3/series")
        XCTAssertEqual(
            try QIDOQuery(level: .series(study: nil), match: [("Modality", "CT")], fuzzyMatching: true).target(), "/series?Modality=CT&fuzzymatching=true")
        XCTAssertEqual(try QIDOQuery(level: .instances(study: "1.2", series: "1.2.3")).target(), "/studies/1.2/series/1.2.3/instances")
        XCTAssertEqual(try QIDOQuery(level: .instances(study: nil, series: nil)).target(), "/instances")
        XCTAssertEqual(code { try QIDOQuery(level: .series(study: "../x")).target() }, .nodeAddress)
    }
}
