import DICOMCore

/// What to generate.
struct Options {
    var out = ""
    var count = 100
    var seed: UInt64 = 1
    var modality = "mix"  // CT, MR, DX or mix
    var small = false
}

struct PatientPlan {
    var id: String
    var name: String
    var sex: String
    var birthDay: Int  // days since 1970-01-01
    var weight: Double  // kg
    var height: Double  // m
    var phantom: Phantom
    var bodyWidth: Float  // mm, for the field of view
}

struct StudyPlan {
    var patient: Int
    var uid: String
    var day: Int  // days since 1970-01-01
    var time: Double  // seconds after midnight
    var id: String  // Study ID, numeric
    var accession: String
    var description: String
    var referring: String
    var modality: String
    var bodyPart: String
    var contrast: Bool
    var model: String
    var station: String
    var serial: String
    var bitsStored: Int
    var fieldStrength: Double  // MR only
    var frameOfReference: String
    var operatorName: String
}

enum Geometry { case axial, coronal, projection }

/// Per-tissue mean values and how to turn them into stored pixel values.
struct Appearance {
    var mean: [Float]  // per Tissue.rawValue, in output units (HU for CT)
    var texture: [Float]  // amplitude of the smooth texture, per tissue
    var noise: Float  // standard deviation
    var magnitude = false  // MR: magnitude image (noise folds at zero)
    var shading = false  // MR: coil sensitivity falls off towards the edges
    /// Projections: value = projOffset + projScale * (1 - exp(-projK * path)).
    var projOffset: Float = 0, projScale: Float = 0, projK: Float = 0

    static func table(_ v: [Tissue: Float]) -> [Float] {
        var m = [Float](repeating: 0, count: Tissue.allCases.count)
        for (t, x) in v { m[Int(t.rawValue)] = x }
        return m
    }
}

struct SeriesPlan {
    var study: Int
    var number: Int
    var uid: String
    var modality: String
    var description: String
    var protocolName: String
    var geometry: Geometry
    var count: Int
    var rows: Int, columns: Int
    var rowSpacing: Double, columnSpacing: Double  // mm between rows / between columns
    var thickness: Double, sliceSpacing: Double
    /// Axial: z of the first slice (slices go inferior). Coronal: y of the first slice (slices go posterior).
    var firstSlice: Double
    /// Patient coordinates of the first pixel's centre, across the slice: x, and y (axial) or z (coronal, projection).
    var originX: Double, originV: Double
    var imageType: [String]
    var bitsStored: Int
    var pixelRepresentation: Int
    var intercept: Double, slope: Double
    var windows: [(center: Double, width: Double, explanation: String)]
    var appearance: Appearance
    var time: Double  // series start, seconds after midnight
    var instanceInterval: Double  // seconds between instances
    // CT
    var kvp = 120.0, mA = 200, exposureTime = 500, kernel = "", filter = ""
    // MR
    var sequenceName = "", scanningSequence = "", sequenceVariant = "", tr = 0.0, te = 0.0, flip = 0.0, echoTrain = 1
    // DX
    var viewPosition = ""
}

struct FilePlan {
    var series: Int
    var instance: Int  // 1-based
    var path: String
}

struct Plan {
    var patients: [PatientPlan] = []
    var studies: [StudyPlan] = []
    var series: [SeriesPlan] = []
    var files: [FilePlan] = []
}

// MARK: - Names and vocabularies

let maleGiven = [
    "James", "John", "Robert", "Michael", "David", "Thomas", "Daniel", "Paul", "Mark", "Peter",
    "Kenji", "Arjun", "Luca", "Mateo", "Omar", "Lars", "Pavel", "Samuel", "Noah", "Hugo",
]
let femaleGiven = [
    "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Susan", "Sarah", "Karen", "Anna", "Laura",
    "Yuki", "Priya", "Giulia", "Sofia", "Amira", "Ingrid", "Olga", "Grace", "Emma", "Chloe",
]
let familyNames = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
    "Tanaka", "Patel", "Rossi", "Garcia", "Haddad", "Larsen", "Novak", "Okafor", "Walker", "Martin",
    "Schmidt", "Bauer", "Dubois", "Kowalski", "Nguyen", "Kim", "Silva", "Jensen", "Murphy", "Fischer",
]
/// Names that need ISO_IR 100 (Latin-1): (name, sex).
let latin1Names = [
    ("Müller^Jürgen", "M"), ("Größer^Käthe", "F"), ("Lefèvre^Amélie", "F"), ("Ibáñez^José", "M"),
    ("Åström^Björn", "M"), ("Núñez^Inés", "F"), ("Øvergård^Søren", "M"), ("Çelik^Zoë", "F"),
    ("Gonçalves^João", "M"), ("Þórsdóttir^Sólveig", "F"),
]
let physicians = [
    "Okonkwo^Adaeze^^Dr.", "Lindqvist^Erik^^Dr.", "Moreau^Claire^^Dr.", "Hoffmann^Stefan^^Dr.",
    "Singh^Raj^^Dr.", "Chen^Wei^^Dr.", "O'Brien^Siobhan^^Dr.", "Ferreira^Ana^^Dr.",
]
let operators = ["RT^Alex", "RT^Sam", "RT^Jo", "RT^Kim", "RT^Lee"]

