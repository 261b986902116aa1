import DICOMCore

extension NetworkError.Code {
    /// An event that PS3.8 Table 9-10 leaves blank for the machine's state (PS3.8 §9.2)
    public static let unexpectedEvent = Self(rawValue: "unexpected-event")
    /// A command set that ends inside an element, or an element with undefined length (PS3.7 §6.3.1)
    public static let commandTruncated = Self(rawValue: "command-truncated")
    /// Command Group Length (0000,0000) absent, not first, not 4 bytes, or not the length of the rest (PS3.7 §6.3.1, §E.1)
    public static let commandGroupLength = Self(rawValue: "command-group-length")
    /// An element outside group 0000 in a command set (PS3.7 §6.3.1)
    public static let commandNotGroup0000 = Self(rawValue: "command-not-group-0000")
    /// Command elements not in ascending tag order, or one twice (PS3.5 §7.1)
    public static let commandElementOrder = Self(rawValue: "command-element-order")
    /// A field its command requires is absent or empty (PS3.7 §9.3, §10.3)
    public static let commandMissingElement = Self(rawValue: "command-missing-element")
    /// A command element whose value has the wrong length or a value the standard does not define (PS3.7 §E.1)
    public static let commandBadValue = Self(rawValue: "command-bad-value")
    /// A Command Field (0000,0100) no DIMSE service defines, or one this library has no message type for (PS3.7 §E.1)
    public static let unknownCommand = Self(rawValue: "unknown-command")
}
