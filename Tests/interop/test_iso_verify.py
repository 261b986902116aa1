"""`verify` of an ISO image reads each file in place, from its extent in the image (header and item
headers only, issue 15): it finds what `verify` of the same File-set as a folder finds, problem for
problem: a referenced file cut short at any point (native, deflated, encapsulated, multi-frame), a
file missing, a file no record references, a record offset that leads nowhere."""
import shutil
import subprocess

import pytest

from conftest import CORPUS, need
from fileset_util import verify
from test_truncation import TYPES, cut_points, dm


def make_fileset(kind, folder):
    """A File-set (PRI-GEN-USB keeps the input's syntax) of one corpus file of `kind`."""
    inp = folder / "in"
    inp.mkdir(parents=True)
    shutil.copy(CORPUS / TYPES[kind], inp / "x.dcm")
    fs = folder / "fs"
    r = dm("create", "--profile", "PRI-GEN-USB", fs, inp)
    assert r.returncode in (0, 1) and (fs / "DICOMDIR").is_file(), r.stderr
    return fs


def image_of(fs, iso):
    """The folder as an image by xorriso (create --iso and iso refuse a damaged File-set)."""
    if iso.exists():
        iso.unlink()
    subprocess.run([need("xorriso"), "-as", "mkisofs", "-quiet", "-R", "-J", "-o", str(iso), str(fs)], check=True, capture_output=True)
    return iso


def findings(source):
    rc, problems, out = verify(source)
    assert problems is not None, out
    return rc, sorted((p["code"], p.get("fileID"), p["severity"]) for p in problems)


def same_as_folder(fs, iso):
    """verify of the image finds exactly what verify of the folder finds; returns that."""
    want = findings(fs)
    got = findings(image_of(fs, iso))
    assert got == want, (got, want)
    return want


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_a_file_cut_short_in_an_image(kind, tmp_path):
    fs = make_fileset(kind, tmp_path)
    rc, problems = same_as_folder(fs, tmp_path / "a.iso")
    assert rc == 0 and not [p for p in problems if p[2] == "error"], problems
    ref = [p for p in (fs / "DICOM").rglob("*") if p.is_file()][0]
    data = ref.read_bytes()
    for at in cut_points(ref)[1:]:
        ref.write_bytes(data[:at])
        rc, problems = same_as_folder(fs, tmp_path / "a.iso")
        assert rc == 1, (at, problems)
        assert {c for c, _, _ in problems} & {"file-incomplete", "file-unreadable"}, (at, problems)
    # Pixel Data one byte short: the completeness check reads the declared length, not the data.
    ref.write_bytes(data[:-1])
    rc, problems = same_as_folder(fs, tmp_path / "a.iso")
    assert rc == 1 and [c for c, _, _ in problems if c in ("file-incomplete", "file-unreadable")], problems


def test_missing_extra_and_bad_offset_in_an_image(tmp_path):
    fs = make_fileset("native", tmp_path)
    ref = [p for p in (fs / "DICOM").rglob("*") if p.is_file()][0]
    data = ref.read_bytes()
    # A file no record references.
    extra = ref.parent / "EXTRA"
    extra.write_bytes(data)
    rc, problems = same_as_folder(fs, tmp_path / "b.iso")
    assert rc == 1 and any(c == "duplicate-sop-instance" or c == "unreferenced-file" for c, _, _ in problems), problems
    extra.unlink()
    # The referenced file missing.
    ref.unlink()
    rc, problems = same_as_folder(fs, tmp_path / "b.iso")
    assert rc == 1 and ("file-missing", ref.relative_to(fs).as_posix()) in {(c, f) for c, f, _ in problems}, problems
    ref.write_bytes(data)
    # The root record offset (0004,1200) of the DICOMDIR pointing past its end.
    dicomdir = fs / "DICOMDIR"
    raw = bytearray(dicomdir.read_bytes())
    at = raw.find(bytes([0x04, 0x00, 0x00, 0x12, ord("U"), ord("L"), 4, 0]))
    assert at > 0
    raw[at + 8 : at + 12] = (len(raw) + 1000).to_bytes(4, "little")
    dicomdir.write_bytes(bytes(raw))
    rc, problems = same_as_folder(fs, tmp_path / "b.iso")
    assert rc in (1, 2) and problems, problems
