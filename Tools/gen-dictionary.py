#!/usr/bin/env python3
"""Generate Sources/DICOMCore/Generated/DataDictionary.swift from pydicom 3.0.2.

Usage (from the package root, with a Python that has pydicom 3.0.2):

    .venv/bin/python Tools/gen-dictionary.py            # writes the Swift file
    .venv/bin/python Tools/gen-dictionary.py --check    # exits 1 if it is stale

Inputs: pydicom/_dicom_dict.py (DicomDictionary, RepeatersDictionary) and
pydicom/_uid_dict.py (UID_dictionary), both derived by pydicom from DICOM PS3.6;
and Sources/DICOMCore/Tag.swift, whose hand-written `static let` tag constants
are not generated again (and must agree with the dictionary).

The output is deterministic: every table is sorted, nothing depends on dict
order, the time or the machine, so regenerating gives identical bytes.

Design of the output (start-up time and compile time matter):
  * the ~5,100 data elements are one tab-separated raw string literal (a
    StaticString: read-only data, never parsed as a whole) and sorted integer
    arrays beside it (tags, row info = byte offset of the row's line | first VR |
    retired, rows sorted by keyword), which an optimised build lays out as
    constant data: a lookup is a binary search, start-up parses and allocates
    nothing;
  * the UIDs likewise: a string literal sorted by UID and the lines' offsets;
  * one `public static var x: Tag { Tag(rawValue: 0x...) }` constant per keyword: used exactly like a
    `static let`, but ~5,000 stored globals (lazy initialiser + once-token each) compile ~3x slower.
"""

import argparse
import os
import re
import sys

REQUIRED_PYDICOM = "3.0.2"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_PATH = os.path.join(ROOT, "Sources", "DICOMCore", "Generated", "DataDictionary.swift")
TAG_SWIFT = os.path.join(ROOT, "Sources", "DICOMCore", "Tag.swift")

# Every VR of PS3.5 Table 6.2-1 (must match VR.allStandard in VR.swift).
STANDARD_VRS = {
    "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF", "OL",
    "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US",
    "UT", "UV",
}

# Swift keywords that cannot be used as a bare identifier after `static let`.
# Such names are escaped with backticks (none occur in pydicom 3.0.2).
SWIFT_KEYWORDS = {
    "associatedtype", "borrowing", "class", "consuming", "deinit", "enum", "extension", "fileprivate",
    "func", "import", "init", "inout", "internal", "let", "nonisolated", "open", "operator", "private",
    "precedencegroup", "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias",
    "var", "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for",
    "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while", "Any", "as", "await",
    "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "Type", "Protocol",
}


def fail(message):
    sys.stderr.write("gen-dictionary: error: " + message + "\n")
    sys.exit(1)


def load_pydicom():
    try:
        import pydicom
    except ImportError as exc:
        fail(
            "cannot import pydicom (%s) with %s; run this script with a Python that has "
            "pydicom %s, e.g. .venv/bin/python Tools/gen-dictionary.py" % (exc, sys.executable, REQUIRED_PYDICOM)
        )
    version = getattr(pydicom, "__version__", "?")
    if version != REQUIRED_PYDICOM:
        fail(
            "pydicom %s is required, but %s has pydicom %s (%s)"
            % (REQUIRED_PYDICOM, sys.executable, version, os.path.dirname(pydicom.__file__))
        )
    from pydicom._dicom_dict import DicomDictionary, RepeatersDictionary
    from pydicom._uid_dict import UID_dictionary

    return pydicom, DicomDictionary, RepeatersDictionary, UID_dictionary


def ps36_edition(pydicom):
    """The PS3.6 edition, if pydicom records one in its dictionary modules (3.0.2 does not)."""
    base = os.path.dirname(pydicom.__file__)
    for name in ("_dicom_dict.py", "_uid_dict.py"):
        with open(os.path.join(base, name), encoding="utf-8") as f:
            comments = [line for line in f if line.lstrip().startswith(("#", '"""'))]
        for line in comments:
            m = re.search(r"\b(20\d\d[a-e])\b", line)
            if m:
                return m.group(1)
    return None


