import DICOMCore
import Foundation

/// Import reconciliation (IHE RAD TF-1 Import Reconciliation Workflow): the patient demographics
/// and Accession Number of imported instances replaced by local values, looked up by the source
/// Patient ID, with the replaced values kept in Original Attributes Sequence (PS3.3 C.12.1.1.9).
///
/// The map is a CSV file (RFC 4180: comma separated, double quotes around values that hold commas
/// or quotes, UTF-8) whose first line names the columns:
///
///     source_patient_id,patient_id,patient_name,birth_date,sex,accession_number
///
/// `source_patient_id` is required; the others are optional and may come in any order. A blank
/// value keeps the instance's own value. Instances whose Patient ID is not in the map are not changed.
public struct Reconciler: InstanceTransform {
    /// The local values for one source Patient ID; nil keeps the instance's value.
    public struct Entry: Sendable, Equatable {
        public var patientID: String?
        public var patientName: String?
        public var birthDate: String?
        public var sex: String?
        public var accessionNumber: String?
        /// Issuer of Patient ID (0010,0021): the local assigning authority.
        public var issuer: String?
        /// Line of the CSV file it came from.
        public var line: Int
        public init(
            patientID: String? = nil, patientName: String? = nil, birthDate: String? = nil, sex: String? = nil,
            accessionNumber: String? = nil, issuer: String? = nil, line: Int = 0
        ) {
            self.patientID = patientID; self.patientName = patientName; self.birthDate = birthDate
            self.sex = sex; self.accessionNumber = accessionNumber; self.issuer = issuer; self.line = line
        }
    }

    public static let columns = ["source_patient_id", "patient_id", "patient_name", "birth_date", "sex", "accession_number"]

    public let entries: [String: Entry]
    /// Modifying System (0400,0563).
    public var modifyingSystem = "dicom-media"
    /// Reason for the Attribute Modification (0400,0565): COERCE (import into a local domain) or CORRECT.
    public var reason = "COERCE"
    /// Attribute Modification DateTime (0400,0562), YYYYMMDDHHMMSS; set once for the run.
    public var modificationDateTime: String

    public init(entries: [String: Entry], modificationDateTime: String? = nil) {
        self.entries = entries
        if let t = modificationDateTime {
            self.modificationDateTime = t
        } else {
            let f = DateFormatter(); f.locale = Locale(identifier: "en_US_POSIX"); f.dateFormat = "yyyyMMddHHmmss"
            self.modificationDateTime = f.string(from: Date())
        }
    }

    /// Reads the map from a CSV file; throws a ``MediaError`` (`map-*`) naming the line and column of the first problem.
    public init(csvPath: String, modificationDateTime: String? = nil) throws {
        guard let data = FileManager.default.contents(atPath: csvPath) else {
            throw MediaError(.notFound, "reconciliation map not found or not readable", path: csvPath)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MediaError.map(.mapNotUTF8, path: csvPath, line: 1, column: nil, message: "not UTF-8 text")
        }
        try self.init(entries: Self.parse(text, path: csvPath), modificationDateTime: modificationDateTime)
    }

    /// Parses the CSV text (see the type's documentation).
    public static func parse(_ text: String, path: String = "map") throws -> [String: Entry] {
        let rows = try csvRows(text, path: path)
        guard let (headerLine, header) = rows.first else {
            throw MediaError.map(
                .mapEmpty, path: path, line: 1, column: nil, message: "empty; the first line must name the columns: \(columns.joined(separator: ","))")
        }
        var index: [String: Int] = [:]
        for (i, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "")
            guard columns.contains(name) else {
                throw MediaError.map(
                    .mapUnknownColumn, path: path, line: headerLine, column: "\(i + 1) '\(raw)'",
                    message: "unknown column; known: \(columns.joined(separator: ", "))")
            }
            if index[name] != nil { throw MediaError.map(.mapDuplicateColumn, path: path, line: headerLine, column: name, message: "column given twice") }
            index[name] = i
        }
        guard index["source_patient_id"] != nil else {
            throw MediaError.map(
                .mapNoSourceColumn, path: path, line: headerLine, column: nil,
                message: "no source_patient_id column; the first line must name the columns, e.g. \(columns.joined(separator: ","))")
        }
        var out: [String: Entry] = [:]
        for (line, row) in rows.dropFirst() {
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            if row.count != header.count {
                throw MediaError.map(
                    .mapValueCount, path: path, line: line, column: nil, message: "\(row.count) values, but the header names \(header.count) columns")
            }
            func value(_ c: String) -> String? {
                guard let i = index[c] else { return nil }
                let v = row[i].trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
            guard let source = value("source_patient_id") else {
                throw MediaError.map(
                    .mapEmptySource, path: path, line: line, column: "source_patient_id", message: "empty; every row needs the source Patient ID it applies to")
            }
            var e = Entry(
                patientID: value("patient_id"), patientName: value("patient_name"), birthDate: value("birth_date"),
                sex: value("sex")?.uppercased(), accessionNumber: value("accession_number"), line: line)
            func check(_ column: String, _ v: String?, _ ok: (String) -> Bool, _ why: String) throws {
                if let v, !ok(v) { throw MediaError.map(.mapInvalidValue, path: path, line: line, column: column, message: "'\(v)' \(why)") }
            }
            let noBackslash: (String) -> Bool = { !$0.contains("\\") && !$0.contains(where: { $0.isNewline }) }
            try check(
                "source_patient_id", source, { $0.count <= 64 && noBackslash($0) }, "is not a Patient ID (LO: at most 64 characters, no backslash; PS3.5 6.2)")
            try check(
                "patient_id", e.patientID, { $0.count <= 64 && noBackslash($0) }, "is not a Patient ID (LO: at most 64 characters, no backslash; PS3.5 6.2)")
            try check(
                "patient_name", e.patientName,
                { n in
                    noBackslash(n) && n.split(separator: "=", omittingEmptySubsequences: false).count <= 3
                        && n.split(separator: "=", omittingEmptySubsequences: false).allSatisfy {
                            $0.count <= 64 && $0.split(separator: "^", omittingEmptySubsequences: false).count <= 5
                        }
                }, "is not a Person Name (PN: Family^Given^Middle^Prefix^Suffix, at most 64 characters a group; PS3.5 6.2.1)")
            try check(
                "birth_date", e.birthDate, { $0.count == 8 && $0.allSatisfy(\.isASCII) && DICOMDate($0) != nil }, "is not a date YYYYMMDD (DA, PS3.5 6.2)")
            try check("sex", e.sex, { ["M", "F", "O"].contains($0) }, "is not M, F or O (Patient's Sex, PS3.3 C.7.1.1)")
            try check(
                "accession_number", e.accessionNumber, { $0.count <= 16 && noBackslash($0) },
                "is not an Accession Number (SH: at most 16 characters, no backslash; PS3.5 6.2)")
            if let earlier = out[source] {
                throw MediaError.map(
                    .mapAlreadyMapped, path: path, line: line, column: "source_patient_id", message: "'\(source)' is already mapped on line \(earlier.line)")
            }
            e.line = line
            out[source] = e
        }
        return out
    }

