import DICOMCodecs
import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMPixel

/// How far `create`/`update`/`export` may go to fit inputs into a profile's transfer syntaxes (PS3.11 §7: the profile fixes the syntaxes).
public enum CompressionMode: String, Sendable, CaseIterable {
    /// Only native syntaxes (Explicit VR Little Endian) are written.
    case none
    /// Lossless compressed syntaxes where the profile allows one, else native.
    case lossless
    /// Lossy syntaxes allowed by the profile, asked for by name; lossless or native where no lossy encoder fits.
    case lossy
}
