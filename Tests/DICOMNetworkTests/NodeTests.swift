import DICOMCore
import DICOMNetwork
import XCTest

/// Nodes: AE titles (PS3.5 §6.2), nodes.json in the issue's form, and the `--to`/`--from` address forms.
final class NodeTests: XCTestCase {
    static let issueExample = """
        {"orthanc": {"aeTitle": "ORTHANC", "host": "127.0.0.1", "port": 4242, "tls": false,
          "dicomweb": "http://127.0.0.1:8042/dicom-web", "usernameEnv": "PACS_USER", "passwordEnv":
          "PACS_PASSWORD", "tokenEnv": "PACS_TOKEN"}}
        """

    func error<T>(_ body: () throws -> T) -> NetworkError? {
        do { _ = try body() } catch let e as NetworkError { return e } catch { XCTFail("not a NetworkError: \(error)") }
        return nil
    }

    func testAETitles() throws {
        XCTAssertEqual(try AETitle("ORTHANC").value, "ORTHANC")
        XCTAssertEqual(try AETitle("  STORE SCP ").value, "STORE SCP")
        XCTAssertEqual(try AETitle("ABCDEFGHIJKLMNOP").value, "ABCDEFGHIJKLMNOP")
        for bad in ["", "   ", "ABCDEFGHIJKLMNOPQ", "A\\B", "A\nB", "A\u{1B}B", "ÄRZTE", "A\u{7F}"] {
            XCTAssertEqual(error { try AETitle(bad) }?.code, .aeTitle, bad)
        }
    }

