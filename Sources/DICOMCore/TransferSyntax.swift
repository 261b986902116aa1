/// A Transfer Syntax: how a data set is encoded (PS3.5 §10, Annex A).
///
/// Known syntaxes come from ``TransferSyntax/all``; an unknown UID is still representable
/// (``init(uid:)``) and is read as Explicit VR Little Endian with encapsulated Pixel Data,
/// which is what every syntax added since 2000 uses (PS3.5 §A.4).
public struct TransferSyntax: Hashable, Sendable, CustomStringConvertible {
    public enum ByteOrder: Sendable { case littleEndian, bigEndian }
    public var uid: String
    public var name: String
    public var byteOrder: ByteOrder
    public var isExplicitVR: Bool
    /// Pixel Data is a sequence of fragments (PS3.5 §A.4).
    public var isEncapsulated: Bool
    /// The data set after the File Meta is raw deflated (PS3.5 §A.5).
    public var isDeflated: Bool
    /// The compression may lose information.
    public var isLossy: Bool
    /// Retired from the standard; read only.
    public var isRetired: Bool
    /// Found in the table of known syntaxes.
    public var isKnown: Bool

    public var description: String { "\(name) (\(uid))" }

    init(
        _ uid: String, _ name: String, explicit: Bool = true, big: Bool = false, encapsulated: Bool = true,
        deflated: Bool = false, lossy: Bool = false, retired: Bool = false
    ) {
        self.uid = uid; self.name = name; byteOrder = big ? .bigEndian : .littleEndian
        isExplicitVR = explicit; isEncapsulated = encapsulated; isDeflated = deflated
        isLossy = lossy; isRetired = retired; isKnown = true
    }

    /// Looks the UID up in the table; unknown UIDs become an Explicit VR LE encapsulated syntax with `isKnown == false`.
    public init(uid: String) {
        let clean = uid.trimmingTrailingPadding()
        if let known = TransferSyntax.byUID[clean] { self = known; return }
        self.init(clean, "Unknown Transfer Syntax")
        isKnown = false
    }

    public static let implicitVRLittleEndian = TransferSyntax("1.2.840.10008.1.2", "Implicit VR Little Endian", explicit: false, encapsulated: false)
    public static let explicitVRLittleEndian = TransferSyntax("1.2.840.10008.1.2.1", "Explicit VR Little Endian", encapsulated: false)
    public static let encapsulatedUncompressedExplicitVRLittleEndian = TransferSyntax(
        "1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian")
    public static let deflatedExplicitVRLittleEndian = TransferSyntax(
        "1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", encapsulated: false, deflated: true)
    public static let explicitVRBigEndian = TransferSyntax("1.2.840.10008.1.2.2", "Explicit VR Big Endian", big: true, encapsulated: false, retired: true)
    public static let jpegBaseline = TransferSyntax("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", lossy: true)
    public static let jpegExtended = TransferSyntax("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", lossy: true)
    public static let jpegLossless = TransferSyntax("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)")
    public static let jpegLosslessSV1 = TransferSyntax(
        "1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])")
    public static let jpegLSLossless = TransferSyntax("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression")
    public static let jpegLSNearLossless = TransferSyntax("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression", lossy: true)
    public static let jpeg2000Lossless = TransferSyntax("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)")
    public static let jpeg2000 = TransferSyntax("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", lossy: true)
    public static let rleLossless = TransferSyntax("1.2.840.10008.1.2.5", "RLE Lossless")