// MARK: - Planning

/// Distributes `count` files over patients, studies and series. Draws come from one PRNG in a
/// fixed order, so the plan for N files is a prefix of the plan for more (up to the last series).
func makePlan(_ o: Options) -> Plan {
    var rng = SplitMix64(o.seed)
    let ident = Identity(seed: o.seed)
    var plan = Plan()
    let patientBase = rng.int(100_000...799_999)
    let studyBase = rng.int(1_000...89_999)
    let accessionBase = rng.int(10_000_000...79_999_999)

    while plan.files.count < o.count {
        // Patient.
        let p = plan.patients.count
        var name: String, sex: String
        if rng.chance(0.12) {
            (name, sex) = rng.pick(latin1Names)
        } else {
            sex = rng.chance(0.5) ? "M" : "F"
            name = rng.pick(familyNames) + "^" + rng.pick(sex == "M" ? maleGiven : femaleGiven)
            if rng.chance(0.2) { name += "^" + String(rng.pick(Array("ABCDEFGHJKLMNPRSTW"))) }
        }
        let firstStudyDay = 17_532 + rng.int(0...2_400)  // 2018-01-01 + up to ~6.5 years
        let age = rng.int(18...89)
        let birthDay = firstStudyDay - age * 365 - rng.int(0...364)
        let size = Float(rng.double(0.86, 1.14))
        let height = (sex == "M" ? 1.76 : 1.63) + rng.double(-0.12, 0.12)
        let weight = 24.0 * height * height * Double(size * size) + rng.double(-6, 6)
        let phantom = Phantom(
            width: size * Float(rng.double(0.96, 1.04)), depth: size * Float(rng.double(0.94, 1.06)),
            shift: Float(rng.double(-15, 15)))
        plan.patients.append(
            PatientPlan(
                id: "SYN\(patientBase + p)", name: name, sex: sex, birthDay: birthDay,
                weight: (weight * 10).rounded() / 10, height: (height * 100).rounded() / 100,
                phantom: phantom, bodyWidth: 2 * 172 * size))

        let studyCount = rng.chance(0.3) ? 2 : 1
        var day = firstStudyDay
        for _ in 0..<studyCount {
            guard plan.files.count < o.count else { break }
            let s = plan.studies.count
            var modality = o.modality
            if modality == "mix" {
                let u = rng.unit()
                modality = u < 0.45 ? "CT" : (u < 0.87 ? "MR" : "DX")
            }
            planStudy(
                &plan, &rng, ident, o, patient: p, study: s, modality: modality, day: day,
                id: String(studyBase + s), accession: "A\(accessionBase + s * 7 + rng.int(0...6))")
            day += rng.int(20...400)
        }
    }
    return plan
}

