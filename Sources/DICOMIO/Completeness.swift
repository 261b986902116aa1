import DICOMCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether an instance is complete (PS3.10 §7): its data set parses to the end of the file with
/// every declared length inside the file; encapsulated Pixel Data has its fragments and its
/// Sequence Delimitation Item (PS3.5 §A.4); native Pixel Data holds Rows x Columns x Samples per
/// Pixel x Bits Allocated x Number of Frames bits (PS3.5 §8.1.1). Bulk data is skipped, never read.
///
/// Tolerated as complete (damage the reader accepts that loses nothing): odd lengths, VR
/// mismatches, trailing zero bytes, item lengths that overrun their sequence, Pixel Data longer
/// than the description. Incomplete (the `incomplete` error code): a value, item or fragment that
/// runs past the end of the file, a sequence without its delimiter at the end of the file,
/// encapsulated Pixel Data without its delimiter unless its last frame is provably whole, too few fragments for the frames, native Pixel Data shorter than described,
/// a deflate stream that stops early. An impossible description (sizes overflowing, Number of
/// Frames below 1) fails with `impossible-image`.
public enum Completeness {
    /// Checks the file at `path`; throws a ``DICOMIOError`` naming file, offset and tag when the
    /// instance is incomplete or cannot be read. Reads headers and item headers only.
    public static func check(path: String, options: ReadOptions = ReadOptions()) throws {
        do { try checkFile(path: path, options: options) } catch let e as DICOMIOError where e.code == .truncated {
            throw DICOMIOError(.incomplete, e.message, path: e.path, offset: e.offset, tag: e.tag, cause: e)
        }
    }

    /// Reads the file at `path` as ``Part10Reader/read(path:options:)`` does and checks it as ``check(path:options:)``
    /// does, from one open file and the bytes the read loaded: the file, and the error the check would throw (nil: complete).
    public static func read(path: String, options: ReadOptions, checking: ReadOptions = ReadOptions()) throws -> (file: DICOMFile, problem: (any Error)?) {
        try read(try ByteSource(path: path, chunk: 64 * 1024), path: path, options: options, checking: checking)
    }

    /// ``read(path:options:checking:)`` of a file lying in `region` of an open file (an image's extent),
    /// read in place: the header and the item headers only, the rest of the file never loaded.
    public static func read(region: FileRegion, path: String, options: ReadOptions, checking: ReadOptions = ReadOptions()) throws -> (
        file: DICOMFile, problem: (any Error)?
    ) {
        try read(ByteSource(region: region, path: path, chunk: 64 * 1024), path: path, options: options, checking: checking)
    }

    static func read(_ src: ByteSource, path: String, options: ReadOptions, checking: ReadOptions) throws -> (file: DICOMFile, problem: (any Error)?) {
        let file = try Part10Reader.read(src, options: options)
        do {
            // The window must still start at the file's start for the prelude; else the check reads afresh.
            try checkSource(src.base == 0 ? src : src.reopened(), path: path, options: checking)
            return (file, nil)
        } catch let e as DICOMIOError where e.code == .truncated {
            return (file, DICOMIOError(.incomplete, e.message, path: e.path, offset: e.offset, tag: e.tag, cause: e))
        } catch {
            return (file, error)
        }
    }

    static func checkFile(path: String, options: ReadOptions) throws {
        try checkSource(ByteSource(path: path, chunk: 64 * 1024), path: path, options: options)
    }

    static func checkSource(_ src: ByteSource, path: String, options: ReadOptions) throws {
        let pre = try Part10Reader.prelude(src, options: options)
        if pre.syntax.isDeflated {
            try checkParsed(Part10Reader.read(src.reopened(), options: options), path: path)
            return
        }
        var size = src.fileSize
        if src.ownsFD {
            var st = stat()
            guard fstat(src.fd, &st) == 0 else {
                throw DICOMIOError(.io, "cannot stat: \(String(cString: strerror(errno)))", path: path, offset: 0)
            }
            size = Int(st.st_size)
        }
        var w = Walker(input: .file(src.fd), size: size, path: path, syntax: pre.syntax, options: options)
        w.origin = src.origin
        w.window = src.bytes  // the bytes read already: the first headers need no second read
        w.windowStart = src.base
        try w.run(from: pre.dataSetOffset)
    }

    /// Checks a file held in memory (`path` names it in messages).
    public static func check(bytes: [UInt8], path: String?, options: ReadOptions = ReadOptions()) throws {
        do { try checkBytes(bytes, path: path, options: options) } catch let e as DICOMIOError where e.code == .truncated {
            throw DICOMIOError(.incomplete, e.message, path: e.path, offset: e.offset, tag: e.tag, cause: e)
        }
    }

    static func checkBytes(_ bytes: [UInt8], path: String?, options: ReadOptions) throws {
        let src = ByteSource(bytes: bytes, path: path)
        let pre = try Part10Reader.prelude(src, options: options)
        if pre.syntax.isDeflated {
            try checkParsed(Part10Reader.read(src, options: options), path: path)
            return
        }
        var w = Walker(input: .memory(bytes), size: bytes.count, path: path, syntax: pre.syntax, options: options)
        try w.run(from: pre.dataSetOffset)
    }

