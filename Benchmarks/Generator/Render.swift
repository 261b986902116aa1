import Foundation

/// Renders one image of a series as little-endian 16-bit stored values (the Pixel Data value).
///
/// Axial and coronal images are sections through the phantom; projections (radiographs and CT
/// localizers) integrate attenuation along y. On top come a smooth low-frequency texture (so
/// organs are not flat), MR coil shading, and noise from `rng`.
func renderPixels(_ se: SeriesPlan, slice i: Int, phantom: Phantom, rng: inout SplitMix64) -> [UInt8] {
    let rows = se.rows, cols = se.columns
    let app = se.appearance
    let lo: Int32, hi: Int32
    if se.pixelRepresentation == 1 {
        lo = -(Int32(1) << (se.bitsStored - 1)); hi = (Int32(1) << (se.bitsStored - 1)) - 1
    } else {
        lo = 0; hi = (Int32(1) << se.bitsStored) - 1
    }
    let intercept = Float(se.intercept), invSlope = 1 / Float(se.slope)
    let dx = Float(se.columnSpacing), dv = Float(se.rowSpacing)
    let x0 = Float(se.originX), v0 = Float(se.originV)
    let slicePos = Float(se.firstSlice + (se.geometry == .axial ? -1 : 1) * Double(i) * se.sliceSpacing)

    // Separable texture and shading tables: value(c, r) = f(tx[c] * ty[r]), shadeX[c] * shadeY[r].
    var tx = [Float](repeating: 0, count: cols), sx = [Float](repeating: 1, count: cols)
    var ty = [Float](repeating: 0, count: rows), sy = [Float](repeating: 1, count: rows)
    for c in 0..<cols {
        let x = x0 + Float(c) * dx
        tx[c] = sin(0.029 * x + 0.011 * slicePos) + 0.6 * sin(0.071 * x - 0.017 * slicePos + 1.3)
        if app.shading { sx[c] = 1 - 0.3 * (x / 260) * (x / 260) }
    }
    for r in 0..<rows {
        let v = se.geometry == .axial ? v0 + Float(r) * dv : v0 - Float(r) * dv
        ty[r] = (sin(0.033 * v + 0.013 * slicePos + 0.7) + 0.6 * sin(0.061 * v + 2.1)) * 0.4
        if app.shading { sy[r] = 1 - 0.3 * (v / 260) * (v / 260) }
    }

    var out = [UInt8](repeating: 0, count: rows * cols * 2)
    let labels = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: cols)
    let path = UnsafeMutableBufferPointer<Float>.allocate(capacity: cols)
    defer { labels.deallocate(); path.deallocate() }
    let mean = app.mean, texture = app.texture, noise = app.noise
    let magnitude = app.magnitude

    @inline(__always) func store(_ v: Float, _ o: UnsafeMutableBufferPointer<UInt8>, _ k: Int) {
        var s = Int32(((v - intercept) * invSlope).rounded())
        s = min(max(s, lo), hi)
        let u = UInt16(truncatingIfNeeded: s)
        o[2 * k] = UInt8(u & 0xFF); o[2 * k + 1] = UInt8(u >> 8)
    }

    out.withUnsafeMutableBufferPointer { o in
        mean.withUnsafeBufferPointer { mean in
            texture.withUnsafeBufferPointer { texture in
                for r in 0..<rows {
                    let base = r * cols
                    let shadeR = sy[r], tyr = ty[r]
                    switch se.geometry {
                    case .axial, .coronal:
                        if se.geometry == .axial {
                            phantom.labelRow(y: v0 + Float(r) * dv, z: slicePos, x0: x0, dx: dx, into: labels)
                        } else {
                            phantom.labelRow(y: slicePos, z: v0 - Float(r) * dv, x0: x0, dx: dx, into: labels)
                        }
                        for c in 0..<cols {
                            let t = Int(labels[c])
                            var v = mean[t] + texture[t] * tx[c] * tyr
                            v *= sx[c] * shadeR
                            v += noise * rng.gaussish()
                            if magnitude { v = abs(v) }
                            store(v, o, base + c)
                        }
                    case .projection:
                        phantom.projectRow(z: v0 - Float(r) * dv, x0: x0, dx: dx, mu: projectionMu, into: path)
                        for c in 0..<cols {
                            let p = path[c] * (1 + 0.02 * tx[c] * tyr)
                            let v = app.projOffset + app.projScale * (1 - exp(-app.projK * p)) + noise * rng.gaussish()
                            store(v, o, base + c)
                        }
                    }
                }
            }
        }
    }
    return out
}