private func planStudy(
    _ plan: inout Plan, _ rng: inout SplitMix64, _ ident: Identity, _ o: Options,
    patient p: Int, study s: Int, modality: String, day: Int, id: String, accession: String
) {
    let pat = plan.patients[p]
    var st = StudyPlan(
        patient: p, uid: ident.uid(.study, s), day: day, time: Double(rng.int(7 * 3600...19 * 3600)),
        id: id, accession: accession, description: "", referring: rng.pick(physicians), modality: modality,
        bodyPart: "", contrast: false, model: "", station: "", serial: "", bitsStored: 16, fieldStrength: 0,
        frameOfReference: ident.uid(.frameOfReference, s), operatorName: rng.pick(operators))
    var series: [SeriesPlan] = []
    let small = o.small
    /// A CT/MR series count: a few images with --small, else the range given.
    func images(_ r: ClosedRange<Int>) -> Int { small ? rng.int(2...4) : rng.int(r) }
    var time = st.time + Double(rng.int(60...300))

    switch modality {
    case "CT":
        let kind = rng.int(0...2)
        let (desc, part, regionTop): (String, String, Double) =
            [
                ("CT CHEST W/O CONTRAST", "CHEST", 310), ("CT ABDOMEN PELVIS W CONTRAST", "ABDOMEN", 40),
                ("CT CHEST ABDOMEN W CONTRAST", "CHEST", 300),
            ][kind]
        st.description = desc; st.bodyPart = part; st.contrast = kind != 0
        let highEnd = rng.chance(0.5)
        st.model = highEnd ? "SynthCT 128 Edge" : "SynthCT 64"
        st.bitsStored = highEnd ? 16 : 12
        st.station = highEnd ? "SYNCT02" : "SYNCT01"
        st.serial = highEnd ? "80412" : "61077"
        let n = small ? 64 : 512
        let fov = Double(max(pat.bodyWidth + 30, 320)).rounded()
        let ct = ctAppearance(contrast: st.contrast)
        let top = regionTop + rng.double(-20, 20)
        // 1: localizer (a projection through the body, like a topogram).
        var loc = SeriesPlan(
            study: s, number: 1, uid: "", modality: "CT", description: "Topogram 0.6 T20s", protocolName: desc,
            geometry: .projection, count: 1, rows: n, columns: n,
            rowSpacing: 512.0 / Double(n), columnSpacing: 512.0 / Double(n), thickness: 0.6, sliceSpacing: 0,
            firstSlice: 0, originX: -256 + 256.0 / Double(n), originV: top + 60,
            imageType: ["ORIGINAL", "PRIMARY", "LOCALIZER"], bitsStored: st.bitsStored, pixelRepresentation: 1,
            intercept: -1024, slope: 1, windows: [(400, 1600, "TOPOGRAM")], appearance: ct, time: time,
            instanceInterval: 1)
        loc.appearance.noise = 8
        loc.appearance.projOffset = -1000; loc.appearance.projScale = 2700; loc.appearance.projK = 0.0055
        loc.kvp = 120; loc.mA = 35; loc.exposureTime = 2800; loc.kernel = "T20s"; loc.filter = "FLAT"
        series.append(loc)
        time += Double(rng.int(40...120))
        // 2: the primary axial reconstruction.
        let thick = rng.pick([5.0, 3.0, 2.5, 2.0])
        let kernel = highEnd ? "Br40" : "STANDARD"
        var ax = loc
        ax.number = 2; ax.description = "Axial \(fmt(thick, 1))mm \(kernel)"; ax.geometry = .axial
        ax.count = images(20...90); ax.rowSpacing = fov / Double(n); ax.columnSpacing = ax.rowSpacing
        ax.thickness = thick; ax.sliceSpacing = thick; ax.firstSlice = top
        ax.originX = -fov / 2 + ax.columnSpacing / 2; ax.originV = -fov / 2 + ax.rowSpacing / 2 + 10
        ax.imageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ax.windows = part == "CHEST" ? [(40, 400, "WINDOW1"), (-600, 1500, "WINDOW2")] : [(40, 400, "WINDOW1"), (60, 360, "WINDOW2")]
        ax.appearance = ct
        ax.kvp = rng.pick([100, 120, 120, 140]); ax.mA = rng.int(120...380); ax.exposureTime = rng.pick([500, 750, 1000])
        ax.kernel = kernel; ax.filter = "BODY FILTER"; ax.time = time; ax.instanceInterval = 0.25
        series.append(ax)
        // 3: sometimes a thin reconstruction of the same acquisition (lung or bone kernel).
        if rng.chance(0.3) {
            var thin = ax
            let lungs = part == "CHEST"
            thin.number = 3
            thin.thickness = rng.pick([1.0, 1.25, 1.5]); thin.sliceSpacing = thin.thickness
            thin.kernel = lungs ? (highEnd ? "Bl64" : "LUNG") : (highEnd ? "Br64" : "BONE")
            thin.description = "\(lungs ? "Lung" : "Bone") \(fmt(thin.thickness, 2))mm \(thin.kernel)"
            thin.count = images(20...50)
            thin.firstSlice = top - Double(rng.int(0...40))
            thin.windows = lungs ? [(-600, 1500, "LUNG"), (40, 400, "MEDIASTINUM")] : [(500, 2000, "BONE"), (40, 400, "SOFT TISSUE")]
            thin.appearance.noise = 22
            thin.time = time + 20
            series.append(thin)
        }

    case "MR":
        let kind = rng.int(0...2)
        let (desc, part, center): (String, String, Double) =
            [("MR ABDOMEN W/O CONTRAST", "ABDOMEN", -80), ("MR LIVER", "ABDOMEN", -50), ("MR PELVIS", "PELVIS", -300)][kind]
        st.description = desc; st.bodyPart = part
        let threeT = rng.chance(0.4)
        st.model = threeT ? "SynthMR Vida 3T" : "SynthMR Aera 1.5T"
        st.fieldStrength = threeT ? 3 : 1.5
        st.station = threeT ? "SYNMR02" : "SYNMR01"
        st.serial = threeT ? "175530" : "142208"
        st.bitsStored = 12
        let n = small ? 64 : 256
        let fov = Double(max(pat.bodyWidth + 40, 340) / 10).rounded() * 10
        // (name, weighting, fat-sat, geometry, TR, TE, flip, scanning sequence, variant, echo train)
        let protocols: [(String, String, Bool, Geometry, Double, Double, Double, String, String, Int)] = [
            ("t2_haste_cor", "T2", false, .coronal, 1400, 95, 160, "SE", "SK\\SP", 128),
            ("t2_tse_tra_fs", "T2", true, .axial, 4200, 102, 150, "SE", "SK\\SP\\OSP", 17),
            ("t1_vibe_fs_tra", "T1", true, .axial, 4.1, 1.9, 9, "GR", "SP\\SS\\OSP", 1),
            ("t1_tse_tra", "T1", false, .axial, 550, 12, 150, "SE", "SK\\SP", 3),
        ]
        var order = Array(protocols.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.int(0...i)) }
        let nSeries = rng.int(2...4)
        for k in 0..<nSeries {
            let (name, weighting, fatSat, geom, tr, te, flip, ss, sv, etl) = protocols[order[k]]
            let thick = geom == .coronal ? 6.0 : rng.pick([5.0, 6.0])
            let count = images(10...28)
            let spacing = thick * 1.2
            var se = SeriesPlan(
                study: s, number: k + 1, uid: "", modality: "MR", description: name, protocolName: name,
                geometry: geom, count: count, rows: n, columns: n,
                rowSpacing: fov / Double(n), columnSpacing: fov / Double(n), thickness: thick, sliceSpacing: spacing,
                firstSlice: 0, originX: -fov / 2 + fov / Double(2 * n), originV: 0,
                imageType: ["ORIGINAL", "PRIMARY", "M", "ND"], bitsStored: 12, pixelRepresentation: 0,
                intercept: 0, slope: 1, windows: [], appearance: mrAppearance(weighting, fatSat: fatSat, field: st.fieldStrength),
                time: time, instanceInterval: geom == .coronal ? 1.1 : 0)
            if geom == .axial {
                se.firstSlice = center + Double(count - 1) * spacing / 2
                se.originV = -fov / 2 + fov / Double(2 * n) + 10
            } else {
                se.firstSlice = -Double(count - 1) * spacing / 2 + 10
                se.originV = center + fov / 2 - fov / Double(2 * n)
            }
            let soft = Double(se.appearance.mean[Int(Tissue.soft.rawValue)])
            let fat = Double(se.appearance.mean[Int(Tissue.fat.rawValue)])
            let bright = max(soft, fat)
            se.windows = [((bright * 0.6).rounded(), (bright * 1.6).rounded(), "")]
            se.sequenceName = weighting == "T2" ? (etl > 20 ? "*haste" : "*tse2d1_\(etl)") : (ss == "GR" ? "*fl3d2" : "*tse2d1_3")
            se.scanningSequence = ss; se.sequenceVariant = sv; se.tr = tr; se.te = te; se.flip = flip; se.echoTrain = etl
            series.append(se)
            time += Double(rng.int(90...400))
        }

    default:  // DX
        st.description = "XR CHEST PA"; st.bodyPart = "CHEST"
        st.model = "SynthDR 4343"; st.station = "SYNDX01"; st.serial = "DR22019"; st.bitsStored = 14
        let cols = small ? 96 : 2000, rows = small ? 120 : 2500
        let spacing = 400.0 / Double(cols)  // 0.2 mm at full size: 400 x 500 mm
        var app = Appearance(mean: Appearance.table([:]), texture: Appearance.table([:]), noise: 30)
        app.projOffset = 300; app.projScale = 15_500; app.projK = 0.0062
        var dx = SeriesPlan(
            study: s, number: 1, uid: "", modality: "DX", description: "Chest PA", protocolName: "Thorax PA",
            geometry: .projection, count: 1, rows: rows, columns: cols, rowSpacing: spacing, columnSpacing: spacing,
            thickness: 0, sliceSpacing: 0, firstSlice: 0, originX: -200 + spacing / 2,
            originV: 400 + rng.double(-20, 20) - spacing / 2,
            imageType: ["ORIGINAL", "PRIMARY"], bitsStored: 14, pixelRepresentation: 0, intercept: 0, slope: 1,
            windows: [(9000, 12000, "")], appearance: app, time: time, instanceInterval: 0)
        dx.kvp = rng.pick([110, 120, 125]); dx.mA = rng.int(200...320); dx.exposureTime = rng.int(6...20)
        dx.viewPosition = "PA"
        series.append(dx)
    }

    // Commit, truncating the last series to the requested number of files.
    plan.studies.append(st)
    for var se in series {
        let left = o.count - plan.files.count
        if left <= 0 { break }
        se.count = min(se.count, left)
        se.uid = ident.uid(.series, s, se.number)
        let index = plan.series.count
        plan.series.append(se)
        let dir = "\(pat.id)/\(st.id)/\(se.number)"
        for i in 1...se.count {
            plan.files.append(FilePlan(series: index, instance: i, path: "\(dir)/IMG\(pad(i, 5)).dcm"))
        }
    }
}

