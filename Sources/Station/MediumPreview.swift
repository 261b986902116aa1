import DICOMCore
import DICOMFileSet
import DICOMIO
import MediaKit

// The import page shows what a medium holds before it is imported: its DICOMDIR's patients, studies and series (as
// `list` reads them, an ISO image in place). A series' thumbnail is its DICOMDIR icon (Icon Image Sequence, PS3.3
// F.7, as `create --icons` writes it) on the series or its first image, else an icon made from the series' first
// image when its Pixel Data is native; shown as a PNG data URI.
/// The patients, studies and series of a medium, with descriptions and thumbnails.
enum MediumPreview {
    /// At most this many thumbnails made from images (icons from the DICOMDIR are always shown).
    static let madeThumbnails = 24

    /// `{"source", "fileSetID", "patients": [{patientID, patientName, studies: [{studyInstanceUID, studyDate,
    /// studyDescription, accessionNumber, series: [{seriesInstanceUID, modality, seriesNumber, seriesDescription,
    /// instances, thumbnail}]}]}], "problems": [text]}`.
    static func json(source: String, roots: [String]) throws(StationError) -> JSON {
        let path = try StationPaths.checked(source, roots: roots)
        let listing: FileSetListing
        do { listing = try FileSetListing.open(path) } catch {
            throw StationError(.mediumUnreadable, "the medium cannot be read: \(error)", path: path, cause: error)
        }
        let reader = try? MediumOpener.open(path)
        var made = 0
        var patients: [JSON] = []
        for top in listing.fileSet.records {
            top.forEach { r, _ in
                guard r.type == .patient else { return }
                patients.append(patient(r, reader: reader, made: &made))
            }
        }
        return .object([
            ("source", .string(path)), ("fileSetID", .string(listing.fileSet.fileSetID)), ("patients", .array(patients)),
            ("problems", .array(listing.problems.prefix(50).map { .string($0.description) })),
        ])
    }

    static func text(_ ds: DataSet, _ tag: Tag) -> JSON {
        .string(ds.text(tag).map { DataSet.splitValues($0, vr: ds[tag]?.vr ?? .LO).joined(separator: "\\") } ?? "")
    }

    static func patient(_ p: DirectoryRecord, reader: MediumReader?, made: inout Int) -> JSON {
        var studies: [JSON] = []
        for st in p.children where st.type == .study {
            var series: [JSON] = []
            for se in st.children where se.type == .series {
                let images = se.children.filter { $0.referencedFileID != nil }
                var thumbnail: JSON = .null
                if let png = icon(se) ?? images.lazy.compactMap(icon).first {
                    thumbnail = .string("data:image/png;base64," + base64(png))
                } else if made < madeThumbnails, let reader, let id = images.first?.referencedFileID, let png = madeIcon(reader, id) {
                    made += 1
                    thumbnail = .string("data:image/png;base64," + base64(png))
                }
                series.append(
                    .object([
                        ("seriesInstanceUID", text(se.keys, .seriesInstanceUID)), ("modality", text(se.keys, .modality)),
                        ("seriesNumber", text(se.keys, .seriesNumber)), ("seriesDescription", text(se.keys, .seriesDescription)),
                        ("instances", .int(Int64(images.count))), ("thumbnail", thumbnail),
                    ]))
            }
            studies.append(
                .object([
                    ("studyInstanceUID", text(st.keys, .studyInstanceUID)), ("studyDate", text(st.keys, .studyDate)),
                    ("studyDescription", text(st.keys, .studyDescription)), ("accessionNumber", text(st.keys, .accessionNumber)),
                    ("series", .array(series)),
                ]))
        }
        return .object([
            ("patientID", text(p.keys, .patientID)), ("patientName", .string(p.keys.personNames(.patientName)?.first?.description ?? "")),
            ("studies", .array(studies)),
        ])
    }

    /// The record's Icon Image Sequence item as a PNG (8-bit MONOCHROME1/2 icons).
    static func icon(_ r: DirectoryRecord) -> [UInt8]? {
        guard let item = r.keys[.iconImageSequence]?.items?.first else { return nil }
        return png(item)
    }

    /// An icon made from the image a File ID names on the medium (native Pixel Data only).
    static func madeIcon(_ reader: MediumReader, _ id: FileID) -> [UInt8]? {
        guard let bytes = try? reader.read(id.path), bytes.count <= 64 << 20,
            let file = try? Part10Reader.read(bytes: bytes, path: id.path), let item = try? IconImage.make(from: file.dataSet, size: 64)
        else { return nil }
        return png(item)
    }

    static func png(_ item: DataSet) -> [UInt8]? {
        guard let rows = item.integer(.rows), let cols = item.integer(.columns), item.integer(.bitsAllocated) == 8,
            item.integer(.samplesPerPixel) ?? 1 == 1, var pixels = item[.pixelData]?.bytes
        else { return nil }
        if item.string(.photometricInterpretation) == "MONOCHROME1" { pixels = pixels.map { 255 - $0 } }
        return PNGImage.grayscale(width: cols, height: rows, pixels: pixels)
    }
}
