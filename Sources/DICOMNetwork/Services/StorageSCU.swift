import DICOMCore
import DICOMIO
import Foundation

/// The outcome of sending one instance by C-STORE: the peer's status, or why it was not sent (PS3.4 §B.2.3).
public struct StoreResult: Sendable {
    public var path: String
    /// From the data set's (0008,0018), never from the File Meta.
    public var sopInstanceUID: String?
    /// The C-STORE-RSP status; nil when the instance was not sent.
    public var status: DIMSEStatus?
    /// The transfer syntax the data set went out in.
    public var transferSyntax: String?
    /// The data set was re-encoded (Explicit <-> Implicit VR Little Endian) because its own syntax was not accepted.
    public var reencoded: Bool
    /// Why the instance was not sent or not confirmed.
    public var error: NetworkError?

    /// Sent and answered with success or a warning (PS3.4 §B.2.3).
    public var isStored: Bool { status.map { $0.kind == .success || $0.kind == .warning } ?? false }
}

// Per SOP class it proposes one context per transfer syntax the files are in (that syntax alone), plus
// one with Explicit and Implicit VR Little Endian, so the acceptor can take the file's own syntax and
// the bytes go out unchanged. A compressed data set whose syntax is refused is decoded by the caller's
// `PixelDecoder` (this module has no codecs; MediaKit passes DICOMPixel's) and sent in Little Endian.
/// The Storage SOP Classes as SCU: sends files by C-STORE, their data set bytes verbatim when the syntax is accepted (PS3.4 Annex B).
public enum StorageSCU {
    /// Decodes a compressed instance's Pixel Data: the data set (no File Meta) with native Pixel Data, for sending in
    /// Explicit/Implicit VR Little Endian when the peer refused the file's own syntax (PS3.5 §8.2, §10).
    public typealias PixelDecoder = @Sendable (DICOMFile) throws -> DataSet

    /// The syntaxes a native data set can be losslessly re-encoded between here.
    static let reencodable: Set<String> = [
        TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid, TransferSyntax.deflatedExplicitVRLittleEndian.uid,
    ]
    static let uncompressed = [TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid]

    /// A file's header as read for negotiation: SOP class, SOP instance, transfer syntax.
    struct Header {
        var sopClassUID: String
        var sopInstanceUID: String
        var transferSyntax: String
    }

    static func header(_ file: DICOMFile, path: String) throws -> Header {
        guard let sopClass = file.dataSet.string(.sopClassUID), !sopClass.isEmpty,
            let sopInstance = file.dataSet.string(.sopInstanceUID), !sopInstance.isEmpty
        else {
            throw NetworkError(.instanceUnreadable, "no SOP Class UID or SOP Instance UID in the data set \(Tag.sopInstanceUID)", path: path)
        }
        return Header(sopClassUID: sopClass, sopInstanceUID: sopInstance, transferSyntax: file.transferSyntax.uid)
    }

    /// The presentation contexts that let these files go out unchanged, or re-encoded when uncompressed (PS3.8 §9.3.2.2).
    public static func proposals(forFiles paths: [String]) -> [PresentationContextProposal] {
        proposals(
            for: paths.compactMap { path in
                guard let file = try? Part10Reader.read(path: path, options: .headerOnly), let h = try? header(file, path: path) else { return nil }
                return (h.sopClassUID, h.transferSyntax)
            })
    }

    /// The presentation contexts for instances of these SOP classes in these transfer syntaxes: each in its own syntax, and in
    /// Explicit/Implicit VR Little Endian (PS3.8 §9.3.2.2); at most 128.
    public static func proposals(for instances: [(sopClassUID: String, transferSyntax: String)]) -> [PresentationContextProposal] {
        var out: [PresentationContextProposal] = []
        for h in instances {
            let own = PresentationContextProposal(abstractSyntax: h.sopClassUID, transferSyntaxes: [h.transferSyntax])
            let fallback = PresentationContextProposal(abstractSyntax: h.sopClassUID, transferSyntaxes: uncompressed)
            for p in [own, fallback] where !out.contains(p) { out.append(p) }
        }
        return Array(out.prefix(128))
    }

    /// Opens one association for all the files, sends each (a refused compressed one decoded by `decoder`), releases; one result
    /// per file, in order.
    public static func send(
        files paths: [String], host: String, port: Int, callingAETitle: String, calledAETitle: String, maximumLengthReceived: UInt32 = 65536,
        timeouts: AssociationTimeouts = AssociationTimeouts(), decoder: PixelDecoder? = nil
    ) async throws -> [StoreResult] {
        let contexts = proposals(forFiles: paths)
        guard !contexts.isEmpty else {
            return paths.map { StoreResult(path: $0, reencoded: false, error: NetworkError(.instanceUnreadable, "not a readable DICOM instance", path: $0)) }
        }
        let association = try await Association.connect(
            host: host, port: port, callingAETitle: callingAETitle, calledAETitle: calledAETitle, contexts: contexts,
            maximumLengthReceived: maximumLengthReceived, timeouts: timeouts)
        var results: [StoreResult] = []
        do {
            for path in paths { results.append(try await store(path, on: association, decoder: decoder)) }
        } catch {
            await association.abort()
            throw error
        }
        try await association.release()
        return results
    }

