#!/usr/bin/env python3
"""Generate each module's diagnostic and error code constants from docs/DIAGNOSTICS.md.

Usage (from the package root; Python 3 standard library only):

    python3 Tools/gen-diagnostics.py            # writes Sources/<Module>/Generated/*.swift
    python3 Tools/gen-diagnostics.py --check    # exits 1 naming each file that is stale

Input: docs/DIAGNOSTICS.md, the single source of the codes. Each `## <Module>` section (named like
its folder in Sources/) holds tables under a `Diagnostic codes` or `Error codes` heading (`###`, or
`####` inside a flow's `### <Flow>` subsection); a row is one code:

    | code | name | severity | meaning | rule |            (diagnostic codes)
    | code | name | meaning |  (optionally `rule`, `exit`)   (error codes)

with the code and the Swift name in backticks; `rule` is `-` (or empty) when there is none.

Output, per module with such tables:
  * Sources/<Module>/Generated/DiagnosticCodes.swift: `extension DiagnosticCode { ... }`, one
    `public static let name = DiagnosticCode("code")` per row, with `/// meaning (rule)`;
  * Sources/<Module>/Generated/ErrorCodes.swift: `extension <ErrorType>.Code { ... }`, one
    `public static let name = Self(rawValue: "code")` per row; the error type is ERROR_TYPES[module].
A flow's subsection becomes a `// MARK: -` line. The output is deterministic (document order).

Checked here (the script fails, exit 1): a malformed row, a code or a name given twice within a
module's diagnostic or error codes, a diagnostic code of two modules, a section without a folder in
Sources/, error codes of a module not in ERROR_TYPES. `--check` also names a generated file of a
module whose tables are gone.
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "DIAGNOSTICS.md")
SOURCES = os.path.join(ROOT, "Sources")
OUTPUTS = ("DiagnosticCodes.swift", "ErrorCodes.swift")

# The error type (a CodedError typealias) each module's error codes extend.
ERROR_TYPES = {
    "DICOMCore": "CoreError",
    "DICOMIO": "DICOMIOError",
    "DICOMFileSet": "FileSetError",
    "DICOMPixel": "PixelError",
    "DICOMStore": "StoreError",
    "DICOMNetwork": "NetworkError",
    "MediaImage": "ImageError",
    "MediaKit": "MediaError",
    "Station": "StationError",
}

DIAGNOSTIC, ERROR = "diagnostic codes", "error codes"
COLUMNS = {
    DIAGNOSTIC: (["code", "name", "severity", "meaning", "rule"], []),
    ERROR: (["code", "name", "meaning"], ["exit", "rule"]),
}
SEVERITIES = {"info", "warning", "error"}
IDENT = re.compile(r"^[a-z][A-Za-z0-9]*$")
CODE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
NO_RULE = {"", "-", "—"}


class DocError(Exception):
    pass


def cells(line):
    """The cells of a Markdown table row; `\\|` is a literal bar."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def unquote(cell, what, where):
    if len(cell) < 3 or not (cell.startswith("`") and cell.endswith("`")) or "`" in cell[1:-1]:
        raise DocError("%s: the %s %r is not written in backticks" % (where, what, cell))
    return cell[1:-1]


