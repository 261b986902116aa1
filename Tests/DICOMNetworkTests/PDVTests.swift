import DICOMCore
import DICOMNetwork
import XCTest

/// PDVFragmenter and MessageAssembler: messages split within the peer's maximum and rebuilt in order (PS3.8 §9.3.5, §D.1, Annex E).
final class PDVTests: XCTestCase {
    /// A data set of `count` bytes that tells its positions apart.
    static func dataSet(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) } }

    func testFragmentsRoundTripAtManyMaximumLengths() throws {
        for max: UInt32 in [0, 8, 9, 10, 11, 17, 100, 255, 4096, 4097, 16384, 1 << 20] {
            for size in [0, 1, 2, 99, 100, 4090, 4091, 40_001] {
                let command = PDUTestSupport.command(dataSet: true, uidLength: 25)
                let data = Self.dataSet(size)
                let fragmenter = try PDVFragmenter(peerMaximumLength: max)
                let pdus = fragmenter.pdus(presentationContextID: 5, command: command, dataSet: data)
                var assembler = MessageAssembler(maximumMessageLength: 1 << 20)
                var messages: [PDVMessage] = []
                for (n, p) in pdus.enumerated() {
                    let bytes = try PDU.pData(p).encode()
                    if max != 0 { XCTAssertLessThanOrEqual(bytes.count - 6, Int(max), "max \(max), size \(size): PDU \(n)") }
                    XCTAssertEqual(p.length, bytes.count - 6)
                    guard case .pData(let back) = try PDU.decode(bytes) else { return XCTFail("not a P-DATA-TF") }
                    for pdv in back.pdvs {
                        if !pdv.isLastFragment { XCTAssertEqual(pdv.fragment.count % 2, 0, "max \(max): a fragment before the last is odd") }
                        if let m = try assembler.receive(pdv) { messages.append(m) }
                    }
                }
                XCTAssertEqual(messages, [PDVMessage(presentationContextID: 5, command: command, dataSet: data)], "max \(max), size \(size)")
                XCTAssertTrue(assembler.isIdle)
                if max == 0 { XCTAssertEqual(pdus.count, 2, "unlimited: one PDV for the command, one for the data set") }
            }
        }
    }

    func testFragmentLengthIsEvenAndFitsThePeerMaximum() throws {
        XCTAssertEqual(try PDVFragmenter(peerMaximumLength: 4096).maximumFragmentLength, 4090)
        XCTAssertEqual(try PDVFragmenter(peerMaximumLength: 4097).maximumFragmentLength, 4090)
        XCTAssertEqual(try PDVFragmenter(peerMaximumLength: 4099).maximumFragmentLength, 4092)
        XCTAssertEqual(try PDVFragmenter(peerMaximumLength: 8).maximumFragmentLength, 2)
        XCTAssertEqual(try PDVFragmenter(peerMaximumLength: 0, localLimit: 1 << 16).maximumFragmentLength, 65530)
        XCTAssertEqual(try PDVFragmenter(peerMaximumLength: 4096, localLimit: 1 << 16).maximumFragmentLength, 4090)
        XCTAssertEqual(try PDVFragmenter(peerMaximumLength: 0).maximumFragmentLength, Int(UInt32.max) - 7)
        for tiny: UInt32 in [1, 6, 7] { assertNetworkError(.maximumLengthTooSmall) { try PDVFragmenter(peerMaximumLength: tiny) } }
    }

    func testACommandWithoutDataSetIsAMessageAtItsLastFragment() throws {
        let command = PDUTestSupport.command(dataSet: false)
        var assembler = MessageAssembler(maximumMessageLength: 1000)
        let pdvs = try PDVFragmenter(peerMaximumLength: 20).pdus(presentationContextID: 1, command: command, dataSet: nil).flatMap(\.pdvs)
        XCTAssertGreaterThan(pdvs.count, 2)
        for pdv in pdvs.dropLast() { XCTAssertNil(try assembler.receive(pdv)) }
        XCTAssertEqual(try assembler.receive(pdvs.last!), PDVMessage(presentationContextID: 1, command: command, dataSet: nil))
        XCTAssertTrue(try MessageAssembler.commandHasDataSet(PDUTestSupport.command(dataSet: true)))
        XCTAssertFalse(try MessageAssembler.commandHasDataSet(command))
        assertNetworkError(.commandDataSetType) { try MessageAssembler.commandHasDataSet([0, 0, 0, 0, 4, 0, 0, 0, 1]) }
    }

    func testPDVsOutOfOrderAreRefused() throws {
        let withData = PDUTestSupport.command(dataSet: true)
        func pdv(_ id: UInt8, _ command: Bool, _ last: Bool, _ bytes: [UInt8] = [1, 2]) -> PDV {
            PDV(presentationContextID: id, isCommand: command, isLastFragment: last, fragment: bytes)
        }
        // A data fragment before any command.
        var a = MessageAssembler(maximumMessageLength: 1000)
        assertNetworkError(.pdvOrder) { try a.receive(pdv(1, false, true)) }
        // A data fragment before the command's last fragment.
        a = MessageAssembler(maximumMessageLength: 1000)
        XCTAssertNil(try a.receive(pdv(1, true, false, Array(withData.prefix(10)))))
        assertNetworkError(.pdvOrder) { try a.receive(pdv(1, false, true)) }
        // Another context inside a message.
        a = MessageAssembler(maximumMessageLength: 1000)
        XCTAssertNil(try a.receive(pdv(1, true, false, Array(withData.prefix(10)))))
        assertNetworkError(.pdvContext) { try a.receive(pdv(3, true, true, Array(withData.dropFirst(10)))) }
        // A second message's command inside the first's data set: interleaving.
        a = MessageAssembler(maximumMessageLength: 1000)
        XCTAssertNil(try a.receive(pdv(1, true, true, withData)))
        XCTAssertFalse(a.isIdle)
        XCTAssertNil(try a.receive(pdv(1, false, false)))
        assertNetworkError(.pdvOrder) { try a.receive(pdv(1, true, true, withData)) }
        // The data set of another context after the command.
        a = MessageAssembler(maximumMessageLength: 1000)
        XCTAssertNil(try a.receive(pdv(1, true, true, withData)))
        assertNetworkError(.pdvContext) { try a.receive(pdv(3, false, true)) }
    }

    func testAMessageOverTheLimitIsRefusedAsItsFragmentsArrive() throws {
        let command = PDUTestSupport.command(dataSet: true)
        let limit = command.count + 1000
        var a = MessageAssembler(maximumMessageLength: limit)
        XCTAssertNil(try a.receive(PDV(presentationContextID: 1, isCommand: true, isLastFragment: true, fragment: command)))
        XCTAssertNil(try a.receive(PDV(presentationContextID: 1, isCommand: false, isLastFragment: false, fragment: Self.dataSet(600))))
        assertNetworkError(.messageTooLarge) {
            try a.receive(PDV(presentationContextID: 1, isCommand: false, isLastFragment: false, fragment: Self.dataSet(402)))
        }
        // Exactly at the limit is accepted.
        a = MessageAssembler(maximumMessageLength: limit)
        _ = try a.receive(PDV(presentationContextID: 1, isCommand: true, isLastFragment: true, fragment: command))
        XCTAssertEqual(try a.receive(PDV(presentationContextID: 1, isCommand: false, isLastFragment: true, fragment: Self.dataSet(1000)))?.dataSet?.count, 1000)
        var c = MessageAssembler(maximumMessageLength: 10)
        assertNetworkError(.messageTooLarge) { try c.receive(PDV(presentationContextID: 1, isCommand: true, isLastFragment: false, fragment: command)) }
    }
}
