/// The actions AE-1...AA-8 of the Upper Layer protocol machine (PS3.8 §9.2.3, Tables 9-6 to 9-9).
public enum AssociationAction: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case ae1 = "AE-1", ae2 = "AE-2", ae3 = "AE-3", ae4 = "AE-4", ae5 = "AE-5", ae6 = "AE-6", ae7 = "AE-7", ae8 = "AE-8"
    case dt1 = "DT-1", dt2 = "DT-2"
    case ar1 = "AR-1", ar2 = "AR-2", ar3 = "AR-3", ar4 = "AR-4", ar5 = "AR-5", ar6 = "AR-6", ar7 = "AR-7", ar8 = "AR-8", ar9 = "AR-9", ar10 = "AR-10"
    case aa1 = "AA-1", aa2 = "AA-2", aa3 = "AA-3", aa4 = "AA-4", aa5 = "AA-5", aa6 = "AA-6", aa7 = "AA-7", aa8 = "AA-8"

    /// `AE-1`, the standard's name.
    public var description: String { rawValue }

    /// The effects and the next state of this action for `event`, on `side` of the association (PS3.8 Tables 9-6 to 9-9).
    public func perform(_ event: AssociationEvent, side: AssociationSide?, artimRunning: Bool) -> (effects: [AssociationEffect], next: AssociationState) {
        switch self {
        case .ae1: return ([.transportConnect], .sta4)
        case .ae2: return ([.send(.associateRQ)], .sta5)
        case .ae3: return ([.issue(.associateAccepted)], .sta6)
        case .ae4: return ([.issue(.associateRejected), .closeTransport], .sta1)
        case .ae5: return ([.transportAccept, .startARTIM], .sta2)
        case .ae6:
            if case .associateRequestReceived(acceptable: false) = event { return ([.stopARTIM, .send(.associateRJ), .startARTIM], .sta13) }
            return ([.stopARTIM, .issue(.associateIndication)], .sta3)
        case .ae7: return ([.send(.associateAC)], .sta6)
        case .ae8: return ([.send(.associateRJ), .startARTIM], .sta13)
        case .dt1: return ([.send(.pDataTF)], .sta6)
        case .dt2: return ([.issue(.pDataIndication)], .sta6)
        case .ar1: return ([.send(.releaseRQ)], .sta7)
        case .ar2: return ([.issue(.releaseIndication)], .sta8)
        case .ar3: return ([.issue(.releaseConfirmation), .closeTransport], .sta1)
        case .ar4: return ([.send(.releaseRP), .startARTIM], .sta13)
        case .ar5: return ([.stopARTIM], .sta1)
        case .ar6: return ([.issue(.pDataIndication)], .sta7)
        case .ar7: return ([.send(.pDataTF)], .sta8)
        case .ar8: return ([.issue(.releaseCollisionIndication)], side == .acceptor ? .sta10 : .sta9)
        case .ar9: return ([.send(.releaseRP)], .sta11)
        case .ar10: return ([.issue(.releaseConfirmation)], .sta12)
        case .aa1: return ([.send(.abort(.serviceUser)), .startARTIM], .sta13)
        case .aa2: return (artimRunning ? [.stopARTIM, .closeTransport] : [.closeTransport], .sta1)
        case .aa3:
            let userAbort = event == .abortReceived(source: .serviceUser)
            return ([.issue(userAbort ? .abortIndication : .providerAbortIndication), .closeTransport], .sta1)
        case .aa4: return ([.issue(.providerAbortIndication)], .sta1)
        case .aa5: return ([.stopARTIM], .sta1)
        case .aa6: return ([], .sta13)
        case .aa7: return ([.send(.abort(.serviceProvider))], .sta13)
        case .aa8: return ([.send(.abort(.serviceProvider)), .issue(.providerAbortIndication), .startARTIM], .sta13)
        }
    }
}
