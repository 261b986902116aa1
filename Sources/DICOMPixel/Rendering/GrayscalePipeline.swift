import DICOMCore

/// The grayscale pipeline of PS3.4 N.2.1: stored values → Modality LUT → VOI LUT → Presentation LUT,
/// giving display levels 0...255. A rendering is scaled between the Modality LUT and the VOI, as DCMTK does.
public struct GrayscalePipeline: Sendable, Equatable {
    public var modality: ModalityLUT
    public var voi: VOITransform
    public var presentation: PresentationLUTShape

    public init(modality: ModalityLUT, voi: VOITransform, presentation: PresentationLUTShape) {
        self.modality = modality; self.voi = voi; self.presentation = presentation
    }

    /// The pipeline for a frame: its Modality LUT, the VOI `choice` asks for (computed from `values` when needed) and its shape (PS3.4 N.2.1).
    public static func make(values: [Int], description d: PixelDescription, attributes ds: DataSet, voi choice: VOIChoice) throws -> GrayscalePipeline {
        let modality = try ModalityLUT.of(ds, signed: d.isSigned)
        let stored = FrameSamples.range(d)
        let voi: VOITransform
        switch choice {
        case .window(let c, let w, let f): voi = .window(center: c, width: w, function: f)
        case .computed(let auto): voi = automatic(auto, values: values, modality: modality, stored: stored)
        case .stored(let fallback):
            if let v = try VOITransform.stored(in: ds, signedInput: modality.outputRange(of: stored).lowerBound < 0) {
                voi = v
            } else {
                let natural: AutomaticWindow = d.bitsStored <= 8 && modality == .identity ? .fullRange : .minMax
                voi = automatic(fallback ?? natural, values: values, modality: modality, stored: stored)
            }
        }
        return GrayscalePipeline(modality: modality, voi: voi, presentation: .of(ds, photometric: d.photometricInterpretation))
    }

    /// The modality values of every stored value; through a table of the stored range when it has at most 65536 values.
    public func modalityValues(_ values: [Int], stored: ClosedRange<Int>) -> [Float] {
        guard stored.count <= 65536 else { return values.map { Float(modality.apply($0)) } }
        let table = stored.map { Float(modality.apply($0)) }
        let low = stored.lowerBound
        return values.map { table[$0 - low] }
    }

    /// The display level (0...255) of a modality value: VOI, then the Presentation LUT (PS3.4 N.2.1.1).
    @inline(__always) public func level(modalityValue x: Float) -> Float { Float(255 * presentation.apply(voi.apply(Double(x)))) }

    /// A window computed from the frame's modality values (PS3.4 N.2.1.1: the application chooses one when none is given).
    static func automatic(_ auto: AutomaticWindow, values: [Int], modality: ModalityLUT, stored: ClosedRange<Int>) -> VOITransform {
        switch auto {
        case .fullRange:
            let r = modality.outputRange(of: stored)
            return .range(low: r.lowerBound, high: r.upperBound)
        case .minMax:
            if case .table = modality {
                let all = values.map(modality.apply)  // a table need not be monotonic
                return .range(low: all.min() ?? 0, high: all.max() ?? 0)
            }
            let (lo, hi) = values.minAndMax() ?? (0, 0)
            let a = modality.apply(lo), b = modality.apply(hi)
            return .range(low: min(a, b), high: max(a, b))
        case .percentiles(let low, let high):
            var sample = values.count > 1 << 20 ? stride(from: 0, to: values.count, by: values.count >> 20 + 1).map { values[$0] } : values
            var mapped = sample.map(modality.apply)
            sample = []
            mapped.sort()
            guard let last = mapped.indices.last else { return .range(low: 0, high: 0) }
            func at(_ q: Double) -> Double { mapped[max(0, min(last, Int((q * Double(last)).rounded())))] }
            return .range(low: at(min(low, high)), high: at(max(low, high)))
        }
    }
}

/// Which VOI a rendering uses (PS3.4 N.2.1.1).
public enum VOIChoice: Sendable, Equatable {
    /// The image's first window, else its first VOI LUT, else the `fallback` computed window (nil: the full range for
    /// 8-bit images without rescale, min-max otherwise).
    case stored(fallback: AutomaticWindow?)
    /// This window instead of the stored ones.
    case window(center: Double, width: Double, function: VOILUTFunction)
    /// A window computed from the frame, whatever the image holds.
    case computed(AutomaticWindow)
}

extension Array where Element == Int {
    /// The smallest and largest element in one pass, nil when empty.
    func minAndMax() -> (Int, Int)? {
        guard var lo = first else { return nil }
        var hi = lo
        for v in self { if v < lo { lo = v } else if v > hi { hi = v } }
        return (lo, hi)
    }
}
