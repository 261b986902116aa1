import DICOMNetwork
import XCTest

@testable import Station

/// ``StationConfigReader``: the documented configuration reads; every bad key or value names its path.
final class StationConfigTests: XCTestCase {
    static let example = #"""
        {"http": {"host": "127.0.0.1", "port": 8080},
         "dicom": {"aeTitle": "DMSTATION", "port": 11112, "allow": ["MODALITY1", "PACS"]},
         "store": "/srv/dicom-media/store", "state": "/srv/dicom-media/state",
         "roots": ["/srv/dicom-media", "/media"], "quietSeconds": 120, "locale": "en_GB",
         "watch": [{"kind": "folder", "path": "/srv/dicom-media/drop", "action": "import", "destination": "store"},
                   {"kind": "mounts", "path": "/media", "action": "import", "destination": "orthanc"}],
         "nodes": {"orthanc": {"aeTitle": "ORTHANC", "host": "127.0.0.1", "port": 4242, "dicomweb": "http://127.0.0.1:8042/dicom-web"}},
         "rules": [{"callingAE": "MODALITY1", "per": "study", "quietSeconds": 120,
                    "target": {"kind": "iso", "path": "/srv/dicom-media/out"}, "profile": "STD-GEN-CD", "copies": 1}]}
        """#

    func testTheDocumentedExampleReads() throws {
        let c = try StationConfigReader.parse(Array(Self.example.utf8), path: "station.json")
        XCTAssertEqual(c.http.host, "127.0.0.1")
        XCTAssertEqual(c.dicom?.aeTitle.value, "DMSTATION")
        XCTAssertEqual(c.dicom?.allow.map(\.value), ["MODALITY1", "PACS"])
        XCTAssertEqual(c.roots, ["/srv/dicom-media", "/media"])
        XCTAssertEqual(c.watch.map(\.destination), [.store, .node("orthanc")])
        XCTAssertEqual(c.watch.map(\.kind), [.folder, .mounts])
        XCTAssertEqual(c.rules.first?.target, .iso(path: "/srv/dicom-media/out"))
        XCTAssertEqual(c.rules.first?.per, .study)
        XCTAssertEqual(c.nodes["orthanc"]?.port, 4242)
    }

    /// Each edit of the example is refused with its code and the member's path.
    func testEveryBadKeyOrValueNamesItsPath() {
        let cases: [(String, String, StationError.Code, String)] = [
            (#""quietSeconds": 120"#, #""quietSeconds": 120, "colour": "red""#, .configUnknownKey, "colour"),
            (#""port": 8080"#, #""port": 8080, "user": "x""#, .configUnknownKey, "http.user"),
            (#""kind": "iso""#, #""kind": "cd""#, .configValue, "rules[0].target.kind"),
            (#""path": "/srv/dicom-media/out""#, #""path": "/tmp/out""#, .configValue, "rules[0].target.path"),
            (#""path": "/srv/dicom-media/out""#, #""path": "/srv/dicom-media/../../etc""#, .configValue, "rules[0].target.path"),
            (#""path": "/srv/dicom-media/drop""#, #""path": "drop""#, .configValue, "watch[0].path"),
            (#""destination": "orthanc""#, #""destination": "pacs""#, .configValue, "watch[1].destination"),
            (#""profile": "STD-GEN-CD""#, #""profile": "STD-GEN-FLOPPY""#, .configValue, "rules[0].profile"),
            (#""callingAE": "MODALITY1""#, #""callingAE": "OTHER""#, .configValue, "rules[0].callingAE"),
            (#""copies": 1"#, #""copies": 0"#, .configValue, "rules[0].copies"),
            (#""per": "study""#, #""per": "series""#, .configValue, "rules[0].per"),
            (#""host": "127.0.0.1", "port": 8080"#, #""host": "0.0.0.0", "port": 8080"#, .configValue, "http"),
            (#""locale": "en_GB""#, #""locale": "english""#, .configValue, "locale"),
            (#""aeTitle": "DMSTATION""#, #""aeTitle": "A\\B""#, .configValue, "dicom.aeTitle"),
            (#""store": "/srv/dicom-media/store", "#, "", .configValue, "store"),
            (#""port": 4242"#, #""port": 4242, "password": "x""#, .configValue, "nodes"),
        ]
        for (from, to, code, at) in cases {
            let text = Self.example.replacingOccurrences(of: from, with: to)
            XCTAssertNotEqual(text, Self.example, from)
            XCTAssertThrowsError(try StationConfigReader.parse(Array(text.utf8), path: "station.json"), to) { error in
                guard let e = error as? StationError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.code, code, "\(to): \(e)")
                XCTAssertEqual(e.context.path, "station.json")
                if at != "nodes" { XCTAssertEqual(e.context.component, at, "\(to): \(e)") }
                XCTAssertTrue(e.message.contains(at), "\(to): \(e.message)")
            }
        }
    }

    func testTargetsOfEachKind() throws {
        func target(_ json: String) throws -> StationConfig.Target? {
            let text = Self.example.replacingOccurrences(of: #"{"kind": "iso", "path": "/srv/dicom-media/out"}"#, with: json)
            return try StationConfigReader.parse(Array(text.utf8)).rules.first?.target
        }
        XCTAssertEqual(try target(#"{"kind": "drive", "device": "stdio:/srv/dicom-media/disc.iso"}"#), .drive(device: "stdio:/srv/dicom-media/disc.iso"))
        XCTAssertEqual(try target(#"{"kind": "drive", "device": "/dev/sr0"}"#), .drive(device: "/dev/sr0"))
        XCTAssertEqual(
            try target(#"{"kind": "robot", "hotFolder": "/srv/dicom-media/ptburn", "format": "ptburn"}"#),
            .robot(hotFolder: "/srv/dicom-media/ptburn", format: .ptburn))
        XCTAssertThrowsError(try target(#"{"kind": "drive", "device": "stdio:/etc/passwd"}"#))
        XCTAssertThrowsError(try target(#"{"kind": "drive", "path": "/srv/dicom-media/x"}"#))
        XCTAssertThrowsError(try target(#"{"kind": "robot", "hotFolder": "/srv/dicom-media/h"}"#))
        XCTAssertThrowsError(try target(#"{"kind": "iso", "path": "/srv/dicom-media/x", "device": "/dev/sr0"}"#))
    }

    func testPathsArePlainAndWithinRoots() {
        XCTAssertEqual(StationConfigReader.plainAbsolute("/a/b/"), "/a/b")
        XCTAssertEqual(StationConfigReader.plainAbsolute("/"), "/")
        XCTAssertNil(StationConfigReader.plainAbsolute("/a/../b"))
        XCTAssertNil(StationConfigReader.plainAbsolute("/a//b"))
        XCTAssertNil(StationConfigReader.plainAbsolute("/a/./b"))
        XCTAssertNil(StationConfigReader.plainAbsolute("a/b"))
        XCTAssertTrue(StationConfigReader.isWithin("/srv/x/y", "/srv/x"))
        XCTAssertFalse(StationConfigReader.isWithin("/srv/xy", "/srv/x"))
        XCTAssertTrue(StationConfigReader.isWithin("/srv", "/"))
    }
}