    /// Size in bytes of native pixel data (PS3.5 §8.1.1; Bits Allocated 1 packs bits), with every
    /// product checked; throws `impossible-image` for an impossible description.
    public static func nativePixelDataSize(
        rows: Int, columns: Int, samplesPerPixel: Int, bitsAllocated: Int, frames: Int,
        photometric: String? = nil, path: String? = nil, offset: Int? = nil, tag: Tag? = nil
    ) throws -> Int {
        func impossible(_ why: String) -> DICOMIOError {
            DICOMIOError(.impossible, "impossible image description: \(why)", path: path, offset: offset, tag: tag)
        }
        guard frames >= 1 else { throw impossible("Number of Frames \(frames) (must be 1 or more)") }
        guard rows >= 0, columns >= 0, samplesPerPixel >= 0, bitsAllocated >= 0 else {
            throw impossible("negative Rows, Columns, Samples per Pixel or Bits Allocated")
        }
        // YBR_FULL_422 and YBR_PARTIAL_422 store two samples per pixel natively (PS3.3 §C.7.6.3.1.2).
        let p = photometric.map(trimmingWhitespace) ?? ""
        let samples = (samplesPerPixel == 3 && (p == "YBR_FULL_422" || p == "YBR_PARTIAL_422")) ? 2 : samplesPerPixel
        var bits = 1
        for (factor, name) in [
            (rows, "Rows"), (columns, "Columns"), (samples, "Samples per Pixel"), (bitsAllocated, "Bits Allocated"), (frames, "Number of Frames"),
        ] {
            let (v, o) = bits.multipliedReportingOverflow(by: factor)
            if o {
                throw impossible(
                    "Rows \(rows) x Columns \(columns) x Samples \(samplesPerPixel) x Bits Allocated \(bitsAllocated) x Frames \(frames) overflows (at \(name))"
                )
            }
            bits = v
        }
        return bits / 8 + (bits % 8 == 0 ? 0 : 1)
    }

    /// Number of Frames (0028,0008) of a data set: 1 when absent; throws for a value that is not a positive integer.
    static func frames(_ text: String?, path: String?, offset: Int?) throws -> Int {
        guard let t = text.map(trimmingWhitespace), !t.isEmpty else { return 1 }
        guard let n = Int(t.hasPrefix("+") ? String(t.dropFirst()) : t) else {
            throw DICOMIOError(
                .impossible, "impossible image description: Number of Frames '\(t)' is not a number", path: path, offset: offset, tag: .numberOfFrames)
        }
        if n < 1 {
            throw DICOMIOError(
                .impossible, "impossible image description: Number of Frames \(n) (must be 1 or more)", path: path, offset: offset, tag: .numberOfFrames)
        }
        return n
    }

    /// `trimmingCharacters(in: .whitespaces)`; an ASCII string (whose only whitespace is space and
    /// tab) is trimmed on its bytes without Foundation.
    static func trimmingWhitespace(_ s: String) -> String {
        let u = s.utf8
        guard !u.contains(where: { $0 >= 0x80 }) else { return s.trimmingCharacters(in: .whitespaces) }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = u.firstIndex(where: { !isSpace($0) }), let last = u.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(s[first...last])
    }

    /// A deflated instance is read whole (within the inflate limit); its Pixel Data is checked on the parsed data set.
    static func checkParsed(_ file: DICOMFile, path: String?) throws {
        for d in file.diagnostics {
            if d.code == .deflateTruncated {
                throw DICOMIOError(.incomplete, "the deflate stream ends early: the file is cut", path: path, offset: d.offset ?? file.dataSetOffset)
            }
            if d.code == .missingDelimiter {
                throw DICOMIOError(
                    .incomplete, "file ends before the Sequence Delimitation Item (at byte \(d.offset.map(String.init) ?? "?") of the inflated data set)",
                    path: path, offset: file.dataSetOffset, tag: d.tag)
            }
        }
        let ds = file.dataSet
        for tag in [Tag.pixelData, .floatPixelData, .doubleFloatPixelData] {
            guard let e = ds[tag] else { continue }
            let frames = try Completeness.frames(ds.string(.numberOfFrames), path: path, offset: file.dataSetOffset)
            switch e.value {
            case .fragments(let f):
                if f.fragments.count < frames {
                    throw DICOMIOError(
                        .incomplete, "encapsulated Pixel Data has \(f.fragments.count) fragment(s) for \(frames) frame(s)", path: path,
                        offset: file.dataSetOffset, tag: tag)
                }
            case .bytes(let b):
                guard !file.transferSyntax.isEncapsulated, let rows = ds.integer(.rows), let cols = ds.integer(.columns),
                    var bits = ds.integer(.bitsAllocated)
                else { continue }
                if tag == .floatPixelData { bits = 32 } else if tag == .doubleFloatPixelData { bits = 64 }
                let want = try nativePixelDataSize(
                    rows: rows, columns: cols, samplesPerPixel: ds.integer(.samplesPerPixel) ?? 1,
                    bitsAllocated: bits, frames: frames, photometric: ds.string(.photometricInterpretation),
                    path: path, offset: file.dataSetOffset, tag: tag)
                if b.count < want {
                    throw DICOMIOError(
                        .incomplete, "native Pixel Data has \(b.count) bytes; the image description needs \(want)", path: path, offset: file.dataSetOffset,
                        tag: tag)
                }
            default: continue
            }
        }
    }
}