    /// RFC 4180 rows with the line each starts on.
    static func csvRows(_ text: String, path: String) throws -> [(Int, [String])] {
        var rows: [(Int, [String])] = []
        var field = "", row: [String] = [], inQuotes = false, line = 1, rowLine = 1, quotedAt = 0
        var chars = Array(text.unicodeScalars)[...]
        var any = false
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append("\"") } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                if !field.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw MediaError.map(
                        .mapQuoting, path: path, line: line, column: "\(row.count + 1)",
                        message: "a double quote inside an unquoted value (quote the whole value and double the quote)")
                }
                field = ""; inQuotes = true; quotedAt = line; any = true
            case ",": row.append(field); field = ""; any = true
            case "\r": continue
            case "\n":
                if any || !field.isEmpty { row.append(field); rows.append((rowLine, row)) }
                row = []; field = ""; any = false; line += 1; rowLine = line
            default: field.unicodeScalars.append(c); any = true
            }
        }
        if inQuotes { throw MediaError.map(.mapQuoting, path: path, line: quotedAt, column: "\(row.count + 1)", message: "a quoted value is not closed") }
        if any || !field.isEmpty { row.append(field); rows.append((rowLine, row)) }
        return rows
    }

    /// Every patient, whatever its Patient ID, becomes `entry`'s patient (the user's choice of the local patient).
    public init(everyPatient entry: Entry, modificationDateTime: String? = nil) {
        self.init(entries: [:], modificationDateTime: modificationDateTime)
        self.everyPatient = entry
    }

    /// The entry for every instance, set by `init(everyPatient:)`.
    var everyPatient: Entry?

    /// The entry for the instance's Patient ID, if the map has one.
    public func entry(for dataSet: DataSet) -> Entry? { everyPatient ?? entries[dataSet.string(.patientID) ?? ""] }

    /// Replaces the mapped attributes and records the replaced values (PS3.3 C.12.1.1.9.2).
    public func apply(to dataSet: inout DataSet, fileMeta: inout DataSet) throws {
        guard let e = entry(for: dataSet) else { return }
        let changes: [(Tag, VR, String?, String)] = [
            (.patientID, .LO, e.patientID, "Patient ID"),
            (.patientName, .PN, e.patientName, "Patient's Name"),
            (Tag.patientBirthDate, .DA, e.birthDate, "Patient's Birth Date"),
            (Tag.patientSex, .CS, e.sex, "Patient's Sex"),
            (Tag.accessionNumber, .SH, e.accessionNumber, "Accession Number"),
            (Tag.issuerOfPatientID, .LO, e.issuer, "Issuer of Patient ID"),
        ]
        var modified = DataSet()
        modified.characterSet = dataSet.characterSet
        var after = dataSet
        for (tag, vr, value, name) in changes {
            guard let value else { continue }
            var probe = DataSet(); probe.characterSet = dataSet.characterSet
            probe.setString(tag, vr, value)
            if let b = probe[tag]?.bytes, probe.characterSet.decode(b, vr: vr).trimmingTrailingPadding() != value {
                throw MediaError.transformRefusal(
                    "the \(name) '\(value)' from the reconciliation map (line \(e.line)) cannot be written in this instance's Specific Character Set (0008,0005)",
                    rule: "PS3.5 6.1.2.5")
            }
            if let old = dataSet[tag], old.bytes == probe[tag]?.bytes { continue }
            // The value before the change; an attribute that was absent is recorded empty.
            modified.set(dataSet[tag] ?? DataElement(tag: tag, vr: vr, bytes: []))
            after.setString(tag, vr, value)
        }
        if modified.isEmpty { return }
        var item = DataSet()
        item.characterSet = dataSet.characterSet
        item.setString(Tag.sourceOfPreviousValues, .LO, [])  // Source of Previous Values (Type 2): this system
        item.setString(Tag.attributeModificationDateTime, .DT, modificationDateTime)
        item.setString(Tag.modifyingSystem, .LO, modifyingSystem)
        item.setString(Tag.reasonForTheAttributeModification, .CS, reason)
        item.setSequence(Tag.modifiedAttributesSequence, [modified])
        let existing = dataSet[Tag.originalAttributesSequence]?.items ?? []
        after.setSequence(Tag.originalAttributesSequence, existing + [item])
        dataSet = after
    }
}
