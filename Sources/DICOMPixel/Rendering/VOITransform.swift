import DICOMCore
import Foundation

/// The function of a VOI window (0028,1056): LINEAR, LINEAR_EXACT or SIGMOID (PS3.3 C.11.2.1.3).
public enum VOILUTFunction: String, Sendable, Equatable {
    case linear = "LINEAR"
    case linearExact = "LINEAR_EXACT"
    case sigmoid = "SIGMOID"
}

/// How a window is computed from the frame when none is given or chosen (PS3.4 N.2.1.1 leaves it to the application).
public enum AutomaticWindow: Sendable, Equatable {
    /// The frame's lowest modality value to black, its highest to white.
    case minMax
    /// The `low` and `high` quantiles (0...1) of the frame's modality values, e.g. 0.01 and 0.99.
    case percentiles(low: Double, high: Double)
    /// The whole range the stored values can give (an 8-bit secondary capture shown as stored).
    case fullRange
}

/// The VOI LUT: modality values to the 0...1 range of the display, by a window or a VOI LUT (PS3.3 C.11.2; PS3.4 N.2.1.1).
public enum VOITransform: Sendable, Equatable {
    /// Window Center/Width with its function (PS3.3 C.11.2.1.2).
    case window(center: Double, width: Double, function: VOILUTFunction)
    /// An item of the VOI LUT Sequence (PS3.3 C.11.2.1.1).
    case table(LookupTable)
    /// A linear ramp from `low` (black) to `high` (white): an automatic window.
    case range(low: Double, high: Double)

    /// The stored VOI of a data set: the first Window Center/Width when valid, else the first VOI LUT Sequence item with a
    /// LUT Descriptor, else nil (PS3.3 C.11.2).
    public static func stored(in ds: DataSet, signedInput: Bool) throws -> VOITransform? {
        if let c = ds.doubles(.windowCenter)?.first, let w = ds.doubles(.windowWidth)?.first, c.isFinite, w.isFinite {
            let name = ds.string(.voilutFunction)?.trimmingCharacters(in: .whitespaces).uppercased() ?? ""
            let function = VOILUTFunction(rawValue: name) ?? .linear
            // LINEAR needs a width of at least 1, the others a positive width (PS3.3 C.11.2.1.2.1, C.11.2.1.3); an impossible window is passed over.
            if function == .linear ? w >= 1 : w > 0 { return .window(center: c, width: w, function: function) }
        }
        if let item = ds[.voilutSequence]?.items?.first, item[.lutDescriptor]?.bytes?.isEmpty == false {
            return .table(try LookupTable.read(descriptor: item[.lutDescriptor], data: item[.lutData], name: "VOI LUT", signedFirst: signedInput))
        }
        return nil
    }

    /// The display value, 0 (black before any inversion) to 1, of a modality value (PS3.3 C.11.2.1.2.1, C.11.2.1.3.1-2).
    @inline(__always) public func apply(_ x: Double) -> Double {
        switch self {
        case .window(let c, let w, .linear):
            if x <= c - 0.5 - (w - 1) / 2 { return 0 }
            if x > c - 0.5 + (w - 1) / 2 { return 1 }
            return (x - (c - 0.5)) / (w - 1) + 0.5
        case .window(let c, let w, .linearExact):
            if x <= c - w / 2 { return 0 }
            if x > c + w / 2 { return 1 }
            return (x - c) / w + 0.5
        case .window(let c, let w, .sigmoid):
            return 1 / (1 + exp(-4 * (x - c) / w))
        case .table(let t):
            let index = x.isNaN ? 0 : Int(max(-1e15, min(1e15, x)).rounded(.down))  // no trap on an infinite rescale
            return Double(t.lookup(index)) / Double(max(1, t.maximum))
        case .range(let low, let high):
            if high <= low { return x > low ? 1 : 0 }
            return min(1, max(0, (x - low) / (high - low)))
        }
    }
}
