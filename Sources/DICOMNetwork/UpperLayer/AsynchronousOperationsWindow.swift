import DICOMCore

/// The Asynchronous Operations Window sub-item (53H): operations invoked and performed at once (PS3.7 §D.3.3.3); 0 = unlimited.
public struct AsynchronousOperationsWindow: Hashable, Sendable {
    public var maximumOperationsInvoked: UInt16
    public var maximumOperationsPerformed: UInt16

    public init(maximumOperationsInvoked: UInt16, maximumOperationsPerformed: UInt16) {
        self.maximumOperationsInvoked = maximumOperationsInvoked; self.maximumOperationsPerformed = maximumOperationsPerformed
    }

    init(item r: inout PDUReader) throws {
        maximumOperationsInvoked = try r.u16("maximum number operations invoked")
        maximumOperationsPerformed = try r.u16("maximum number operations performed")
    }

    func encodeBody(_ w: inout PDUWriter) { w.u16(maximumOperationsInvoked); w.u16(maximumOperationsPerformed) }
}