    /// Every Transfer Syntax UID of the standard (PS3.5 §10, PS3.6 Table A-1), retired ones included.
    public static let all: [TransferSyntax] = {
        var t: [TransferSyntax] = [
            implicitVRLittleEndian, explicitVRLittleEndian, encapsulatedUncompressedExplicitVRLittleEndian,
            deflatedExplicitVRLittleEndian, explicitVRBigEndian, jpegBaseline, jpegExtended,
        ]
        // Retired JPEG processes 3, 5-13, 15-29 (PS3.5 §10, retired).
        let retiredJPEG: [(String, String)] = [
            ("52", "JPEG Extended (Processes 3 & 5)"), ("53", "JPEG Spectral Selection, Non-Hierarchical (Processes 6 & 8)"),
            ("54", "JPEG Spectral Selection, Non-Hierarchical (Processes 7 & 9)"), ("55", "JPEG Full Progression, Non-Hierarchical (Processes 10 & 12)"),
            ("56", "JPEG Full Progression, Non-Hierarchical (Processes 11 & 13)"), ("58", "JPEG Lossless, Non-Hierarchical (Process 15)"),
            ("59", "JPEG Extended, Hierarchical (Processes 16 & 18)"), ("60", "JPEG Extended, Hierarchical (Processes 17 & 19)"),
            ("61", "JPEG Spectral Selection, Hierarchical (Processes 20 & 22)"), ("62", "JPEG Spectral Selection, Hierarchical (Processes 21 & 23)"),
            ("63", "JPEG Full Progression, Hierarchical (Processes 24 & 26)"), ("64", "JPEG Full Progression, Hierarchical (Processes 25 & 27)"),
            ("65", "JPEG Lossless, Hierarchical (Process 28)"), ("66", "JPEG Lossless, Hierarchical (Process 29)"),
        ]
        for (n, name) in retiredJPEG {
            let lossless = ["58", "65", "66"].contains(n)
            t.append(TransferSyntax("1.2.840.10008.1.2.4.\(n)", name, lossy: !lossless, retired: true))
        }
        t += [
            jpegLossless, jpegLosslessSV1, jpegLSLossless, jpegLSNearLossless, jpeg2000Lossless, jpeg2000,
            TransferSyntax("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)"),
            TransferSyntax("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.94", "JPIP Referenced", encapsulated: false),
            TransferSyntax("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate", encapsulated: false, deflated: true),
            TransferSyntax("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.100.1", "Fragmentable MPEG2 Main Profile / Main Level", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.101.1", "Fragmentable MPEG2 Main Profile / High Level", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.102.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.103.1", "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.104.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.105.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.106.1", "Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.110", "JPEG XL Lossless"),
            TransferSyntax("1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression"),
            TransferSyntax("1.2.840.10008.1.2.4.112", "JPEG XL", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"),
            TransferSyntax("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)"),
            TransferSyntax("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", lossy: true),
            TransferSyntax("1.2.840.10008.1.2.4.204", "JPIP HTJ2K Referenced", encapsulated: false),
            TransferSyntax("1.2.840.10008.1.2.4.205", "JPIP HTJ2K Referenced Deflate", encapsulated: false, deflated: true),
            rleLossless,
            TransferSyntax("1.2.840.10008.1.2.6.1", "RFC 2557 MIME encapsulation", encapsulated: false, retired: true),
            TransferSyntax("1.2.840.10008.1.2.6.2", "XML Encoding", encapsulated: false, retired: true),
            TransferSyntax("1.2.840.10008.1.2.7.1", "SMPTE ST 2110-20 Uncompressed Progressive Active Video", encapsulated: false),
            TransferSyntax("1.2.840.10008.1.2.7.2", "SMPTE ST 2110-20 Uncompressed Interlaced Active Video", encapsulated: false),
            TransferSyntax("1.2.840.10008.1.2.7.3", "SMPTE ST 2110-30 PCM Digital Audio", encapsulated: false),
            TransferSyntax("1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression"),
        ]
        return t
    }()

    static let byUID: [String: TransferSyntax] = Dictionary(all.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
}

extension String {
    /// Drops trailing NUL and SPACE padding (PS3.5 §6.2).
    public func trimmingTrailingPadding() -> String {
        var s = Substring(self)
        s = s[..<(s.lastIndex(where: { $0 != "\0" && $0 != " " }).map(s.index(after:)) ?? s.startIndex)]  // not a dropLast() loop: quadratic
        return String(s)
    }
}
