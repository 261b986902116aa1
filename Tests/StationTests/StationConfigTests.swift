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
            (#""destination": "store"}"#, #""destination": "store", "commit": true}"#, .configValue, "watch[0].commit"),
            (#""destination": "orthanc"}"#, #""destination": "orthanc", "reconcileWorklist": "wl"}"#, .configValue, "watch[1].reconcileWorklist"),
            (#""port": 11112,"#, #""port": 11112, "commitPort": 11112,"#, .configValue, "dicom.commitPort"),
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

    /// A watch may reconcile by a DIMSE node's worklist and ask the destination for Storage Commitment.
    func testWatchReconcilesByWorklistAndCommits() throws {
        let text = Self.example.replacingOccurrences(
            of: #""destination": "orthanc"}"#, with: #""destination": "orthanc", "reconcileWorklist": "orthanc", "commit": true}"#
        ).replacingOccurrences(of: #""port": 11112,"#, with: #""port": 11112, "commitPort": 11113,"#)
        let c = try StationConfigReader.parse(Array(text.utf8), path: "station.json")
        XCTAssertEqual(c.watch[1].reconcileWorklist, "orthanc")
        XCTAssertTrue(c.watch[1].commit)
        XCTAssertFalse(c.watch[0].commit)
        XCTAssertEqual(c.dicom?.commitPort, 11113)
    }

    /// Import and publish requests: reconciliation, commitment, the source node, copies and label; each bad one refused.
    func testJobRequestsReadAndStoreTheirOptions() throws {
        var c = try StationConfigReader.parse(Array(Self.example.utf8), path: "station.json")
        c.roots = ["/"]
        let good = [
            #"{"kind": "import", "source": "/tmp", "destination": "orthanc", "reconcile": {"worklist": "orthanc"}, "commit": true}"#,
            #"{"kind": "import", "source": "/tmp", "reconcile": {"patientID": "L7", "patientName": "Doe^Jo", "issuer": "H"}}"#,
            #"{"kind": "publish", "studies": ["1.2.3"], "from": "orthanc", "target": {"kind": "iso", "path": "/tmp"}, "label": "Jo"}"#,
        ]
        for body in good {
            let r = try JobRequest.parse(Array(body.utf8), config: c)
            XCTAssertEqual(try JobRequest(stored: r.stored.serialized(), config: c), r, body)
        }
        guard case .importMedium(let i) = try JobRequest.parse(Array(good[1].utf8), config: c) else { return XCTFail() }
        XCTAssertEqual(i.reconcile, .patient(id: "L7", name: "Doe^Jo", issuer: "H"))
        let bad = [
            #"{"kind": "import", "source": "/tmp", "commit": true}"#,
            #"{"kind": "import", "source": "/tmp", "reconcile": {"worklist": "nowhere"}}"#,
            #"{"kind": "import", "source": "/tmp", "reconcile": {"patientName": "X"}}"#,
            #"{"kind": "import", "source": "/tmp", "reconcile": {"patientID": "A\B"}}"#,
            #"{"kind": "import", "source": "/tmp", "label": "x"}"#,
            #"{"kind": "publish", "studies": ["1.2.3"], "from": "pacs", "target": {"kind": "iso", "path": "/tmp"}}"#,
            #"{"kind": "publish", "studies": ["1.2.3"], "copies": 2, "target": {"kind": "iso", "path": "/tmp"}}"#,
            #"{"kind": "publish", "studies": ["1.2.3"], "commit": true, "target": {"kind": "iso", "path": "/tmp"}}"#,
        ]
        for body in bad {
            XCTAssertThrowsError(try JobRequest.parse(Array(body.utf8), config: c), body) { e in
                XCTAssertEqual((e as? StationError)?.code, .badRequest, body)
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
