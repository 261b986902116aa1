import DICOMCodecs
import DICOMCore
import DICOMNetwork
import DICOMPixel
import FileSystem
import Foundation

/// One instance to send: its identity, a name for reports, and its Part 10 bytes (read when it is sent).
struct OutgoingInstance: Sendable {
    var path: String
    var sopInstanceUID: String
    var sopClassUID: String
    var transferSyntaxUID: String
    var studyInstanceUID: String
    /// A Part 10 file holding it (the store's copy), when there is one: STOW-RS posts it as it is.
    var file: String?
    /// Its Part 10 bytes.
    var bytes: @Sendable () throws -> [UInt8]
    /// The length of `bytes` when known before they are read (STOW-RS streams them without a temporary file).
    var size: Int? = nil
    /// Bytes of it kept in memory until it is sent (`MediaSender`'s budget).
    var held = 0
}

// DIMSE: one association per study, proposing each SOP class in the files' own transfer syntaxes and in
// Explicit/Implicit VR Little Endian; each instance's C-STORE-RSP is its outcome. DICOMweb: one STOW-RS request
// per study; an instance counts as stored only when the response references it and does not list it as failed.
/// Sends instances study by study to a peer, by C-STORE (PS3.4 Annex B) or STOW-RS (PS3.18 §10.5).
enum NetworkSender {
    /// Sends every instance, grouped by study in the order given; `progress(done, total)` after each study.
    static func send(_ instances: [OutgoingInstance], to peer: NetworkPeer, progress: (@Sendable (Int, Int) -> Void)?) throws -> SendReport {
        var order: [String] = []
        var byStudy: [String: [OutgoingInstance]] = [:]
        for i in instances {
            if byStudy[i.studyInstanceUID] == nil { order.append(i.studyInstanceUID) }
            byStudy[i.studyInstanceUID, default: []].append(i)
        }
        let studies = order.map { byStudy[$0]! }
        return try Blocking.run {
            try await NetworkSender.send(
                studies: AsyncStream { c in
                    for s in studies { c.yield(s) }
                    c.finish()
                }, total: instances.count, to: peer, progress: progress)
        }
    }

    /// Sends each study as it comes (one association or one STOW-RS request each); `sent(study)` after each.
    static func send(
        studies: AsyncStream<[OutgoingInstance]>, total: Int, to peer: NetworkPeer, progress: (@Sendable (Int, Int) -> Void)?,
        sent: (@Sendable ([OutgoingInstance]) -> Void)? = nil
    ) async throws -> SendReport {
        var report = SendReport(peer: peer.label, service: peer.usesDIMSE ? "C-STORE" : "STOW-RS")
        for await study in studies where !study.isEmpty {
            do {
                report.instances += peer.usesDIMSE ? try await storeStudy(study, peer: peer) : try await stowStudy(study, peer: peer)
            } catch {
                let line = "\(peer.naming(error))"
                report.studyErrors.append((study[0].studyInstanceUID, line))
                report.instances += study.map { notSent($0, "study not sent: \(line)") }
            }
            sent?(study)
            progress?(report.instances.count, total)
        }
        return report
    }

    static func notSent(_ i: OutgoingInstance, _ why: String) -> SendReport.Instance {
        SendReport.Instance(path: i.path, sopInstanceUID: i.sopInstanceUID, studyInstanceUID: i.studyInstanceUID, error: why)
    }

    /// Decodes a compressed instance the peer refused in its own syntax, for StorageSCU to send it in Little Endian (lossless: the
    /// pixels the file holds, marked lossy when its syntax was, PS3.3 C.7.6.1.1.5).
    static let pixelDecoder: StorageSCU.PixelDecoder = { file in
        try PixelTranscoder().transcode(
            dataSet: file.dataSet.removingFileMeta(), fileMeta: file.fileMeta, from: file.transferSyntax, to: .explicitVRLittleEndian
        ).dataSet
    }

    /// One association for the study; an association that cannot be made throws. After an abort the rest are not sent.
    static func storeStudy(_ study: [OutgoingInstance], peer: NetworkPeer) async throws -> [SendReport.Instance] {
        guard let ae = peer.node.aeTitle, let host = peer.node.host, let port = peer.node.port else { return [] }
        let association = try await Association.connect(
            host: host, port: port, callingAETitle: peer.callingAETitle, calledAETitle: ae.value,
            contexts: StorageSCU.proposals(for: study.map { ($0.sopClassUID, $0.transferSyntaxUID) }), tls: peer.tlsOptions)
        var out: [SendReport.Instance] = []
        for (k, i) in study.enumerated() {
            var r = SendReport.Instance(path: i.path, sopInstanceUID: i.sopInstanceUID, studyInstanceUID: i.studyInstanceUID)
            r.sopClassUID = i.sopClassUID
            let bytes: [UInt8]
            do { bytes = try i.bytes() } catch {
                r.error = "cannot read: \(error)"; out.append(r); continue
            }
            do {
                let sent = try await StorageSCU.store(bytes: bytes, path: i.path, on: association, decoder: pixelDecoder)
                r.status = sent.status; r.transferSyntax = sent.transferSyntax; r.reencoded = sent.reencoded
                r.error = sent.error.map(\.message)
                out.append(r)
            } catch {
                // The association ended (abort, closed connection): this one and the rest are unconfirmed.
                let line = (error as? NetworkError)?.message ?? "\(error)"
                r.error = "association ended: \(line)"
                out.append(r)
                out += study[(k + 1)...].map { notSent($0, "association ended before it was sent: \(line)") }
                await association.abort()
                return out
            }
        }
        try? await association.release()
        return out
    }

    /// One STOW-RS request for the study; instances without a Part 10 file on disk are made as the request reaches them
    /// (or, with no length known, read first).
    static func stowStudy(_ study: [OutgoingInstance], peer: NetworkPeer) async throws -> [SendReport.Instance] {
        var parts: [STOWBody.Part] = []
        var out: [SendReport.Instance] = []
        var sendable: [OutgoingInstance] = []
        for i in study {
            if let f = i.file {
                parts.append(.file(f))
            } else if let size = i.size {
                parts.append(.produced(name: i.path, length: size, make: i.bytes))
            } else {
                do {
                    let b = try i.bytes()
                    parts.append(.produced(name: i.path, length: b.count, make: { b }))
                } catch {
                    out.append(notSent(i, "cannot read: \(error)"))
                    continue
                }
            }
            sendable.append(i)
        }
        guard !parts.isEmpty else { return out }
        let client = try peer.webClient()
        let result: STOWResult
        do {
            result = try await client.store(parts: parts, study: study[0].studyInstanceUID)
            try? await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        let failed = Dictionary(result.failed.compactMap { f in f.sopInstanceUID.map { ($0, f) } }, uniquingKeysWith: { a, _ in a })
        let referenced = Dictionary(result.referenced.compactMap { r in r.sopInstanceUID.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
        for i in sendable {
            var r = SendReport.Instance(path: i.path, sopInstanceUID: i.sopInstanceUID, studyInstanceUID: i.studyInstanceUID)
            r.transferSyntax = i.transferSyntaxUID
            if let f = failed[i.sopInstanceUID] {
                r.status = DIMSEStatus(f.reason ?? 0xC000)
                r.error = "the server listed it in the Failed SOP Sequence (reason \(r.status!))"
            } else if let ref = referenced[i.sopInstanceUID] {
                r.status = ref.reason.map { DIMSEStatus($0) } ?? .success
            } else {
                r.error = "the STOW-RS response (HTTP \(result.httpStatus)) does not reference it"
            }
            out.append(r)
        }
        return out
    }
}
