import DICOMCore
import DICOMIO
import FileSystem
import Foundation

extension DIMSEStatus {
    /// C-STORE failure A900: the data set does not match the SOP class, or its SOP Instance UID is not the command's (PS3.4 §B.2.3).
    public static let dataSetDoesNotMatchSOPClass = Self(0xA900)
}

// Each data set is written as received (no re-encoding) after a File Meta naming the command's SOP Class and
// Instance, the accepted transfer syntax, our implementation and the calling AE (PS3.10 §7.1), through a
// temporary file renamed into place, so a half-received or half-written instance never has its final name.
/// The Storage SOP Classes as SCP: every received instance into a spool folder, bit-preserving (PS3.4 Annex B).
public struct StorageSCP: DIMSEServiceProvider {
    /// The folder the instances are written into, each as `<SOP Instance UID>.dcm`.
    public let spool: String

    public init(spool: String) { self.spool = spool }

    /// Any Storage SOP Class: the standard's under 1.2.840.10008.5.1.4.1.1, or any UID the dictionary names "... Storage" (PS3.4 Annex B).
    public func accepts(abstractSyntax: String) -> Bool {
        abstractSyntax.hasPrefix("1.2.840.10008.5.1.4.1.1.") || (DataDictionary.uidName(abstractSyntax)?.hasSuffix("Storage") ?? false)
    }

    public func respond(to request: DIMSEReceived, on association: NegotiatedAssociation) async -> DIMSEMessage? {
        guard case .cStoreRQ(let rq) = request.message else { return nil }
        let (status, why) = store(rq, dataSet: request.dataSet ?? [], syntax: request.context.transferSyntax, callingAETitle: association.callingAETitle)
        var fields = DIMSEResponseFields(
            respondingTo: rq.messageID, status: status, affectedSOPClassUID: rq.affectedSOPClassUID, affectedSOPInstanceUID: rq.affectedSOPInstanceUID)
        if let (comment, why) = why {
            fields.errorComment = comment
            fields.localDetail = why
        }
        return .cStoreRSP(CStoreRSP(fields))
    }

    /// The file name of an instance: its UID when it is one, otherwise its characters outside [0-9.] replaced, never a path.
    public static func fileName(sopInstanceUID uid: String) -> String {
        if UID.isValid(uid) { return uid + ".dcm" }
        let safe = String(uid.map { $0.isASCII && ($0.isNumber || $0 == ".") ? $0 : "_" }.prefix(64))
        return "x" + safe + ".dcm"
    }

    /// The Error Comment of an instance not kept: the system's reason (strerror), never a local path (PS3.7 §C.4, 64 characters).
    public static func errorComment(_ error: any Error, otherwise: String) -> String {
        String("not stored: \(error.causeChain.lazy.compactMap { ($0 as? SystemErrno)?.text }.first ?? otherwise)".prefix(64))
    }

    /// Writes one instance; the status of the C-STORE-RSP (PS3.4 §B.2.3) and, for a failure to write, the Error Comment and the full reason.
    func store(_ rq: CStoreRQ, dataSet: [UInt8], syntax: String, callingAETitle: String) -> (DIMSEStatus, (String, String)?) {
        var identity = DataSet()
        identity.setString(.sopClassUID, .UI, rq.affectedSOPClassUID)
        identity.setString(.sopInstanceUID, .UI, rq.affectedSOPInstanceUID)
        let meta = Part10Writer.makeFileMeta(
            for: identity, options: WriteOptions(transferSyntax: TransferSyntax(uid: syntax), sourceAETitle: callingAETitle))
        let bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + Part10Writer.encodeFileMeta(meta) + dataSet
        let read: DICOMFile
        do { read = try Part10Reader.read(bytes: bytes, options: .headerOnly) } catch { return (.cannotUnderstand, nil) }
        guard read.dataSet.string(.sopInstanceUID) == rq.affectedSOPInstanceUID, read.dataSet.string(.sopClassUID) == rq.affectedSOPClassUID else {
            return (.dataSetDoesNotMatchSOPClass, nil)
        }
        do {
            try Part10Writer.write(bytes, to: spool + "/" + Self.fileName(sopInstanceUID: rq.affectedSOPInstanceUID))
        } catch {
            return (.outOfResources, (Self.errorComment(error, otherwise: "the instance could not be written"), "not stored: \(error)"))
        }
        return (.success, nil)
    }
}
