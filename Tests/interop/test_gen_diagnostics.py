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


def test_repository_is_up_to_date(tmp_path):
    assert check(tmp_path) == (0, "")


def test_a_changed_meaning_makes_the_module_file_stale(tmp_path):
    row = "| `odd-length` | `oddLength` | warning | an odd value length |"
    assert row in DOC
    code, err = check(tmp_path, DOC.replace(row, "| `odd-length` | `oddLength` | warning | a value length that is odd |"))
    assert code == 1
    assert "Sources/DICOMIO/Generated/DiagnosticCodes.swift is out of date" in err
    assert "DICOMFileSet" not in err


def test_a_new_code_makes_the_file_stale_and_a_removed_section_names_its_files(tmp_path):
    row = "| `write` | `write` |"
    assert row in DOC
    code, err = check(tmp_path, DOC.replace(row, "| `write-new` | `writeNew` | a new error |\n" + row))
    assert code == 1 and "Sources/DICOMIO/Generated/ErrorCodes.swift is out of date" in err
    start, end = DOC.index("## MediaImage"), DOC.index("## DICOMFileSet")
    code, err = check(tmp_path, DOC[:start] + DOC[end:])
    assert code == 1 and "Sources/MediaImage/Generated/ErrorCodes.swift has no table" in err


def test_a_diagnostic_code_of_two_modules_is_refused(tmp_path):
    row = "| `index-corrupt` | `indexCorrupt` |"
    assert row in DOC
    code, err = check(tmp_path, DOC.replace(row, "| `odd-length` | `indexCorrupt` |"))
    assert code == 1
    assert "diagnostic code odd-length is declared by both DICOMIO and DICOMStore" in err


def test_a_code_or_name_twice_in_a_module_is_refused(tmp_path):
    code, err = check(tmp_path, DOC.replace("| `truncated` | `truncated` |", "| `truncated` | `notDICOM` |"))
    assert code == 1 and "error name notDICOM is also on docs/DIAGNOSTICS.md:" in err
    code, err = check(tmp_path, DOC.replace("| `truncated` | `truncated` |", "| `not-dicom` | `truncated` |"))
    assert code == 1 and "error code not-dicom is also on" in err


def test_malformed_tables_are_refused(tmp_path):
    code, err = check(tmp_path, DOC.replace("| code | name | severity | meaning | rule |", "| code | severity | meaning | rule |", 1))
    assert code == 1 and "a diagnostic codes table needs the columns code | name | severity | meaning | rule" in err
    code, err = check(tmp_path, DOC.replace("| `busy` | `busy` |", "| busy | `busy` |", 1))
    assert code == 1 and "the code 'busy' is not written in backticks" in err
    code, err = check(tmp_path, DOC.replace("| `io` | `io` |", "| `io` | `IO` |", 1))
    assert code == 1 and "name 'IO' is not a lowerCamelCase Swift identifier" in err
    code, err = check(tmp_path, DOC + "\n## Nowhere\n\n### Error codes\n\n| code | name | meaning |\n| --- | --- | --- |\n| `x` | `x` | y |\n")
    assert code == 1 and "Sources/Nowhere does not exist" in err
    code, err = check(tmp_path, DOC + "\n## FileSystem\n\n### Error codes\n\n| code | name | meaning |\n| --- | --- | --- |\n| `x` | `x` | y |\n")
    assert code == 1 and "ERROR_TYPES names no error type for it" in err
