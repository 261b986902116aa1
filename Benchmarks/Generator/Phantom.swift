import Foundation

/// Tissue classes of the phantom. Each modality maps them to a mean value.
enum Tissue: UInt8, CaseIterable {
    case air, fat, soft, lung, blood, liver, kidney, spleen, cortical, marrow, csf, rib
}

/// An axis-aligned ellipsoid filled with one tissue, in patient coordinates (LPS, mm):
/// x towards the patient's left, y posterior, z superior (PS3.3 §C.7.6.2.1.1).
struct Ellipsoid {
    var c: SIMD3<Float>
    var r: SIMD3<Float>
    var tissue: Tissue
    /// The tissue this shape is drawn over (for projections, which add attenuation differences).
    var parent: Tissue
    var zMin: Float = -.infinity
    var zMax: Float = .infinity
    /// Periodic along z (ribs, vertebrae): present where sin(2π z' / period) > duty, with
    /// z' = z + slope * |x - c.x| (ribs run down from the spine towards the sides).
    var period: Float = 0
    var duty: Float = 0
    var slope: Float = 0
    /// Non-zero: a shell, the ellipsoid minus the one with these x and y radii (the rib cage).
    var inner: SIMD2<Float> = .zero

    var isShell: Bool { inner.x > 0 }

    /// Whether the shape exists at height z (shells check their period per pixel instead).
    @inline(__always) func present(atZ z: Float) -> Bool {
        guard z >= zMin && z <= zMax else { return false }
        if period > 0 && !isShell { return sin(2 * Float.pi * z / period) > duty }
        return true
    }

    @inline(__always) func periodic(x: Float, z: Float) -> Bool {
        period <= 0 || sin(2 * Float.pi * (z + slope * abs(x - c.x)) / period) > duty
    }
}

/// A smooth, anatomy-like body phantom (trunk: chest, abdomen, pelvis), sized per patient.
///
/// Shapes are drawn in order, each over what is already there (a painter's model), so images
/// have the sharp organ boundaries of a real body section; noise and a low-frequency texture
/// are added per pixel when rendering.
struct Phantom {
    var shapes: [Ellipsoid] = []

    init(width sx: Float, depth sy: Float, shift: Float) {
        func e(
            _ c: SIMD3<Float>, _ r: SIMD3<Float>, _ t: Tissue, over p: Tissue,
            z: ClosedRange<Float>? = nil, period: Float = 0, duty: Float = 0
        ) -> Ellipsoid {
            Ellipsoid(
                c: c, r: r, tissue: t, parent: p, zMin: z?.lowerBound ?? -.infinity, zMax: z?.upperBound ?? .infinity,
                period: period, duty: duty)
        }
        func shell(_ c: SIMD3<Float>, _ r: SIMD3<Float>, inner: SIMD2<Float>, z: ClosedRange<Float>) -> Ellipsoid {
            Ellipsoid(
                c: c, r: r, tissue: .rib, parent: .soft, zMin: z.lowerBound, zMax: z.upperBound,
                period: 26, duty: 0.35, slope: 0.55, inner: inner)
        }
        let long: Float = 2400  // "infinite" extent along z, with a gentle taper over the trunk
        let ribs: ClosedRange<Float> = -70...330
        shapes = [
            e([0, 0, 0], [172 * sx, 118 * sy, long], .fat, over: .air),
            e([0, 2, 0], [156 * sx, 104 * sy, long], .soft, over: .fat),
            // Rib cage: a bony shell cut into ribs that slope down towards the sides.
            shell([0, 4, 140], [146 * sx, 97 * sy, long], inner: [138 * sx, 90 * sy], z: ribs),
            // Pelvis.
            e([-92 * sx, 18, -330], [46 * sx, 32, 85], .cortical, over: .soft, z: -430...(-240)),
            e([92 * sx, 18, -330], [46 * sx, 32, 85], .cortical, over: .soft, z: -430...(-240)),
            e([-92 * sx, 18, -330], [36 * sx, 24, 75], .marrow, over: .cortical, z: -430...(-240)),
            e([92 * sx, 18, -330], [36 * sx, 24, 75], .marrow, over: .cortical, z: -430...(-240)),
            // Abdomen.
            e([-58 * sx, -4 * sy, -70 + shift], [92 * sx, 76 * sy, 98], .liver, over: .soft),
            e([82 * sx, 30 * sy, -45 + shift], [40 * sx, 34 * sy, 62], .spleen, over: .soft),
            e([-70 * sx, 46 * sy, -160 + shift], [27 * sx, 21 * sy, 52], .kidney, over: .soft),
            e([70 * sx, 46 * sy, -150 + shift], [27 * sx, 21 * sy, 52], .kidney, over: .soft),
            // Chest.
            e([-66 * sx, 2 * sy, 165 + shift], [56 * sx, 70 * sy, 150], .lung, over: .soft),
            e([66 * sx, 2 * sy, 170 + shift], [52 * sx, 70 * sy, 148], .lung, over: .soft),
            e([16 * sx, -30 * sy, 85 + shift], [56 * sx, 48 * sy, 62], .blood, over: .lung),
            e([14 * sx, 38 * sy, 0], [13, 13, long], .blood, over: .soft, z: -260...230),
            // Spine: vertebral bodies with discs between them, marrow, spinal canal.
            e([0, 72 * sy, 0], [25, 23, long], .cortical, over: .soft, period: 31, duty: -0.75),
            e([0, 72 * sy, 0], [18, 16, long], .marrow, over: .cortical, period: 31, duty: -0.75),
            e([0, 100 * sy, 0], [9, 9, long], .csf, over: .soft),
        ]
    }

