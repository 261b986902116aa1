import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation

/// The fields the PDI templates see (templates/pdi/README.md lists them): the medium, its patients, studies and series
/// formatted for reading in the chosen locale, and per series page its key images and instances.
struct PDIContext {
    let content: PDIContent
    let renderings: [[PDIRendering]]
    let locale: PDILocale
    let web: Bool

    /// Fields of every page: the medium, its creator and the counts.
    func medium(_ o: PDIOptions, today: Date = Date()) -> [String: PDIValue] {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone.current, from: today)
        let date = DICOMDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
        let names = content.patients.map { PDIText.name($0.name).main }.map { $0.isEmpty ? "(no name)" : $0 }
        let who = names.count <= 3 ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more"
        let studies = content.studies
        let what = studies.count == 1 ? studyLabel(studies[0]) : "\(studies.count) studies"
        return [
            "INSTITUTION": .text(o.institution ?? ""), "CONTACT": .text(o.contact ?? ""),
            "APPLICATION": .text(o.application ?? "dicom-media \(Implementation.version)"), "DATE": .text(locale.format(date)),
            "FILESET_ID": .text(content.fileSetID.isEmpty ? "(none)" : content.fileSetID),
            "PATIENT_COUNT": .text(String(content.patients.count)), "STUDY_COUNT": .text(String(studies.count)),
            "SERIES_COUNT": .text(String(content.series.count)), "INSTANCE_COUNT": .text(String(content.instanceCount)),
            "WEB": .flag(web), "TITLE": .text(who.isEmpty ? "DICOM medium" : "\(who): \(what)"),
            "LANG": .text(language(content.patients)),
        ]
    }

    /// The patients, their studies and series; links and thumbnails relative to a page in `folder` ("" or "IHE_PDI/").
    func patients(linkPrefix folder: String) -> [String: PDIValue] {
        ["PATIENTS": .list(content.patients.map { p in patient(p).merging(["STUDIES": .list(p.studies.map { study($0, folder) })]) { a, _ in a } })]
    }

    func patient(_ p: PDIContent.Patient) -> [String: PDIValue] {
        let n = PDIText.name(p.name)
        return [
            "NAME": .text(n.main.isEmpty ? "(no name)" : n.main), "OTHER_NAMES": .text(n.others.joined(separator: ", ")),
            "NAME_LANG": .text(p.language ?? "und"), "PATIENT_ID": .text(p.id), "SEX": .text(p.sex),
            "BIRTH_DATE": .text(p.birth.map(locale.format) ?? ""),
        ]
    }

    func study(_ s: PDIContent.Study, _ folder: String) -> [String: PDIValue] {
        [
            "STUDY_DATE": .text(s.date.map { locale.format($0, s.time) } ?? ""), "STUDY_DESCRIPTION": .text(s.description),
            "STUDY_LABEL": .text(studyLabel(s)), "ACCESSION": .text(s.accession), "REFERRING": .text(s.referring),
            "MODALITIES": .text(s.modalities.joined(separator: ", ")), "BODY_PARTS": .text(s.bodyParts.joined(separator: ", ")),
            "AGE": .text(s.age ?? ""), "STUDY_UID": .text(s.uid), "SERIES": .list(s.series.map { series($0, folder) }),
        ]
    }

    /// "CT Chest (7 Jan 2018)", "Study (7 Jan 2018)" or "Study".
    func studyLabel(_ s: PDIContent.Study) -> String {
        let date = s.date.map { " (\(locale.format($0)))" } ?? ""
        return (s.description.isEmpty ? "Study" : s.description) + date
    }

    func series(_ s: PDIContent.Series, _ folder: String) -> [String: PDIValue] {
        let numbers = s.instances.compactMap { $0.keys.integer(.instanceNumber) }
        let range = numbers.isEmpty ? "" : numbers.count == 1 ? " (number \(numbers[0]))" : " (numbers \(numbers.min()!)-\(numbers.max()!))"
        let thumb = web ? renderings[s.index].first { $0.jpeg != nil } : nil
        let side = thumb.map { Self.fit($0, 96) } ?? (0, 0)
        return [
            "SERIES_NUMBER": .text(s.number), "MODALITY": .text(s.modality), "SERIES_DESCRIPTION": .text(s.description),
            "BODY_PART": .text(s.bodyPart), "SERIES_LABEL": .text(s.label), "IMAGE_COUNT": .text(Self.count(s)),
            "COUNT": .text(String(s.instances.count)), "RANGE": .text(range), "FOLDER": .text(s.folder), "SERIES_UID": .text(s.uid),
            "PAGE": .text(folder + Self.page(s.index)), "ANCHOR": .text(Self.anchor(s.index)),
            "THUMB": .text(thumb.map { folder + $0.name } ?? ""), "THUMB_WIDTH": .text(String(side.0)), "THUMB_HEIGHT": .text(String(side.1)),
        ]
    }

    /// The fields of the page of series `s`: its patient, study and series, key images, instances and neighbours.
    /// `st` is the study holding the series and `p` the patient holding the study (the caller walks them: no search per page).
    func seriesPage(_ s: PDIContent.Series, of st: PDIContent.Study, _ p: PDIContent.Patient) -> [String: PDIValue] {
        var v = patient(p)
        v.merge(study(st, "")) { a, _ in a }
        v.merge(series(s, "")) { a, _ in a }
        v["LANG"] = .text(language([p]))
        let keys = renderings[s.index]
        let sheet = keys.count > 3
        v["KEY_IMAGES"] = .list(
            keys.map { r in
                let side = sheet ? Self.fit(r, 240) : (r.width, r.height)
                return [
                    "SHOWN": .flag(r.jpeg != nil), "SRC": .text(r.name), "WIDTH": .text(String(side.0)), "HEIGHT": .text(String(side.1)),
                    "CAPTION": .text(Self.caption(r)),
                ]
            })
        let types = unique(s.instances.map(\.type.rawValue)).sorted().joined(separator: ", ")
        v["NO_IMAGES"] = .text(keys.isEmpty ? types : "")
        v["INSTANCES"] = .list(
            s.instances.map {
                ["TYPE": .text($0.type.rawValue), "NUMBER": .text($0.keys.string(.instanceNumber) ?? ""), "FILE_ID": .text($0.referencedFileID?.path ?? "")]
            })
        v["PREVIOUS"] = .text(s.index > 0 ? Self.page(s.index - 1) : "")
        v["NEXT"] = .text(s.index + 1 < renderings.count ? Self.page(s.index + 1) : "")  // one list of renderings per series
        return v
    }

    /// "Image 12", or "Image 3, frame 5 of 10" for a multi-frame image.
    static func caption(_ r: PDIRendering) -> String {
        let image = r.instanceNumber.isEmpty ? "Image" : "Image \(r.instanceNumber)"
        return r.frames > 1 ? image + ", frame \(r.frame) of \(r.frames)" : image
    }

    static func page(_ index: Int) -> String { String(format: "S%07d.HTM", index + 1) }
    static func anchor(_ index: Int) -> String { String(format: "S%07d", index + 1) }

    /// "24 images", "1 image", or "2 objects (SR)" when not every instance is an image.
    static func count(_ s: PDIContent.Series) -> String {
        let images = s.images.count
        if images == s.instances.count { return PDIText.plural(images, "image") }
        return PDIText.plural(s.instances.count, "object") + " (" + unique(s.instances.map(\.type.rawValue)).joined(separator: ", ") + ")"
    }

    /// A rendering's size scaled to at most `side` pixels on its longer side.
    static func fit(_ r: PDIRendering, _ side: Int) -> (Int, Int) {
        let longest = max(r.width, r.height)
        guard longest > side else { return (r.width, r.height) }
        return (max(1, r.width * side / longest), max(1, r.height * side / longest))
    }

    /// The `lang` of a page about `patients`: the language their Specific Character Set or names show when they agree,
    /// else the locale's, else English.
    func language(_ patients: [PDIContent.Patient]) -> String {
        let langs = Set(patients.compactMap(\.language))
        if langs.count == 1, let l = langs.first { return l }
        return locale.language ?? "en"
    }
}
