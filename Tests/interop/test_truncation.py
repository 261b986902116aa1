"""Complete instances only (issue 10, item 3): a file cut short is refused by create, update and
import (file and offset named, the rest goes on, exit 1); a referenced file cut after creation is
reported by verify, a cut store object by store verify; nothing complete is ever called incomplete
(the whole corpus and the generated corpus)."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest

from conftest import BIN, CORPUS, corpus_files
from fileset_util import synth

CS = "cornerstone3D/testImages/CTImage.dcm"
TYPES = {
    "native": f"{CS}_LittleEndianExplicitTransferSyntax_1.2.840.10008.1.2.1.dcm",
    "implicit": f"{CS}_LittleEndianImplicitTransferSyntax_1.2.840.10008.1.2.dcm",
    "big-endian": f"{CS}_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm",
    "deflated": f"{CS}_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm",
    "encapsulated-jpeg-ls": f"{CS}_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm",
    "encapsulated-rle-multiframe": "pydicom-data-1.0.0/data/emri_small_RLE.dcm",
    "native-multiframe": "pydicom-data-1.0.0/data/emri_small.dcm",
}
INCOMPLETE = re.compile(rb"\[incomplete\]|file-incomplete|\[impossible-image\]|file-impossible-image")


def dm(*args):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, timeout=600)


def cut_points(path):
    """10 points spread over the data set (after the File Meta, so the header itself starts)."""
    size = path.stat().st_size
    start = pydicom.dcmread(path, stop_before_pixels=True).file_meta  # noqa: F841 (checks it reads)
    with open(path, "rb") as f:
        b = f.read(400)
    meta_end = 132 + 12 + int.from_bytes(b[140:144], "little")
    return [meta_end + 8 + (size - meta_end - 9) * i // 10 for i in range(10)]


@pytest.fixture(scope="module")
def cut_inputs(tmp_path_factory):
    """Folder of every type cut at 10 points, plus one whole file of each type in another folder."""
    root = tmp_path_factory.mktemp("cuts")
    cuts, whole = root / "cuts", root / "whole"
    cuts.mkdir()
    whole.mkdir()
    names = []
    for kind, rel in TYPES.items():
        src = CORPUS / rel
        data = src.read_bytes()
        shutil.copy(src, whole / f"{kind}.dcm")
        for k, at in enumerate(cut_points(src)):
            name = f"{kind}-cut{k}-at{at}.dcm"
            (cuts / name).write_bytes(data[:at])
            names.append(name)
    return cuts, whole, names


def assert_each_refused(out, names):
    for name in names:
        lines = [l for l in out.splitlines() if name.encode() in l]
        assert lines, f"{name} not named in the output"
        assert any(b"offset" in l for l in lines), (name, lines)


def test_create_update_import_refuse_every_cut(cut_inputs, tmp_path):
    cuts, whole, names = cut_inputs
    # create: the cuts refused, the whole files written.
    r = dm("create", "-v", tmp_path / "fs", cuts, whole)  # -v: every refusal listed, not grouped
    assert r.returncode == 1, r.stderr
    assert_each_refused(r.stdout + r.stderr, names)
    listed = dm("list", tmp_path / "fs", "--json")
    assert listed.stdout.count(b'"IMAGE"') >= len(TYPES) or len(list((tmp_path / "fs" / "DICOM").rglob("*"))) > len(TYPES)
    assert dm("verify", tmp_path / "fs").returncode == 0
    # update: an existing File-set given the cut files refuses them and keeps clean.
    r = dm("update", "-v", tmp_path / "fs", cuts)
    assert r.returncode == 1, r.stderr
    assert_each_refused(r.stdout + r.stderr, names)
    assert dm("verify", tmp_path / "fs").returncode == 0
    # import: refused (failed), the whole ones stored.
    store = tmp_path / "store"
    r = dm("import", "-v", cuts, whole, "--store", store)
    assert r.returncode == 1, r.stderr
    assert_each_refused(r.stdout + r.stderr, names)
    listing = json.loads(dm("store", "list", "--store", store, "--json").stdout)
    assert b"incomplete" not in json.dumps(listing).encode()
    assert dm("store", "verify", "--store", store).returncode == 0


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_verify_reports_a_referenced_file_cut_after_creation(kind, tmp_path):
    src = CORPUS / TYPES[kind]
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(src, inp / "x.dcm")
    fs = tmp_path / "fs"
    # PRI-GEN-USB keeps the input's syntax where it can; the written file is what gets cut.
    r = dm("create", "--profile", "PRI-GEN-USB", fs, inp)
    assert r.returncode in (0, 1) and (fs / "DICOMDIR").is_file(), r.stderr
    assert dm("verify", fs).returncode == 0
    ref = [p for p in (fs / "DICOM").rglob("*") if p.is_file()][0]
    data = ref.read_bytes()
    for at in cut_points(ref)[1:]:
        ref.write_bytes(data[:at])
        r = dm("verify", fs)
        assert r.returncode == 1, (at, r.stdout)
        assert b"file-incomplete" in r.stdout + r.stderr or b"file-unreadable" in r.stdout + r.stderr, (at, r.stdout)
        assert b"offset" in r.stderr, r.stderr  # the problem is a diagnostic (stderr)
    ref.write_bytes(data)
    assert dm("verify", fs).returncode == 0


def test_store_verify_reports_a_cut_object(tmp_path):
    store = tmp_path / "store"
    inp = tmp_path / "in"
    inp.mkdir()
    # Three different SOP Instances (the CT of TYPES is one instance in several syntaxes).
    for kind, rel in (("deflated", TYPES["deflated"]), ("native", TYPES["native-multiframe"]), ("jpeg", "pydicom-data-1.0.0/data/JPEG-LL.dcm")):
        shutil.copy(CORPUS / rel, inp / f"{kind}.dcm")
    assert dm("import", inp, "--store", store).returncode == 0
    assert dm("store", "verify", "--store", store).returncode == 0
    objects = [p for p in store.rglob("*") if p.is_file() and p.stat().st_size > 1000 and p.read_bytes()[128:132] == b"DICM"]
    assert len(objects) == 3
    for obj in objects:
        data = obj.read_bytes()
        obj.write_bytes(data[: len(data) * 2 // 3])
        r = dm("store", "verify", "--store", store)
        assert r.returncode == 1, r.stdout
        assert b"file-incomplete" in r.stdout + r.stderr, r.stdout + r.stderr
        obj.write_bytes(data)
    assert dm("store", "verify", "--store", store).returncode == 0


def test_no_false_positive_on_the_corpus(tmp_path):
    """Every corpus instance is complete: create, verify, import and store verify never say otherwise."""
    inp = tmp_path / "corpus"
    inp.mkdir()
    for i, rel in enumerate(corpus_files()):
        if Path(rel).name.upper().startswith("DICOMDIR"):
            continue
        shutil.copy(CORPUS / rel, inp / f"{i:04d}.dcm")
    r = dm("create", tmp_path / "fs", inp)
    assert not INCOMPLETE.search(r.stdout + r.stderr), INCOMPLETE.findall(r.stdout + r.stderr)
    assert (tmp_path / "fs" / "DICOMDIR").is_file(), r.stderr
    r = dm("verify", tmp_path / "fs")
    assert not INCOMPLETE.search(r.stdout + r.stderr), r.stdout
    r = dm("import", inp, "--store", tmp_path / "store")
    assert not INCOMPLETE.search(r.stdout + r.stderr), r.stdout + r.stderr
    r = dm("store", "verify", "--store", tmp_path / "store")
    assert not INCOMPLETE.search(r.stdout + r.stderr), r.stdout


def test_no_false_positive_on_the_generated_corpus(tmp_path):
    gen = tmp_path / "gen"
    synth(gen, 40, seed=11, small=True)
    samples = Path(__file__).resolve().parents[2] / "media-samples"
    for src in (gen, samples):
        name = src.name
        r = dm("create", tmp_path / f"fs-{name}", src)
        assert r.returncode == 0, r.stdout + r.stderr
        r = dm("verify", tmp_path / f"fs-{name}")
        assert r.returncode == 0, r.stdout
        r = dm("import", src, "--store", tmp_path / "store")
        assert r.returncode == 0, r.stdout + r.stderr
    r = dm("store", "verify", "--store", tmp_path / "store")
    assert r.returncode == 0, r.stdout
