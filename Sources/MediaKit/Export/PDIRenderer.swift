import DICOMCodecs
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation
import MediaImage

/// One key image of a series for IHE_PDI: its JPEG rendering, or why there is none (for the report, never the medium).
struct PDIRendering: Sendable {
    /// The record's File ID and Instance Number.
    var fileID: String, instanceNumber: String
    /// Name of the JPEG in IHE_PDI, and the rendering; nil when it could not be made.
    var name: String
    var jpeg: [UInt8]?
    var width = 0, height = 0
    /// The frame shown (1-based) and the frames of the instance, for a multi-frame image.
    var frame = 1, frames = 1
    var failure: String?
}

/// Renders the key images of every series on every core, each read and decoded once: the representative frame as shown
/// (``ImageRenderer``, PS3.4 N.2: Modality LUT, first VOI, presentation LUT; colour in colour), its longest side at most
/// ``size`` and its pixels square; of compressed Pixel Data only that frame is decoded.
enum PDIRenderer {
    /// Largest side of a rendering.
    static let size = 512

    /// Series up to this many images show their first, middle and last; longer ones an evenly spaced contact sheet.
    static let contactSheetFrom = 25
    /// Images on a contact sheet.
    static let contactSheetSize = 9

    /// Which images of a series of `count` images are rendered.
    static func selection(count: Int) -> KeyImages.Selection {
        count >= contactSheetFrom ? .evenlySpaced(contactSheetSize) : .firstMiddleLast
    }

    /// The key images of each series of `content` (indexed as its series), named S0000001.JPG... in order.
    static func render(_ content: PDIContent, source: [String: String]) -> [[PDIRendering]] {
        var jobs: [(series: Int, rendering: PDIRendering, path: String?)] = []
        for s in content.series {
            for r in KeyImages.select(s.images, selection(count: s.images.count)) {
                let id = r.referencedFileID?.path ?? ""
                let name = String(format: "S%07d.JPG", jobs.count + 1)
                jobs.append((s.index, PDIRendering(fileID: id, instanceNumber: r.keys.string(.instanceNumber) ?? "", name: name), source[id.uppercased()]))
            }
        }
        let slots = ConcurrentSlots<PDIRendering>(count: jobs.count)
        let work = jobs
        DispatchQueue.concurrentPerform(iterations: work.count) { i in
            var r = work[i].rendering
            do {
                guard let path = work[i].path else { throw MediaError(.renderFailed, "the source of \(r.fileID) is unknown") }
                let f = try Part10Reader.read(path: path)
                let image = try ImageRenderer.render(f.dataSet, syntax: f.transferSyntax, codecs: .standard, options: RenderOptions(maxSize: size))
                r.frames = NativePixels.description(of: f.dataSet)?.numberOfFrames ?? 1
                r.frame = ImageRenderer.representativeFrame(f.dataSet) + 1
                r.jpeg = try JPEGEncoder.encode(image, quality: 90)
                r.width = image.width
                r.height = image.height
            } catch {
                r.failure = "\(error)"
            }
            slots[i] = r
        }
        var out = Array(repeating: [PDIRendering](), count: content.series.count)
        for (job, r) in zip(jobs, slots.values) { out[job.series].append(r ?? job.rendering) }
        return out
    }
}
