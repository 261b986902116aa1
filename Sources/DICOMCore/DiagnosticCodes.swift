// The diagnostic codes DICOMCore declares (listed in docs/DIAGNOSTICS.md, checked by DiagnosticCodesDocumentedTests).
extension DiagnosticCode {
    /// A Specific Character Set (0008,0005) value that is unknown, non-standard or not convertible (PS3.5 §6.1).
    public static let characterSet = DiagnosticCode("character-set")
}
