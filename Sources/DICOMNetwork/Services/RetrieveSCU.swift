import DICOMCore

/// The outcome of a whole C-MOVE or C-GET: every response in order, and the instances a C-GET received.
public struct RetrieveResult: Sendable {
    /// The responses, pending ones first; the last is the final one.
    public var responses: [RetrieveResponse]
    /// The instances received by C-GET, with the status each was answered with.
    public var received: [ReceivedInstance]
    /// The final response.
    public var final: RetrieveResponse? { responses.last }
}

/// C-MOVE and C-GET as SCU: the contexts (and for C-GET the SCP role for storage) to negotiate, and a whole retrieve in one call
/// (PS3.4 §C.4.2, §C.4.3; PS3.7 §D.3.3.4).
public enum RetrieveSCU {
    /// The Storage SOP classes a C-GET proposes by default: the common image, waveform, SR, RT and document classes (PS3.4 §B.5).
    public static let commonStorageSOPClasses: [String] =
        ("1 1.1 1.1.1 1.2 1.2.1 1.3 1.3.1 2 2.1 3.1 4 4.1 6.1 6.2 7 7.1 7.2 7.3 7.4 9.1.1 9.1.2 11.1 12.1 12.1.1 12.2 "
        + "13.1.3 20 66 66.1 66.4 77.1.1 77.1.1.1 77.1.2 77.1.4 77.1.5.1 77.1.5.4 88.11 88.22 88.33 88.34 88.59 88.67 "
        + "104.1 128 130 481.1 481.2 481.3 481.5 481.8").split(separator: " ").map { "1.2.840.10008.5.1.4.1.1." + $0 }

    /// The context a C-MOVE SCU proposes (PS3.4 §C.5).
    public static func moveContexts(model: QueryInformationModel) -> [PresentationContextProposal] {
        model.moveSOPClass.map { [PresentationContextProposal(abstractSyntax: $0, transferSyntaxes: DIMSEDataSetCoding.syntaxes)] } ?? []
    }

    /// What a C-GET SCU proposes: the model's GET context, one context per Storage SOP class and group of `transferSyntaxes`,
    /// and for each Storage SOP class the SCP role (SCU-role 0, SCP-role 1), so the C-STOREs may come back (PS3.4 §C.5.3, PS3.7 §D.3.3.4).
    /// At most 128 contexts: the classes beyond are left out.
    public static func getNegotiation(
        model: QueryInformationModel, storageSOPClasses: [String] = commonStorageSOPClasses,
        transferSyntaxes: [[String]] = [[TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid]]
    ) -> (contexts: [PresentationContextProposal], roleSelections: [RoleSelection]) {
        var contexts = model.getSOPClass.map { [PresentationContextProposal(abstractSyntax: $0, transferSyntaxes: DIMSEDataSetCoding.syntaxes)] } ?? []
        var roles: [RoleSelection] = []
        for sopClass in storageSOPClasses where contexts.count + transferSyntaxes.count <= 128 {
            contexts += transferSyntaxes.map { PresentationContextProposal(abstractSyntax: sopClass, transferSyntaxes: $0) }
            roles.append(RoleSelection(sopClassUID: sopClass, scuRole: false, scpRole: true))
        }
        return (contexts, roles)
    }

    /// Connects, runs one C-MOVE to `destination` (an AE the peer knows, e.g. our own listener with a ``StorageSCP``), releases.
    /// `cancelAfter` sends C-CANCEL once that many sub-operations completed.
    public static func move(
        _ identifier: DataSet, model: QueryInformationModel, destination: String, host: String, port: Int, callingAETitle: String,
        calledAETitle: String, cancelAfter: Int? = nil, timeouts: AssociationTimeouts = AssociationTimeouts(), tls: TLSOptions? = nil
    ) async throws -> RetrieveResult {
        let association = try await Association.connect(
            host: host, port: port, callingAETitle: callingAETitle, calledAETitle: calledAETitle, contexts: moveContexts(model: model),
            timeouts: timeouts, tls: tls)
        return try await run(on: association, cancelAfter: cancelAfter) { try await $0.move(identifier, model: model, destination: destination) }
    }

    /// Connects with ``getNegotiation(model:storageSOPClasses:transferSyntaxes:)``, runs one C-GET whose instances `storage` writes, releases.
    public static func get(
        _ identifier: DataSet, model: QueryInformationModel, storage: StorageSCP, host: String, port: Int, callingAETitle: String,
        calledAETitle: String, storageSOPClasses: [String] = commonStorageSOPClasses, cancelAfter: Int? = nil,
        timeouts: AssociationTimeouts = AssociationTimeouts(), tls: TLSOptions? = nil
    ) async throws -> RetrieveResult {
        let n = getNegotiation(model: model, storageSOPClasses: storageSOPClasses)
        let association = try await Association.connect(
            host: host, port: port, callingAETitle: callingAETitle, calledAETitle: calledAETitle, contexts: n.contexts, timeouts: timeouts,
            roleSelections: n.roleSelections, tls: tls)
        return try await run(on: association, cancelAfter: cancelAfter) { try await $0.get(identifier, model: model, storage: storage) }
    }

    static func run(on association: Association, cancelAfter: Int?, _ start: (Association) async throws -> RetrieveOperation) async throws
        -> RetrieveResult
    {
        try await DIMSEOperation.releasing(association) {
            let op = try await start(association)
            var result = RetrieveResult(responses: [], received: [])
            for try await event in op {
                switch event {
                case .stored(let instance): result.received.append(instance)
                case .response(let r):
                    result.responses.append(r)
                    if let cancelAfter, !r.isFinal, Int(r.subOperations.completed ?? 0) >= cancelAfter { try await op.cancel() }
                }
            }
            return result
        }
    }
}
