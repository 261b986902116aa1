"""Tools/gen-diagnostics.py: docs/DIAGNOSTICS.md is the single source of the code constants.
`--check` passes on the repository and fails, naming the file or the row, on each kind of mismatch."""
import subprocess
import sys

from conftest import ROOT

DOC = (ROOT / "docs" / "DIAGNOSTICS.md").read_text(encoding="utf-8")


def check(tmp_path, text=None):
    args = [sys.executable, str(ROOT / "Tools" / "gen-diagnostics.py"), "--check"]
    if text is not None:
        doc = tmp_path / "DIAGNOSTICS.md"
        doc.write_text(text, encoding="utf-8")
        args += ["--doc", str(doc)]
    r = subprocess.run(args, capture_output=True, text=True)
    return r.returncode, r.stderr


def refused(tmp_path, old, new, expected):
    """The document with the first `old` replaced by `new` fails --check with `expected` on stderr."""
    assert old in DOC
    code, err = check(tmp_path, DOC.replace(old, new, 1))
    assert code == 1 and expected in err, err
    return err


def test_repository_is_up_to_date(tmp_path):
    assert check(tmp_path) == (0, "")


def test_a_changed_or_new_row_makes_the_module_file_stale(tmp_path):
    err = refused(
        tmp_path, "| `odd-length` | `oddLength` | warning | an odd value length |",
        "| `odd-length` | `oddLength` | warning | a value length that is odd |",
        "Sources/DICOMIO/Generated/DiagnosticCodes.swift is out of date")
    assert "DICOMFileSet" not in err
    refused(tmp_path, "| `write` | `write` |", "| `write-new` | `writeNew` | a new error |\n| `write` | `write` |",
            "Sources/DICOMIO/Generated/ErrorCodes.swift is out of date")


def test_a_removed_section_names_its_generated_files(tmp_path):
    section = DOC[DOC.index("## MediaImage"):DOC.index("## DICOMFileSet")]
    refused(tmp_path, section, "", "Sources/MediaImage/Generated/ErrorCodes.swift has no table")


def test_a_code_twice_is_refused(tmp_path):
    refused(tmp_path, "| `index-corrupt` | `indexCorrupt` |", "| `odd-length` | `indexCorrupt` |",
            "diagnostic code odd-length is declared by both DICOMIO and DICOMStore")
    refused(tmp_path, "| `truncated` | `truncated` |", "| `truncated` | `notDICOM` |", "error name notDICOM is also on docs/DIAGNOSTICS.md:")
    refused(tmp_path, "| `truncated` | `truncated` |", "| `not-dicom` | `truncated` |", "error code not-dicom is also on")


def test_malformed_tables_are_refused(tmp_path):
    refused(tmp_path, "| code | name | severity | meaning | rule |", "| code | severity | meaning | rule |",
            "a diagnostic codes table needs the columns code | name | severity | meaning | rule")
    refused(tmp_path, "| `busy` | `busy` |", "| busy | `busy` |", "the code 'busy' is not written in backticks")
    refused(tmp_path, "| `io` | `io` |", "| `io` | `IO` |", "name 'IO' is not a lowerCamelCase Swift identifier")
    table = "\n\n### Error codes\n\n| code | name | meaning |\n| --- | --- | --- |\n| `x` | `x` | y |\n\n## DICOMCore"
    refused(tmp_path, "## DICOMCore", "## Nowhere" + table, "Sources/Nowhere does not exist")
    refused(tmp_path, "## DICOMCore", "## FileSystem" + table, "ERROR_TYPES names no error type for it")
