import DICOMCore

/// The shape of a pixel and the size of a rendering that keeps it (PS3.3 C.7.6.3.1.7, 10.7.1.3).
public enum PixelAspect {
    /// A pixel's height over its width: from Pixel Spacing (row spacing \ column spacing), else Imager Pixel Spacing,
    /// else Nominal Scanned Pixel Spacing, else Pixel Aspect Ratio (vertical \ horizontal), else 1 (PS3.3 10.7.1.3, C.7.6.3.1.7).
    /// A ratio beyond 1:16 or 16:1, or values that are not positive, are taken as errors in the data and give 1.
    public static func ratio(_ ds: DataSet) -> Double {
        for tag in [Tag.pixelSpacing, .imagerPixelSpacing, .nominalScannedPixelSpacing] {
            if let v = ds.doubles(tag), v.count >= 2 { return sane(v[0] / v[1]) }
        }
        if let v = ds.integers(.pixelAspectRatio), v.count >= 2, v[1] != 0 { return sane(Double(v[0]) / Double(v[1])) }
        return 1
    }

    static func sane(_ r: Double) -> Double { r.isFinite && r >= 1.0 / 16 && r <= 16 ? r : 1 }

    /// The longest side of any rendering: stretching non-square pixels never makes more than this.
    public static let largestSide = 16384

    /// The rendering size of `columns` x `rows` pixels of height/width `ratio`: the shorter physical side stretched so that
    /// pixels are square, then scaled down (never up) so the longer side is at most `maxSize` (and ``largestSide``).
    public static func outputSize(columns: Int, rows: Int, ratio: Double, maxSize: Int?) -> (width: Int, height: Int) {
        var w = Double(columns), h = Double(rows)
        if ratio > 1 { h *= ratio } else if ratio < 1 { w /= ratio }
        let limit = Double(min(maxSize.map { max(1, $0) } ?? largestSide, largestSide))
        if max(w, h) > limit {
            let s = limit / max(w, h)
            w *= s; h *= s
        }
        return (max(1, Int(w.rounded())), max(1, Int(h.rounded())))
    }
}
