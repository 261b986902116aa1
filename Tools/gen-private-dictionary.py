#!/usr/bin/env python3
"""Generate Sources/DICOMCore/Generated/PrivateDataDictionary.swift from pydicom 3.0.2.

Usage (from the package root, with a Python that has pydicom 3.0.2):

    .venv/bin/python Tools/gen-private-dictionary.py            # writes the Swift file
    .venv/bin/python Tools/gen-private-dictionary.py --check    # exits 1 if it is stale

Input: pydicom/_private_dict.py (private_dictionaries: private creator -> {tag pattern ->
(VR, VM, name, retired)}), which pydicom collects from vendors' conformance statements and
from DCMTK and GDCM. Tag patterns are 8 characters: "0019xx0C" (the block byte of the element
is 'xx': any block the creator reserved, PS3.5 7.8.1), "00290001" (an exact tag) or "60xxxx0C"
(repeating group). pydicom never looks up the few "gggg10xx" patterns, so neither do we.

Design of the output, as for the public dictionary (Tools/gen-dictionary.py): constant data that
needs no parsing at start-up. One raw string literal (a StaticString in read-only data) whose lines
are "@CREATOR" to start a creator's block, then "PATTERN<TAB>VR<TAB>VM<TAB>NAME" (VR "OB or OW"
style when several; NAME empty when pydicom says "Unknown"); beside it sorted integer arrays: the
creators' line offsets (creators sorted by bytes) with the first row of each block, and per row its
lookup key and line offset (rows sorted by key inside a block). A lookup is three binary searches.
Sorted: the output is deterministic.
"""

import argparse
import os
import re
import sys

REQUIRED_PYDICOM = "3.0.2"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_PATH = os.path.join(ROOT, "Sources", "DICOMCore", "Generated", "PrivateDataDictionary.swift")

STANDARD_VRS = {
    "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF", "OL",
    "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US",
    "UT", "UV",
}


def fail(message):
    sys.stderr.write("gen-private-dictionary: error: " + message + "\n")
    sys.exit(1)


def load():
    try:
        import pydicom
    except ImportError as exc:
        fail("cannot import pydicom (%s); run with a Python that has pydicom %s" % (exc, REQUIRED_PYDICOM))
    if pydicom.__version__ != REQUIRED_PYDICOM:
        fail("pydicom %s is required, found %s" % (REQUIRED_PYDICOM, pydicom.__version__))
    from pydicom._private_dict import private_dictionaries
    return private_dictionaries


def vrs_of(text, where):
    """'US or SS' -> 'US or SS'; 'OB_OW' -> 'OB or OW'."""
    codes = re.split(r" or |_", text)
    for c in codes:
        if c not in STANDARD_VRS:
            fail("%s: VR %r is not a PS3.5 VR" % (where, text))
    return " or ".join(codes)


def clean(value, where):
    if not isinstance(value, str) or any(ch in value for ch in "\t\n\r") or '"#' in value or "\\#" in value:
        fail("%s: field %r is not a plain one-line string" % (where, value))
    return value


def pattern_key(p):
    """The lookup key of a pattern (PrivateDictionary.entry tries the exact tag, then "ggggxxee",
    then "ggxxxxee")."""
    if p[2:6] == "xxxx":
        return 2 << 32 | int(p[0:2], 16) << 8 | int(p[6:8], 16)
    if p[4:6] == "xx":
        return 1 << 32 | int(p[0:4], 16) << 8 | int(p[6:8], 16)
    return int(p, 16)