    /// Fills `labels` with the tissue at x = x0 + i*dx along the line (y, z), i in 0..<n.
    func labelRow(y: Float, z: Float, x0: Float, dx: Float, into labels: UnsafeMutableBufferPointer<UInt8>) {
        let n = labels.count
        for i in 0..<n { labels[i] = Tissue.air.rawValue }
        for s in shapes where s.present(atZ: z) {
            let qy = (y - s.c.y) / s.r.y, qz = (z - s.c.z) / s.r.z
            let q = qy * qy + qz * qz
            if q >= 1 { continue }
            let half = s.r.x * (1 - q).squareRoot()
            let a = Int(((s.c.x - half - x0) / dx).rounded(.up)), b = Int(((s.c.x + half - x0) / dx).rounded(.down))
            let lo = max(a, 0), hi = min(b, n - 1)
            if lo > hi { continue }
            let t = s.tissue.rawValue
            if !s.isShell {
                for i in lo...hi { labels[i] = t }
                continue
            }
            // Shell: only between the outer and inner boundaries, and only where a rib is.
            let py = (y - s.c.y) / s.inner.y
            let qi = py * py + qz * qz
            var ia = hi + 1, ib = hi
            if qi < 1 {
                let h = s.inner.x * (1 - qi).squareRoot()
                ia = Int(((s.c.x - h - x0) / dx).rounded(.up)); ib = Int(((s.c.x + h - x0) / dx).rounded(.down))
            }
            for i in lo...hi where (i < ia || i > ib) && s.periodic(x: x0 + Float(i) * dx, z: z) { labels[i] = t }
        }
    }

    /// Adds to `path` the attenuation-weighted chord length along y through the phantom at
    /// x = x0 + i*dx, height z (a parallel-beam projection, for radiographs and localizers).
    func projectRow(z: Float, x0: Float, dx: Float, mu: [Float], into path: UnsafeMutableBufferPointer<Float>) {
        let n = path.count
        for i in 0..<n { path[i] = 0 }
        for s in shapes where s.present(atZ: z) {
            let qz = (z - s.c.z) / s.r.z
            let rest = 1 - qz * qz
            if rest <= 0 { continue }
            let w = (mu[Int(s.tissue.rawValue)] - mu[Int(s.parent.rawValue)]) * 2 * s.r.y
            if w == 0 { continue }
            let half = s.r.x * rest.squareRoot()
            let lo = max(Int(((s.c.x - half - x0) / dx).rounded(.up)), 0)
            let hi = min(Int(((s.c.x + half - x0) / dx).rounded(.down)), n - 1)
            if lo > hi { continue }
            let inv = 1 / s.r.x
            if !s.isShell {
                for i in lo...hi {
                    let qx = (x0 + Float(i) * dx - s.c.x) * inv
                    let v = rest - qx * qx
                    if v > 0 { path[i] += w * v.squareRoot() }
                }
                continue
            }
            // Shell: outer chord minus inner chord, where a rib is.
            let invI = 1 / s.inner.x, wI = w * s.inner.y / s.r.y
            for i in lo...hi {
                let x = x0 + Float(i) * dx
                guard s.periodic(x: x, z: z) else { continue }
                let qx = (x - s.c.x) * inv, qxi = (x - s.c.x) * invI
                let v = rest - qx * qx, vi = rest - qxi * qxi
                var p: Float = 0
                if v > 0 { p = w * v.squareRoot() }
                if vi > 0 { p -= wI * vi.squareRoot() }
                path[i] += p
            }
        }
    }
}

/// Linear attenuation relative to water, per tissue (for projections).
let projectionMu: [Float] = {
    var m = [Float](repeating: 0, count: Tissue.allCases.count)
    let v: [Tissue: Float] = [
        .air: 0, .fat: 0.9, .soft: 1.0, .lung: 0.22, .blood: 1.05, .liver: 1.06, .kidney: 1.03,
        .spleen: 1.04, .cortical: 1.9, .marrow: 1.15, .csf: 1.0, .rib: 1.7,
    ]
    for (t, x) in v { m[Int(t.rawValue)] = x }
    return m
}()
