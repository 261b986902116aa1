#!/usr/bin/env python3
"""Generate Tests/DICOMCoreTests/CharacterSetVectors.swift: Specific Character Set test vectors
decoded by pydicom, the reference decoder (PS3.5 §6.1, PS3.3 C.12.1.1.2).

A vector is one text element (SH, LO, UC, ST, LT, UT, PN) whose value holds a byte >= 0x80 or an
ESC: the (0008,0005) terms in force for it (its item's own, else its parent's), the VR, the raw
bytes and pydicom's decoded values (for PN: the Alphabetic/Ideographic/Phonetic groups).

Sources, in this order:
  1. the dicom3tools File-set ../shared/media-corpus/clunie-charset-fileset/ (SCS* files and the
     records of its DICOMDIR);
  2. pydicom's own charset test files (pydicom/data/charset_files of the installed pydicom, since
     ../shared/media-corpus/pydicom-3.0.2/test_files has no charset_files folder);
  3. "synthetic": values for terms no file uses, encoded AND decoded by pydicom (written with
     pydicom's filewriter, read back with its filereader), kept only if pydicom reads back the
     string it was given; and a few raw byte strings (unknown or misspelt terms, invalid bytes)
     with pydicom's lenient decoding.

Usage: .venv/bin/python Tools/charset-vectors.py [output.swift]
"""
import glob
import os
import sys
import unicodedata
import warnings

import pydicom
from pydicom.charset import convert_encodings
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.filewriter import write_dataset
from pydicom.values import convert_PN, convert_single_string, convert_text
from pydicom.valuerep import PersonName

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUNIE = os.path.normpath(os.path.join(ROOT, "..", "shared", "media-corpus", "clunie-charset-fileset"))
PYDICOM_CHARSET = os.path.join(os.path.dirname(pydicom.__file__), "data", "charset_files")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "DICOMCoreTests", "CharacterSetVectors.swift")
TEXT_VRS = {"SH", "LO", "UC", "ST", "LT", "UT", "PN"}

warnings.simplefilter("ignore")  # pydicom warns about the deliberately bad raw vectors


def terms_of(ds, inherited):
    """(0008,0005) of this data set as a list, or the inherited one (PS3.5 §7.5.1)."""
    if "SpecificCharacterSet" not in ds:
        return inherited
    v = ds.SpecificCharacterSet
    return [str(x) for x in v] if isinstance(v, pydicom.multival.MultiValue) else [str(v)]


def pydicom_values(value, vr):
    """pydicom's element value as a list of strings; PN as (groups joined by '=', [A, I, P])."""
    vals = list(value) if isinstance(value, pydicom.multival.MultiValue) else [value]
    if vr == "PN":
        return ["=".join(v.components) for v in vals], [list(v.components) + [""] * (3 - len(v.components)) for v in vals]
    return [str(v) for v in vals], None


def walk(ds, source, inherited, out, path=""):
    terms = terms_of(ds, inherited)
    for tag in list(ds.keys()):
        raw = ds.get_item(tag)
        if raw.VR == "SQ" or (raw.VR is None and ds[tag].VR == "SQ"):
            for n, item in enumerate(ds[tag].value):
                walk(item, source, terms, out, f"{path}{ds[tag].tag}[{n}].")
            continue
        value = getattr(raw, "value", None)
        if raw.VR not in TEXT_VRS or not isinstance(value, bytes):
            continue
        if not any(b >= 0x80 or b == 0x1B for b in value):
            continue
        values, names = pydicom_values(ds[tag].value, raw.VR)
        out.append(dict(source=source, tag=path + str(ds[tag].tag).replace(" ", ""), terms=terms, vr=raw.VR,
                        raw=value, values=values, names=names))


def from_files(out):
    files = sorted(glob.glob(os.path.join(CLUNIE, "SCS*"))) + [os.path.join(CLUNIE, "DICOMDIR")]
    files += sorted(glob.glob(os.path.join(PYDICOM_CHARSET, "*.dcm")))
    for p in files:
        ds = pydicom.dcmread(p)
        folder = "clunie-charset-fileset" if p.startswith(CLUNIE) else "pydicom/data/charset_files"
        walk(ds, f"{folder}/{os.path.basename(p)}", [""], out)
    return files


