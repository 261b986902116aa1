/// What the caller of ``AssociationStateMachine`` performs after a transition, in order (PS3.8 §9.2.3, Table 9-6 to 9-9).
public enum AssociationEffect: Sendable, Hashable {
    /// Issue a TRANSPORT CONNECT request to the local transport service (AE-1).
    case transportConnect
    /// Issue the transport connection response: accept the incoming connection (AE-5).
    case transportAccept
    /// Send a PDU of this kind to the peer.
    case send(AssociationPDUKind)
    /// Issue an indication or confirmation primitive to the local user.
    case issue(AssociationPrimitive)
    /// Start the ARTIM timer, or restart it if it runs (PS3.8 §9.1.5).
    case startARTIM
    /// Stop the ARTIM timer.
    case stopARTIM
    /// Close the transport connection.
    case closeTransport
}

/// The PDU an action sends (PS3.8 §9.3.1); the network layer fills in its content.
public enum AssociationPDUKind: Sendable, Hashable {
    case associateRQ, associateAC, associateRJ, pDataTF, releaseRQ, releaseRP
    case abort(AssociationAbortSource)
}

/// The primitives the machine issues to the local user (PS3.8 §7, Table 9-1).
public enum AssociationPrimitive: Sendable, Hashable {
    /// A-ASSOCIATE indication: a peer asks for an association (AE-6).
    case associateIndication
    /// A-ASSOCIATE confirmation (accept) (AE-3).
    case associateAccepted
    /// A-ASSOCIATE confirmation (reject) (AE-4).
    case associateRejected
    /// P-DATA indication (DT-2, AR-6).
    case pDataIndication
    /// A-RELEASE indication (AR-2).
    case releaseIndication
    /// A-RELEASE indication during a release collision (AR-8).
    case releaseCollisionIndication
    /// A-RELEASE confirmation (AR-3, AR-10).
    case releaseConfirmation
    /// A-ABORT indication: the peer's service-user aborted (AA-3).
    case abortIndication
    /// A-P-ABORT indication: the service-provider aborted (AA-3, AA-4, AA-8).
    case providerAbortIndication
}
