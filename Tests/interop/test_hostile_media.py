"""Hostile media: DICOMDIRs whose File IDs leave the medium, symbolic links out of it, planted
journals. For every command that reads or writes a File-set (list, verify, import, create with
the medium as input, update, remove, create --in-place, iso, recover), a canary file and folder
beside the medium are never read, written or deleted: checked by content and existence, and
with strace (no syscall names a canary path) where ptrace is allowed. Each case ends with a
clear error or a correct result."""
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest

from conftest import BIN
from fileset_util import synth

CANARY_BYTES = b"canary: never read, written or deleted\n"


def _strace():
    s = shutil.which("strace")
    # strace needs ptrace; where a sandbox forbids it, the content checks below still hold.
    if s and subprocess.run([s, "-o", os.devnull, "true"], capture_output=True).returncode != 0:
        return None
    return s


STRACE = _strace()


def tree_state(path):
    """Every entry under path (or the file itself): name -> sha256 / 'dir' / link target, with mtimes."""
    path = Path(path)
    out = {}
    items = [path] + (sorted(path.rglob("*")) if path.is_dir() and not path.is_symlink() else [])
    for p in items:
        st = p.lstat()
        if p.is_symlink():
            out[str(p)] = ("link", os.readlink(p))
        elif p.is_dir():
            out[str(p)] = ("dir", st.st_mtime_ns)
        else:
            out[str(p)] = ("file", hashlib.sha256(p.read_bytes()).hexdigest(), st.st_mtime_ns)
    return out


class Canary:
    """A file and a folder (holding a DICOM file) outside the medium. Content, existence and mtimes
    are compared; "never read" is what strace checks (atime is not reliable under relatime)."""

    def __init__(self, base, dicom_file):
        self.dir = base / "canarydir"
        self.dir.mkdir()
        self.file = base / "CANARY"
        self.file.write_bytes(CANARY_BYTES)
        shutil.copy(dicom_file, self.dir / "IMG")
        (self.dir / "DICOM").mkdir()
        shutil.copy(dicom_file, self.dir / "DICOM" / "IMG")
        self.before = self.state()

    def state(self):
        return {**tree_state(self.file), **tree_state(self.dir)}

    def paths(self):
        return [str(self.file), str(self.dir)]

    def check(self, context, trace=None):
        assert self.file.exists() and self.dir.exists(), f"{context}: canary deleted"
        assert self.state() == self.before, f"{context}: canary read, written or deleted"
        if trace is not None and trace.exists():
            log = trace.read_text(errors="replace")
            for p in self.paths():
                assert p not in log, f"{context}: a syscall names the canary {p}: " + \
                    next(line for line in log.splitlines() if p in line)


def run_traced(tmp, canary, *args, context=""):
    """Runs the binary (under strace when allowed); checks the canary; returns the result."""
    trace = tmp / f"trace-{abs(hash(args))}.log"
    cmd = [str(BIN), *map(str, args)]
    if STRACE:
        cmd = [STRACE, "-f", "-qq", "-s", "0", "-e", "trace=file,desc", "-o", str(trace)] + cmd
    r = subprocess.run(cmd, capture_output=True, timeout=300)
    canary.check(context or " ".join(map(str, args)), trace if STRACE else None)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """(folder of 3 generated instances, a File-set made of them by our create)."""
    tmp = tmp_path_factory.mktemp("hostile")
    src = tmp / "src"
    synth(src, 3)
    fs = tmp / "fs"
    r = subprocess.run([str(BIN), "create", fs, src], capture_output=True)
    assert r.returncode == 0, r.stderr
    return src, fs


@pytest.fixture
def world(tmp_path, source):
    """A fresh copy of the File-set at tmp/m/fs and a canary beside it at tmp/m."""
    src, fs = source
    base = tmp_path / "m"
    base.mkdir()
    root = base / "fs"
    shutil.copytree(fs, root)
    one = next(p for p in sorted(root.rglob("*")) if p.is_file() and p.name != "DICOMDIR")
    canary = Canary(base, one)
    return src, root, canary


def records(root):
    ds = pydicom.dcmread(root / "DICOMDIR")
    return ds, [r for r in ds.DirectoryRecordSequence if "ReferencedFileID" in r]