def parse_vrs(text, where):
    """'US or SS' -> ['US', 'SS']; 'NONE' -> []."""
    if text == "NONE":
        return []
    codes = text.split(" or ")
    for c in codes:
        if c not in STANDARD_VRS:
            fail("%s: VR %r is not a PS3.5 VR" % (where, text))
    return codes


def check_field(value, where):
    if not isinstance(value, str):
        fail("%s: field %r is not a string" % (where, value))
    if any(ch in value for ch in "\t\n\r") or '"#' in value or "\\#" in value:
        fail("%s: field %r contains a tab, newline, '\\#' or '\"#'" % (where, value))
    return value


def mask_of(key):
    """'60xx3000' -> (mask, value, template) with x digits masked out / set to 0."""
    if not re.fullmatch(r"[0-9A-Fa-fx]{8}", key):
        fail("bad repeater key %r" % key)
    mask = int("".join("0" if c == "x" else "F" for c in key), 16)
    value = int(key.replace("x", "0"), 16)
    return mask, value


def lower_camel(keyword):
    """The Swift way: PatientName -> patientName, SOPClassUID -> sopClassUID,
    XRayTubeCurrent -> xRayTubeCurrent, HL7InstanceIdentifier -> hl7InstanceIdentifier,
    KVP -> kvp, dBdt -> dBdt."""
    m = re.match(r"[A-Z]+", keyword)
    if not m:
        return keyword
    run = m.group(0)
    rest = keyword[len(run):]
    if len(run) > 1 and rest[:1].islower():
        # The last capital starts the next word: SOPClass -> sop + Class.
        return run[:-1].lower() + run[-1] + rest
    return run.lower() + rest


def swift_identifier(keyword):
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", keyword):
        fail("keyword %r is not a plain identifier (leading digit or other character); "
             "decide how to name it before regenerating" % keyword)
    name = lower_camel(keyword)
    return ("`%s`" % name) if name in SWIFT_KEYWORDS else name


def read_tag_swift():
    """Hand-written constants of Tag.swift: {name: rawValue}, plus every other member name."""
    with open(TAG_SWIFT, encoding="utf-8") as f:
        src = f.read()
    consts = {}
    for m in re.finditer(r"\bstatic\s+(?:let|var)\s+`?(\w+)`?\s*(?::\s*Tag\s*)?=\s*([^\n]*)", src):
        name, init = m.group(1), m.group(2).strip()
        v = re.fullmatch(r"Tag\(\s*(0x[0-9A-Fa-f]+)\s*,\s*(0x[0-9A-Fa-f]+)\s*\)", init)
        if v:
            consts[name] = int(v.group(1), 16) << 16 | int(v.group(2), 16)
            continue
        v = re.fullmatch(r"Tag\(\s*rawValue:\s*(0x[0-9A-Fa-f_]+)\s*\)", init)
        if v:
            consts[name] = int(v.group(1).replace("_", ""), 16)
            continue
        consts[name] = None  # declared, value not understood: only OK if we never generate it
    members = set(re.findall(r"\b(?:var|let|func|case)\s+`?(\w+)`?", src))
    members |= set(re.findall(r"\binit\b", src))
    return consts, members


def array(w, name, type_, values, per_line=12):
    """A constant array literal (an optimised build stores it as read-only data, no initialiser)."""
    w("    static let %s: [%s] = [" % (name, type_))
    for i in range(0, len(values), per_line):
        w("        " + ", ".join(values[i:i + per_line]) + ",")
    w("    ]")


def tag_hex(t):
    return "%08X" % t


