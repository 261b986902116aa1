"""The local store (`import`, `store list/show/remove/verify`): every File-set of the corpus imports
exactly the instances on the medium, byte for byte, and a second import adds nothing; a damaged
medium (missing files, stale DICOMDIR, lower-case names, non-DICOM files, a File ID leaving the root)
imports everything present and reports every problem without reading outside the medium; conflicts,
removal and tampering are reported. Expected values come from pydicom and hashlib, not from us."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import MediaStorageDirectoryStorage

from conftest import BIN, CORPUS, need
from fileset_util import sha256, synth

FILESETS = sorted({p.parent for p in CORPUS.rglob("*") if p.is_file() and p.name.upper() == "DICOMDIR"})


def dm(*args, env=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, env=e)


def dm_json(*args, env=None):
    r = dm(*args, "--json", env=env)
    try:
        j = json.loads(r.stdout)
    except ValueError:
        raise AssertionError(f"{args}: exit {r.returncode}, no JSON: {r.stderr.decode(errors='replace')}")
    return r.returncode, j


def stored(store):
    """[(sopInstanceUID, path, sha256 from the listing, conflict)] from `store list --json`."""
    code, j = dm_json("store", "list", "--store", store)
    assert code == 0, j
    assert set(j) >= {"patients"}
    return [(i["sopInstanceUID"], i["path"], i["sha256"], i["conflict"])
            for p in j["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"]]


def instances_on(folder):
    """{sha256: SOP Instance UID} of every DICOM instance file under folder, read by pydicom
    (DICOMDIRs and non-DICOM files left out)."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        if not p.is_file() or p.name.startswith("."):
            continue
        try:
            ds = pydicom.dcmread(str(p), stop_before_pixels=True)
        except Exception:
            continue
        meta = getattr(ds, "file_meta", None)
        if meta is not None and meta.get("MediaStorageSOPClassUID") == MediaStorageDirectoryStorage:
            continue
        uid = ds.get("SOPInstanceUID") or (meta.get("MediaStorageSOPInstanceUID") if meta is not None else None)
        if not uid:
            continue
        out[sha256(p)] = str(uid)
    return out


def verify_clean(store):
    code, j = dm_json("store", "verify", "--store", store)
    assert code == 0 and j["problems"] == [], j
    return j


