import ArgumentParser
import Foundation
import MediaKit

/// Options of `create` for ISO images, media capacity and IHE PDI content.
struct MediaOutputOptions: ParsableArguments {
    @Option(help: "Write the File-set into this ISO 9660 image (level 1 names, Joliet, Rock Ridge) instead of a folder; every positional is then an INPUT.")
    var iso: String?
    @Option(name: .customLong("volume-id"), help: "ISO volume identifier (up to 32 of A-Z, 0-9, _); default the File-set ID.")
    var volumeID: String?
    @Flag(name: .customLong("no-rock-ridge"), help: "Leave out the Rock Ridge extensions (Joliet and ISO 9660 names stay).")
    var noRockRidge = false
    @Option(
        name: .customLong("iso-writer"),
        help: ArgumentHelp("Image writer: libisofs (streams from the files) or libarchive (stages every file).", visibility: .hidden))
    var isoWriter: String = ImageOutput.defaultEngineName
    @Option(
        help:
            "Medium to fit: cd, dvd, dvd-dl, bd, bd-dl, usb (no limit), or a size in bytes with an optional K/M/G suffix. A selection that does not fit is split into volumes OUT_1, OUT_2... (FILE_1.iso...)."
    )
    var media: String?
    @Flag(help: "Add IHE PDI files: README.TXT and INDEX.HTM (templates/pdi).")
    var pdi = false
    @Flag(help: "With --pdi: add the IHE_PDI folder of XHTML pages and JPEG renderings (key images of each series).")
    var web = false
    @Option(help: "Creating institution named in README.TXT and INDEX.HTM (--pdi).")
    var institution: String?
    @Option(help: "Contact of the creating institution (--pdi).")
    var contact: String?
    @Option(help: "Creating application named in README.TXT (--pdi); default dicom-media VERSION.")
    var application: String?
    @Option(help: "Locale of the dates in README.TXT and the pages (--pdi), e.g. en, de_CH, ja_JP; default from LC_ALL/LC_TIME/LANG, C for ISO 8601.")
    var locale: String?
    @Option(
        name: .customLong("web-templates"),
        help: "Folder of PDI templates (README.TXT, INDEX.HTM, SERIES.HTM, LABEL.TXT) replacing the built-in ones (--pdi).")
    var webTemplates: String?
    @Option(help: "With --pdi: write a disc label (patient, studies, institution, File-set ID, disc n of m) to FILE.png (300 dpi) or FILE.pdf.")
    var label: String?
    @Option(help: "With --pdi: write a case insert (120 x 120 mm) to FILE.pdf.")
    var insert: String?

    var requested: Bool { iso != nil || media != nil || pdi || web || locale != nil || webTemplates != nil || label != nil || insert != nil }

    func create(
        out: String?, inputs: [String], options base: FileSetOptions, output: OutputOptions, failOn: FailOnOption, inPlace: Bool,
        sourceNames: [String: String] = [:], refused: [(source: String, reason: String)] = []
    ) throws {
        if inPlace { throw ValidationError("--in-place cannot be combined with --iso, --media or --pdi") }
        if web && !pdi { throw ValidationError("--web needs --pdi") }
        if inputs.isEmpty { throw ValidationError("give at least one INPUT") }
        var o = base
        var capacity: Int64?
        do {
            if let iso {
                o.image = try ImageOutput.checked(path: iso, volumeID: volumeID, rockRidge: !noRockRidge, engine: isoWriter)
            } else if volumeID != nil || noRockRidge {
                throw ValidationError("--volume-id and --no-rock-ridge need --iso")
            }
            if pdi {
                var p = try PDIOptions.withDefaultTemplates()
                p.institution = institution; p.contact = contact; p.application = application; p.web = web
                if let locale { p.locale = try PDILocale(locale) }
                if let webTemplates {
                    var isDir: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: webTemplates, isDirectory: &isDir), isDir.boolValue else {
                        throw ValidationError("--web-templates: \(webTemplates) is not a folder")
                    }
                    p.userTemplates = webTemplates
                }
                try checkLabels()
                p.label = label
                p.insert = insert
                o.pdi = p
            } else if locale != nil || webTemplates != nil || label != nil || insert != nil {
                throw ValidationError("--locale, --web-templates, --label and --insert need --pdi")
            }
            if let media { capacity = try MediaCapacity.parse(media) }
        } catch let e as MediaError where e.code == .badArgument { throw ValidationError(e.message) }
        try runMedia {
            var r = try FileSetCreator.createVolumes(out: out, inputs: inputs, capacity: capacity, options: o, progress: output.progress())
            r.nameSources(sourceNames)
            // Inputs refused before the plan (export: conflicting copies) count with the first volume's.
            if !r.volumes.isEmpty { r.volumes[0].report.refused += refused }
            output.result(r.text, json: r.json)
            output.report(r.diagnostics)
            for v in r.volumes where v.report.nothingWritten { printError("\(v.output): no instances: nothing written") }
            try exitWith(failOn.code(partial: r.hasProblems, warnings: r.hasWarnings))
        }
    }
}

extension MediaOutputOptions {
    /// A label is a .png or .pdf file, an insert a .pdf file; neither is ever overwritten.
    func checkLabels() throws {
        for (flag, path, kinds) in [("--label", label, [".png", ".pdf"]), ("--insert", insert, [".pdf"])] {
            guard let path else { continue }
            guard kinds.contains(where: { path.lowercased().hasSuffix($0) }) else {
                throw ValidationError("\(flag): \(path) must end in \(kinds.joined(separator: " or "))")
            }
            if FileManager.default.fileExists(atPath: path) { throw ValidationError("\(flag): \(path) already exists; it is never overwritten") }
        }
    }
}

struct Iso: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "iso", "Package an existing File-set folder as an ISO 9660 image (level 1 names, DICOMDIR at the root, Joliet, Rock Ridge).")
    @Argument(help: "The File-set folder or its DICOMDIR.") var fileSet: String
    @Argument(help: "The image file to write (never overwritten).") var file: String
    @Option(name: .customLong("volume-id"), help: "ISO volume identifier (up to 32 of A-Z, 0-9, _); default the File-set ID.")
    var volumeID: String?
    @Flag(name: .customLong("no-rock-ridge"), help: "Leave out the Rock Ridge extensions.") var noRockRidge = false
    @Option(name: .customLong("iso-writer"), help: ArgumentHelp("libisofs or libarchive.", visibility: .hidden))
    var isoWriter: String = ImageOutput.defaultEngineName
    @OptionGroup var output: OutputOptions

    func run() throws {
        let image: ImageOutput
        do { image = try ImageOutput.checked(path: file, volumeID: volumeID, rockRidge: !noRockRidge, engine: isoWriter) } catch let e as MediaError
            where e.code == .badArgument
        {
            throw ValidationError(e.message)
        }
        try runMedia {
            let r = try PackageReport.package(fileSet: fileSet, image: image)
            output.result(r.text, json: r.json)
            for line in r.skippedLines { printError(line) }
            if !r.skippedLines.isEmpty { throw ExitCode(Exit.problems) }
        }
    }
}
