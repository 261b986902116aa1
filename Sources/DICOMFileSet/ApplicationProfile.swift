import DICOMCore

/// A media storage application profile (PS3.11): which SOP classes and transfer syntaxes a
/// File-set may hold, which keys the DICOMDIR carries beyond PS3.3 Annex F, and icon rules.
/// The profiles are rows of the table ``all``; nothing here is decided by if-chains on the id.
public struct ApplicationProfile: Sendable, Hashable, CustomStringConvertible {
    /// The identifier written into descriptions and conformance statements, e.g. "STD-GEN-CD".
    public let id: String
    /// Human description including the PS3.11 annex.
    public let title: String
    /// Transfer syntaxes (UIDs) allowed for the SOP classes, in order of preference for writing
    /// (first = default target of a transcoder).
    public let transferSyntaxes: [String]
    /// Allowed SOP classes; nil = any composite storage SOP class.
    public let sopClasses: Set<String>?
    /// Per-SOP-class override of the allowed transfer syntaxes (e.g. STD-CTMR: GSPS and X-Ray
    /// Radiation Dose SR in Explicit VR Little Endian only).
    public let transferSyntaxesBySOPClass: [String: [String]]
    /// Extra record keys the profile requires (PS3.11 tables D.3-2, H.3-2, E.3-2, A.3-2, B.3-2), per record type.
    public let extraKeys: [DirectoryRecordType: [KeyRule]]
    /// Icon rules; nil = icons optional per PS3.3 F.7.
    public let icons: IconRule?
    /// The profile defines the File-set Updater role (PS3.11; e.g. not for STD-GEN-DVD-JPEG).
    public let updaterAllowed: Bool
    /// Where the SOP classes and transfer syntaxes are listed, e.g. "PS3.11 D.3.1, Table D.3-1".
    public let transferSyntaxRule: String
    /// Where the extra DICOMDIR keys are listed, e.g. "PS3.11 Table H.3-2" (empty when none).
    public let keysRule: String
    /// Attribute-value constraints on the instances (bit depth, photometric, size), checked by ``violation(sopClassUID:transferSyntaxUID:header:)``.
    let constraints: [ProfileConstraint]
    /// The medium the profile is defined for (PS3.11 / PS3.12), e.g. "CD-R", "USB and Flash Memory".
    public let medium: String

    public var description: String { id }

    /// The transfer syntaxes allowed for instances of this SOP class, in order of preference.
    public func transferSyntaxes(for sopClassUID: String) -> [String] {
        transferSyntaxesBySOPClass[sopClassUID] ?? transferSyntaxes
    }

    /// The extra keys for a record type (empty when the profile adds none).
    public func extraKeys(for type: DirectoryRecordType) -> [KeyRule] { extraKeys[type] ?? [] }

    /// Why an instance with this SOP class / transfer syntax / image pixel attributes is not
    /// allowed by the profile, or nil; the message names the profile and the PS3.11 rule, e.g.
    /// "STD-GEN-CD allows only Explicit VR Little Endian (PS3.11 D.3.1, Table D.3-1); the instance is ...".
    public func violation(sopClassUID: String, transferSyntaxUID: String, header: DataSet) -> String? {
        violationParts(sopClassUID: sopClassUID, transferSyntaxUID: transferSyntaxUID, header: header).map { "\($0.message) (\($0.rule))" }
    }

