/// A Value Representation, the two-letter type code of a data element (PS3.5 §6.2).
///
/// An open set: unknown codes read from a file round-trip unchanged.
public struct VR: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The two ASCII bytes, first byte in the high half.
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(bytes b0: UInt8, _ b1: UInt8) { rawValue = UInt16(b0) << 8 | UInt16(b1) }
    public init?(_ code: String) {
        let u = Array(code.utf8)
        guard u.count == 2, u.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
        rawValue = UInt16(u[0]) << 8 | UInt16(u[1])
    }
    private init(_ a: Unicode.Scalar, _ b: Unicode.Scalar) { rawValue = UInt16(a.value) << 8 | UInt16(b.value) }

    public var code: String { String(decoding: [UInt8(rawValue >> 8), UInt8(rawValue & 0xFF)], as: UTF8.self) }
    public var description: String { code }
    public var byte0: UInt8 { UInt8(rawValue >> 8) }
    public var byte1: UInt8 { UInt8(rawValue & 0xFF) }
    /// Both bytes are upper-case letters, as every VR of PS3.5 is.
    public var isWellFormed: Bool { (0x41...0x5A).contains(byte0) && (0x41...0x5A).contains(byte1) }

    public static let AE = VR("A", "E"), AS = VR("A", "S"), AT = VR("A", "T"), CS = VR("C", "S")
    public static let DA = VR("D", "A"), DS = VR("D", "S"), DT = VR("D", "T"), FD = VR("F", "D")
    public static let FL = VR("F", "L"), IS = VR("I", "S"), LO = VR("L", "O"), LT = VR("L", "T")
    public static let OB = VR("O", "B"), OD = VR("O", "D"), OF = VR("O", "F"), OL = VR("O", "L")
    public static let OV = VR("O", "V"), OW = VR("O", "W"), PN = VR("P", "N"), SH = VR("S", "H")
    public static let SL = VR("S", "L"), SQ = VR("S", "Q"), SS = VR("S", "S"), ST = VR("S", "T")
    public static let SV = VR("S", "V"), TM = VR("T", "M"), UC = VR("U", "C"), UI = VR("U", "I")
    public static let UL = VR("U", "L"), UN = VR("U", "N"), UR = VR("U", "R"), US = VR("U", "S")
    public static let UT = VR("U", "T"), UV = VR("U", "V")

    /// Every VR defined by PS3.5 Table 6.2-1.
    public static let allStandard: [VR] = [
        .AE, .AS, .AT, .CS, .DA, .DS, .DT, .FD, .FL, .IS, .LO, .LT, .OB, .OD, .OF, .OL, .OV, .OW, .PN, .SH, .SL, .SQ, .SS, .ST, .SV, .TM, .UC, .UI, .UL, .UN,
        .UR, .US, .UT, .UV,
    ]

    /// Explicit VR header with a reserved 2 bytes and a 32-bit length (PS3.5 §7.1.2).
    /// Unknown codes are treated like UN, as PS3.5 §6.2.2 asks.
    public var hasLongLength: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .SQ, .SV, .UC, .UN, .UR, .UT, .UV: return true
        default: return !VR.allStandard.contains(self)
        }
    }
    /// Character-string VRs (PS3.5 §6.2).
    public var isString: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: return true
        default: return false
        }
    }
    /// String VRs whose value is affected by the Specific Character Set (PS3.5 §6.1.2.3).
    public var usesSpecificCharacterSet: Bool {
        switch self {
        case .SH, .LO, .UC, .ST, .LT, .UT, .PN: return true;
        default: return false
        }
    }
    /// Text VRs that hold one value only; backslash is an ordinary character (PS3.5 §6.4).
    public var isSingleValuedText: Bool {
        switch self {
        case .LT, .ST, .UT, .UR: return true;
        default: return false
        }
    }
    /// Byte used to pad a value to even length: NUL for UI and binary, SPACE for text (PS3.5 §6.2).
    public var paddingByte: UInt8 { isString && self != .UI ? 0x20 : 0x00 }
    /// Size in bytes of one binary value, used for byte swapping (PS3.5 §7.3); 1 when no swap.
    public var swapUnit: Int {
        switch self {
        case .US, .SS, .OW, .AT: return 2
        case .UL, .SL, .FL, .OF, .OL: return 4
        case .FD, .OD, .SV, .UV, .OV: return 8
        default: return 1
        }
    }
    /// Binary numeric VRs decoded as numbers.
    public var isBinaryNumber: Bool {
        switch self {
        case .US, .SS, .UL, .SL, .FL, .FD, .SV, .UV: return true;
        default: return false
        }
    }
    /// Bulk binary VRs (other-byte/word/...) (PS3.5 §6.2).
    public var isBulk: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN: return true;
        default: return false
        }
    }
}