def array(w, name, type_, values, per_line=12):
    """A constant array literal (an optimised build stores it as read-only data, no initialiser)."""
    w("    static let %s: [%s] = [" % (name, type_))
    for i in range(0, len(values), per_line):
        w("        " + ", ".join(values[i:i + per_line]) + ",")
    w("    ]")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if the file is out of date")
    ap.add_argument("--output", default=OUT_PATH)
    args = ap.parse_args()
    dicts = load()

    lines, creator_offsets, creator_first = [], [], []
    row_keys, row_offsets = [], []
    creators = entries = skipped = 0
    at = 0
    for creator in sorted(dicts, key=lambda c: c.encode()):
        clean(creator, "creator")
        if creator.startswith("@") or creator != creator.strip() or not creator:
            fail("creator %r cannot be written as a block header" % creator)
        rows = {}
        for pattern, entry in dicts[creator].items():
            where = "%s %s" % (creator, pattern)
            if not re.fullmatch(r"[0-9A-Fa-f]{4}(xx|[0-9A-Fa-f]{2})[0-9A-Fa-f]{2}|[0-9A-Fa-f]{2}xxxx[0-9A-Fa-f]{2}", pattern):
                skipped += 1  # e.g. "001110xx": never matched by pydicom's lookup
                continue
            vr, vm, name, _retired = (clean(x, where) for x in entry)
            if not re.fullmatch(r"[0-9n\-]+", vm):
                fail("%s: odd VM %r" % (where, vm))
            p = pattern.upper().replace("X", "x")
            line = "\t".join([p, vrs_of(vr, where), vm, "" if name == "Unknown" else name])
            key = pattern_key(p)
            if key in rows:
                fail("%s: patterns %s and %s are the same" % (creator, rows[key].split("\t")[0], p))
            rows[key] = line
        if not rows:
            continue
        creators += 1
        entries += len(rows)
        creator_offsets.append(at + 1)  # after the '@'
        creator_first.append(len(row_keys))
        line = "@" + creator
        lines.append(line)
        at += len(line.encode("utf-8")) + 1
        for key in sorted(rows):
            row_keys.append(key)
            row_offsets.append(at)
            lines.append(rows[key])
            at += len(rows[key].encode("utf-8")) + 1
    creator_first.append(len(row_keys))

    out = []
    w = out.append
    w("// Generated by Tools/gen-private-dictionary.py from pydicom %s (_private_dict.py). Do not edit." % REQUIRED_PYDICOM)
    w("// Regenerate: .venv/bin/python Tools/gen-private-dictionary.py")
    w("// %d private creators, %d entries (%d patterns pydicom never matches left out)." % (creators, entries, skipped))
    w("")
    w("extension PrivateDictionary {")
    w("    /// \"@CREATOR\" starts a creator's block (creators sorted by bytes); then one line per element,")
    w("    /// sorted by lookup key: tag pattern (`xx` = any block, or a repeating group), VR(s), VM, name")
    w("    /// (empty when unknown), separated by tabs.")
    w("    static var text: DictionaryText { DictionaryText(#\"\"\"")
    out.extend(lines)
    w("\"\"\"#) }")
    w("")
    w("    /// The byte offset of each creator's name (after its '@') in `text`.")
    array(w, "creatorLines", "UInt32", [str(o) for o in creator_offsets])
    w("    /// The first row of each creator's block; the last value is the number of rows.")
    array(w, "creatorRows", "UInt32", [str(i) for i in creator_first])
    w("    /// Per row, its lookup key: the raw tag (exact pattern), 1 << 32 | group << 8 | ee")
    w("    /// (\"ggggxxee\") or 2 << 32 | gg << 8 | ee (\"ggxxxxee\"); sorted inside a block.")
    array(w, "rowKeys", "UInt64", ["0x%X" % k for k in row_keys])
    w("    /// The byte offset of each row's line in `text`.")
    array(w, "rowLines", "UInt32", [str(o) for o in row_offsets])
    w("}")
    text = "\n".join(out) + "\n"
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            sys.stderr.write("gen-private-dictionary: %s is out of date\n" % os.path.relpath(args.output, ROOT))
            sys.exit(1)
        print("gen-private-dictionary: up to date")
        return
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("gen-private-dictionary: wrote %s: %d creators, %d entries (%d skipped)"
          % (os.path.relpath(args.output, ROOT), creators, entries, skipped))


if __name__ == "__main__":
    main()
