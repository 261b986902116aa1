"""The command-line contract (README "Command-line contract"), table-driven.

Every command runs on a clean case, a warning case, a partial case and an unreadable case, in
text mode and with --json. Each case asserts the exit code (0 done, warnings allowed; 1 done in
part; 2 could not read or start), that stdout carries the result (and parses as one JSON document
with --json) and that stderr carries the diagnostic, which never appears on stdout. Cases that make
no sense for a command are in NOT_APPLICABLE with the reason (never skipped silently).
"""
import json
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, run

TEST_FILES = CORPUS / "pydicom-3.0.2" / "test_files"
CT = TEST_FILES / "CT_small.dcm"
MR = TEST_FILES / "MR_small.dcm"
RTPLAN = TEST_FILES / "rtplan.dcm"          # lacks Instance Number: create invents it (warning invented-key)
WARN_FILE = TEST_FILES / "SC_rgb_jpeg.dcm"  # explicit VR syntax, implicit data set: read with a warning
FIRST_FILE = "DICOM/P0000001/S0000001/SE000001/I0000001"


def bad_file(d: Path) -> Path:
    """A Part 10 file whose File Meta runs past the end: unreadable (PS3.10 7)."""
    p = d / "bad.dcm"
    p.write_bytes(b"\0" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\xff\x7f" + b"x" * 20)
    return p


def fileset(d: Path, *files) -> Path:
    fs = d / "fs"
    run("create", fs, *(files or (CT,)), check=True)
    return fs


def variant_fileset(d: Path) -> Path:
    """A File-set whose file is found only under another case: a file-id-variant warning."""
    fs = fileset(d)
    f = fs / FIRST_FILE
    f.rename(f.with_name(f.name.lower()))
    return fs


def missing_fileset(d: Path) -> Path:
    """A File-set whose DICOMDIR names a file that is gone: an error (file-missing)."""
    fs = fileset(d, CT, MR)
    (fs / FIRST_FILE).unlink()
    return fs


def store(d: Path, *sources) -> Path:
    s = d / "store"
    for src in sources or (fileset(d / "src"),):
        run("import", "--store", s, src, check=True)
    return s


def conflict_store(d: Path) -> Path:
    """A store holding two copies of one SOP Instance with other content: a conflict."""
    s = store(d, fileset(d / "a"))
    changed = d / "b" / "changed.dcm"
    changed.parent.mkdir()
    data = bytearray(CT.read_bytes())
    data[-1] ^= 0xFF  # same SOP Instance UID, other pixel
    changed.write_bytes(bytes(data))
    r = run("import", "--store", s, changed)
    assert r.returncode == 1 and b"conflict" in r.stderr, r.stderr
    return s


def sop(path: Path) -> str:
    import pydicom
    return pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID


def store_object(s: Path) -> Path:
    return next(p for p in (s / "objects").rglob("*") if p.is_file())


# Each case: d -> (args, exit code, text on stdout, text on stderr, JSON key on stdout with --json).
# The stderr text is a diagnostic: it must not appear on stdout.
def c(args, code, out, err, key):
    return (args, code, out, err, key)


CASES = {
    ("dump", "clean"): lambda d: c(["dump", CT], 0, "PatientName", None, "00100010"),
    ("dump", "warning"): lambda d: c(["dump", WARN_FILE], 0, "(0008,0016)", "vr-encoding-mismatch", "00080016"),
    ("dump", "partial"): lambda d: c(["dump", CT, bad_file(d)], 1, "PatientName", "file ends inside the value", None),
    ("dump", "unreadable"): lambda d: c(["dump", bad_file(d)], 2, None, "file ends inside the value", "error"),

    ("transcode", "clean"): lambda d: c(["transcode", CT, d / "o.dcm"], 0, None, None, "output"),
    ("transcode", "warning"): lambda d: c(["transcode", WARN_FILE, d / "o.dcm"], 0, None, "vr-encoding-mismatch", "output"),
    ("transcode", "partial"): lambda d: c(["transcode", "--out-dir", d / "o", CT, bad_file(d)], 1, None, "file ends inside the value", None),
    ("transcode", "unreadable"): lambda d: c(["transcode", bad_file(d), d / "o.dcm"], 2, None, "file ends inside the value", "error"),

    ("create", "clean"): lambda d: c(["create", d / "out", CT], 0, "added 1 instance", None, "added"),
    ("create", "warning"): lambda d: c(["create", d / "out", RTPLAN], 0, "added 1 instance", "invented-key", "added"),
    ("create", "partial"): lambda d: c(["create", d / "out", CT, bad_file(d)], 1, "added 1 instance", "file ends inside the value", "unreadable"),
    ("create", "unreadable"): lambda d: c(["create", d / "out", d / "no-such-input"], 2, None, "no such file or folder", "error"),

    ("update", "clean"): lambda d: c(["update", fileset(d), MR], 0, "added 1 instance", None, "added"),
    ("update", "warning"): lambda d: c(["update", fileset(d), RTPLAN], 0, "added 1 instance", "invented-key", "added"),
    ("update", "partial"): lambda d: c(["update", fileset(d), MR, bad_file(d)], 1, "added 1 instance", "file ends inside the value", "unreadable"),
    ("update", "unreadable"): lambda d: c(["update", d / "no-such-fileset", MR], 2, None, "no-such-fileset", "error"),

    ("remove", "clean"): lambda d: c(["remove", fileset(d), "--instance", sop(CT)], 0, "removed 1 file", None, "removedFiles"),
    ("remove", "partial"): lambda d: c(["remove", fileset(d), "--instance", sop(CT), "--instance", "1.2.3.4"], 1, "removed 1 file", "instance 1.2.3.4 is not in the File-set", "notFound"),
    ("remove", "unreadable"): lambda d: c(["remove", d / "no-such-fileset", "--instance", "1.2.3"], 2, None, "no-such-fileset", "error"),

    ("list", "clean"): lambda d: c(["list", fileset(d)], 0, "PATIENT", None, "patients"),
    ("list", "warning"): lambda d: c(["list", variant_fileset(d)], 0, "PATIENT", "file-id-variant", "patients"),
    ("list", "unreadable"): lambda d: c(["list", d / "no-such-fileset"], 2, None, "no-such-fileset", "error"),

    ("verify", "clean"): lambda d: c(["verify", fileset(d)], 0, "clean", None, "problems"),
    ("verify", "warning"): lambda d: c(["verify", variant_fileset(d)], 0, "1 warning(s)", "file-id-variant", "problems"),
    ("verify", "partial"): lambda d: c(["verify", missing_fileset(d)], 1, "error(s)", "file-missing", "problems"),
    ("verify", "unreadable"): lambda d: c(["verify", d / "no-such-fileset"], 2, None, "no-such-fileset", "error"),

    ("iso", "clean"): lambda d: c(["iso", fileset(d), d / "o.iso"], 0, "volume", None, "volumeID"),
    ("iso", "unreadable"): lambda d: c(["iso", d / "no-such-fileset", d / "o.iso"], 2, None, "no-such-fileset", "error"),

    ("import", "clean"): lambda d: c(["import", "--store", d / "s", fileset(d)], 0, "imported 1", None, "imported"),
    ("import", "warning"): lambda d: c(["import", "--store", d / "s", variant_fileset(d)], 0, "imported 1", "file-id-variant", "imported"),
    ("import", "partial"): lambda d: c(["import", "--store", d / "s", missing_fileset(d)], 1, "imported 1", "file-missing", "missing"),
    ("import", "unreadable"): lambda d: c(["import", "--store", d / "s", d / "no-such-medium"], 2, None, "no-such-medium", "error"),

    ("export", "clean"): lambda d: c(["export", "--store", store(d), d / "out"], 0, "added 1 instance", None, "added"),
    ("export", "warning"): lambda d: c(["export", "--store", store(d, fileset(d / "r", RTPLAN)), d / "out"], 0, "added 1 instance", "invented-key", "added"),
    ("export", "partial"): lambda d: c(["export", "--store", conflict_store(d), d / "out"], 1, "added 1 instance", "conflicting copy left out", "refused"),
    ("export", "unreadable"): lambda d: c(["export", "--store", d / "no-such-store", d / "out"], 2, None, "no-such-store", "error"),

    ("store list", "clean"): lambda d: c(["store", "list", "--store", store(d)], 0, sop(CT), None, "patients"),
    ("store list", "unreadable"): lambda d: c(["store", "list", "--store", d / "no-such-store"], 2, None, "no-such-store", "error"),

    ("store show", "clean"): lambda d: c(["store", "show", "--store", store(d), sop(CT)], 0, "SHA-256", None, "patients"),
    ("store show", "partial"): lambda d: c(["store", "show", "--store", store(d), "1.2.3.4"], 1, None, "not in the store", "error"),
    ("store show", "unreadable"): lambda d: c(["store", "show", "--store", d / "no-such-store", "1.2.3"], 2, None, "no-such-store", "error"),

    ("store remove", "clean"): lambda d: c(["store", "remove", "--store", store(d), sop(CT)], 0, "removed instance", None, "removed"),
    ("store remove", "partial"): lambda d: c(["store", "remove", "--store", store(d), "1.2.3.4"], 1, None, "no study, series or instance", "removed"),
    ("store remove", "unreadable"): lambda d: c(["store", "remove", "--store", d / "no-such-store", "1.2.3"], 2, None, "no-such-store", "error"),

    ("store verify", "clean"): lambda d: c(["store", "verify", "--store", store(d)], 0, "0 problems", None, "problems"),
    ("store verify", "partial"): lambda d: (store_object(s := store(d)).unlink(), c(["store", "verify", "--store", s], 1, "1 problems", "missing", "problems"))[1],
    ("store verify", "unreadable"): lambda d: c(["store", "verify", "--store", d / "no-such-store"], 2, None, "no-such-store", "error"),
}

# Cases that make no sense for a command, and why.
NOT_APPLICABLE = {
    ("remove", "warning"): "remove raises no warnings: a selector matches (removed) or not (error, the partial case)",
    ("list", "partial"): "list prints what the DICOMDIR holds (a missing file is marked MISSING in the tree); judging the files is verify's partial case",
    ("iso", "warning"): "packaging copies the File-set as it is and raises no warnings",
    ("iso", "partial"): "iso packages a whole File-set or nothing (a missing file stops it: could not start, exit 2)",
    ("store list", "warning"): "the store's index is listed as it is: no warnings",
    ("store list", "partial"): "a selection matching nothing is an empty listing, not a failure",
    ("store show", "warning"): "the store's rows are shown as they are: no warnings",
    ("store remove", "warning"): "removal raises no warnings",
    ("store verify", "warning"): "every store problem (missing, damaged, unindexed file) is an error",
}

COMMANDS = sorted({cmd for cmd, _ in list(CASES) + list(NOT_APPLICABLE)})
KINDS = ["clean", "warning", "partial", "unreadable"]


def test_table_is_complete():
    """Every command has every case, either run or explained."""
    for cmd in COMMANDS:
        for kind in KINDS:
            assert ((cmd, kind) in CASES) != ((cmd, kind) in NOT_APPLICABLE), (cmd, kind)
    assert set(COMMANDS) >= {"dump", "transcode", "create", "update", "remove", "list", "verify", "iso",
                             "import", "export", "store list", "store show", "store remove", "store verify"}


@pytest.mark.parametrize("mode", ["text", "json"])
@pytest.mark.parametrize("cmd,kind", sorted(CASES))
def test_contract(tmp_path, cmd, kind, mode):
    args, code, out, err, key = CASES[(cmd, kind)](tmp_path)
    if mode == "json":
        args = args + ["--json"]
    r = run(*args)
    stdout, stderr = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
    assert r.returncode == code, f"{args}: exit {r.returncode}\nstdout: {stdout[-2000:]}\nstderr: {stderr[-2000:]}"
    if err:
        assert err in stderr, (err, stderr)
        if mode == "text":  # the JSON document lists every problem too, by design
            assert err not in stdout, f"diagnostic {err!r} on stdout: {stdout[-2000:]}"
    if kind == "clean":
        assert "error" not in stderr and "warning" not in stderr, stderr
    if mode == "json":
        doc = json.loads(stdout)  # exactly one document, also on failure
        if key:
            text = json.dumps(doc)
            assert f'"{key}"' in text, (key, text[:2000])
        if code == 2:
            assert isinstance(doc, dict) and doc.get("exitCode") == 2 or "error" in json.dumps(doc), doc
    elif out:
        assert out in stdout, (out, stdout[-2000:])


def test_usage_errors_exit_64(tmp_path):
    for args in (["create", tmp_path / "o", CT, "--profile", "NO-SUCH-PROFILE"],
                 ["verify", tmp_path, "--profile", "NO-SUCH-PROFILE"],
                 ["dump", "--no-such-option", CT],
                 ["create", tmp_path / "o", CT, "--fail-on", "never"],
                 ["list", tmp_path, "--quiet", "--verbose"]):
        r = run(*args)
        assert r.returncode == 64, (args, r.returncode, r.stderr)
        assert r.stdout == b"", r.stdout
        r = run(*args, "--json")
        assert r.returncode == 64
        assert json.loads(r.stdout)["exitCode"] == 64


def test_fail_on_warning(tmp_path):
    r = run("create", tmp_path / "a", RTPLAN, "--fail-on", "warning")
    assert r.returncode == 1 and b"invented-key" in r.stderr, r.stderr
    r = run("create", tmp_path / "b", CT, "--fail-on", "warning")
    assert r.returncode == 0, r.stderr
    fs = variant_fileset(tmp_path / "v")
    assert run("verify", fs).returncode == 0
    assert run("verify", fs, "--fail-on", "warning").returncode == 1
    assert run("dump", WARN_FILE, "--fail-on", "warning").returncode == 1
    r = run("import", "--store", tmp_path / "s", fs, "--fail-on", "warning")
    assert r.returncode == 1 and b"file-id-variant" in r.stderr


def test_quiet(tmp_path):
    """-q: no results and no warnings, only errors; with --json the document is still printed."""
    r = run("create", tmp_path / "a", RTPLAN, "-q")
    assert r.returncode == 0 and r.stdout == b"" and r.stderr == b"", (r.stdout, r.stderr)
    r = run("create", tmp_path / "b", RTPLAN, "-q", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["added"] and r.stderr == b""
    r = run("create", tmp_path / "c", CT, bad_file(tmp_path), "-q")
    assert r.returncode == 1 and r.stdout == b"" and b"unreadable" in r.stderr
    assert run("dump", CT, "-q").stdout == b""


def test_grouping_and_verbose(tmp_path):
    """Repeated problems: one line per code and folder; -v and --json list every one."""
    files = tmp_path / "in"
    files.mkdir()
    for n in range(5):
        bad = bad_file(tmp_path)
        bad.rename(files / f"bad{n}.dcm")
    r = run("create", tmp_path / "o", CT, files)
    err = r.stderr.decode()
    assert r.returncode == 1
    assert f"5 x unreadable under {files.as_posix().lstrip('/')}" in err, err
    assert err.count("bad3.dcm") <= 1, err
    r = run("create", tmp_path / "o2", CT, files, "-v")
    assert all(f"bad{n}.dcm" in r.stderr.decode() for n in range(5)), r.stderr
    r = run("create", tmp_path / "o3", CT, files, "--json")
    assert len(json.loads(r.stdout)["unreadable"]) == 5


def test_input_fileset_problems_name_its_dicomdir(tmp_path):
    """Problems of an input File-set are prefixed with its DICOMDIR, apart from the output's."""
    src = missing_fileset(tmp_path / "in")
    r = run("create", tmp_path / "out", src, "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1
    [p] = [p for p in doc["problems"] if p["code"] == "file-missing"]
    assert p["source"].endswith("fs/DICOMDIR"), p
    r = run("create", tmp_path / "out2", src)
    assert f"{src}/DICOMDIR: error [file-missing]" in r.stderr.decode(), r.stderr


def test_export_messages_name_patient_not_store_object(tmp_path):
    s = conflict_store(tmp_path)
    r = run("export", "--store", s, tmp_path / "out")
    err = r.stderr.decode()
    assert r.returncode == 1 and "conflicting copy left out" in err and "patient " in err and sop(CT) in err, err
    assert "objects/" not in err and "objects/" not in r.stdout.decode(), (err, r.stdout)
    r = run("export", "--store", s, tmp_path / "out2", "--json")
    assert "objects/" not in r.stdout.decode()
    [refused] = json.loads(r.stdout)["refused"]
    assert refused["source"].startswith("patient ") and "conflicting copy" in refused["reason"], refused


def test_image_messages_name_the_image_not_a_temporary_folder(tmp_path):
    """An ISO image read through a temporary folder: messages name IMAGE:PATH, never the folder."""
    import subprocess
    from conftest import need
    src = tmp_path / "bad"
    src.mkdir()
    (src / "DICOMDIR").write_bytes(b"not a DICOMDIR" * 20)
    iso = tmp_path / "bad.iso"
    subprocess.run([need("xorriso"), "-as", "mkisofs", "-quiet", "-o", iso, src], check=True, capture_output=True)
    for args in (["list", iso], ["verify", iso], ["list", iso, "--json"], ["import", "--store", tmp_path / "s", iso]):
        r = run(*args)
        out = r.stdout.decode() + r.stderr.decode()
        assert r.returncode in (1, 2), (args, r.returncode, out)
        assert f"{iso}:DICOMDIR" in out, (args, out)
        assert "dicom-media-medium" not in out, (args, out)
