import DICOMCore

enum SOPClass {
    static let ct = "1.2.840.10008.5.1.4.1.1.2"  // CT Image Storage
    static let mr = "1.2.840.10008.5.1.4.1.1.4"  // MR Image Storage
    static let dx = "1.2.840.10008.5.1.4.1.1.1.1"  // Digital X-Ray Image Storage - For Presentation
}

let latin1 = SpecificCharacterSet(terms: ["ISO_IR 100"])

/// Sets elements with less ceremony.
struct HeaderBuilder {
    var ds = DataSet()
    init() { ds.characterSet = latin1 }
    mutating func str(_ t: Tag, _ vr: VR, _ v: String) { ds.setString(t, vr, v) }
    mutating func strs(_ t: Tag, _ vr: VR, _ v: [String]) { ds.setString(t, vr, v) }
    mutating func us(_ t: Tag, _ v: Int) { ds.setUInt16(t, [UInt16(v)]) }
    mutating func ss(_ t: Tag, _ v: Int) { ds.setUInt16(t, [UInt16(bitPattern: Int16(v))], vr: .SS) }
    mutating func fd(_ t: Tag, _ v: Double) {
        let b = v.bitPattern
        ds.set(DataElement(tag: t, vr: .FD, bytes: (0..<8).map { UInt8(truncatingIfNeeded: b >> (8 * UInt64($0))) }))
    }
    /// Decimal String values (each at most 16 characters).
    mutating func dec(_ t: Tag, _ v: [Double]) { ds.setString(t, .DS, v.map { decimalString($0) }) }
    mutating func dec(_ t: Tag, _ v: Double) { dec(t, [v]) }
    mutating func int(_ t: Tag, _ v: Int) { ds.setString(t, .IS, String(v)) }
}