# Values for terms no file uses: (terms, keyword, VR, value).
SYNTHETIC = [
    (["ISO_IR 101"], "PatientName", "PN", "Wałęsa^Lech"),
    (["ISO_IR 101"], "InstitutionName", "LO", "Szpital Łódź\\Kraków"),
    (["ISO_IR 109"], "InstitutionName", "LO", "Sptar Ħamrun ġdid"),
    (["ISO_IR 110"], "PatientName", "PN", "Ķēniņš^Ģirts"),
    (["ISO_IR 148"], "PatientName", "PN", "Şişli^Gökçe"),
    (["ISO_IR 148"], "StudyDescription", "LO", "İstanbul ğöşü"),
    (["ISO_IR 166"], "InstitutionName", "LO", "โรงพยาบาลสวัสดี"),
    (["ISO_IR 126"], "StudyComments", "LT", "Γειά σου\r\nκόσμε\\ΑΒΓ"),
    (["ISO_IR 144"], "InstitutionAddress", "ST", "Москва\r\nул. Ленина"),
    (["ISO_IR 127"], "StudyDescription", "LO", "تصوير"),
    (["ISO_IR 138"], "StudyDescription", "LO", "בדיקה\\שנייה"),
    (["ISO_IR 13"], "PatientName", "PN", "ﾔﾏﾀﾞ^ﾀﾛｳ"),
    (["ISO_IR 192"], "StudyComments", "LT", "Grüße — 漢字 😀 \\ ok"),
    (["ISO_IR 192"], "InstitutionName", "LO", "Zürich\\東京\\Київ"),
    (["GB18030"], "InstitutionName", "LO", "乗癨医院\\北京 😀"),
    (["GB18030"], "PatientName", "PN", "Wang^XiaoDong=王^小东乗=wang^xiaodong"),
    (["GBK"], "PatientName", "PN", "Wang^XiaoDong=王^小東乗"),
    (["GBK"], "InstitutionName", "LO", "癨医院\\昞"),
    (["", "ISO 2022 IR 87"], "InstitutionName", "LO", "ぼボ移\\そソ綾\\まマ緯"),
    (["", "ISO 2022 IR 87"], "PatientName", "PN", "ソマ^ボゾ=綾緯^まそ"),
    (["", "ISO 2022 IR 87"], "StudyComments", "LT", "山田\r\n太郎 ok"),
    (["", "ISO 2022 IR 159"], "PatientName", "PN", "丂^丄"),
    (["", "ISO 2022 IR 87", "ISO 2022 IR 159"], "PatientName", "PN", "Yamada^Tarou=山丂^太郎"),
    (["ISO 2022 IR 13", "ISO 2022 IR 87"], "InstitutionName", "LO", "ﾔﾏﾀﾞ病院\\山田"),
    (["", "ISO 2022 IR 149"], "InstitutionName", "LO", "김희중\\홍길동"),
    (["", "ISO 2022 IR 149"], "StudyComments", "LT", "서울\r\n병원"),
    (["ISO 2022 IR 100"], "PatientName", "PN", "Buc^Jérôme"),
    (["ISO 2022 IR 100", "ISO 2022 IR 126"], "StudyDescription", "LO", "Jérôme Διονυσιος"),
    (["ISO 2022 IR 6", "ISO 2022 IR 100", "ISO 2022 IR 144"], "StudyDescription", "LO", "Ärzte Люкс"),
    (["ISO 2022 IR 6", "ISO 2022 IR 101", "ISO 2022 IR 148"], "InstitutionName", "LO", "Łódź\\Şişli"),
]

# Raw byte strings, decoded by pydicom with its lenient fallbacks: (terms, VR, bytes).
RAW = [
    (["FOO"], "LO", "J\xe9r\xf4me".encode("latin-1")),          # unknown term: ISO 8859-1
    (["ISO IR 100"], "PN", "Buc^J\xe9r\xf4me".encode("latin-1")),  # misspelt term
    (["ISO-IR 144"], "LO", "Москва".encode("iso8859_5")),
    ([""], "LO", "caf\xe9".encode("latin-1")),                    # 8-bit byte in the default repertoire
    (["ISO_IR 192"], "LO", b"ok\xff\xfeok\xe6\x97"),               # invalid UTF-8
    (["ISO_IR 127"], "LO", b"ab\xa1\xc8cd"),                        # 0xA1 is undefined in ISO 8859-6
]


