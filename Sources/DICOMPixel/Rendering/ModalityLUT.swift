import DICOMCore

/// The Modality LUT: stored values to modality values (Hounsfield units, optical density...) by
/// Rescale Slope and Intercept or by a Modality LUT Sequence (PS3.3 C.11.1; PS3.4 N.2.1.1).
public enum ModalityLUT: Sendable, Equatable {
    /// value × slope + intercept (PS3.3 C.11.1.1.2).
    case rescale(slope: Double, intercept: Double)
    /// The first item of the Modality LUT Sequence (PS3.3 C.11.1.1.1).
    case table(LookupTable)

    /// The identity: no rescale and no table.
    public static let identity = ModalityLUT.rescale(slope: 1, intercept: 0)

    /// The Modality LUT of a data set: the Modality LUT Sequence when its item has a LUT Descriptor (an item of empty
    /// attributes is passed over, as DCMTK does), else Rescale Slope/Intercept, else the identity (PS3.3 C.11.1).
    public static func of(_ ds: DataSet, signed: Bool) throws -> ModalityLUT {
        if let item = ds[.modalityLUTSequence]?.items?.first, item[.lutDescriptor]?.bytes?.isEmpty == false {
            return .table(try LookupTable.read(descriptor: item[.lutDescriptor], data: item[.lutData], name: "Modality LUT", signedFirst: signed))
        }
        let slope = ds.doubles(.rescaleSlope)?.first ?? 1, intercept = ds.doubles(.rescaleIntercept)?.first ?? 0
        guard slope.isFinite, intercept.isFinite, slope != 0 else {
            throw PixelError(.invalidLUT, "Rescale Slope \(slope) / Intercept \(intercept) cannot map stored values (PS3.3 C.11.1.1.2)", tag: .rescaleSlope)
        }
        return .rescale(slope: slope, intercept: intercept)
    }

    /// The modality value of a stored value.
    @inline(__always) public func apply(_ stored: Int) -> Double {
        switch self {
        case .rescale(let slope, let intercept): return Double(stored) * slope + intercept
        case .table(let t): return Double(t.lookup(stored))
        }
    }

    /// The modality values the stored range can give, lowest first (for a window over the full range).
    public func outputRange(of stored: ClosedRange<Int>) -> ClosedRange<Double> {
        switch self {
        case .rescale:
            let a = apply(stored.lowerBound), b = apply(stored.upperBound)
            return min(a, b)...max(a, b)
        case .table(let t): return Double(t.entries.min() ?? 0)...Double(max(t.entries.max() ?? 0, t.entries.min() ?? 0))
        }
    }
}
