/// Resizes an image by area averaging: each output pixel is the mean of the source area it covers,
/// partly covered source pixels weighted by the part (a box filter over exact coverage; no nearest-neighbour aliasing).
public enum AreaResampler {
    /// `channels` interleaved samples per pixel, `width` x `height` → `toWidth` x `toHeight`, separably (rows, then columns).
    public static func resample(_ src: [Float], width: Int, height: Int, channels: Int, toWidth: Int, toHeight: Int) -> [Float] {
        if width == toWidth && height == toHeight { return src }
        let xs = weights(from: width, to: toWidth), ys = weights(from: height, to: toHeight)
        var mid = [Float](repeating: 0, count: toWidth * height * channels)
        for y in 0..<height {
            let row = y * width * channels, outRow = y * toWidth * channels
            for (ox, taps) in xs.enumerated() {
                for c in 0..<channels {
                    var sum: Float = 0
                    for (i, w) in taps { sum += src[row + i * channels + c] * w }
                    mid[outRow + ox * channels + c] = sum
                }
            }
        }
        var out = [Float](repeating: 0, count: toWidth * toHeight * channels)
        let line = toWidth * channels
        for (oy, taps) in ys.enumerated() {
            for (i, w) in taps {
                let from = i * line
                for k in 0..<line { out[oy * line + k] += mid[from + k] * w }
            }
        }
        return out
    }

    /// For each output index, the source indices it covers and their weights (summing to 1).
    static func weights(from n: Int, to m: Int) -> [[(Int, Float)]] {
        let scale = Double(n) / Double(m)
        return (0..<m).map { j in
            let a = Double(j) * scale, b = Double(j + 1) * scale
            var taps: [(Int, Float)] = []
            var i = Int(a)
            while Double(i) < b && i < n {
                let overlap = min(b, Double(i + 1)) - max(a, Double(i))
                if overlap > 1e-9 { taps.append((i, Float(overlap / scale))) }
                i += 1
            }
            return taps
        }
    }
}