func ctAppearance(contrast: Bool) -> Appearance {
    Appearance(
        mean: Appearance.table([
            .air: -1000, .fat: -95, .soft: 42, .lung: -830, .blood: contrast ? 190 : 42,
            .liver: contrast ? 105 : 58, .kidney: contrast ? 160 : 32, .spleen: contrast ? 120 : 48,
            .cortical: 950, .marrow: 260, .csf: 8, .rib: 760,
        ]),
        texture: Appearance.table([
            .fat: 6, .soft: 10, .lung: 45, .blood: 4, .liver: 8, .kidney: 10, .spleen: 8,
            .cortical: 60, .marrow: 60, .rib: 80,
        ]),
        noise: 11)
}

func mrAppearance(_ weighting: String, fatSat: Bool, field: Double) -> Appearance {
    var mean: [Tissue: Float] =
        weighting == "T1"
        ? [
            .air: 0, .fat: 1750, .soft: 720, .lung: 70, .blood: 260, .liver: 930, .kidney: 620, .spleen: 640,
            .cortical: 45, .marrow: 1450, .csf: 240, .rib: 80,
        ]
        : [
            .air: 0, .fat: 1300, .soft: 520, .lung: 60, .blood: 140, .liver: 420, .kidney: 1150, .spleen: 900,
            .cortical: 35, .marrow: 880, .csf: 3100, .rib: 60,
        ]
    if fatSat { mean[.fat] = mean[.fat]! * 0.14; mean[.marrow] = mean[.marrow]! * 0.3 }
    return Appearance(
        mean: Appearance.table(mean),
        texture: Appearance.table([.fat: 60, .soft: 45, .liver: 40, .kidney: 50, .spleen: 40, .marrow: 80, .csf: 80]),
        noise: field >= 3 ? 14 : 22, magnitude: true, shading: true)
}