    /// ``violation(sopClassUID:transferSyntaxUID:header:)`` as the message and the rule.
    func violationParts(sopClassUID: String, transferSyntaxUID: String, header: DataSet) -> (message: String, rule: String)? {
        let sop = sopClassUID.trimmingTrailingPadding(), ts = transferSyntaxUID.trimmingTrailingPadding()
        if let allowed = sopClasses, !allowed.contains(sop) {
            let names = allowed.sorted().map(Self.sopName).joined(separator: ", ")
            return ("\(id) does not include \(Self.sopName(sop)) (\(sop)); it allows only \(names)", transferSyntaxRule)
        }
        let syntaxes = transferSyntaxes(for: sop)
        if !syntaxes.contains(ts) {
            let names = syntaxes.map { TransferSyntax(uid: $0).name }
            let list = names.count == 1 ? "only \(names[0])" : names.dropLast().joined(separator: ", ") + " or " + names.last!
            let forClass = transferSyntaxesBySOPClass[sop] != nil || sopClasses != nil ? " for \(Self.sopName(sop))" : ""
            return ("\(id) allows \(list)\(forClass); the instance is \(TransferSyntax(uid: ts).name) (\(ts))", transferSyntaxRule)
        }
        for c in constraints where c.applies(sopClassUID: sop, header: header) {
            if let why = c.firstFailure(header: header, transferSyntaxUID: ts) {
                return ("\(id) requires \(why) for \(c.subject)", c.rule)
            }
        }
        return nil
    }

    static func sopName(_ uid: String) -> String { DataDictionary.uidName(uid) ?? uid }

    /// Looks a profile up by identifier, ignoring case and surrounding spaces.
    public static func named(_ id: String) -> ApplicationProfile? {
        byID[id.trimmingSpaces().uppercased()]
    }

    /// STD-GEN-CD, the general purpose CD-R profile.
    public static let `default`: ApplicationProfile = named("STD-GEN-CD")!

    static let byID: [String: ApplicationProfile] = Dictionary(all.map { ($0.id.uppercased(), $0) }, uniquingKeysWith: { a, _ in a })
}

// MARK: - The profile table

extension ApplicationProfile {
    // Transfer syntaxes (PS3.5 Table A-1), short names for the table below.
    static let ele = TransferSyntax.explicitVRLittleEndian.uid
    static let jll = TransferSyntax.jpegLosslessSV1.uid
    static let jb = TransferSyntax.jpegBaseline.uid
    static let je = TransferSyntax.jpegExtended.uid
    static let j2kl = TransferSyntax.jpeg2000Lossless.uid
    static let j2k = TransferSyntax.jpeg2000.uid
    static let rle = TransferSyntax.rleLossless.uid

    // SOP classes named by the profiles (PS3.4 Annex B).
    static let ct = "1.2.840.10008.5.1.4.1.1.2", mr = "1.2.840.10008.5.1.4.1.1.4", sc = "1.2.840.10008.5.1.4.1.1.7"
    static let gsps = "1.2.840.10008.5.1.4.1.1.11.1", doseSR = "1.2.840.10008.5.1.4.1.1.88.67"
    static let xa = "1.2.840.10008.5.1.4.1.1.12.1"
    static let dxPresentation = "1.2.840.10008.5.1.4.1.1.1.1", ioPresentation = "1.2.840.10008.5.1.4.1.1.1.3"
    static let basicStructuredDisplay = "1.2.840.10008.5.1.4.1.1.131"
    static let us = "1.2.840.10008.5.1.4.1.1.6.1", usMultiframe = "1.2.840.10008.5.1.4.1.1.3.1"

    /// STD-GEN-CD / -DVD-RAM / -BD additional keys (PS3.11 Table D.3-2).
    static let genKeys: [DirectoryRecordType: [KeyRule]] = [
        .image: [
            KeyRule(.imageType, .type1C, .ifPresent),
            KeyRule(.referencedImageSequence, .type1C, .ifPresent),
        ]
    ]