def parse(text):
    """{module: {"diagnostics": [row], "errors": [row]}} in document order; a row is a dict with
    code, name, meaning, rule, flow and line."""
    modules = {}
    module = flow = kind = None
    header = None
    for number, line in enumerate(text.split("\n"), 1):
        where = "docs/DIAGNOSTICS.md:%d" % number
        heading = re.match(r"^(#{2,6}) +(.*?) *$", line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            header = None
            if level == 2:
                module, flow, kind = title, None, None
                if module in modules:
                    raise DocError("%s: section %s appears twice" % (where, module))
                modules[module] = {"diagnostics": [], "errors": []}
            elif title.lower() in (DIAGNOSTIC, ERROR):
                kind = title.lower()
            elif level == 3:
                flow, kind = title, None
            else:
                kind = None
            continue
        if not line.startswith("|") or module is None or kind is None:
            if not line.startswith("|"):
                header = None
            continue
        row = cells(line)
        if header is None:
            required, optional = COLUMNS[kind]
            if row[:2] != ["code", "name"] or not set(required) <= set(row) or not set(row) <= set(required + optional):
                raise DocError(
                    "%s: a %s table needs the columns %s (optional: %s), not %s"
                    % (where, kind, " | ".join(required), ", ".join(optional) or "none", " | ".join(row)))
            header = row
            continue
        if all(set(c) <= set("-: ") for c in row):
            continue  # the separator line
        if len(row) != len(header):
            raise DocError("%s: %d cells, the header has %d" % (where, len(row), len(header)))
        r = dict(zip(header, row))
        code, name = unquote(r["code"], "code", where), unquote(r["name"], "name", where)
        if not CODE.match(code):
            raise DocError("%s: code %r: lower-case letters, digits, '-' and '.' only" % (where, code))
        if not IDENT.match(name):
            raise DocError("%s: name %r is not a lowerCamelCase Swift identifier" % (where, name))
        if kind == DIAGNOSTIC:
            words = set(re.findall(r"[a-z]+", r["severity"]))
            if not words & SEVERITIES:
                raise DocError("%s: severity %r names none of %s" % (where, r["severity"], ", ".join(sorted(SEVERITIES))))
        if not r["meaning"]:
            raise DocError("%s: %s has no meaning" % (where, code))
        rule = r.get("rule", "")
        entry = {"code": code, "name": name, "meaning": r["meaning"], "rule": "" if rule in NO_RULE else rule,
                 "flow": flow, "where": where}
        modules[module]["diagnostics" if kind == DIAGNOSTIC else "errors"].append(entry)
    return modules


def validate(modules):
    owner = {}
    for module, tables in modules.items():
        if not any(tables.values()):
            continue
        if not os.path.isdir(os.path.join(SOURCES, module)):
            raise DocError("section %s has codes, but Sources/%s does not exist" % (module, module))
        if tables["errors"] and module not in ERROR_TYPES:
            raise DocError("section %s has error codes, but Tools/gen-diagnostics.py's ERROR_TYPES names no error type for it"
                           % module)
        for kind, rows in tables.items():
            codes, names = {}, {}
            for r in rows:
                if r["code"] in codes:
                    raise DocError("%s: %s: %s code %s is also on %s" % (r["where"], module, kind[:-1], r["code"], codes[r["code"]]))
                if r["name"] in names:
                    raise DocError("%s: %s: %s name %s is also on %s" % (r["where"], module, kind[:-1], r["name"], names[r["name"]]))
                codes[r["code"]], names[r["name"]] = r["where"], r["where"]
        for r in tables["diagnostics"]:
            if r["code"] in owner and owner[r["code"]] != module:
                raise DocError("%s: diagnostic code %s is declared by both %s and %s; declare it once, in the lower module"
                               % (r["where"], r["code"], owner[r["code"]], module))
            owner[r["code"]] = module


def doc_comment(r):
    text = r["meaning"] + (" (%s)" % r["rule"] if r["rule"] else "")
    return "/// " + " ".join(text.split())


def swift_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(module, rows, extended, constant):
    out = [
        "// Generated by Tools/gen-diagnostics.py from docs/DIAGNOSTICS.md (## %s); do not edit." % module,
        "// Change the table there and run `python3 Tools/gen-diagnostics.py`.",
    ]
    if module != "DICOMCore":
        out += ["", "import DICOMCore"]
    out += ["", "extension %s {" % extended]
    flow = None
    for i, r in enumerate(rows):
        if r["flow"] and r["flow"] != flow:
            if i:
                out.append("")
            out.append("    // MARK: - %s" % r["flow"])
            flow = r["flow"]
        out.append("    " + doc_comment(r))
        out.append("    public static let %s = %s" % (r["name"], constant % swift_string(r["code"])))
    out.append("}")
    return "\n".join(out) + "\n"


def outputs(modules):
    """{path: text} of every file the document gives."""
    files = {}
    for module, tables in modules.items():
        folder = os.path.join(SOURCES, module, "Generated")
        if tables["diagnostics"]:
            files[os.path.join(folder, "DiagnosticCodes.swift")] = render(
                module, tables["diagnostics"], "DiagnosticCode", "DiagnosticCode(%s)")
        if tables["errors"]:
            files[os.path.join(folder, "ErrorCodes.swift")] = render(
                module, tables["errors"], ERROR_TYPES[module] + ".Code", "Self(rawValue: %s)")
    return files


def existing():
    """Generated code files present now, of any module."""
    found = []
    for module in sorted(os.listdir(SOURCES)):
        for name in OUTPUTS:
            path = os.path.join(SOURCES, module, "Generated", name)
            if os.path.isfile(path):
                found.append(path)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 naming each file that is out of date")
    ap.add_argument("--doc", default=DOC, help="the document (default: %(default)s)")
    args = ap.parse_args()
    try:
        with open(args.doc, encoding="utf-8") as f:
            modules = parse(f.read())
        validate(modules)
    except (OSError, DocError) as e:
        sys.stderr.write("gen-diagnostics: error: %s\n" % e)
        sys.exit(1)
    files = outputs(modules)
    extra = [p for p in existing() if p not in files]
    if args.check:
        stale = []
        for path, text in sorted(files.items()):
            try:
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != text:
                stale.append("%s is %s" % (os.path.relpath(path, ROOT), "missing" if current is None else "out of date"))
        stale += ["%s has no table in docs/DIAGNOSTICS.md" % os.path.relpath(p, ROOT) for p in extra]
        for s in stale:
            sys.stderr.write("gen-diagnostics: %s; run python3 Tools/gen-diagnostics.py\n" % s)
        if stale:
            sys.exit(1)
        print("gen-diagnostics: up to date (%d files)" % len(files))
        return
    for path, text in sorted(files.items()):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    for path in extra:
        os.remove(path)
        print("gen-diagnostics: removed %s" % os.path.relpath(path, ROOT))
    count = sum(len(t["diagnostics"]) + len(t["errors"]) for t in modules.values())
    print("gen-diagnostics: wrote %d files, %d codes" % (len(files), count))


if __name__ == "__main__":
    main()