def written_by_pydicom(terms, keyword, value):
    """Raw bytes pydicom writes for `value`, and the element pydicom reads back from them."""
    ds = Dataset()
    ds.SpecificCharacterSet = terms if len(terms) > 1 else terms[0]
    setattr(ds, keyword, value)
    fp = DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = True, False
    write_dataset(fp, ds)
    back = read_dataset(DicomBytesIO(fp.getvalue()), is_implicit_VR=False, is_little_endian=True)
    tag = ds[keyword].tag
    return back.get_item(tag).value, back


def synthetic(out):
    for terms, keyword, vr, value in SYNTHETIC:
        raw, back = written_by_pydicom(terms, keyword, value)
        values, names = pydicom_values(back[keyword].value, vr)
        expected = value.split("\\") if vr not in ("LT", "ST", "UT") else [value]
        if values != expected:
            print(f"skipped: pydicom does not read back {terms} {value!r}: {values!r}", file=sys.stderr)
            continue
        out.append(dict(source="synthetic (pydicom-written)", tag=keyword, terms=terms, vr=vr, raw=raw,
                        values=values, names=names))
    for terms, vr, raw in RAW:
        enc = convert_encodings(terms)
        if vr == "PN":
            v = convert_PN(raw, enc)
        elif vr in ("LT", "ST", "UT"):
            v = convert_single_string(raw, enc, None)
        else:
            v = convert_text(raw, enc, None)
        values, names = pydicom_values(v, vr)
        out.append(dict(source="synthetic (raw bytes)", tag="-", terms=terms, vr=vr, raw=raw, values=values, names=names))


def swift_string(s):
    out = []
    for c in s:
        cat = unicodedata.category(c)
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == " " or (c.isprintable() and cat[0] not in "MZC" and not (0x0590 <= ord(c) <= 0x08FF)):
            out.append(c)
        else:  # controls, combining marks, RTL letters: escaped to keep the source readable
            out.append("\\u{%X}" % ord(c))
    return '"' + "".join(out) + '"'


def swift_list(xs):
    return "[" + ", ".join(swift_string(x) for x in xs) + "]"


def main():
    vectors = []
    files = from_files(vectors)
    synthetic(vectors)
    lines = [
        "// GENERATED by Tools/charset-vectors.py with pydicom %s: do not edit by hand." % pydicom.__version__,
        "// Text elements with non-ASCII bytes, decoded by pydicom (the reference decoder), from:",
        "//   ../shared/media-corpus/clunie-charset-fileset/: %s" % ", ".join(
            os.path.basename(f) for f in files if f.startswith(CLUNIE)),
        "//   pydicom/data/charset_files/: %s" % ", ".join(
            os.path.basename(f) for f in files if not f.startswith(CLUNIE)),
        "//   synthetic values for terms no file uses, written and read back by pydicom; raw byte strings.",
        "// names: per value the PN component groups [Alphabetic, Ideographic, Phonetic] (pydicom PersonName.components).",
        "",
        "struct CharsetVector {",
        "    let source: String, tag: String, terms: [String], vr: String, hex: String",
        "    /// pydicom's values: split at \"\\\\\" (not LT/ST/UT), trailing spaces/NULs stripped; PN groups joined by \"=\".",
        "    let values: [String]",
        "    let names: [[String]]?",
        "}",
        "",
        "let charsetVectors: [CharsetVector] = [",
    ]
    for v in vectors:
        names = "nil" if v["names"] is None else "[" + ", ".join(swift_list(n) for n in v["names"]) + "]"
        lines.append("    CharsetVector(source: %s, tag: %s, terms: %s, vr: %s, hex: %s,\n"
                     "                  values: %s, names: %s)," % (
                         swift_string(v["source"]), swift_string(v["tag"]), swift_list(v["terms"]),
                         swift_string(v["vr"]), swift_string(v["raw"].hex()), swift_list(v["values"]), names))
    lines.append("]")
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(vectors)} vectors written to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