    /// Additional keys of the compression profiles (PS3.11 Table H.3-2, re-used by Annexes J and M).
    static let compressionKeys: [DirectoryRecordType: [KeyRule]] = {
        let imageAndSpectroscopy: [KeyRule] = [
            KeyRule(.referencedImageSequence, .type1C, .ifPresentNonEmpty, source: .elementOrSharedFunctionalGroups),
            KeyRule(.rows, .type1), KeyRule(.columns, .type1),
            KeyRule(.frameOfReferenceUID, .type1C, .ifPresent),
            KeyRule(.synchronizationFrameOfReferenceUID, .type1C, .ifPresent),
            KeyRule(.numberOfFrames, .type1C, .ifPresent),
            KeyRule(.acquisitionTimeSynchronized, .type1C, .ifPresent),
            KeyRule(.acquisitionDateTime, .type1C, .ifPresent),
            KeyRule(.imagePositionPatient, .type1C, .ifPresent, source: .elementOrSharedFunctionalGroups),
            KeyRule(.imageOrientationPatient, .type1C, .ifPresent, source: .elementOrSharedFunctionalGroups),
            KeyRule(.pixelSpacing, .type1C, .ifPresent, source: .elementOrSharedFunctionalGroups),
        ]
        return [
            .patient: [
                KeyRule(.patientBirthDate, .type1C, .ifAnyInstanceNonEmpty),
                KeyRule(.patientSex, .type1C, .ifAnyInstanceNonEmpty),
            ],
            .series: [
                KeyRule(.institutionName, .type1C, .ifAnyInstanceNonEmpty),
                KeyRule(.institutionAddress, .type1C, .ifAnyInstanceNonEmpty),
                KeyRule(.performingPhysicianName, .type1C, .ifAnyInstanceNonEmpty),
            ],
            .image: [
                KeyRule(.imageType, .type1C, .ifPresent),
                KeyRule(.calibrationImage, .type1C, .ifPresentNonEmpty),
                KeyRule(.lossyImageCompressionRatio, .type1C, .ifPresentNonEmpty),
            ] + imageAndSpectroscopy,
            .spectroscopy: imageAndSpectroscopy,
        ]
    }()

    /// STD-CTMR additional keys for localizers (PS3.11 Table E.3-2).
    static let ctmrKeys: [DirectoryRecordType: [KeyRule]] = [
        .image: [
            KeyRule(.referencedImageSequence, .type1C, .ifPresent),
            KeyRule(.imagePositionPatient, .type1C, .ifPresent),
            KeyRule(.imageOrientationPatient, .type1C, .ifPresent),
            KeyRule(.frameOfReferenceUID, .type1C, .ifPresent),
            KeyRule(.rows, .type1), KeyRule(.columns, .type1),
            KeyRule(.pixelSpacing, .type1C, .ifPresent),
        ]
    ]

    static let biplane: Set<String> = ["BIPLANE A", "BIPLANE B"]

    /// STD-XABC-CD (PS3.11 Table A.3-2) and STD-XA1K (Table B.3-2) additional keys.
    static func xaKeys(xa1k: Bool) -> [DirectoryRecordType: [KeyRule]] {
        var image: [KeyRule] = [
            KeyRule(.iconImageSequence, .type1),
            xa1k ? KeyRule(.imageType, .type1C, .ifSOPClass([xa])) : KeyRule(.imageType, .type1),
            KeyRule(.calibrationImage, .type2),
            KeyRule(.referencedImageSequence, .type1C, .ifValue(.imageType, index: 2, in: biplane)),
        ]
        if xa1k { image.append(KeyRule(.lossyImageCompressionRatio, .type1C, .ifPresentNonEmpty)) }
        return [
            .patient: [KeyRule(.patientBirthDate, .type2), KeyRule(.patientSex, .type2)],
            .series: [KeyRule(.institutionName, .type2), KeyRule(.institutionAddress, .type2), KeyRule(.performingPhysicianName, .type2)],
            .image: image,
        ]
    }

