import DICOMCore

/// Synthetic data sets for tests: small images with every key the DICOMDIR records copy.
public enum SyntheticInstance {
    /// CT Image Storage (PS3.4 B.5).
    public static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"

    /// A 4x4 MONOCHROME image of `bits` 8 or 16 (16-bit samples store 12 bits), with the keys the patient,
    /// study, series and image records copy (PS3.3 F.5.1-F.5.4); `pixels` defaults to 0x10 in every byte.
    public static func image(
        sopClass: String = ctImageStorage, sopInstanceUID: String = UID.make(), patientID: String = "PID0001",
        patientName: String = "DOE^JOHN", birthDate: String = "19700101", studyUID: String, seriesUID: String,
        instanceNumber: Int, modality: String = "CT", studyDescription: String? = nil, bits: Int = 16,
        photometric: String = "MONOCHROME2", pixels: [UInt8]? = nil
    ) -> DataSet {
        var ds = DataSet(strings: [
            (.imageType, .CS, ["ORIGINAL", "PRIMARY", "AXIAL"]), (.sopClassUID, .UI, [sopClass]), (.sopInstanceUID, .UI, [sopInstanceUID]),
            (.studyDate, .DA, ["20240102"]), (.studyTime, .TM, ["101500"]), (.accessionNumber, .SH, ["ACC1"]), (.modality, .CS, [modality]),
            (.patientName, .PN, [patientName]), (.patientID, .LO, [patientID]), (.patientBirthDate, .DA, [birthDate]),
            (.patientSex, .CS, ["M"]), (.studyInstanceUID, .UI, [studyUID]), (.seriesInstanceUID, .UI, [seriesUID]), (.studyID, .SH, ["S1"]),
            (.seriesNumber, .IS, ["1"]), (.instanceNumber, .IS, [String(instanceNumber)]), (.photometricInterpretation, .CS, [photometric]),
        ])
        if let studyDescription { ds.setString(.studyDescription, .LO, studyDescription) }
        for (tag, value) in [(Tag.samplesPerPixel, 1), (.rows, 4), (.columns, 4), (.bitsAllocated, bits), (.pixelRepresentation, 0)] {
            ds.setUInt16(tag, [UInt16(value)])
        }
        ds.setUInt16(.bitsStored, [UInt16(bits == 16 ? 12 : bits)])
        ds.setUInt16(.highBit, [UInt16(bits == 16 ? 11 : bits - 1)])
        ds.set(DataElement(tag: .pixelData, vr: bits == 16 ? .OW : .OB, bytes: pixels ?? [UInt8](repeating: 0x10, count: 16 * bits / 8)))
        return ds
    }
}

extension DataSet {
    /// A data set of the given string elements (tag, VR, values).
    public init(strings: [(Tag, VR, [String])]) {
        self.init()
        for (tag, vr, values) in strings { setString(tag, vr, values) }
    }
}
