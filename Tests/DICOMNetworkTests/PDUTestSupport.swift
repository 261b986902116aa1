import DICOMCore
import DICOMNetwork
import Foundation
import XCTest

/// Fixtures, sample PDUs and small helpers shared by the PDU, framer and PDV tests.
enum PDUTestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent("pdu")

    /// A hex fixture written by Tools/gen-pdu-vectors.py: `#` comment lines, then hex.
    static func fixture(_ name: String) throws -> [UInt8] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name + ".hex"), encoding: .utf8)
        let hex = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined()
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { throw NetworkError(.badValue, "\(name): not hex at \(out.count)") }
            out.append(b); i = j
        }
        return out
    }

    static func fixtureNames(prefix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter { $0.hasPrefix(prefix) && $0.hasSuffix(".hex") }
            .map { String($0.dropLast(4)) }.sorted()
    }

    /// An A-ASSOCIATE-RQ with every User Information sub-item and an unknown item.
    static var fullRequest: AssociateRQ {
        var ui = UserInformation(
            maximumLength: 16384, implementationClassUID: "1.2.3.4",
            asynchronousOperationsWindow: .init(maximumOperationsInvoked: 2, maximumOperationsPerformed: 0),
            roleSelections: [RoleSelection(sopClassUID: "1.2.840.10008.5.1.4.1.1.2", scuRole: false, scpRole: true)],
            implementationVersionName: "DICOM_MEDIA_1",
            userIdentityRQ: UserIdentityRQ(
                identityType: .usernameAndPasscode, positiveResponseRequested: true, primaryField: Array("alice".utf8), secondaryField: Array("pw".utf8)))
        ui.subItems.append(
            .sopClassExtendedNegotiation(SOPClassExtendedNegotiation(sopClassUID: "1.2.840.10008.5.1.4.1.2.2.1", applicationInformation: [1, 0, 1])))
        ui.subItems.append(
            .sopClassCommonExtendedNegotiation(
                SOPClassCommonExtendedNegotiation(
                    sopClassUID: "1.2.840.10008.5.1.4.1.1.88.22", serviceClassUID: "1.2.840.10008.4.2", relatedGeneralSOPClassUIDs: ["1.2.3", "1.2.3.4.5"])))
        ui.subItems.append(.unknown(UnknownItem(type: 0x5F, value: [9, 8, 7])))
        return AssociateRQ(
            calledAETitle: "ORTHANC", callingAETitle: "DICOM_MEDIA",
            presentationContexts: [
                PresentationContextRQ(id: 1, abstractSyntax: "1.2.840.10008.1.1", transferSyntaxes: [TransferSyntax.implicitVRLittleEndian.uid]),
                PresentationContextRQ(
                    id: 3, abstractSyntax: "1.2.840.10008.5.1.4.1.1.2",
                    transferSyntaxes: [TransferSyntax.jpeg2000Lossless.uid, TransferSyntax.explicitVRLittleEndian.uid]),
            ],
            userInformation: ui, unknownItems: [UnknownItem(type: 0x7E, value: [1, 2])])
    }

    /// An A-ASSOCIATE-AC answering `fullRequest`.
    static var fullAccept: AssociateAC {
        AssociateAC(
            calledAETitle: "ORTHANC", callingAETitle: "DICOM_MEDIA",
            presentationContexts: [
                PresentationContextAC(id: 1, result: .acceptance, transferSyntax: TransferSyntax.implicitVRLittleEndian.uid),
                PresentationContextAC(id: 3, result: .transferSyntaxesNotSupported, transferSyntax: nil),
            ],
            userInformation: UserInformation(
                maximumLength: 0, implementationClassUID: "1.2.3.5", implementationVersionName: "ORTHANC",
                userIdentityAC: UserIdentityAC(serverResponse: [0xAA])))
    }

    /// One of each PDU, with every item and sub-item somewhere.
    static var everyPDU: [PDU] {
        [
            .associateRQ(fullRequest), .associateAC(fullAccept),
            .associateRJ(AssociateRJ(result: .rejectedPermanent, source: .serviceUser(.calledAETitleNotRecognized))),
            .associateRJ(AssociateRJ(result: .rejectedTransient, source: .serviceProviderACSE(.protocolVersionNotSupported))),
            .associateRJ(AssociateRJ(result: .rejectedTransient, source: .serviceProviderPresentation(.localLimitExceeded))),
            .pData(
                PDataTF(pdvs: [
                    PDV(presentationContextID: 1, isCommand: true, isLastFragment: true, fragment: [1, 2, 3, 4]),
                    PDV(presentationContextID: 1, isCommand: false, isLastFragment: false, fragment: []),
                ])),
            .releaseRQ, .releaseRP, .abort(.serviceUser), .abort(Abort(source: .serviceProvider, reason: .invalidPDUParameterValue)),
        ]
    }

    /// An Implicit VR Little Endian command set with a Command Data Set Type (PS3.7 §E.1), `extra` bytes of Affected SOP Class UID.
    static func command(dataSet: Bool, uidLength: Int = 18) -> [UInt8] {
        func element(_ tag: Tag, _ value: [UInt8]) -> [UInt8] {
            let g = tag.group, e = tag.element, l = UInt32(value.count)
            return [
                UInt8(g & 0xFF), UInt8(g >> 8), UInt8(e & 0xFF), UInt8(e >> 8), UInt8(l & 0xFF), UInt8(l >> 8 & 0xFF), UInt8(l >> 16 & 0xFF), UInt8(l >> 24),
            ] + value
        }
        let body =
            element(.affectedSOPClassUID, Array(repeating: 0x31, count: uidLength)) + element(.commandField, [0x01, 0x00])
            + element(.commandDataSetType, dataSet ? [0x02, 0x01] : [0x01, 0x01])
        let n = UInt32(body.count)
        return element(.commandGroupLength, [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]) + body
    }

    /// A deterministic generator (xorshift64), so the random chunkings repeat; `state` must not be 0.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
    }

    /// Feeds `bytes` to a framer in chunks of the sizes `sizes` yields and returns every PDU it gives.
    static func frame(_ bytes: [UInt8], framer: inout PDUFramer, sizes: () -> Int) throws -> [PDU] {
        var out: [PDU] = []
        var i = 0
        while i < bytes.count {
            let j = min(bytes.count, i + max(1, sizes()))
            framer.append(bytes[i..<j]); i = j
            while let pdu = try framer.next() { out.append(pdu) }
        }
        return out
    }
}

/// Asserts that `body` throws a NetworkError with `code`, and returns it.
@discardableResult
func assertNetworkError<T>(_ code: NetworkError.Code, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) -> NetworkError? {
    do {
        _ = try body()
        XCTFail("expected a NetworkError \(code), got none", file: file, line: line)
    } catch let e as NetworkError {
        XCTAssertEqual(e.code, code, "\(e)", file: file, line: line)
        return e
    } catch {
        XCTFail("expected a NetworkError \(code), got \(error)", file: file, line: line)
    }
    return nil
}
