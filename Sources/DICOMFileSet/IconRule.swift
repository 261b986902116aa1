import DICOMCore

/// Icon Image Sequence (0088,0200) rules of a profile (PS3.3 F.7, PS3.11 A.3.3, B.3.3, E.3.3.3).
public struct IconRule: Sendable, Hashable {
    /// Rows and Columns the icon must have.
    public let size: Int
    /// Every record of `recordTypes` must carry an icon (XA profiles); otherwise icons are optional.
    public let required: Bool
    /// Record types that may (or must) carry the icon.
    public let recordTypes: Set<DirectoryRecordType>
    /// Photometric Interpretations the profile allows for the icon (F.7 allows MONOCHROME1, MONOCHROME2, PALETTE COLOR).
    public let photometricInterpretations: Set<String>
    /// Where the rule is written, e.g. "PS3.11 E.3.3.3".
    public let reference: String

    public init(
        size: Int, required: Bool, recordTypes: Set<DirectoryRecordType>,
        photometricInterpretations: Set<String> = IconRule.f7Photometric, reference: String
    ) {
        self.size = size; self.required = required; self.recordTypes = recordTypes
        self.photometricInterpretations = photometricInterpretations; self.reference = reference
    }

    /// Photometric Interpretations an icon may use (PS3.3 F.7).
    public static let f7Photometric: Set<String> = ["MONOCHROME1", "MONOCHROME2", "PALETTE COLOR"]
    /// Record types that may carry an icon when no profile says otherwise (PS3.3 F.5.3, F.5.4, F.5.19, F.5.27, F.5.28).
    public static let f7RecordTypes: Set<DirectoryRecordType> = [.series, .image, .rtDose, .spectroscopy, .rawData]
}