def set_file_id(root, index, value):
    """Replaces the ReferencedFileID of the index-th referencing record by `value` (a backslash-
    separated string), padded with spaces to the old length so that record offsets stay valid."""
    raw = (root / "DICOMDIR").read_bytes()
    ds, refs = records(root)
    old = refs[index].ReferencedFileID
    old_s = "\\".join(old) if isinstance(old, (list, pydicom.multival.MultiValue)) else str(old)
    old_b = old_s.encode()
    if len(old_b) % 2:
        old_b += b" "
    new_b = value.encode()
    assert len(new_b) <= len(old_b), (value, old_s)
    new_b = new_b + b" " * (len(old_b) - len(new_b))
    assert raw.count(old_b) == 1, "File ID bytes not unique in the DICOMDIR"
    (root / "DICOMDIR").write_bytes(raw.replace(old_b, new_b))
    return old_s.replace("\\", "/"), refs[index].ReferencedSOPInstanceUIDInFile


def patient_of(root, sop):
    ds = pydicom.dcmread(root / "DICOMDIR")
    pid = None
    for r in ds.DirectoryRecordSequence:
        if r.DirectoryRecordType == "PATIENT":
            pid = r.PatientID
        if getattr(r, "ReferencedSOPInstanceUIDInFile", None) == sop:
            return pid
    raise AssertionError("no patient")


BAD_IDS = {
    "dotdot": "..\\CANARY",
    "dotdot-deep": "DICOM\\..\\..\\CANARY",
    "dot": ".\\DICOM",
    "empty": "DICOM\\\\X",
    "absolute": "\\CANARY",
    "slash-in-component": "A/../../CANARY",
    "absolute-slash": "/CANARY",
}


@pytest.mark.parametrize("kind", sorted(BAD_IDS))
def test_bad_file_ids(world, tmp_path, kind):
    src, root, canary = world
    value = BAD_IDS[kind]
    old, sop = set_file_id(root, 0, value)

    rc, out, err = run_traced(tmp_path, canary, "list", root, "--json", context=f"list {kind}")
    assert rc == 1, (rc, err)
    assert "file-id-outside-root" in out

    rc, out, err = run_traced(tmp_path, canary, "verify", root, "--json", context=f"verify {kind}")
    assert rc == 1, (rc, err)
    assert "file-id-outside-root" in out

    rc, out, err = run_traced(tmp_path, canary, "import", root, "--store", tmp_path / "store", "--json", context=f"import {kind}")
    assert rc == 1, (rc, err)
    assert "file-id-outside-root" in out + err

    rc, out, err = run_traced(tmp_path, canary, "create", tmp_path / "copy", root, context=f"create from {kind}")
    assert rc == 1, (rc, out, err)
    assert "leaves the File-set root" in out + err
    assert not any(p.read_bytes() == CANARY_BYTES for p in (tmp_path / "copy").rglob("*") if p.is_file())

    rc, out, err = run_traced(tmp_path, canary, "iso", root, tmp_path / "x.iso", context=f"iso {kind}")
    assert rc == 0, (rc, err)

    # update adds to the File-set; the bad record is carried, nothing outside is touched
    extra = tmp_path / "extra"
    synth(extra, 1, seed=99)
    rc, out, err = run_traced(tmp_path, canary, "update", root, extra, context=f"update {kind}")
    assert rc in (0, 1), (rc, err)

    # remove the patient whose record holds the bad File ID: its records go, nothing outside is deleted
    pid = patient_of(root, sop)
    rc, out, err = run_traced(tmp_path, canary, "remove", root, "--patient", pid, context=f"remove {kind}")
    assert rc == 1, (rc, out, err)
    assert "not deleted" in out and "leaves the File-set root" in out
    assert not (root / ".dicom-media").exists()


def link_out(path, target):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    path.symlink_to(target)


