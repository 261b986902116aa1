import DICOMCore
import DICOMIO
#if canImport(Glibc)
import Glibc
#endif

/// `dump`: one file read and shown as dcmdump-style text or as the DICOM JSON Model (PS3.18 F.2).
public struct DumpReport {
    public let path: String
    let file: DICOMFile

    /// Reads the file (with `headerOnly`, up to Pixel Data without reading it).
    public init(path: String, headerOnly: Bool) throws {
        self.path = path
        file = try Part10Reader.read(path: path, options: ReadOptions(stopBeforePixelData: headerOnly))
    }

    /// The warnings and errors of the read, each as its stderr line "PATH: diagnostic".
    public var diagnostics: [(line: String, isError: Bool)] {
        file.diagnostics.filter { $0.severity >= .warning }.map { ("\(path): \($0)", $0.severity >= .error) }
    }

    /// The dcmdump-style listing with a final newline.
    public func text() -> [UInt8] {
        var bytes = DumpFormatter().formatBytes(file)
        bytes.append(0x0A)
        return bytes
    }

    /// The DICOM JSON Model of File Meta and data set; binary values over 1 KiB become a BulkDataURI
    /// naming the absolute path and byte offset.
    public func json() -> JSON {
        var model = JSONModel(path: Self.absolute(path))
        model.bulkDataThreshold = 1024
        var all = file.fileMeta
        for e in file.dataSet { all.set(e) }
        all.characterSet = file.dataSet.characterSet
        return model.json(all)
    }

    /// The stderr line and the `{"file", "error"}` entry of a file that cannot be read.
    public static func failure(path: String, error: any Error) -> (line: String, json: JSON) {
        let line = (error as? DICOMParseError)?.description ?? "\(path): \(error)"
        return (line, .object([("file", .string(path)), ("error", .string(line))]))
    }

    /// The --json document: one file's model (or its failure) alone; several files as an array.
    public static func document(_ entries: [JSON], files: Int) -> JSON {
        entries.count == 1 && files == 1 ? entries[0] : .array(entries)
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = getcwd(nil, 0) else { return path }
        defer { free(cwd) }
        return String(cString: cwd) + "/" + path
    }
}
