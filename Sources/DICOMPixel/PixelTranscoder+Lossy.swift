import DICOMCore
import Foundation

/// Lossy bookkeeping: Lossy Image Compression, its ratio and method, and the new instance a lossy step makes (PS3.3 C.7.6.1.1.5).
extension PixelTranscoder {
    /// Whether the pixels in `ds` have been through lossy compression (0028,2110), or its syntax is always lossy (PS3.3 C.7.6.1.1.5).
    public static func isLossy(_ ds: DataSet, syntax: TransferSyntax) -> Bool {
        if ds.string(.lossyImageCompression) == "01" { return true }
        if syntax == .jpegBaseline || syntax == .jpegExtended || syntax.uid == "1.2.840.10008.1.2.4.53" || syntax.uid == "1.2.840.10008.1.2.4.55" {
            return true
        }
        if (syntax == .jpeg2000 || syntax == .jpegLSNearLossless) && ds.string(.lossyImageCompression) != "00" { return true }
        return false
    }

    /// Lossy Image Compression Method defined terms (PS3.3 C.7.6.1.1.5.1).
    static func lossyMethod(_ ts: TransferSyntax) -> String {
        switch ts {
        case .jpegBaseline, .jpegExtended: return "ISO_10918_1"
        case .jpegLSNearLossless: return "ISO_14495_1"
        case .jpeg2000: return "ISO_15444_1"
        default: return ts.uid
        }
    }

    /// Sets Lossy Image Compression "01" and appends ratio and method (PS3.3 C.7.6.1.1.5).
    static func markLossy(_ ds: inout DataSet, method: String, ratio: Double?, diags: inout [Diagnostic], source: TransferSyntax) {
        let was = ds.string(.lossyImageCompression)
        ds.setString(.lossyImageCompression, .CS, "01")
        if let ratio {
            var ratios = ds.strings(.lossyImageCompressionRatio) ?? []
            ratios.append(String(format: "%.2f", ratio))
            ds.setString(.lossyImageCompressionRatio, .DS, ratios)
            var methods = ds.strings(.lossyImageCompressionMethod) ?? []
            methods.append(method)
            ds.setString(.lossyImageCompressionMethod, .CS, methods)
        } else if was != "01" {
            var methods = ds.strings(.lossyImageCompressionMethod) ?? []
            if methods.isEmpty { methods.append(method); ds.setString(.lossyImageCompressionMethod, .CS, methods) }
            diags.append(
                Diagnostic(
                    .warning, .lossySource,
                    "pixels were lossy compressed (\(source.name)) but Lossy Image Compression was \(was.map { "'\($0)'" } ?? "absent"); set to 01",
                    tag: .lossyImageCompression))
        }
    }

    /// A lossy step done: marks it, and makes the copy a new instance `uid` that references its predecessor
    /// (PS3.3 C.7.6.1.1.5, C.7.6.1.1.4). A planned step (`ratio` nil) records no ratio: only the encoder measures it.
    static func recordLossyStep(
        _ ds: inout DataSet, meta: inout DataSet, target: TransferSyntax, ratio: Double?, uid newUID: String, diags: inout [Diagnostic],
        source: TransferSyntax
    ) {
        if let ratio {
            markLossy(&ds, method: lossyMethod(target), ratio: ratio, diags: &diags, source: source)
        } else {
            ds.setString(.lossyImageCompression, .CS, "01")
        }
        let oldUID = ds.string(.sopInstanceUID) ?? ""
        var ref = DataSet()
        if let cls = ds.string(.sopClassUID) { ref.setString(.referencedSOPClassUID, .UI, cls) }
        ref.setString(.referencedSOPInstanceUID, .UI, oldUID)
        var code = DataSet()
        code.setString(.codeValue, .SH, "121320"); code.setString(.codingSchemeDesignator, .SH, "DCM")
        code.setString(.codeMeaning, .LO, "Uncompressed predecessor")
        ref.setSequence(.purposeOfReferenceCodeSequence, [code])
        var sources = ds[.sourceImageSequence]?.items ?? []
        sources.append(ref)
        ds.setSequence(.sourceImageSequence, sources)
        let note = "Lossy compression with \(target.name)" + (ratio.map { String(format: ", ratio %.1f:1", $0) } ?? "")
        let previous = ds.string(.derivationDescription).map { $0 + "; " } ?? ""
        ds.setString(.derivationDescription, .ST, String((previous + note).prefix(1024)))
        if var types = ds.strings(.imageType), !types.isEmpty { types[0] = "DERIVED"; ds.setString(.imageType, .CS, types) }
        ds.setString(.sopInstanceUID, .UI, newUID)
        meta.setString(.mediaStorageSOPInstanceUID, .UI, newUID)
        diags.append(Diagnostic(.info, .lossy, "\(note); new SOP Instance UID \(newUID) replaces \(oldUID)"))
    }
}