@pytest.mark.parametrize("where", ["DICOM", "patient", "file"])
def test_symlinks_out(world, tmp_path, where):
    src, root, canary = world
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "DICOMDIR")
    first = files[0].relative_to(root)
    if where == "DICOM":
        link = root / first.parts[0]
        target = canary.dir
    elif where == "patient":
        link = root / first.parts[0] / first.parts[1]
        target = canary.dir
    else:
        link = root / first
        target = canary.dir / "IMG"
    link_out(link, target)
    canary.before = canary.state()

    rc, out, err = run_traced(tmp_path, canary, "list", root, "--json", context=f"list via {where} link")
    assert rc == 1, (rc, err)
    assert "file-id-outside-root" in out

    rc, out, err = run_traced(tmp_path, canary, "verify", root, "--json", context=f"verify via {where} link")
    assert rc == 1, (rc, err)
    assert "outside-root" in out

    rc, out, err = run_traced(tmp_path, canary, "import", root, "--store", tmp_path / "store", "--json", context=f"import via {where} link")
    assert rc == 1, (rc, err)

    rc, out, err = run_traced(tmp_path, canary, "create", tmp_path / "copy", root, context=f"create from {where} link")
    assert rc == 1, (rc, out, err)

    rc, out, err = run_traced(tmp_path, canary, "iso", root, tmp_path / "x.iso", context=f"iso via {where} link")
    assert rc == 1, (rc, out, err)
    assert "symbolic link out of" in err

    extra = tmp_path / "extra"
    synth(extra, 1, seed=98)
    rc, out, err = run_traced(tmp_path, canary, "update", root, extra, context=f"update via {where} link")
    # the names of links count as taken: new files go to real folders (DICOM1/... when DICOM is the link)
    assert rc in (0, 1), (rc, err)
    if where == "DICOM":
        assert "layout-fallback" in out + err or "name-taken" in out + err, (out, err)
    assert not (root / ".dicom-media").exists()

    rc, out, err = run_traced(tmp_path, canary, "remove", root, "--instance", pydicom.dcmread(canary.dir / "IMG").SOPInstanceUID,
                              context=f"remove via {where} link")
    assert rc == 1, (rc, out, err)
    assert "not deleted" in out

    # indexing in place (no DICOMDIR: the folder is walked) skips and lists the link out of the folder
    (root / "DICOMDIR").unlink()
    rc, out, err = run_traced(tmp_path, canary, "create", "--in-place", root, context=f"create --in-place via {where} link")
    assert rc == 1, (rc, out, err)
    assert "symbolic link out of" in out + err


@pytest.mark.parametrize("planted", ["scratch-file", "staging-folder"])
def test_planted_links_in_image_staging(world, tmp_path, planted):
    """create --iso writes the DICOMDIR to a scratch file in the image's private staging folder; a link planted
    there (as that file, or as the folder) never leads a write or a read outside."""
    src, root, canary = world
    out = tmp_path / "out"
    out.mkdir()
    image = out / "disc.iso"
    staged = out / ".disc.iso.dicom-media" / "staged"
    staged.parent.mkdir()
    if planted == "scratch-file":
        staged.mkdir()
        (staged / "DICOMDIR").symlink_to(canary.file)
    else:
        staged.symlink_to(canary.dir)
    canary.before = canary.state()
    rc, o, err = run_traced(tmp_path, canary, "create", "--iso", image, root, context=f"create --iso with a planted {planted}")
    # The leftovers of the tool folder are removed under the lock (the link, not what it points at), then written anew.
    assert rc == 0, (rc, o, err)
    assert not staged.exists() and not staged.is_symlink()
    rc, o, err = run_traced(tmp_path, canary, "verify", image, context="verify of the image")
    assert rc == 0, (rc, o, err)


def plant(root, journal, staged=None):
    folder = root / ".dicom-media"
    folder.mkdir()
    (folder / "journal.json").write_text(json.dumps(journal))
    if staged:
        (folder / "staged").mkdir()
        for n, b in staged.items():
            (folder / "staged" / n).write_bytes(b)
    return (folder / "journal.json").read_bytes()


def journal(copies=(), deletions=(), version=2, operation="update"):
    return {"version": version, "operation": operation, "started": "2026-01-01T00:00:00Z",
            "copies": list(copies), "deletions": list(deletions)}


