// libFuzzer entry point for DIMSE command sets (built only by `FUZZ_TARGET=dimse scripts/fuzz.sh`, from
// Fuzz/Package.swift with `-sanitize=fuzzer,address`; seeds are pynetdicom's command sets in
// Tests/DICOMNetworkTests/Fixtures/dimse, see Tools/gen-dimse-vectors.py).
//
// The input is a command set (PS3.7 §6.3.1): it is refused with a NetworkError or decoded, never traps;
// a decoded message re-encodes to bytes that decode to the same message and encode to the same bytes.
import DICOMNetwork

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let set = try? CommandSet.decode(bytes) else { return 0 }
    _ = try? set.commandField()
    guard let message = try? DIMSEMessage(commandSet: set) else { return 0 }
    let encoded = message.encode()
    guard let again = try? DIMSEMessage.decode(encoded) else { fatalError("a decoded \(message.commandField) does not decode after re-encoding") }
    if again != message { fatalError("\(message.commandField) changed in a round trip") }
    if again.encode() != encoded { fatalError("\(message.commandField) encodes differently after a round trip") }
    if let status = message.response?.status { _ = status.description }
    return 0
}
