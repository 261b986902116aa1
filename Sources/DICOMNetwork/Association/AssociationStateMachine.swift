import DICOMCore

/// The DICOM Upper Layer protocol machine as a value: events in, the effects to perform in order out, no clocks or sockets (PS3.8 §9.2).
public struct AssociationStateMachine: Sendable, Hashable {
    public private(set) var state: AssociationState
    /// Requestor after Evt1 in Sta1, acceptor after Evt5 in Sta1; nil in Sta1 (AR-8 reads it).
    public private(set) var side: AssociationSide?
    /// The ARTIM timer runs (PS3.8 §9.1.5): the caller's timer mirrors this through the start/stop effects.
    public private(set) var isARTIMRunning: Bool

    /// A machine in Sta1 (Idle).
    public init() { self.init(state: .sta1, side: nil, isARTIMRunning: false) }

    /// A machine in any state, e.g. to resume one (ARTIM runs in Sta2 and Sta13 unless told otherwise).
    public init(state: AssociationState, side: AssociationSide?, isARTIMRunning: Bool? = nil) {
        self.state = state; self.side = side
        self.isARTIMRunning = isARTIMRunning ?? (state == .sta2 || state == .sta13)
    }

    /// The action of Table 9-10 for `event` in `state`, or nil for a blank cell (PS3.8 §9.2.4).
    public static func action(for event: AssociationEvent, in state: AssociationState) -> AssociationAction? {
        table[event.number - 1][state.rawValue - 1]
    }

    /// Applies `event`: performs the table's action and returns its effects; a blank cell throws `unexpected-event` and changes nothing.
    @discardableResult
    public mutating func handle(_ event: AssociationEvent) throws -> [AssociationEffect] {
        guard let action = Self.action(for: event, in: state) else {
            throw NetworkError(
                .unexpectedEvent, "\(event) cannot occur in \(state): PS3.8 Table 9-10 has no action for it",
                context: ErrorContext(component: "association state machine"))
        }
        if state == .sta1 { side = event == .transportConnectIndication ? .acceptor : .requestor }
        let (effects, next) = action.perform(event, side: side, artimRunning: isARTIMRunning)
        for effect in effects {
            if effect == .startARTIM { isARTIMRunning = true }
            if effect == .stopARTIM { isARTIMRunning = false }
        }
        state = next
        if next == .sta1 { side = nil; isARTIMRunning = false }
        return effects
    }
}
