import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation

/// Patients, studies and series of a File-set, in DICOMDIR order, with what the pages show of them: the directory
/// records' keys, completed from the header of each series' first file (referring physician, descriptions, body part).
struct PDIContent {
    struct Series {
        var uid: String, number: String, modality: String, description: String, bodyPart: String
        /// The folder of its files on the medium.
        var folder: String
        /// Its instance records (no private ones), in instance order.
        var instances: [DirectoryRecord]
        /// 0-based index among all series of the medium (its page is S<index+1>.HTM).
        var index: Int

        var images: [DirectoryRecord] { instances.filter { $0.type == .image } }
        /// "#3 CT Chest 1.25 mm" style label; never empty.
        var label: String {
            let l = [number.isEmpty ? "" : "#\(number)", modality, description].filter { !$0.isEmpty }.joined(separator: " ")
            return l.isEmpty ? "Series" : l
        }
    }

    struct Study {
        var uid: String, date: DICOMDate?, time: DICOMTime?, description: String, accession: String, referring: String, age: String?
        var series: [Series]
        var modalities: [String] { unique(series.map(\.modality)) }
        var bodyParts: [String] { unique(series.map(\.bodyPart)) }
    }

    struct Patient {
        var name: PersonName, id: String, birth: DICOMDate?, sex: String, language: String?
        var studies: [Study]
    }

    var fileSetID: String
    var patients: [Patient] = []

    var studies: [Study] { patients.flatMap(\.studies) }
    var series: [Series] { studies.flatMap(\.series) }
    var instanceCount: Int { series.reduce(0) { $0 + $1.instances.count } }

    /// The content of `fs`; `source` gives the file to read for a File ID (upper-cased), when one is known.
    init(_ fs: FileSet, source: [String: String]) {
        fileSetID = fs.fileSetID
        var index = 0
        for p in fs.records where p.type == .patient {
            // Sex and birth date from the first file when the patient record leaves them out (Type 2 keys may be empty).
            let first = { p.children.lazy.filter { $0.type == .study }.flatMap(\.children).compactMap { Self.header(of: $0, source) }.first }
            let missing = p.keys.string(.patientSex) == nil || p.keys.date(.patientBirthDate) == nil
            let header0 = missing ? first() : nil
            let sexCode = p.keys.string(.patientSex) ?? header0?.string(.patientSex)
            var patient = Patient(
                name: p.keys.personNames(.patientName)?.first ?? PersonName(), id: p.keys.string(.patientID) ?? "",
                birth: p.keys.date(.patientBirthDate) ?? header0?.date(.patientBirthDate), sex: PDIText.sex(sexCode),
                language: PDIText.language(terms: p.keys.characterSet.terms), studies: [])
            if patient.language == nil { patient.language = PDIText.language(script: p.keys.personNames(.patientName)?.first?.description ?? "") }
            for st in p.children where st.type == .study {
                var study = Study(
                    uid: st.keys.string(.studyInstanceUID) ?? "", date: st.keys.date(.studyDate), time: st.keys.time(.studyTime),
                    description: st.keys.string(.studyDescription) ?? "", accession: st.keys.string(.accessionNumber) ?? "", referring: "",
                    age: nil, series: [])
                // Series in Series Number order (those without one last, in DICOMDIR order).
                let ordered = st.children.filter { $0.type == .series }.enumerated().sorted { a, b in
                    let x = a.element.keys.integer(.seriesNumber) ?? Int.max, y = b.element.keys.integer(.seriesNumber) ?? Int.max
                    return x != y ? x < y : a.offset < b.offset
                }.map(\.element)
                for se in ordered {
                    let insts = FileSetListing.sortedInstances(se.children.filter { $0.type != .private })
                    let header = Self.header(of: se, source)
                    func key(_ t: Tag) -> String { se.keys.string(t) ?? header?.string(t) ?? "" }
                    if study.referring.isEmpty, let h = header {
                        study.referring = h.personNames(.referringPhysicianName)?.first.map { PDIText.name($0).main } ?? ""
                        if study.description.isEmpty { study.description = h.string(.studyDescription) ?? "" }
                        study.age = study.age ?? PDIText.age(h.string(.patientAge))
                    }
                    let folder = insts.compactMap(\.referencedFileID).first.map { $0.components.dropLast().joined(separator: "/") } ?? ""
                    study.series.append(
                        Series(
                            uid: key(.seriesInstanceUID), number: key(.seriesNumber), modality: key(.modality), description: key(.seriesDescription),
                            bodyPart: key(.bodyPartExamined), folder: folder, instances: insts, index: index))
                    index += 1
                }
                study.age = PDIText.age(birth: patient.birth, at: study.date) ?? study.age
                patient.studies.append(study)
            }
            patients.append(patient)
        }
    }

    /// The header of a series' first file whose source is known (nil when none can be read).
    static func header(of series: DirectoryRecord, _ source: [String: String]) -> DataSet? {
        for r in series.children {
            guard let id = r.referencedFileID?.path, let path = source[id.uppercased()] else { continue }
            return try? Part10Reader.read(path: path, options: .headerOnly).dataSet
        }
        return nil
    }
}

/// The distinct non-empty values of `values`, in their first order.
func unique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { !$0.isEmpty && seen.insert($0).inserted }
}