    /// Sends one file on an open association: its data set bytes after the File Meta, verbatim when its syntax was accepted,
    /// else re-encoded losslessly into an accepted Explicit/Implicit VR Little Endian context (a compressed one decoded by
    /// `decoder` first); a per-instance failure otherwise. Errors of the association itself (abort, closed connection) throw.
    public static func store(_ path: String, on association: Association, decoder: PixelDecoder? = nil) async throws -> StoreResult {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            return StoreResult(
                path: path, reencoded: false, error: NetworkError(.instanceUnreadable, "cannot read the file: \(error)", path: path, cause: error))
        }
        return try await store(bytes: bytes, path: path, on: association, decoder: decoder)
    }

    /// Sends a Part 10 file given by its bytes (`path` names it in the result and errors), as ``store(_:on:)`` does.
    public static func store(bytes: [UInt8], path: String, on association: Association, decoder: PixelDecoder? = nil) async throws -> StoreResult {
        var result = StoreResult(path: path, reencoded: false)
        let file: DICOMFile
        let h: Header
        do {
            file = try Part10Reader.read(bytes: bytes, path: path)
            h = try header(file, path: path)
        } catch {
            result.error = error as? NetworkError ?? NetworkError(.instanceUnreadable, "not a readable DICOM instance: \(error)", path: path, cause: error)
            return result
        }
        result.sopInstanceUID = h.sopInstanceUID
        var dataSet: [UInt8]
        let context: AcceptedPresentationContext
        if let own = association.context(for: h.sopClassUID, preferring: [h.transferSyntax]), own.transferSyntax == h.transferSyntax {
            context = own
            dataSet = Array(bytes[file.dataSetOffset...])
        } else if reencodable.contains(h.transferSyntax) || decoder != nil,
            let other = association.context(for: h.sopClassUID, preferring: uncompressed), uncompressed.contains(other.transferSyntax)
        {
            context = other
            var native = file.dataSet.removingFileMeta()
            if !reencodable.contains(h.transferSyntax), let decoder {
                do { native = try decoder(file) } catch {
                    result.error = NetworkError(
                        .instanceUnreadable, "the peer refused \(syntaxName(h.transferSyntax)) and its Pixel Data cannot be decoded: \(error)",
                        path: path, tag: .pixelData, cause: error)
                    return result
                }
            }
            var encoder = DataSetEncoder(explicitVR: TransferSyntax(uid: other.transferSyntax).isExplicitVR, undefinedLengths: false)
            encoder.encode(native)
            dataSet = encoder.out
            result.reencoded = true
        } else {
            result.error = NetworkError(
                .noAcceptedContext,
                "the peer accepted no context for \(DataDictionary.uidName(h.sopClassUID) ?? h.sopClassUID) in \(syntaxName(h.transferSyntax))"
                    + (reencodable.contains(h.transferSyntax) || decoder != nil
                        ? " nor in Explicit/Implicit VR Little Endian" : " (no Pixel Data decoder was given to send it in Little Endian)"),
                path: path)
            return result
        }
        if dataSet.count % 2 == 1 {
            // A deflated bitstream of odd length is padded with one 00H (PS3.5 §A.5); any other odd data set is malformed.
            guard context.transferSyntax == TransferSyntax.deflatedExplicitVRLittleEndian.uid else {
                result.error = NetworkError(
                    .instanceUnreadable, "the data set has an odd length (\(dataSet.count) bytes); PDV fragments must be even (PS3.5 §7.1)", path: path)
                return result
            }
            dataSet.append(0)
        }
        result.transferSyntax = context.transferSyntax
        let rq = CStoreRQ(messageID: await association.nextMessageID(), affectedSOPClassUID: h.sopClassUID, affectedSOPInstanceUID: h.sopInstanceUID)
        let responses = try await association.request(.cStoreRQ(rq), dataSet: dataSet, contextID: context.id)
        guard let last = responses.last, case .cStoreRSP(let rsp) = last.message else {
            result.error = NetworkError(.unexpectedResponse, "no C-STORE-RSP to the C-STORE-RQ", path: path)
            return result
        }
        result.status = rsp.status
        return result
    }

    static func syntaxName(_ uid: String) -> String { DataDictionary.uidName(uid) ?? uid }
}