// MARK: - Formatting

func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Fixed-point decimal with up to `decimals` digits, trailing zeros dropped ("0.742188", "5", "-1024").
func fmt(_ v: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let n = Int64((abs(v) * scale).rounded())
    var whole = String(n / Int64(scale))
    var frac = pad(Int(n % Int64(scale)), decimals)
    while frac.last == "0" { frac.removeLast() }
    if n != 0 && v < 0 { whole = "-" + whole }
    return frac.isEmpty ? whole : whole + "." + frac
}

/// A Decimal String value (PS3.5 Table 6.2-1: at most 16 bytes).
func decimalString(_ v: Double, _ decimals: Int = 6) -> String {
    var d = decimals
    var s = fmt(v, d)
    while s.utf8.count > 16 && d > 0 { d -= 1; s = fmt(v, d) }
    return s
}

/// Civil date (proleptic Gregorian) of a day count since 1970-01-01, as DICOM DA "YYYYMMDD".
func da(_ days: Int) -> String {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    return pad(y, 4) + pad(m, 2) + pad(d, 2)
}

/// DICOM TM "HHMMSS.ffffff"-style (milliseconds) of seconds after midnight (wrapping at 24 h).
func tm(_ seconds: Double) -> String {
    let ms = Int((seconds * 1000).rounded()) % 86_400_000
    let s = ms / 1000
    return pad(s / 3600, 2) + pad(s / 60 % 60, 2) + pad(s % 60, 2) + "." + pad(ms % 1000, 3)
}
