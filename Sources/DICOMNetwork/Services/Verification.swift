import DICOMCore

extension UID {
    /// The Verification SOP Class (PS3.4 Annex A).
    public static let verificationSOPClass = "1.2.840.10008.1.1"
}

extension Association {
    /// C-ECHO: asks the peer to answer on the Verification context; returns its status (PS3.7 §9.1.5, PS3.4 Annex A).
    public func echo() async throws -> DIMSEStatus {
        guard let context = context(for: UID.verificationSOPClass) else {
            throw NetworkError(.noAcceptedContext, "the peer did not accept the Verification SOP Class (\(UID.verificationSOPClass))")
        }
        let rq = CEchoRQ(messageID: nextMessageID(), affectedSOPClassUID: UID.verificationSOPClass)
        let responses = try await request(.cEchoRQ(rq), contextID: context.id)
        guard let last = responses.last, case .cEchoRSP(let rsp) = last.message else {
            throw NetworkError(.unexpectedResponse, "no C-ECHO-RSP to the C-ECHO-RQ")
        }
        return rsp.status
    }

    /// The presentation context a C-ECHO SCU proposes (PS3.4 §A.4).
    public static let verificationContext = PresentationContextProposal(
        abstractSyntax: UID.verificationSOPClass, transferSyntaxes: [TransferSyntax.explicitVRLittleEndian.uid, TransferSyntax.implicitVRLittleEndian.uid])
}

/// The Verification SOP Class as SCP: every C-ECHO-RQ is answered with success (PS3.4 §A.4).
public struct VerificationSCP: DIMSEServiceProvider {
    public init() {}
    public func accepts(abstractSyntax: String) -> Bool { abstractSyntax == UID.verificationSOPClass }
    public func respond(to request: DIMSEReceived, on association: NegotiatedAssociation) async -> DIMSEMessage? {
        guard case .cEchoRQ(let rq) = request.message else { return nil }
        return .cEchoRSP(CEchoRSP(DIMSEResponseFields(respondingTo: rq.messageID, status: .success, affectedSOPClassUID: rq.affectedSOPClassUID)))
    }
}
