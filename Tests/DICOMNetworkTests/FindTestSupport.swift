import AsyncHTTPClient
import DICOMCore
import DICOMIO
import DICOMNetwork
import Foundation
import NIOCore
import TestSupport
import XCTest

/// Query/retrieve fixtures: Orthanc knowing our AE, corpus files stored into it, worklist files made with dump2dcm.
enum QRFixture {
    static let timeouts = AssociationTimeouts(connect: .seconds(5), artim: .seconds(5), idle: .seconds(30))
    /// Our AE title, registered in Orthanc's DicomModalities.
    static let ourAE = "OURSCU"
    static let charsetFiles = ["SCSFREN", "SCSGERM", "SCSX1"].map { "clunie-charset-fileset/" + $0 }
    static let tinyAlpha = "pydicom-3.0.2/dicomdirtests/TINY_ALPHA"

    /// Orthanc with our AE at 127.0.0.1:`ourPort` allowed every service (C-FIND, C-MOVE, C-GET, storage commitment); stopped at teardown.
    static func orthanc(_ test: XCTestCase, ourPort: Int = 104, plugins: [String] = [], config: [String: any Sendable] = [:]) throws -> OrthancServer {
        var all = config
        all["DicomModalities"] = ["us": ["AET": ourAE, "Host": "127.0.0.1", "Port": ourPort, "AllowStorageCommitment": true] as [String: any Sendable]]
        let server = try OrthancServer.start(plugins: plugins, config: all)
        test.addTeardownBlock { server.stop() }
        return server
    }

    /// Sends corpus files to Orthanc with our StorageSCU; all must be stored.
    @discardableResult
    static func store(_ paths: [String], into server: OrthancServer) async throws -> [StoreResult] {
        let results = try await StorageSCU.send(
            files: paths, host: "127.0.0.1", port: server.dicomPort, callingAETitle: ourAE, calledAETitle: "ORTHANC", timeouts: timeouts)
        for r in results where !r.isStored {
            throw TestFailure("Orthanc did not store \(r.path): \(String(describing: r.status)) \(String(describing: r.error))")
        }
        return results
    }

    /// The files of a corpus folder, recursively, without DICOMDIR and README.
    static func files(under relative: String) throws -> [String] {
        let root = try Corpus.path(relative)
        let e = FileManager.default.enumerator(atPath: root)
        var out: [String] = []
        while let p = e?.nextObject() as? String {
            let full = root + "/" + p
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue, !p.hasSuffix("DICOMDIR"), !p.hasSuffix("README") {
                out.append(full)
            }
        }
        return out.sorted()
    }

    /// Orthanc's own copy of the instance `uid` (REST /tools/lookup, then /instances/ID/file).
    static func orthancFile(_ server: OrthancServer, uid: String) async throws -> [UInt8] {
        let (status, body) = try await rest(server.url + "/tools/lookup", post: uid)
        guard status == 200, case .array(let hits) = try JSONText.parse(body), case .object(let fields)? = hits.first,
            case .string(let id)? = fields.first(where: { $0.key == "ID" })?.value
        else { throw TestFailure("Orthanc does not know \(uid)") }
        let (s, file) = try await rest(server.url + "/instances/\(id)/file")
        guard s == 200 else { throw TestFailure("Orthanc answered \(s) for instance \(id)") }
        return file
    }

    static func rest(_ url: String, post body: String? = nil) async throws -> (Int, [UInt8]) {
        var r = HTTPClientRequest(url: url)
        if let body { r.method = .POST; r.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(r, timeout: .seconds(30))
        var out: [UInt8] = []
        for try await chunk in response.body { out += chunk.readableBytesView }
        return (Int(response.status.code), out)
    }

    /// The data set bytes of a Part 10 file held in memory.
    static func dataSetBytes(_ bytes: [UInt8]) throws -> [UInt8] {
        Array(bytes[try Part10Reader.read(bytes: bytes, options: .headerOnly).dataSetOffset...])
    }

    /// A worklist entry as a dcmdump text for dump2dcm, its text in `encoding` (the bytes a file in that character set holds).
    struct WorklistEntry {
        var characterSet: String?
        var patientName: String
        var patientID: String
        var accession: String
        var modality = "CT"
        var stationAE = "SCANNER"

        func dump() -> String {
            var lines = characterSet.map { ["(0008,0005) CS [\($0)]"] } ?? []
            lines += [
                "(0008,0050) SH [\(accession)]", "(0008,0090) PN [Ref^Doc]", "(0010,0010) PN [\(patientName)]", "(0010,0020) LO [\(patientID)]",
                "(0010,0030) DA [19700101]", "(0010,0040) CS [O]", "(0020,000d) UI [1.2.826.0.1.3680043.10.1234.\(accession.filter(\.isNumber))]",
                "(0032,1060) LO [Procedure]", "(0040,0100) SQ (Sequence with undefined length #=1)", "(fffe,e000) na (Item with undefined length #=7)",
                "(0008,0060) CS [\(modality)]", "(0040,0001) AE [\(stationAE)]", "(0040,0002) DA [20240102]", "(0040,0003) TM [090000]",
                "(0040,0006) PN [Perf^Doc]", "(0040,0007) LO [Step]", "(0040,0009) SH [SPS\(accession)]", "(fffe,e00d) na (ItemDelimitationItem)",
                "(fffe,e0dd) na (SequenceDelimitationItem)", "(0040,1001) SH [RP\(accession)]",
            ]
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// Writes each entry as `<accession>.wl` in `folder` with dump2dcm, its text bytes in the entry's character set.
    static func writeWorklist(_ entries: [WorklistEntry], in folder: String) throws {
        for e in entries {
            let dump = folder + "/\(e.accession).dump"
            let encoding: String.Encoding = e.characterSet == "ISO_IR 100" ? .isoLatin1 : .utf8
            guard let data = e.dump().data(using: encoding) else { throw TestFailure("cannot encode \(e.patientName)") }
            try data.write(to: URL(fileURLWithPath: dump))
            let r = try runProcess("dump2dcm", [dump, folder + "/\(e.accession).wl"])
            guard r.status == 0 else { throw TestFailure("dump2dcm failed: \(r.output)") }
            try FileManager.default.removeItem(atPath: dump)
        }
    }
}