def tag_paren(t):
    return "(%04X,%04X)" % (t >> 16, t & 0xFFFF)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the file is out of date")
    ap.add_argument("--output", default=OUT_PATH, help="output path (default: %(default)s)")
    args = ap.parse_args()

    pydicom, DD, RD, UD = load_pydicom()

    # ---- data elements -------------------------------------------------------------------
    # rows: (sortkey, tagfield, vrs, vm, name, keyword, retired, template, mask)
    rows = []
    for tag, entry in DD.items():
        if not isinstance(tag, int) or not 0 <= tag <= 0xFFFFFFFF:
            fail("bad tag %r in DicomDictionary" % (tag,))
        where = tag_paren(tag)
        vr, vm, name, retired, kw = (check_field(x, where) for x in entry)
        if retired not in ("", "Retired"):
            fail("%s: unexpected retired field %r" % (where, retired))
        rows.append(dict(tag=tag, field=tag_hex(tag), vrs=parse_vrs(vr, where), vm=vm, name=name,
                         keyword=kw, retired=retired == "Retired", mask=0xFFFFFFFF))
    for key, entry in RD.items():
        mask, value = mask_of(key)
        where = key
        vr, vm, name, retired, kw = (check_field(x, where) for x in entry)
        if retired not in ("", "Retired"):
            fail("%s: unexpected retired field %r" % (where, retired))
        rows.append(dict(tag=value, field=key.upper().replace("X", "x"), vrs=parse_vrs(vr, where), vm=vm,
                         name=name, keyword=kw, retired=retired == "Retired", mask=mask))
    for r in rows:
        if not r["vm"] or not re.fullmatch(r"[0-9n\-]+", r["vm"]):
            fail("%s: odd VM %r" % (r["field"], r["vm"]))
    rows.sort(key=lambda r: (r["tag"], r["mask"] != 0xFFFFFFFF, r["field"], r["keyword"]))

    # Keywords must be unique (empty keywords: a few retired entries that PS3.6 leaves unnamed).
    seen = {}
    for r in rows:
        if r["keyword"]:
            if r["keyword"] in seen:
                fail("keyword %s used by %s and %s" % (r["keyword"], seen[r["keyword"]], r["field"]))
            seen[r["keyword"]] = r["field"]

    # Repeaters: the lookup tries each distinct mask; no tag may match two of them, or the
    # result would depend on the order.
    reps = [r for r in rows if r["mask"] != 0xFFFFFFFF]
    for i, a in enumerate(reps):
        for b in reps[i + 1:]:
            common = a["mask"] & b["mask"]
            if (a["tag"] & common) == (b["tag"] & common):
                fail("repeaters %s and %s overlap" % (a["field"], b["field"]))

    # ---- UIDs ----------------------------------------------------------------------------
    uid_rows = []
    uid_keywords = {}
    for uid, entry in UD.items():
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", uid):
            fail("bad UID %r" % uid)
        name, typ, info, retired, kw = (check_field(x, uid) for x in entry)
        if kw:
            if kw in uid_keywords:
                fail("UID keyword %s used twice" % kw)
            uid_keywords[kw] = uid
        uid_rows.append((uid, name, kw, typ, "1" if retired == "Retired" else "0"))
    uid_rows.sort(key=lambda r: [int(c) for c in r[0].split(".")])

    # ---- Tag constants -------------------------------------------------------------------
    existing, members = read_tag_swift()
    consts = []
    skipped = []
    names = {}
    for r in rows:
        if r["mask"] != 0xFFFFFFFF or not r["keyword"]:
            continue
        ident = swift_identifier(r["keyword"])
        bare = ident.strip("`")
        if bare in names:
            fail("constants for %s and %s would both be named %s" % (names[bare], r["keyword"], ident))
        names[bare] = r["keyword"]
        if bare in existing:
            if existing[bare] is None:
                fail("Tag.swift declares `%s` with an initialiser this script cannot read; "
                     "write it as Tag(0xGGGG, 0xEEEE)" % bare)
            if existing[bare] != r["tag"]:
                fail("Tag.swift declares %s = %s, but the dictionary has %s at %s"
                     % (bare, tag_paren(existing[bare]), r["keyword"], tag_paren(r["tag"])))
            skipped.append(bare)
            continue
        if bare in members:
            fail("generated constant %s (%s) collides with a member declared in Tag.swift" % (ident, r["keyword"]))
        consts.append((ident, r))

    # ---- write ---------------------------------------------------------------------------
    edition = ps36_edition(pydicom)
    src_note = ("DICOM PS3.6 %s" % edition) if edition else "DICOM PS3.6"
    out = []
    w = out.append
    w("// Generated by Tools/gen-dictionary.py from pydicom %s (_dicom_dict.py, _uid_dict.py), "
      "which is derived from %s. Do not edit." % (REQUIRED_PYDICOM, src_note))
    if not edition:
        w("// (pydicom %s does not record which edition of PS3.6 its tables come from.)" % REQUIRED_PYDICOM)
    w("// Regenerate: .venv/bin/python Tools/gen-dictionary.py")
    w("// %d data elements (%d repeating-group entries), %d UIDs, %d Tag constants (%d more are in Tag.swift)."
      % (len(rows), len(reps), len(uid_rows), len(consts), len(skipped)))
    w("")
    w(SWIFT_API)
    w("")
    w("// MARK: - Tables")
    w("")
    # The element text: one line per row (the entries, then the two generic ones); the integer
    # tables index it by byte offset.
    generic = [dict(tag=0, field="gggg0000", vrs=["UL"], vm="1", name="Group Length", keyword="GenericGroupLength",
                    retired=False, mask=0),
               dict(tag=0, field="gggg00xx", vrs=["LO"], vm="1", name="Private Creator", keyword="PrivateCreator",
                    retired=False, mask=0)]
    lines, offsets, at = [], [], 0
    for r in rows + generic:
        line = "\t".join([r["field"], " or ".join(r["vrs"]), r["vm"], r["name"], r["keyword"],
                          "1" if r["retired"] else "0"])
        lines.append(line)
        offsets.append(at)
        at += len(line.encode("utf-8")) + 1
    row_info = []
    for r, off in zip(rows + generic, offsets):
        vr = r["vrs"][0] if r["vrs"] else "UN"
        row_info.append(off | (ord(vr[0]) << 8 | ord(vr[1])) << 32 | (1 << 48 if r["retired"] else 0))
    exact = [(r["tag"], i) for i, r in enumerate(rows) if r["mask"] == 0xFFFFFFFF]
    if len(set(t for t, _ in exact)) != len(exact):
        fail("two exact entries for one tag")
    repeaters = [(r["mask"] << 32 | r["tag"], i) for i, r in enumerate(rows) if r["mask"] != 0xFFFFFFFF]
    by_keyword = sorted((i for i, r in enumerate(rows) if r["keyword"]), key=lambda i: rows[i]["keyword"].encode())
    uid_lines, uid_offsets, at = [], [], 0
    for u in sorted(uid_rows, key=lambda u: u[0].encode()):
        line = "\t".join(u)
        uid_lines.append(line)
        uid_offsets.append(at)
        at += len(line.encode("utf-8")) + 1

    w("extension DataDictionary {")
    w("    /// One line per row: tag (8 hex digits, `x` for the repeating digits), VR(s) (empty for none), VM,")
    w("    /// name, keyword, retired (1/0), separated by tabs; the last two rows are the generic group")
    w("    /// length and private creator.")
    w("    static var elementText: DictionaryText { DictionaryText(#\"\"\"")
    out.extend(lines)
    w("\"\"\"#) }")
    w("    static let groupLengthRow: Int32 = %d" % len(rows))
    w("    static let privateCreatorRow: Int32 = %d" % (len(rows) + 1))
    w("")
    w("    /// The tag of each row (the template tag of a repeating group; 0 for the generic rows).")
    array(w, "rowTags", "UInt32", ["0x%08X" % r["tag"] for r in rows + generic])
    w("    /// Per row: byte offset of its line | first VR (or UN) << 32 | retired << 48.")
    array(w, "rowInfo", "UInt64", ["0x%X" % v for v in row_info])
    w("    /// The tags of the exact (not repeating-group) entries, sorted, and their rows.")
    array(w, "exactTags", "UInt32", ["0x%08X" % t for t, _ in exact])
    array(w, "exactRows", "UInt16", [str(i) for _, i in exact])
    w("    /// Repeating groups: mask << 32 | template tag (no tag matches two), and their rows.")
    array(w, "repeaters", "UInt64", ["0x%016X" % k for k, _ in repeaters])
    array(w, "repeaterRows", "UInt16", [str(i) for _, i in repeaters])
    w("    /// The rows that have a keyword, sorted by keyword (bytes).")
    array(w, "keywordRows", "UInt16", [str(i) for i in by_keyword])
    w("")
    w("    /// One line per UID, sorted by UID (bytes): UID, name, keyword, type, retired (1/0), separated by tabs.")
    w("    static var uidText: DictionaryText { DictionaryText(#\"\"\"")
    out.extend(uid_lines)
    w("\"\"\"#) }")
    w("    /// The byte offset of each line of `uidText`.")
    array(w, "uidLines", "UInt32", [str(o) for o in uid_offsets])
    w("}")
    w("")
    w("// MARK: - Tag constants")
    w("")
    w("// One per keyword (retired ones too; not the repeating groups), except those declared in Tag.swift.")
    w("// Get-only computed properties rather than `static let`: ~5,000 stored globals, each with its lazy")
    w("// initialiser and once-token, cost about three times as much compile time, and the value is a constant.")
    w("extension Tag {")
    for ident, r in consts:
        vr = " or ".join(r["vrs"]) if r["vrs"] else "-"
        doc = "%s %s %s %s" % (tag_paren(r["tag"]), vr, r["vm"], r["name"])
        if r["retired"]:
            doc += " (retired)"
        w("    /// %s" % doc)
        w("    public static var %s: Tag { Tag(rawValue: 0x%s) }" % (ident, tag_hex(r["tag"])))
    w("}")
    text = "\n".join(out) + "\n"

    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            sys.stderr.write("gen-dictionary: %s is out of date\n" % os.path.relpath(args.output, ROOT))
            sys.exit(1)
        print("gen-dictionary: up to date")
        return
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("gen-dictionary: wrote %s: %d elements (%d repeaters), %d UIDs, %d constants (%d already in Tag.swift)"
          % (os.path.relpath(args.output, ROOT), len(rows), len(reps), len(uid_rows), len(consts), len(skipped)))


