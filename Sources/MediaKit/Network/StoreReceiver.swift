import DICOMCore
import DICOMNetwork
import DICOMStore
import FileSystem
#if canImport(Glibc)
import Glibc
#endif

// Each instance is first written whole by StorageSCP into a hidden folder of the store (`.receive-PID`), then
// read there with import's rules (complete instance, SOP identity) and stored by the store's own import session
// (its lock, temp file, syncfs, rename, row); only then is success answered. The staged file is removed either
// way, so a half-received instance never reaches the store.
/// The Storage SOP Classes as SCP into the local store (PS3.4 Annex B): bit-preserving, success only once stored.
struct StoreReceiver: DIMSEServiceProvider {
    let staging: StorageSCP
    let store: LocalStore
    /// The AE the instances come from, for provenance, when it is not the association's calling AE (a C-GET we asked for).
    var source: String? = nil
    /// Told of each instance once it is stored (the station's publish rules).
    var stored: (@Sendable (ReceivedInstance) -> Void)? = nil

    /// The hidden staging folder of this process in the store at `root`; stale ones of dead processes are removed.
    static func stagingFolder(root: String) throws -> String {
        for name in folderNames(root) where name.hasPrefix(".receive-") {
            if let pid = Int32(name.dropFirst(".receive-".count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                _ = removeTree(root + "/" + name)
            }
        }
        let folder = root + "/.receive-\(getpid())"
        _ = removeTree(folder)
        try makeDirectories(folder, mode: 0o700)
        return folder
    }

    func accepts(abstractSyntax: String) -> Bool { staging.accepts(abstractSyntax: abstractSyntax) }

    func respond(to request: DIMSEReceived, on association: NegotiatedAssociation) async -> DIMSEMessage? {
        guard case .cStoreRQ(let rq) = request.message, case .cStoreRSP(var rsp)? = await staging.respond(to: request, on: association) else {
            return nil
        }
        let name = StorageSCP.fileName(sopInstanceUID: rq.affectedSOPInstanceUID)
        defer { unlink(staging.spool + "/" + name) }
        if rsp.response.status.isSuccess, let failure = importStaged(name, callingAETitle: source ?? association.callingAETitle) {
            rsp.response.status = failure.status
            rsp.response.errorComment = failure.comment
            rsp.response.localDetail = failure.why
        }
        return .cStoreRSP(rsp)
    }

    /// Stores the staged file; nil when it was stored (or was there already), else the failure status, its Error Comment and why.
    func importStaged(_ name: String, callingAETitle: String) -> (status: DIMSEStatus, comment: String, why: String)? {
        let plan = ImportPlan.MediumPlan(medium: FolderMedium(root: staging.spool, only: [name]), sizes: [:], candidates: [])
        let prepared = PreparedInstance(
            .init(path: name, record: nil), of: plan, options: ImportOptions(), provenanceKey: [], importedAt: DICOMStore.timestamp())
        switch prepared {
        case .ready(var row, let bytes, _):
            // Provenance: received over the network from the calling AE.
            row.sourceKind = "network"; row.sourceLocation = callingAETitle; row.sourcePath = ""
            do {
                _ = try store.store.importSession { try $0.store([(row: row, bytes: bytes)]) }
                stored?(
                    ReceivedInstance(
                        callingAETitle: callingAETitle, sopInstanceUID: row.sopInstanceUID, studyInstanceUID: row.studyInstanceUID, patientID: row.patientID))
                return nil
            } catch {
                return (.outOfResources, StorageSCP.errorComment(error, otherwise: "the store could not be written"), "not stored: \(error)")
            }
        case .notDICOM(let why), .failed(let why): return (.cannotUnderstand, String(why.prefix(64)), why)
        }
    }
}

/// An instance a store SCP stored: who sent it and whose it is.
public struct ReceivedInstance: Sendable, Equatable {
    public var callingAETitle: String
    public var sopInstanceUID: String
    public var studyInstanceUID: String
    public var patientID: String
}