    /// STD-CTMR Required Image Attribute Values (PS3.11 E.3.4.1, Tables E.3-3 to E.3-6).
    static let ctmrConstraints: [ProfileConstraint] = [
        ProfileConstraint(
            sopClasses: [ct], when: .always,
            checks: [.oneOf(.modality, ["CT"]), .oneOf(.photometricInterpretation, ["MONOCHROME2"])],
            subject: "CT images", rule: "PS3.11 E.3.4.1, Table E.3-3"),
        ProfileConstraint(
            sopClasses: [mr], when: .always,
            checks: [
                .oneOf(.modality, ["MR"]), .oneOf(.photometricInterpretation, ["MONOCHROME2"]),
                .intIn(.bitsStored, [8, 12, 13, 14, 15, 16]), .highBitIsBitsStoredMinusOne,
            ],
            subject: "MR images", rule: "PS3.11 E.3.4.1, Table E.3-4"),
        ProfileConstraint(
            sopClasses: [sc], when: .photometricNotIn(["PALETTE COLOR"]),
            checks: [
                .intIn(.samplesPerPixel, [1]), .oneOf(.photometricInterpretation, ["MONOCHROME2"]),
                .intIn(.bitsAllocated, [8, 16]), .bitsStoredEqualsBitsAllocated, .highBitIsBitsStoredMinusOne,
            ],
            subject: "grayscale SC images", rule: "PS3.11 E.3.4.1, Table E.3-5"),
        ProfileConstraint(
            sopClasses: [sc], when: .photometricIn(["PALETTE COLOR"]),
            checks: [.intIn(.samplesPerPixel, [1]), .intIn(.bitsAllocated, [8]), .intIn(.bitsStored, [8]), .intIn(.highBit, [7])],
            subject: "color SC images", rule: "PS3.11 E.3.4.1, Table E.3-6"),
    ]

    static let xabcConstraints: [ProfileConstraint] = [
        ProfileConstraint(
            sopClasses: [xa], when: .always,
            checks: [
                .oneOf(.modality, ["XA"]), .intAtMost(.rows, 512), .intAtMost(.columns, 512),
                .intIn(.bitsAllocated, [8]), .intIn(.bitsStored, [8]),
            ],
            subject: "XA images", rule: "PS3.11 A.3.4.1, Table A.3-3")
    ]

    static let xa1kConstraints: [ProfileConstraint] = [
        ProfileConstraint(
            sopClasses: [xa], when: .always,
            checks: [
                .oneOf(.modality, ["XA"]), .intAtMost(.rows, 1024), .intAtMost(.columns, 1024),
                .intIn(.bitsStored, [8, 10, 12]),
            ],
            subject: "XA images", rule: "PS3.11 B.3.4.1, Table B.3-3"),
        ProfileConstraint(
            sopClasses: [sc], when: .always,
            checks: [
                .intIn(.samplesPerPixel, [1]), .oneOf(.photometricInterpretation, ["MONOCHROME2"]),
                .intIn(.bitsAllocated, [8]), .intIn(.bitsStored, [8]), .intIn(.highBit, [7]),
                .intIn(.pixelRepresentation, [0]), .noOverlays,
            ],
            subject: "SC images", rule: "PS3.11 B.3.4.1, Table B.3-4"),
    ]

    static let denConstraints: [ProfileConstraint] = [
        ProfileConstraint(
            sopClasses: [dxPresentation, ioPresentation], when: .always,
            checks: [.intIn(.bitsStored, [8, 10, 12, 16]), .bitsAllocatedFitsBitsStored],
            subject: "dental images", rule: "PS3.11 K.3.4")
    ]

    /// STD-US photometric / transfer syntax pairs (PS3.11 C.3.1.1).
    static let usPhotometricSyntaxes: [String: Set<String>] = [
        "MONOCHROME2": [ele, rle], "RGB": [ele, rle], "PALETTE COLOR": [ele, rle],
        "YBR_FULL": [rle], "YBR_FULL_422": [ele, jb],
    ]

    static let jpegSyntaxes = [jll, ele, jb, je]
    static let j2kSyntaxes = [j2kl, ele, j2k]