SWIFT_API = r'''/// One entry of the data dictionary (PS3.6 §6).
///
/// A small value (tag, first VR, retired flag and a row of the generated table), so that a lookup
/// copies no strings or arrays and costs no reference counting; `vrs`, `vm`, `name` and `keyword`
/// are read from the table's text when asked for.
public struct DictionaryEntry: Sendable, Equatable, CustomStringConvertible {
    /// The tag; for repeating-group entries the tag with the `x` digits as 0 (e.g. (6000,3000)),
    /// for the generic entries (group length, private creator) the tag that was looked up.
    public let tag: Tag
    /// The first of `vrs`, or UN.
    public let vr: VR
    public let isRetired: Bool
    let row: Int32

    init(tag: Tag, vr: VR, isRetired: Bool, row: Int32) {
        self.tag = tag; self.vr = vr; self.isRetired = isRetired; self.row = row
    }

    /// The allowed VRs: "US or SS" is `[.US, .SS]`; empty only for the item and delimitation tags.
    public var vrs: [VR] { DictionaryText.vrs(DataDictionary.field(1, ofRow: row)) }
    /// Value multiplicity: "1", "1-n", "2-2n", ...
    public var vm: String { String(decoding: DataDictionary.field(2, ofRow: row), as: UTF8.self) }
    /// The attribute name, e.g. "Patient's Name".
    public var name: String { String(decoding: DataDictionary.field(3, ofRow: row), as: UTF8.self) }
    /// The keyword, e.g. "PatientName" (empty for the few retired elements PS3.6 leaves unnamed).
    public var keyword: String { String(decoding: DataDictionary.field(4, ofRow: row), as: UTF8.self) }

    /// `(0010,0010) PN 1 Patient's Name [PatientName]`.
    public var description: String {
        let v = vrs.isEmpty ? "-" : vrs.map(\.code).joined(separator: " or ")
        return "\(tag) \(v) \(vm) \(name) [\(keyword)]" + (isRetired ? " (retired)" : "")
    }
}

/// The DICOM data dictionary (PS3.6): data elements and UIDs.
///
/// The tables below are constant data (sorted arrays of integers and one string literal each),
/// so nothing is parsed or allocated at start-up: a lookup is a binary search.
public enum DataDictionary {
    /// The entry for a tag: an exact match (binary search of the sorted tags); else the generic group
    /// length (gggg,0000) UL; else the generic private creator (odd gggg, element 0010-00FF) LO, or
    /// nil for other private tags; else a repeating group (50xx, 60xx, 7Fxx, (1000,xxx0), ...).
    @inline(__always)
    public static func entry(for tag: Tag) -> DictionaryEntry? {
        let tags = exactTags, raw = tag.rawValue
        let i = DictionaryText.lowerBound(tags.count) { tags[$0] < raw }
        if i < tags.count && tags[i] == raw { return entry(row: Int32(exactRows[i]), tag: tag) }
        return fallbackEntry(for: tag)
    }

    @inline(never)
    static func fallbackEntry(for tag: Tag) -> DictionaryEntry? {
        if tag.element == 0 { return entry(row: groupLengthRow, tag: tag) }
        if tag.isPrivate { return tag.isPrivateCreator ? entry(row: privateCreatorRow, tag: tag) : nil }
        for (i, key) in repeaters.enumerated() where tag.rawValue & UInt32(key >> 32) == UInt32(truncatingIfNeeded: key) {
            let row = Int32(repeaterRows[i])
            return entry(row: row, tag: Tag(rawValue: rowTags[Int(row)]))
        }
        return nil
    }

    /// The entry with this keyword (exact entries and repeating-group entries).
    public static func entry(forKeyword keyword: String) -> DictionaryEntry? {
        var key = keyword
        return key.withUTF8 { k -> DictionaryEntry? in
            let rows = keywordRows
            let i = DictionaryText.lowerBound(rows.count) { elementText.compare(4, at: offset(ofRow: Int32(rows[$0])), with: k) < 0 }
            guard i < rows.count, elementText.compare(4, at: offset(ofRow: Int32(rows[i])), with: k) == 0 else { return nil }
            return entry(row: Int32(rows[i]), tag: Tag(rawValue: rowTags[Int(rows[i])]))
        }
    }

    /// "1.2.840.10008.1.2.1" -> "Explicit VR Little Endian".
    public static func uidName(_ uid: String) -> String? { uidField(1, uid) }

    /// "1.2.840.10008.1.2.1" -> "ExplicitVRLittleEndian".
    public static func uidKeyword(_ uid: String) -> String? { uidField(2, uid) }

    /// "Transfer Syntax", "SOP Class", "Well-known SOP Instance", ...
    public static func uidType(_ uid: String) -> String? { uidField(3, uid) }

    /// Every entry of the table, sorted by tag (repeating-group entries at their template tag).
    public static var allEntries: [DictionaryEntry] {
        (0..<Int32(groupLengthRow)).map { entry(row: $0, tag: Tag(rawValue: rowTags[Int($0)])) }
    }

    // MARK: Reading the tables

    /// Row `row`'s entry, reported for `tag`.
    static func entry(row: Int32, tag: Tag) -> DictionaryEntry {
        let info = rowInfo[Int(row)]
        return DictionaryEntry(tag: tag, vr: VR(rawValue: UInt16(truncatingIfNeeded: info >> 32)),
                               isRetired: info >> 48 & 1 == 1, row: row)
    }

    /// The byte offset of row `row`'s line in `elementText`.
    static func offset(ofRow row: Int32) -> Int { Int(UInt32(truncatingIfNeeded: rowInfo[Int(row)])) }

    /// Field `n` of row `row`: 0 tag, 1 VRs, 2 VM, 3 name, 4 keyword, 5 retired.
    static func field(_ n: Int, ofRow row: Int32) -> UnsafeBufferPointer<UInt8> {
        elementText.field(n, at: offset(ofRow: row))
    }

    /// Field `n` of the UID's line (1 name, 2 keyword, 3 type), nil when unknown or empty.
    static func uidField(_ n: Int, _ uid: String) -> String? {
        guard let i = uidText.find(uid, field: 0, in: uidLines) else { return nil }
        let s = uidText.string(n, at: Int(uidLines[i]))
        return s.isEmpty ? nil : s
    }
}'''

if __name__ == "__main__":
    main()
