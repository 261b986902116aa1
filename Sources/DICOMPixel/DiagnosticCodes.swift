import DICOMCore

extension DiagnosticCode {
    /// No Pixel Data to compress: the data set is written in Explicit VR Little Endian instead of the encapsulated target (PS3.5 A.4).
    public static let noPixelData = DiagnosticCode("no-pixel-data")
    /// A lossy encoder ran: Lossy Image Compression set, new SOP Instance UID referencing the predecessor (PS3.3 C.7.6.1.1.5).
    public static let lossy = DiagnosticCode("lossy")
    /// The source pixels were lossy compressed but Lossy Image Compression did not say so; set to 01 (PS3.3 C.7.6.1.1.5).
    public static let lossySource = DiagnosticCode("lossy-source")
}