    func testTheIssueExampleLoads() throws {
        let d = try NodeDirectory.parse(Array(Self.issueExample.utf8), path: "/x/nodes.json")
        XCTAssertEqual(d.nodes.count, 1)
        let n = try XCTUnwrap(d["orthanc"])
        XCTAssertEqual(n.aeTitle?.value, "ORTHANC")
        XCTAssertEqual(n.host, "127.0.0.1")
        XCTAssertEqual(n.port, 4242)
        XCTAssertFalse(n.tls)
        XCTAssertEqual(n.dicomweb, "http://127.0.0.1:8042/dicom-web")
        XCTAssertEqual(n.usernameEnv, "PACS_USER")
        XCTAssertEqual(n.passwordEnv, "PACS_PASSWORD")
        XCTAssertEqual(n.tokenEnv, "PACS_TOKEN")
        XCTAssertTrue(n.hasDIMSE)
        // Credentials come from the environment only: token first when set, else basic.
        XCTAssertEqual(try n.authorization(environment: ["PACS_TOKEN": "t0k", "PACS_USER": "u"]), .bearer(token: "t0k"))
        XCTAssertEqual(try n.authorization(environment: ["PACS_USER": "u", "PACS_PASSWORD": "p"]), .basic(user: "u", password: "p"))
        let missing = error { try n.authorization(environment: ["PACS_USER": "u"]) }
        XCTAssertEqual(missing?.code, .credentialMissing)
        XCTAssertEqual(missing?.context.column, "PACS_PASSWORD")
        XCTAssertEqual(try Node(dicomweb: "http://h/dicom-web").authorization(environment: [:]), nil)
        XCTAssertEqual(HTTPAuthorization.basic(user: "Aladdin", password: "open sesame").headerValue, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    }

    func testEveryBadKeyOrValueNamesFileNodeAndKey() throws {
        let cases: [(String, NetworkError.Code, String?, Int)] = [
            (#"{"pacs": {"aeTitle": "A", "host": "h", "port": 104, "password": "x"}}"#, .nodeUnknownKey, "password", 1),
            ("{\"pacs\": {\"aeTitle\": \"A\",\n \"host\": \"h\", \"port\": 0}}", .nodeBadValue, "port", 2),
            (#"{"pacs": {"aeTitle": "A", "host": "h", "port": "104"}}"#, .nodeBadValue, "port", 1),
            (#"{"pacs": {"aeTitle": "A", "host": "h", "port": 70000}}"#, .nodeBadValue, "port", 1),
            (#"{"pacs": {"aeTitle": "A", "host": "h", "port": 104.5}}"#, .nodeBadValue, "port", 1),
            (#"{"pacs": {"aeTitle": "A", "host": "h", "port": 104, "tls": "yes"}}"#, .nodeBadValue, "tls", 1),
            (#"{"pacs": {"aeTitle": "TOO LONG AE TITLE X", "host": "h", "port": 104}}"#, .aeTitle, "aeTitle", 1),
            (#"{"pacs": {"aeTitle": "A\\B", "host": "h", "port": 104}}"#, .aeTitle, "aeTitle", 1),
            (#"{"pacs": {"aeTitle": "A", "host": "bad host", "port": 104}}"#, .nodeBadValue, "host", 1),
            (#"{"pacs": {"aeTitle": "A", "host": "h"}}"#, .nodeBadValue, "port", 1),
            (#"{"pacs": {"dicomweb": "ftp://h/dicom-web"}}"#, .nodeBadValue, "dicomweb", 1),
            (#"{"pacs": {"dicomweb": "http://h/dicom-web?x=1"}}"#, .nodeBadValue, "dicomweb", 1),
            (#"{"pacs": {"dicomweb": "http://h/dw", "usernameEnv": "PACS USER"}}"#, .nodeBadValue, "usernameEnv", 1),
            (#"{"pacs": {"dicomweb": "http://h/dw", "passwordEnv": "P"}}"#, .nodeBadValue, "usernameEnv", 1),
            (#"{"pacs": {"dicomweb": "http://h/dw", "tokenEnv": ""}}"#, .nodeBadValue, "tokenEnv", 1),
            (#"{"pacs": {"tls": true}}"#, .nodeBadValue, nil, 1),
            (#"{"pacs": []}"#, .nodeBadValue, nil, 1),
        ]
        for (text, code, key, line) in cases {
            let e = error { try NodeDirectory.parse(Array(text.utf8), path: "/etc/nodes.json") }
            XCTAssertEqual(e?.code, code, text)
            XCTAssertEqual(e?.context.path, "/etc/nodes.json", text)
            XCTAssertEqual(e?.context.component, "pacs", text)
            XCTAssertEqual(e?.context.column, key, text)
            XCTAssertEqual(e?.context.line, line, text)
        }
        for text in ["[]", "{\"a\": 1,}", "{\"a\": {}} x", "", "{\"a\":{\"host\":\"h\",\"host\":\"h\"}}"] {
            let e = error { try NodeDirectory.parse(Array(text.utf8), path: "/etc/nodes.json") }
            XCTAssertEqual(e?.code, .nodesFile, text)
            XCTAssertEqual(e?.context.path, "/etc/nodes.json", text)
        }
        XCTAssertEqual(error { try NodeDirectory.parse(Array(#"{"a b": {"dicomweb": "http://h/x"}}"#.utf8)) }?.code, .nodeBadValue)
    }

    func testDefaultPathAndLoading() throws {
        XCTAssertEqual(NodeDirectory.defaultPath(environment: ["XDG_CONFIG_HOME": "/cfg", "HOME": "/home/u"]), "/cfg/dicom-media/nodes.json")
        XCTAssertEqual(NodeDirectory.defaultPath(environment: ["XDG_CONFIG_HOME": "rel", "HOME": "/home/u"]), "/home/u/.config/dicom-media/nodes.json")
        XCTAssertNil(NodeDirectory.defaultPath(environment: [:]))
        let dir = try tempDirectory()
        XCTAssertEqual(try NodeDirectory.load(environment: ["XDG_CONFIG_HOME": dir]).nodes, [])
        try FileManager.default.createDirectory(atPath: dir + "/dicom-media", withIntermediateDirectories: true)
        try Self.issueExample.write(toFile: dir + "/dicom-media/nodes.json", atomically: true, encoding: .utf8)
        let d = try NodeDirectory.load(environment: ["XDG_CONFIG_HOME": dir])
        XCTAssertEqual(d.path, dir + "/dicom-media/nodes.json")
        XCTAssertEqual(d["orthanc"]?.port, 4242)
        let e = error { try NodeDirectory.load(file: dir + "/none.json") }
        XCTAssertEqual(e?.code, .nodesFile)
        XCTAssertEqual(e?.context.path, dir + "/none.json")
    }

    func tempDirectory() throws -> String {
        let d = NSTemporaryDirectory() + "dicom-media-nodes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }

    func testAddresses() throws {
        let a = try NodeAddress.parse("ORTHANC@127.0.0.1:4242")
        XCTAssertEqual(a.aeTitle?.value, "ORTHANC"); XCTAssertEqual(a.host, "127.0.0.1"); XCTAssertEqual(a.port, 4242)
        let v6 = try NodeAddress.parse("PACS@[::1]:104")
        XCTAssertEqual(v6.host, "::1"); XCTAssertEqual(v6.port, 104)
        XCTAssertEqual(try NodeAddress.parse("A@B@pacs.example.org:11112").aeTitle?.value, "A@B")
        XCTAssertEqual(try NodeAddress.parse("https://pacs.example.org/dicom-web/").dicomweb, "https://pacs.example.org/dicom-web")
        XCTAssertEqual(try NodeAddress.parse("http://[::1]:8042/dicom-web").dicomweb, "http://[::1]:8042/dicom-web")
        let d = try NodeDirectory.parse(Array(Self.issueExample.utf8), path: "/n.json")
        XCTAssertEqual(try NodeAddress.parse("orthanc", directory: d).name, "orthanc")
        let unknown = error { try NodeAddress.parse("other", directory: d) }
        XCTAssertEqual(unknown?.code, .unknownNode)
        XCTAssertEqual(unknown?.context.path, "/n.json")
        for bad in [
            "PACS@::1:104", "PACS@host", "PACS@host:", "PACS@host:0", "PACS@host:65536", "PACS@host:+1", "PACS@[::1]104", "PACS@:104", "http://", "a/b",
        ] {
            XCTAssertEqual(error { try NodeAddress.parse(bad) }?.code, .nodeAddress, bad)
        }
        XCTAssertEqual(error { try NodeAddress.parse("@host:104") }?.code, .aeTitle)
        XCTAssertEqual(error { try NodeAddress.parse("SEVENTEEN_CHARS_X@host:104") }?.code, .aeTitle)
    }
}