@pytest.mark.parametrize("fileset", FILESETS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_fileset_import(fileset, tmp_path):
    store = tmp_path / "store"
    expected = instances_on(fileset)
    assert expected, f"no instances found by pydicom in {fileset}"
    code, j = dm_json("import", fileset, "--store", store)
    assert code in (0, 1), j
    assert j["failed"] == 0 and j["missing"] == 0, j["lists"]
    got = stored(store)
    # Exactly the instances on the medium: every file's content once, byte for byte.
    assert sorted(s for _, _, s, _ in got) == sorted(expected)
    for uid, path, sha, _ in got:
        assert sha256(path) == sha and expected[sha] == uid
    assert j["imported"] + j["conflicts"] == len(expected)
    # A second import adds nothing.
    code, j2 = dm_json("import", fileset, "--store", store)
    assert j2["imported"] == 0 and j2["conflicts"] == 0 and j2["alreadyPresent"] == len(expected), j2
    assert len(stored(store)) == len(expected)
    verify_clean(store)


def test_dicomdir_path_and_env_locations(tmp_path):
    fs = CORPUS / "clunie-charset-fileset"
    # A DICOMDIR path is a source; $DICOM_MEDIA_STORE and $XDG_DATA_HOME pick the store.
    code, j = dm_json("import", fs / "DICOMDIR", env={"DICOM_MEDIA_STORE": str(tmp_path / "envstore")})
    assert code == 0 and j["imported"] == 11 and j["media"][0]["dicomdir"] == "used", j
    assert j["store"] == str(tmp_path / "envstore")
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    e = dict(os.environ)
    e.pop("DICOM_MEDIA_STORE", None)
    e.update(env)
    r = subprocess.run([str(BIN), "import", "--json", str(fs)], capture_output=True, env=e)
    assert json.loads(r.stdout)["store"] == str(tmp_path / "xdg" / "dicom-media")
    assert (tmp_path / "xdg" / "dicom-media" / "index.sqlite").is_file()


def test_dry_run_writes_nothing(tmp_path):
    store = tmp_path / "store"
    code, j = dm_json("import", CORPUS / "clunie-charset-fileset", "--dry-run", "--store", store)
    assert code == 0 and j["imported"] == 11 and j["dryRun"] is True
    assert not store.exists()
    dm("import", CORPUS / "clunie-charset-fileset", "--store", store)
    code, j = dm_json("import", CORPUS / "clunie-charset-fileset", "--dry-run", "--store", store)
    assert j["imported"] == 0 and j["alreadyPresent"] == 11


ESCAPE = "..\\OUTSIDE1\\OUTSIDE2\\OUTSIDE3\\OUTSI"


def make_damaged_medium(tmp_path):
    """A copy of TINY_ALPHA with: two referenced files deleted, one renamed to lower case, two DICOM
    files added after the DICOMDIR was written, non-DICOM files (autorun, a web page), and one record's
    File ID changed to leave the root (pointing at a DICOM file placed outside the medium)."""
    medium = tmp_path / "medium"
    shutil.copytree(CORPUS / "pydicom-3.0.2" / "dicomdirtests" / "TINY_ALPHA", medium)
    dd = pydicom.dcmread(str(medium / "DICOMDIR"))
    images = [r for r in dd.DirectoryRecordSequence if r.DirectoryRecordType == "IMAGE"]
    missing = [images[0], images[1]]
    for r in missing:
        (medium.joinpath(*r.ReferencedFileID)).unlink()
    lower = images[2]
    p = medium.joinpath(*lower.ReferencedFileID)
    p.rename(p.with_name(p.name.lower()))
    escaping = images[3]
    escaped_file = medium.joinpath(*escaping.ReferencedFileID)  # stays on the medium, now unlisted
    # Values of the same length as the originals keep every record offset valid.
    assert len("\\".join(escaping.ReferencedFileID)) == len(ESCAPE)
    escaping.ReferencedFileID = ESCAPE.split("\\")
    uid = str(images[4].ReferencedSOPInstanceUIDInFile)
    wrong = uid[:-1] + ("7" if uid[-1] != "7" else "8")
    images[4].ReferencedSOPInstanceUIDInFile = wrong  # the record disagrees with its file
    dd.save_as(str(medium / "DICOMDIR"), enforce_file_format=True)
    outside = tmp_path.joinpath(*ESCAPE.split("\\")[1:])
    outside.parent.mkdir(parents=True)
    ds = pydicom.dcmread(str(CORPUS / "clunie-charset-fileset" / "SCSGERM"))
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = "2.25.999999000111"
    ds.save_as(str(outside), enforce_file_format=True)
    extra = medium / "ADDED"
    extra.mkdir()
    shutil.copyfile(CORPUS / "clunie-charset-fileset" / "SCSFREN", extra / "IM1")
    shutil.copyfile(CORPUS / "clunie-charset-fileset" / "SCSGREEK", extra / "IM2")
    (medium / "autorun.inf").write_text("[autorun]\nopen=viewer.exe\n")
    (medium / "VIEWER").mkdir()
    (medium / "VIEWER" / "index.html").write_text("<html><body>viewer</body></html>\n")
    return medium, outside, [list(r.ReferencedFileID) for r in missing], list(lower.ReferencedFileID), escaped_file, wrong


def test_damaged_medium(tmp_path):
    medium, outside, missing, lower, escaped_file, wrong = make_damaged_medium(tmp_path)
    store = tmp_path / "store"
    expected = instances_on(medium)
    cmd = [str(BIN), "import", str(medium), "--store", str(store), "--json"]
    strace = shutil.which("strace")
    # strace needs ptrace; where a sandbox forbids it, the JSON checks below still hold.
    if strace and subprocess.run([strace, "-o", os.devnull, "true"], capture_output=True).returncode != 0:
        strace = None
    trace = tmp_path / "trace"
    if strace:
        cmd = [strace, "-f", "-qq", "-e", "trace=open,openat,stat,newfstatat,statx,lstat", "-o", str(trace)] + cmd
    r = subprocess.run(cmd, capture_output=True)
    assert r.returncode == 1, r.stderr
    j = json.loads(r.stdout)
    got = stored(store)
    # Everything present imported, byte for byte.
    assert sorted(s for _, _, s, _ in got) == sorted(expected)
    assert "2.25.999999000111" not in {u for u, _, _, _ in got}
    # Every problem reported.
    assert sorted(m["fileID"] for m in j["lists"]["missing"]) == sorted("/".join(m) for m in missing)
    assert [f["path"] for f in j["lists"]["failed"]] == [ESCAPE.replace("\\", "/")]
    assert "leaves" in j["lists"]["failed"][0]["reason"]
    assert sorted(n["path"] for n in j["lists"]["notDicom"]) == ["VIEWER/index.html", "autorun.inf"]
    codes = {p["code"] for p in j["problems"]}
    assert {"file-id-variant", "file-id-outside-root", "dicomdir-stale", "record-mismatch"} <= codes, codes
    mismatch = [p for p in j["problems"] if p["code"] == "record-mismatch"]
    assert len(mismatch) == 1 and wrong in mismatch[0]["message"]
    assert codes <= {"file-id-variant", "file-id-outside-root", "dicomdir-stale", "record-mismatch"}, codes
    variant = [p for p in j["problems"] if p["code"] == "file-id-variant"]
    assert variant[0]["fileID"] == "/".join(lower)
    assert j["media"][0]["dicomdir"] == "stale"
    assert j["missing"] == 2 and j["failed"] == 1 and j["notDicom"] == 2
    # The added files and the file whose record now escapes were found by scanning.
    by_path = {i["sourcePath"] for i in j["lists"]["imported"]}
    assert {"ADDED/IM1", "ADDED/IM2", str(escaped_file.relative_to(medium))} <= by_path
    # Nothing outside the medium was opened or even looked at.
    if strace:
        text = trace.read_text(errors="replace")
        assert "OUTSIDE" not in text, "looked outside the medium"
    verify_clean(store)


def test_missing_and_broken_dicomdir(tmp_path):
    files = synth(tmp_path / "in", 6, seed=3)
    medium = tmp_path / "plain"
    shutil.copytree(tmp_path / "in", medium)
    store = tmp_path / "store"
    code, j = dm_json("import", medium, "--store", store)
    assert code == 0 and j["imported"] == 6 and j["media"][0]["dicomdir"] == "missing", j
    (medium / "DICOMDIR").write_bytes(b"\0" * 128 + b"DICM" + b"\x02\x00garbage")
    code, j = dm_json("import", medium, "--store", tmp_path / "store2")
    assert code == 1 and j["imported"] == 6 and j["media"][0]["dicomdir"] == "broken", j
    assert "dicomdir-broken" in {p["code"] for p in j["problems"]}
    assert len(files) == 6


def test_conflict_keeps_both(tmp_path):
    src = CORPUS / "clunie-charset-fileset" / "SCSGERM"
    store = tmp_path / "store"
    code, j = dm_json("import", src, "--store", store)
    assert code == 0 and j["imported"] == 1
    changed = tmp_path / "changed"
    changed.mkdir()
    ds = pydicom.dcmread(str(src))
    ds.StudyDescription = "edited later"
    ds.save_as(str(changed / "SCSGERM"), enforce_file_format=True)
    code, j = dm_json("import", changed, "--store", store)
    assert code == 1 and j["conflicts"] == 1 and j["imported"] == 0, j
    got = stored(store)
    assert len(got) == 2 and {u for u, _, _, _ in got} == {str(ds.SOPInstanceUID)}
    assert sorted(c for _, _, _, c in got) == [False, True]
    newer = [p for _, p, _, c in got if c][0]
    assert sha256(newer) == sha256(changed / "SCSGERM")
    verify_clean(store)
    # The same changed copy again: already present, no second conflict.
    code, j = dm_json("import", changed, "--store", store)
    assert j["conflicts"] == 0 and j["alreadyPresent"] == 1


def test_show_remove(tmp_path):
    store = tmp_path / "store"
    dm("import", CORPUS / "pydicom-3.0.2" / "dicomdirtests" / "TINY_ALPHA", "--store", store)
    code, j = dm_json("store", "list", "--store", store)
    study = j["patients"][0]["studies"][0]
    series = study["series"][0]
    n_series = len(series["instances"])
    total = len(stored(store))
    r = dm("store", "show", series["instances"][0]["sopInstanceUID"], "--store", store)
    assert r.returncode == 0 and b"SHA-256" in r.stdout
    code, j = dm_json("store", "list", "--study", study["studyInstanceUID"], "--store", store)
    assert code == 0 and len(j["patients"]) == 1
    paths = [i["path"] for i in series["instances"]]
    code, j = dm_json("store", "remove", series["seriesInstanceUID"], "--store", store)
    assert code == 0 and j["level"] == "series" and len(j["removed"]) == n_series
    assert len(stored(store)) == total - n_series
    assert not any(Path(p).exists() for p in paths)
    verify_clean(store)
    assert dm("store", "remove", "1.2.3.4.5.6.7.8.9", "--store", store).returncode == 1


def test_verify_finds_tampering(tmp_path):
    store = tmp_path / "store"
    dm("import", CORPUS / "clunie-charset-fileset", "--store", store)
    got = stored(store)
    victim = Path(got[0][1])
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0xFF
    os.chmod(victim, 0o644)
    victim.write_bytes(bytes(data))
    Path(got[1][1]).unlink()
    (store / "objects" / "zz").mkdir()
    (store / "objects" / "zz" / "stray.dcm").write_bytes(b"x")
    code, j = dm_json("store", "verify", "--store", store)
    assert code == 1
    codes = sorted(p["code"] for p in j["problems"])
    assert codes == ["file-missing", "hash-changed", "orphan-file"], j


def test_two_imports_at_once(tmp_path):
    a, b, c = (synth(tmp_path / n, 40, seed=s) for n, s in (("a", 11), ("b", 12), ("c", 13)))
    assert len(a) == len(b) == len(c) == 40
    store = tmp_path / "store"
    expected = {**instances_on(tmp_path / "a"), **instances_on(tmp_path / "b"), **instances_on(tmp_path / "c")}
    for attempt in range(3):
        s = tmp_path / f"store{attempt}"
        p1 = subprocess.Popen([str(BIN), "import", tmp_path / "a", tmp_path / "b", "--store", s, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p2 = subprocess.Popen([str(BIN), "import", tmp_path / "c", tmp_path / "b", "--store", s, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        o1, e1 = p1.communicate()
        o2, e2 = p2.communicate()
        assert p1.returncode == 0, e1
        assert p2.returncode == 0, e2
        j1, j2 = json.loads(o1), json.loads(o2)
        assert j1["conflicts"] == j2["conflicts"] == 0
        assert j1["imported"] + j2["imported"] == len(expected)
        assert j1["imported"] + j1["alreadyPresent"] == 80 and j2["imported"] + j2["alreadyPresent"] == 80
        got = stored(s)
        assert sorted(x for _, _, x, _ in got) == sorted(expected)
        verify_clean(s)
    assert store is not None


def test_broken_iso_source_is_refused_clearly(tmp_path):
    # An image libarchive cannot read: the error names the file; no store is made.
    iso = tmp_path / "disc.iso"
    iso.write_bytes(b"\0" * 4096)
    r = dm("import", iso, "--store", tmp_path / "store")
    assert r.returncode == 2
    assert str(iso) in r.stderr.decode()
    assert not (tmp_path / "store" / "index.sqlite").exists()


def test_iso_made_by_xorriso_imports_like_its_folder(tmp_path):
    need("xorriso")
    src = CORPUS / "pydicom-3.0.2" / "dicomdirtests"
    iso = tmp_path / "disc.iso"
    p = subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-J", "-o", str(iso), str(src)], capture_output=True)
    assert p.returncode == 0, p.stderr
    code, j = dm_json("import", iso, "--store", tmp_path / "s")
    assert code in (0, 1), j
    expected = instances_on(src)
    assert sorted(x for _, _, x, _ in stored(tmp_path / "s")) == sorted(expected)
    code, j = dm_json("import", iso, "--store", tmp_path / "s")
    assert j["imported"] == 0 and j["alreadyPresent"] == len(expected)
    verify_clean(tmp_path / "s")


def test_deidentified_import_is_consistent_across_runs(tmp_path):
    # The store keeps its de-identification key: importing the same medium again finds every instance present.
    src = CORPUS / "pydicom-3.0.2" / "dicomdirtests" / "TINY_ALPHA"
    code, j1 = dm_json("import", src, "--deidentify", "--store", tmp_path / "s")
    assert j1["imported"] > 0, j1
    code, j2 = dm_json("import", src, "--deidentify", "--store", tmp_path / "s")
    assert j2["imported"] == 0 and j2["alreadyPresent"] == j1["imported"], j2
    originals = set(instances_on(src).values())
    for uid, path, _, _ in stored(tmp_path / "s"):
        ds = pydicom.dcmread(path)
        assert uid not in originals and ds.PatientIdentityRemoved == "YES"
    assert oct((tmp_path / "s" / "deid.key").stat().st_mode & 0o777) == "0o600"
    verify_clean(tmp_path / "s")


def test_missing_source_and_store(tmp_path):
    r = dm("import", tmp_path / "nope", "--store", tmp_path / "store")
    assert r.returncode == 2 and b"no such file or folder" in r.stderr
    r = dm("store", "list", "--store", tmp_path / "nostore")
    assert r.returncode == 2 and b"no store here" in r.stderr


def test_selection_feeds_fileset_creator(tmp_path):
    # What `export` will do: the stored files of a selection are inputs `create` takes as they are.
    store = tmp_path / "store"
    dm("import", CORPUS / "pydicom-3.0.2" / "dicomdirtests" / "TINY_ALPHA", "--store", store)
    code, j = dm_json("store", "list", "--store", store)
    study = j["patients"][0]["studies"][0]
    code, sel = dm_json("store", "list", "--study", study["studyInstanceUID"], "--store", store)
    insts = [i for p in sel["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"]]
    r = dm("create", tmp_path / "OUT", *[i["path"] for i in insts])
    assert r.returncode in (0, 1), r.stderr
    code, out = dm_json("list", tmp_path / "OUT")
    got = sorted(i["sopInstanceUID"] for p in out["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"])
    assert got == sorted(i["sopInstanceUID"] for i in insts) and got


@pytest.mark.parametrize("name", ["clunie-charset-fileset", "pydicom-3.0.2/dicomdirtests/TINY_ALPHA"])
def test_store_list_has_the_shape_of_list(name, tmp_path):
    # `store list --json` after importing a File-set gives the same patient > study > series >
    # instance tree (same keys, same UIDs) as `list --json` of the File-set.
    store = tmp_path / "store"
    dm("import", CORPUS / name, "--store", store)
    _, ours = dm_json("store", "list", "--store", store)
    r = dm("list", "--json", CORPUS / name)
    theirs = json.loads(r.stdout)

    def tree(j):
        return sorted((p["patientID"], st["studyInstanceUID"], se["seriesInstanceUID"], se["modality"], i["sopInstanceUID"])
                      for p in j["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"])

    assert tree(ours) == tree(theirs) and tree(ours)
    for key in ("patientID", "patientName", "studies"):
        assert key in ours["patients"][0]
    assert {"studyInstanceUID", "studyDate", "studyDescription", "series"} <= set(ours["patients"][0]["studies"][0])
    assert {"sopClassUID", "sopInstanceUID", "transferSyntaxUID"} <= set(ours["patients"][0]["studies"][0]["series"][0]["instances"][0])