PLANTED = {
    "delete-outside": (lambda c: journal(deletions=["../CANARY"]), "deletions[0]"),
    "delete-absolute": (lambda c: journal(deletions=[str(c.file)]), "deletions[0]"),
    "delete-dotdot-deep": (lambda c: journal(deletions=["DICOM/../../CANARY"]), "deletions[0]"),
    "write-outside": (lambda c: journal(copies=[{"fileID": "../CANARY", "size": 4, "staged": "x"}]), "copies[0].fileID"),
    "copy-from-outside": (lambda c: journal(copies=[{"fileID": "DICOM/NEW", "size": 4, "staged": "../../../CANARY"}]), "copies[0].staged"),
    "copy-absolute-source": (lambda c: journal(copies=[{"fileID": "DICOM/NEW", "size": 4, "staged": str(c.file)}]), "copies[0].staged"),
    "old-format-source": (lambda c: {"operation": "update", "started": "x", "copies": [{"source": str(c.file), "fileID": "DICOM/NEW", "size": 4}],
                                     "deletions": []}, "format"),
    "delete-dicomdir": (lambda c: journal(deletions=["DICOMDIR"]), "deletions[0]"),
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_planted_journal(world, tmp_path, kind):
    src, root, canary = world
    make, entry = PLANTED[kind]
    before = plant(root, make(canary), staged={"x": b"data"})
    dicomdir = (root / "DICOMDIR").read_bytes()
    extra = tmp_path / "extra"
    synth(extra, 1, seed=97)
    uid = str(pydicom.dcmread(sorted(p for p in root.rglob("*") if p.is_file() and p.parent.name != "staged" and p.name not in ("DICOMDIR", "journal.json"))[0]).SOPInstanceUID)
    for args in [("update", root, extra), ("remove", root, "--instance", uid), ("create", root, extra),
                 ("create", "--in-place", root), ("recover", root), ("recover", root, "--abort"), ("iso", root, tmp_path / "j.iso")]:
        rc, out, err = run_traced(tmp_path, canary, *args, context=f"{args[0]} with planted {kind}")
        assert rc == 2, (args, rc, out, err)
        assert "journal.json" in err and (entry in err or kind == "old-format-source"), (args, err)
        assert (root / ".dicom-media" / "journal.json").read_bytes() == before, f"{args}: journal changed"
        assert (root / "DICOMDIR").read_bytes() == dicomdir, f"{args}: DICOMDIR changed"
    rc, out, err = run_traced(tmp_path, canary, "verify", root, "--json", context=f"verify with planted {kind}")
    assert rc == 1 and "journal-refused" in out, (rc, out, err)
    rc, out, err = run_traced(tmp_path, canary, "list", root, context=f"list with planted {kind}")
    assert rc == 0, (rc, err)


def test_planted_journal_through_symlinked_folder(world, tmp_path):
    """A `.dicom-media` that is a link out of the medium is never followed."""
    src, root, canary = world
    (canary.dir / "journal.json").write_text(json.dumps(journal(deletions=["DICOM/IMG"])))
    canary.before = canary.state()
    (root / ".dicom-media").symlink_to(canary.dir)
    rc, out, err = run_traced(tmp_path, canary, "recover", root, context="recover via linked journal folder")
    assert rc == 2 and "symbolic link" in err, (rc, out, err)


def test_recover_rolls_back_and_finishes(world, tmp_path):
    """A valid journal: finished when its staged files are there, rolled back with --abort."""
    src, root, canary = world
    dicomdir = (root / "DICOMDIR").read_bytes()
    # A rollback deletes the files the transaction created, never a referenced one.
    referenced = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != "DICOMDIR")
    (root / "DICOM" / "NEWFILE").write_bytes(b"half")
    plant(root, journal(copies=[{"fileID": "DICOM/NEWFILE", "size": 99}, {"fileID": referenced[0], "size": 1}]))
    shutil.copy(root / "DICOMDIR", root / ".dicom-media" / "DICOMDIR.new")
    rc, out, err = run_traced(tmp_path, canary, "recover", root, "--abort")
    assert rc == 0 and "rolled back" in out, (rc, out, err)
    assert not (root / "DICOM" / "NEWFILE").exists()
    assert (root / referenced[0]).exists()
    assert (root / "DICOMDIR").read_bytes() == dicomdir
    assert not (root / ".dicom-media").exists()
    # Finished: the staged file is renamed into place.
    plant(root, journal(copies=[{"fileID": "DICOM/STAGED", "size": 4, "staged": "s1"}]), staged={"s1": b"data"})
    shutil.copy(root / "DICOMDIR", root / ".dicom-media" / "DICOMDIR.new")
    rc, out, err = run_traced(tmp_path, canary, "recover", root)
    assert rc == 0 and "completed" in out, (rc, out, err)
    assert (root / "DICOM" / "STAGED").read_bytes() == b"data"
    assert not (root / ".dicom-media").exists()
    rc, out, err = run_traced(tmp_path, canary, "recover", root)
    assert rc == 0 and "no interrupted write" in out


def test_input_folder_links(tmp_path, source):
    """create from a plain folder: a link inside it is followed, a link out of it and a loop are skipped and listed."""
    src, fs = source
    base = tmp_path / "m"
    base.mkdir()
    inp = base / "in"
    shutil.copytree(src, inp)
    one = sorted(p for p in inp.rglob("*") if p.is_file())[0]
    canary = Canary(base, one)
    (inp / "out-link").symlink_to(canary.dir)
    (inp / "out-file").symlink_to(canary.dir / "IMG")
    (inp / "loop").symlink_to(inp)
    sub = sorted(p for p in inp.iterdir() if p.is_dir() and not p.is_symlink())[0]
    (inp / "inside-link").symlink_to(sub)
    rc, out, err = run_traced(tmp_path, canary, "create", tmp_path / "o", inp)
    assert rc == 1, (rc, out, err)
    text = out + err
    assert "out-link" in text and "out-file" in text and "loop" in text, text
    rc, listing, _ = run_traced(tmp_path, canary, "list", tmp_path / "o", "--json")
    assert rc == 0
