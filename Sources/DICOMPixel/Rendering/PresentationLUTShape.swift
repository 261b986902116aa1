import DICOMCore
import Foundation

/// The Presentation LUT Shape (2050,0020): IDENTITY or INVERSE P-Values (PS3.3 C.11.6; PS3.4 N.2.1.1).
public enum PresentationLUTShape: String, Sendable, Equatable {
    case identity = "IDENTITY"
    case inverse = "INVERSE"

    /// The shape that shows an image as meant: INVERSE for MONOCHROME1 (minimum is white, PS3.3 C.7.6.3.1.2) or
    /// a stored INVERSE shape, once: the two say the same thing, as in the DX IOD (PS3.3 C.8.11.6.1.2), and are not applied twice.
    public static func of(_ ds: DataSet, photometric: String) -> PresentationLUTShape {
        let stored = ds.string(.presentationLUTShape)?.trimmingCharacters(in: .whitespaces).uppercased()
        return photometric == "MONOCHROME1" || stored == PresentationLUTShape.inverse.rawValue ? .inverse : .identity
    }

    /// The P-Value (0...1) of a VOI output (0...1).
    @inline(__always) public func apply(_ y: Double) -> Double { self == .inverse ? 1 - y : y }
}