    /// Every profile this library knows, one row each (PS3.11 Annexes A-E, H, J, K, M; plus PRI-GEN-USB).
    public static let all: [ApplicationProfile] = {
        var t: [ApplicationProfile] = []
        func add(
            _ id: String, _ title: String, annex: String, ts: [String], sop: Set<String>? = nil, tsBySOP: [String: [String]] = [:],
            keys: [DirectoryRecordType: [KeyRule]] = [:], keysRule: String = "", icons: IconRule? = nil,
            fsu: Bool, constraints: [ProfileConstraint] = [], tsRule: String? = nil, medium: String
        ) {
            t.append(
                ApplicationProfile(
                    id: id, title: title.contains("PS3.11") ? title : "\(title) (PS3.11 Annex \(annex))", transferSyntaxes: ts, sopClasses: sop,
                    transferSyntaxesBySOPClass: tsBySOP, extraKeys: keys, icons: icons, updaterAllowed: fsu,
                    transferSyntaxRule: tsRule ?? "PS3.11 \(annex).3.1, Table \(annex).3-1",
                    keysRule: keysRule, constraints: constraints, medium: medium))
        }

        // Annex D: General Purpose CD-R, DVD-RAM and BD, uncompressed.
        for (suffix, medium) in [("CD", "CD-R"), ("DVD-RAM", "DVD-RAM"), ("BD", "BD")] {
            add(
                "STD-GEN-\(suffix)", "General Purpose \(medium) Interchange", annex: "D", ts: [ele],
                keys: genKeys, keysRule: "PS3.11 D.3.3.1, Table D.3-2", fsu: true, medium: medium)
        }
        // Annexes H (DVD, no FSU), J (USB, MMC, CF, SD) and M (BD): with JPEG or JPEG 2000 compression.
        let compressed: [(String, String, String, Bool)] = [
            ("DVD", "DVD", "H", false), ("USB", "USB and Flash Memory", "J", true), ("MMC", "MultiMediaCard", "J", true),
            ("CF", "CompactFlash", "J", true), ("SD", "Secure Digital Card", "J", true), ("BD", "BD", "M", true),
        ]
        for (medium, name, annex, fsu) in compressed {
            add(
                "STD-GEN-\(medium)-JPEG", "General Purpose \(name) Interchange with JPEG", annex: annex, ts: jpegSyntaxes,
                keys: compressionKeys, keysRule: "PS3.11 \(annex).3.3.1, Table H.3-2", fsu: fsu, medium: name)
            add(
                "STD-GEN-\(medium)-J2K", "General Purpose \(name) Interchange with JPEG 2000", annex: annex, ts: j2kSyntaxes,
                keys: compressionKeys, keysRule: "PS3.11 \(annex).3.3.1, Table H.3-2", fsu: fsu, medium: name)
        }
        // Annex E: CT and MR studies.
        let ctmrIcons = IconRule(
            size: 64, required: false, recordTypes: [.series, .image],
            photometricInterpretations: ["MONOCHROME2", "PALETTE COLOR"], reference: "PS3.11 E.3.3.3")
        for (medium, name, fsu) in [("MOD41", "4.1 GB MOD", true), ("CD", "CD-R", true), ("DVD-RAM", "DVD-RAM", true), ("DVD", "DVD", false)] {
            add(
                "STD-CTMR-\(medium)", "CT/MR Studies on \(name) Media", annex: "E", ts: [jll, ele], sop: [ct, mr, sc, gsps, doseSR],
                tsBySOP: [gsps: [ele], doseSR: [ele]], keys: ctmrKeys, keysRule: "PS3.11 E.3.3.2, Table E.3-2",
                icons: ctmrIcons, fsu: fsu, constraints: ctmrConstraints, medium: name)
        }
        // Annex A: basic cardiac XA, Annex B: 1024 XA.
        add(
            "STD-XABC-CD", "Basic Cardiac X-Ray Angiographic Studies on CD-R Media", annex: "A", ts: [jll], sop: [xa],
            keys: xaKeys(xa1k: false), keysRule: "PS3.11 A.3.3, Table A.3-2",
            icons: IconRule(size: 128, required: true, recordTypes: [.image], reference: "PS3.11 A.3.3"),
            fsu: true, constraints: xabcConstraints, medium: "CD-R")
        let xa1kIcons = IconRule(
            size: 128, required: true, recordTypes: [.image], photometricInterpretations: ["MONOCHROME2"],
            reference: "PS3.11 B.3.3")
        add(
            "STD-XA1K-CD", "1024 X-Ray Angiographic Studies on CD-R Media", annex: "B", ts: [jll], sop: [xa, sc, gsps],
            tsBySOP: [sc: [ele], gsps: [ele]], keys: xaKeys(xa1k: true), keysRule: "PS3.11 B.3.3, Table B.3-2",
            icons: xa1kIcons, fsu: true, constraints: xa1kConstraints, medium: "CD-R")
        add(
            "STD-XA1K-DVD", "1024 X-Ray Angiographic Studies on DVD Media", annex: "B", ts: [jll, jb, je], sop: [xa, sc, gsps],
            tsBySOP: [sc: [ele], gsps: [ele]], keys: xaKeys(xa1k: true), keysRule: "PS3.11 B.3.3, Table B.3-2",
            icons: xa1kIcons, fsu: false, constraints: xa1kConstraints, medium: "DVD")
        // Annex K: dental.
        add(
            "STD-DEN-CD", "Dental Radiograph Interchange on CD-R", annex: "K", ts: [ele],
            sop: [ioPresentation, dxPresentation, basicStructuredDisplay, gsps], fsu: false, constraints: denConstraints, medium: "CD-R")
        // Annex C: ultrasound, {ID, SC, CC} x {SF, MF} x medium.
        for (kind, kindName) in [("ID", "for Image Display"), ("SC", "with Spatial Calibration"), ("CC", "with Combined Calibration")] {
            for (frames, framesName) in [("SF", "Single Frame"), ("MF", "Single and Multi-frame")] {
                for (medium, mediumName, fsu) in [("MOD23-90", "2.3 GB MOD", true), ("CDR", "CD-R", true), ("DVD-RAM", "DVD-RAM", true), ("DVD", "DVD", false)]
                {
                    var checks: [ProfileConstraint.Check] = [.photometricTransferSyntax(usPhotometricSyntaxes)]
                    if kind != "ID" { checks.append(.present(.sequenceOfUltrasoundRegions)) }
                    if kind == "CC" { checks.append(.present(.pixelComponentOrganization)) }
                    let sops: Set<String> = frames == "SF" ? [us] : [us, usMultiframe]
                    add(
                        "STD-US-\(kind)-\(frames)-\(medium)", "Ultrasound \(framesName) \(kindName) on \(mediumName)", annex: "C",
                        ts: [ele, rle, jb], sop: sops, fsu: fsu,
                        constraints: [
                            ProfileConstraint(
                                sopClasses: sops, when: .always, checks: checks,
                                subject: "ultrasound images", rule: "PS3.11 C.3.1.1")
                        ], medium: mediumName)
                }
            }
        }
        // Private: STD-GEN-USB-JPEG restricted to uncompressed data (the H/J keys, FSU allowed).
        add(
            "PRI-GEN-USB", "Private USB Interchange: as STD-GEN-USB-JPEG (PS3.11 Annex J) but Explicit VR Little Endian only", annex: "J", ts: [ele],
            keys: compressionKeys, keysRule: "PS3.11 J.3.3.1, Table H.3-2", fsu: true,
            tsRule: "PRI-GEN-USB: Explicit VR Little Endian only (private profile based on PS3.11 J.3.1)", medium: "USB and Flash Memory")
        return t
    }()
}