/// The data set of one file (everything but Pixel Data), modelled on what scanners write.
func makeHeader(_ plan: Plan, file f: FilePlan, seed: UInt64) -> DataSet {
    let se = plan.series[f.series]
    let st = plan.studies[se.study]
    let pt = plan.patients[st.patient]
    let ident = Identity(seed: seed)
    let i = f.instance - 1
    let contentTime = se.time + Double(i) * se.instanceInterval
    let studyDate = da(st.day)
    var h = HeaderBuilder()

    // SOP Common, General Study/Series/Equipment/Image (PS3.3 C.12.1, C.7.2.1, C.7.3.1, C.7.5.1, C.7.6.1).
    h.str(.specificCharacterSet, .CS, "ISO_IR 100")
    h.strs(.imageType, .CS, se.imageType)
    h.str(.instanceCreationDate, .DA, studyDate)
    h.str(.instanceCreationTime, .TM, tm(contentTime + 2))
    let sopClass = se.modality == "CT" ? SOPClass.ct : (se.modality == "MR" ? SOPClass.mr : SOPClass.dx)
    h.str(.sopClassUID, .UI, sopClass)
    h.str(.sopInstanceUID, .UI, ident.uid(.instance, se.study, se.number, f.instance))
    h.str(.studyDate, .DA, studyDate)
    h.str(.seriesDate, .DA, studyDate)
    h.str(.acquisitionDate, .DA, studyDate)
    h.str(.contentDate, .DA, studyDate)
    h.str(.studyTime, .TM, tm(st.time))
    h.str(.seriesTime, .TM, tm(se.time))
    h.str(.acquisitionTime, .TM, tm(se.modality == "MR" ? se.time : contentTime))
    h.str(.contentTime, .TM, tm(contentTime))
    h.str(.accessionNumber, .SH, st.accession)
    h.str(.modality, .CS, se.modality)
    if se.modality == "DX" { h.str(.presentationIntentType, .CS, "FOR PRESENTATION") }
    h.str(.manufacturer, .LO, "DICOM-MEDIA SYNTH")
    h.str(.institutionName, .LO, "Synthetic General Hospital")
    h.str(.referringPhysicianName, .PN, st.referring)
    h.str(.stationName, .SH, st.station)
    h.str(.studyDescription, .LO, st.description)
    h.str(.seriesDescription, .LO, se.description)
    h.str(.operatorsName, .PN, st.operatorName)
    h.str(.manufacturerModelName, .LO, st.model)

    // Patient (C.7.1.1) and Patient Study (C.7.2.2).
    h.str(.patientName, .PN, pt.name)
    h.str(.patientID, .LO, pt.id)
    h.str(.patientBirthDate, .DA, da(pt.birthDay))
    h.str(.patientSex, .CS, pt.sex)
    h.str(.patientAge, .AS, pad(min((st.day - pt.birthDay) / 365, 999), 3) + "Y")
    h.dec(.patientSize, pt.height)
    h.dec(.patientWeight, pt.weight)

    // Acquisition.
    if st.contrast { h.str(.contrastBolusAgent, .LO, "IOPAMIDOL 370") }
    h.str(.bodyPartExamined, .CS, st.bodyPart)
    switch se.modality {
    case "CT":
        h.strs(.scanOptions, .CS, [se.geometry == .projection ? "TOPOGRAM" : "HELICAL MODE"])
        h.dec(.sliceThickness, se.thickness)
        h.dec(.kvp, se.kvp)
        if se.geometry != .projection { h.dec(.dataCollectionDiameter, 500) }
        h.str(.deviceSerialNumber, .LO, st.serial)
        h.strs(.softwareVersions, .LO, ["synth-studies 0.1"])
        h.str(.protocolName, .LO, se.protocolName)
        if se.geometry != .projection { h.dec(.reconstructionDiameter, se.columnSpacing * Double(se.columns)) }
        h.dec(.distanceSourceToDetector, 1085.6)
        h.dec(.distanceSourceToPatient, 595)
        h.dec(.gantryDetectorTilt, 0)
        h.dec(.tableHeight, 152)
        h.str(.rotationDirection, .CS, "CW")
        h.int(.exposureTime, se.exposureTime)
        h.int(.xRayTubeCurrent, se.mA)
        h.int(.exposure, se.mA * se.exposureTime / 1000)
        h.str(.filterType, .SH, se.filter)
        h.int(.generatorPower, Int(se.kvp) * se.mA / 1000)
        h.dec(.focalSpots, 1.2)
        h.strs(.convolutionKernel, .SH, [se.kernel])
        h.str(.patientPosition, .CS, "FFS")
        if se.geometry != .projection {
            h.fd(.singleCollimationWidth, 0.6)
            h.fd(.totalCollimationWidth, 38.4)
            h.fd(.spiralPitchFactor, 1.0)
            h.fd(.ctdIvol, Double(se.mA) * Double(se.exposureTime) / 1000 * 0.068 * (se.kvp / 120) * (se.kvp / 120))
        }
    case "MR":
        h.strs(.scanningSequence, .CS, se.scanningSequence.split(separator: "\\").map(String.init))
        h.strs(.sequenceVariant, .CS, se.sequenceVariant.split(separator: "\\").map(String.init))
        h.strs(.scanOptions, .CS, se.scanningSequence == "GR" ? ["FS"] : (se.echoTrain > 20 ? ["PFP"] : ["SAT1"]))
        h.str(.mrAcquisitionType, .CS, se.scanningSequence == "GR" ? "3D" : "2D")
        h.str(.sequenceName, .SH, se.sequenceName)
        h.dec(.sliceThickness, se.thickness)
        h.dec(.repetitionTime, se.tr)
        h.dec(.echoTime, se.te)
        h.dec(.numberOfAverages, 1)
        h.dec(.imagingFrequency, st.fieldStrength * 42.577478)
        h.str(.imagedNucleus, .SH, "1H")
        h.strs(.echoNumbers, .IS, ["1"])
        h.dec(.magneticFieldStrength, st.fieldStrength)
        h.dec(.spacingBetweenSlices, se.sliceSpacing)
        h.int(.echoTrainLength, se.echoTrain)
        h.dec(.percentSampling, 100)
        h.dec(.percentPhaseFieldOfView, 100)
        h.dec(.pixelBandwidth, se.scanningSequence == "GR" ? 450 : 250)
        h.str(.deviceSerialNumber, .LO, st.serial)
        h.strs(.softwareVersions, .LO, ["synth-studies 0.1"])
        h.str(.protocolName, .LO, se.protocolName)
        h.str(.receiveCoilName, .SH, "Body18")
        h.str(.transmitCoilName, .SH, "Body")
        h.str(.inPlanePhaseEncodingDirection, .CS, se.geometry == .coronal ? "ROW" : "COL")
        h.dec(.flipAngle, se.flip)
        h.str(.patientPosition, .CS, "HFS")
    default:  // DX
        h.dec(.kvp, se.kvp)
        h.str(.deviceSerialNumber, .LO, st.serial)
        h.strs(.softwareVersions, .LO, ["synth-studies 0.1"])
        h.str(.protocolName, .LO, se.protocolName)
        h.dec(.distanceSourceToDetector, 1800)
        h.dec(.distanceSourceToPatient, 1650)
        h.int(.exposureTime, se.exposureTime)
        h.int(.xRayTubeCurrent, se.mA)
        h.int(.exposure, max(1, se.mA * se.exposureTime / 1000))
        h.int(.exposureInuAs, se.mA * se.exposureTime)
        h.strs(.imagerPixelSpacing, .DS, [decimalString(se.rowSpacing), decimalString(se.columnSpacing)])
        h.str(.grid, .CS, "FOCUSED")
        h.str(.viewPosition, .CS, se.viewPosition)
        h.str(.detectorType, .CS, "SCINTILLATOR")
        h.str(.detectorConfiguration, .CS, "AREA")
        // DX Anatomy Imaged (C.8.11.5): Chest, unpaired.
        h.str(.imageLaterality, .CS, "U")
        var chest = HeaderBuilder()
        chest.str(.codeValue, .SH, "51185008")
        chest.str(.codingSchemeDesignator, .SH, "SCT")
        chest.str(.codeMeaning, .LO, "Chest")
        h.ds.setSequence(.anatomicRegionSequence, [chest.ds])
    }

    // Relationship (C.7.3.1, C.7.6.1, C.7.6.2, C.7.4.1).
    h.str(.studyInstanceUID, .UI, st.uid)
    h.str(.seriesInstanceUID, .UI, se.uid)
    h.str(.studyID, .SH, st.id)
    h.int(.seriesNumber, se.number)
    h.int(.acquisitionNumber, se.modality == "MR" ? 1 : (se.geometry == .projection ? 1 : 2))
    h.int(.instanceNumber, f.instance)
    switch se.geometry {
    case .axial:
        let z = se.firstSlice - Double(i) * se.sliceSpacing
        h.dec(.imagePositionPatient, [se.originX, se.originV, z])
        h.dec(.imageOrientationPatient, [1, 0, 0, 0, 1, 0])
        h.str(.frameOfReferenceUID, .UI, st.frameOfReference)
        h.str(.positionReferenceIndicator, .LO, "")
        h.dec(.sliceLocation, z)
    case .coronal:
        let y = se.firstSlice + Double(i) * se.sliceSpacing
        h.dec(.imagePositionPatient, [se.originX, y, se.originV])
        h.dec(.imageOrientationPatient, [1, 0, 0, 0, 0, -1])
        h.str(.frameOfReferenceUID, .UI, st.frameOfReference)
        h.str(.positionReferenceIndicator, .LO, "")
        h.dec(.sliceLocation, y)
    case .projection:
        if se.modality == "DX" {
            h.strs(.patientOrientation, .CS, ["L", "F"])
        } else {
            h.dec(.imagePositionPatient, [se.originX, 0, se.originV])
            h.dec(.imageOrientationPatient, [1, 0, 0, 0, 0, -1])
            h.str(.frameOfReferenceUID, .UI, st.frameOfReference)
            h.str(.positionReferenceIndicator, .LO, "")
        }
    }

    // Image Pixel (C.7.6.3), VOI LUT (C.11.2), Modality LUT (C.11.1).
    h.us(.samplesPerPixel, 1)
    h.str(.photometricInterpretation, .CS, "MONOCHROME2")
    h.us(.rows, se.rows)
    h.us(.columns, se.columns)
    if se.modality != "DX" { h.strs(.pixelSpacing, .DS, [decimalString(se.rowSpacing), decimalString(se.columnSpacing)]) }
    h.us(.bitsAllocated, 16)
    h.us(.bitsStored, se.bitsStored)
    h.us(.highBit, se.bitsStored - 1)
    h.us(.pixelRepresentation, se.pixelRepresentation)
    if se.modality == "DX" {
        h.str(.burnedInAnnotation, .CS, "NO")
        h.str(.pixelIntensityRelationship, .CS, "LOG")
        h.ss(.pixelIntensityRelationshipSign, -1)
    }
    h.dec(.windowCenter, se.windows.map(\.center))
    h.dec(.windowWidth, se.windows.map(\.width))
    if se.modality != "MR" {
        h.dec(.rescaleIntercept, se.intercept)
        h.dec(.rescaleSlope, se.slope)
        h.str(.rescaleType, .LO, se.modality == "CT" ? "HU" : "US")
    }
    if se.windows.contains(where: { !$0.explanation.isEmpty }) {
        h.strs(.windowCenterWidthExplanation, .LO, se.windows.map(\.explanation))
    }
    h.str(.lossyImageCompression, .CS, "00")
    if se.modality == "DX" { h.str(.presentationLUTShape, .CS, "IDENTITY") }
    return h.ds
}
