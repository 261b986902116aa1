"""What users expect from create/update/export (issue 10, item 9): nothing to write is exit 1 with no
DICOMDIR; update keeps the File-set's profile (recorded, else implied by its content, else it asks for
--profile), keeps allowed compressed inputs compressed and reuses a patient's folders; stray names on
the medium are planned around; --dry-run shows exactly what the run does."""
import json
import subprocess
from pathlib import Path

import pydicom
from pydicom.uid import generate_uid

from conftest import BIN, CORPUS, run
from fileset_util import TEST_FILES, hash_tree, list_json, our_instances, pydicom_fileset, run_json, verify

IMAGES = CORPUS / "cornerstone3D" / "testImages"
JPEG_SV1 = IMAGES / "CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm"
JPEG_PROGRESSIVE = IMAGES / "CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm"
CT = TEST_FILES / "CT_small.dcm"
IMPLICIT = TEST_FILES / "MR_small_implicit.dcm"
SV1 = "1.2.840.10008.1.2.4.70"


def variant(src, out, series=None, study=None, patient=None):
    """A copy of `src` with a new SOP Instance UID (and optionally other series/study/patient), pixels untouched."""
    ds = pydicom.dcmread(str(src))
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    if series:
        ds.SeriesInstanceUID = series
    if study:
        ds.StudyInstanceUID = study
    if patient:
        ds.PatientID = patient
    ds.save_as(str(out), enforce_file_format=True)
    return Path(out)


def file_ts(path):
    return str(pydicom.dcmread(str(path), stop_before_pixels=True).file_meta.TransferSyntaxUID)


def nothing_written(r):
    text = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    return "no instances: nothing written" in text


# ---------------------------------------------------------------------------------------------
# 1. Nothing to write


def test_nothing_to_write_writes_no_dicomdir(tmp_path):
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.txt").write_text("not DICOM")
    empty = tmp_path / "empty"
    empty.mkdir()

    for inputs in ([empty], [junk]):
        out = tmp_path / "out"
        r = run("create", out, *inputs)
        assert r.returncode == 1 and nothing_written(r), r
        assert not out.exists(), "create made no File-set, so it leaves no folder"
        iso = tmp_path / "out.iso"
        r = run("create", "--iso", iso, *inputs)
        assert r.returncode == 1 and nothing_written(r), r
        assert not iso.exists()

    # Every input refused by the profile (CT in a basic cardiac XA profile): the same.
    out = tmp_path / "refused"
    rc, rep, err = run_json("create", out, CT, "--profile", "STD-XABC-CD")
    assert rc == 1 and rep["nothingWritten"] and len(rep["refused"]) == 1, (rep, err)
    assert "no instances: nothing written" in err
    assert not out.exists()

    # A folder that existed stays, without DICOMDIR or journal.
    kept = tmp_path / "kept"
    kept.mkdir()
    r = run("create", kept, junk)
    assert r.returncode == 1 and nothing_written(r)
    assert kept.is_dir() and list(kept.iterdir()) == []

    # update: the DICOMDIR is not rewritten.
    fs = tmp_path / "fs"
    run("create", fs, CT, check=True)
    before = hash_tree(fs)
    r = run("update", fs, junk)
    assert r.returncode == 1 and nothing_written(r), r
    assert hash_tree(fs) == before

    # export: an empty selection, and a selection the profile refuses entirely.
    store = tmp_path / "store"
    run("import", CT, "--store", store, check=True)
    r = run("export", tmp_path / "x1", "--store", store, "--patient", "NOBODY")
    assert r.returncode == 1 and nothing_written(r), r
    assert not (tmp_path / "x1").exists()
    r = run("export", tmp_path / "x2", "--store", store, "--profile", "STD-XABC-CD")
    assert r.returncode == 1 and nothing_written(r), r
    assert not (tmp_path / "x2").exists()


# ---------------------------------------------------------------------------------------------
# 2. update keeps the File-set's profile and a patient's folders


def test_update_keeps_recorded_profile_compression_and_folders(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    first = variant(JPEG_SV1, src / "a.dcm")
    base = pydicom.dcmread(str(first), stop_before_pixels=True)
    same_series = variant(JPEG_SV1, src / "b.dcm")
    new_series = variant(JPEG_SV1, src / "c.dcm", series=generate_uid())
    new_study = variant(JPEG_SV1, src / "d.dcm", study=generate_uid(), series=generate_uid())
    assert file_ts(first) == SV1

    fs = tmp_path / "fs"
    rc, rep, err = run_json("create", fs, first, "--profile", "STD-GEN-USB-JPEG")
    assert rc == 0 and rep["profile"] == "STD-GEN-USB-JPEG", (rep, err)
    (p, st, se, _) = rep["added"][0]["fileID"].split("/")[1:]

    # Recorded where other readers do not mind it.
    r = subprocess.run(["dciodvfy", str(fs / "DICOMDIR")], capture_output=True)
    assert b"Error" not in r.stdout + r.stderr, r
    assert subprocess.run(["dcmdump", "-q", str(fs / "DICOMDIR")], capture_output=True).returncode == 0
    assert len(list(pydicom.fileset.FileSet(str(fs / "DICOMDIR")))) == 1

    rc, rep, err = run_json("update", fs, same_series, new_series, new_study)
    assert rc == 0, (rep, err)
    assert rep["profile"] == "STD-GEN-USB-JPEG" and rep["profileSource"] == "recorded", rep
    assert rep["transcoded"] == [], "allowed JPEG inputs are copied, not turned into Explicit VR LE"
    ids = {Path(a["source"]).name: a["fileID"].split("/") for a in rep["added"]}
    for a in rep["added"]:
        assert file_ts(fs / a["fileID"]) == SV1
    assert ids["b.dcm"][1:4] == [p, st, se], "same series: the series' folder"
    assert ids["c.dcm"][1:3] == [p, st] and ids["c.dcm"][3] != se, "new series of the study: under the study's folder"
    assert ids["d.dcm"][1] == p and ids["d.dcm"][2] != st, "new study of the patient: under the patient's folder"
    assert base.PatientID  # the patient folder was chosen by Patient ID
    rc, problems, text = verify(fs)
    assert rc == 0, text


def test_update_profile_implied_by_content_else_asked_for(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    first = variant(JPEG_SV1, src / "a.dcm")
    more = variant(JPEG_SV1, src / "b.dcm")
    # A File-set another tool made (no recorded profile): its JPEG content implies a JPEG profile.
    other = tmp_path / "pyfs"
    dicomdir, added = pydicom_fileset([first], other)
    assert added == 1
    rc, rep, err = run_json("update", other, more)
    assert rc == 0, (rep, err)
    assert rep["profileSource"] == "content" and rep["profile"] == "STD-GEN-USB-JPEG", rep
    assert rep["transcoded"] == [] and file_ts(other / rep["added"][0]["fileID"]) == SV1

    # Implicit VR Little Endian content fits no profile: update asks for --profile (usage error).
    odd = tmp_path / "odd"
    dicomdir, added = pydicom_fileset([IMPLICIT], odd)
    assert added == 1
    before = hash_tree(odd)
    r = run("update", odd, CT)
    assert r.returncode == 64, r
    assert b"--profile" in r.stderr, r.stderr
    assert hash_tree(odd) == before
    rc, rep, err = run_json("update", odd, CT, "--profile", "STD-GEN-CD")
    assert rc == 0 and rep["profileSource"] == "option" and len(rep["added"]) == 1, (rep, err)

    # --profile contradicting the recorded profile and the content: refused as a usage error.
    fs = tmp_path / "fs"
    run("create", fs, first, "--profile", "STD-GEN-USB-JPEG", check=True)
    r = run("update", fs, more, "--profile", "STD-GEN-CD")
    assert r.returncode == 64 and b"STD-GEN-USB-JPEG" in r.stderr, r


# ---------------------------------------------------------------------------------------------
# 3. Stray names


def test_stray_names_are_planned_around(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    files = [variant(CT, src / f"{i}.dcm") for i in range(3)]
    out = tmp_path / "out"
    series = out / "DICOM" / "P0000001" / "S0000001" / "SE000001"
    series.mkdir(parents=True)
    (series / "I0000001").write_bytes(b"a stray file, not referenced by any DICOMDIR")
    (series / "I0000002").mkdir()  # a folder where a file would go
    rc, rep, err = run_json("create", out, *files)
    assert rc == 0, (rep, err)
    ids = sorted(a["fileID"] for a in rep["added"])
    assert "DICOM/P0000001/S0000001/SE000001/I0000001" not in ids
    assert "DICOM/P0000001/S0000001/SE000001/I0000002" not in ids
    assert (series / "I0000001").read_bytes() == b"a stray file, not referenced by any DICOMDIR"
    assert (series / "I0000002").is_dir()
    for i in ids:
        assert pydicom.dcmread(str(out / i)).SOPInstanceUID in {pydicom.dcmread(str(f)).SOPInstanceUID for f in files}

    # The stray folders are not taken over for the new patient either: all three in one new series folder.
    folders = {str(Path(i).parent) for i in ids}
    assert len(folders) == 1 and not folders.pop().startswith("DICOM/P0000001/"), ids

    # update: a stray file at the next free name of that series folder is skipped too.
    home = out / Path(ids[0]).parent
    taken = {Path(i).name for i in ids}
    nxt = next(f"I{n:07d}" for n in range(1, 100) if f"I{n:07d}" not in taken)
    (home / nxt).write_bytes(b"another stray")
    extra = variant(CT, src / "extra.dcm")
    rc, rep, err = run_json("update", out, extra)
    assert rc == 0, (rep, err)
    [added] = rep["added"]
    assert Path(added["fileID"]).parent == Path(ids[0]).parent and Path(added["fileID"]).name not in taken | {nxt}, added
    assert (home / nxt).read_bytes() == b"another stray"
    rc, listing, err = list_json(out)
    assert rc == 0 and len(our_instances(listing)) == 4, err

    # A file where the layout's fixed top folder goes: the next free name, a note, exit 0.
    out2 = tmp_path / "out2"
    out2.mkdir()
    (out2 / "DICOM").write_bytes(b"stray")
    rc, rep, err = run_json("create", out2, files[0])
    assert rc == 0, (rep, err)
    [added] = rep["added"]
    assert added["fileID"].split("/")[0] != "DICOM" and (out2 / "DICOM").read_bytes() == b"stray"
    assert [p["severity"] for p in rep["problems"] if p["code"] == "name-taken"] == ["info"], rep["problems"]


# ---------------------------------------------------------------------------------------------
# 4. --dry-run shows exactly what the run does


def plan_of(rep):
    return dict(
        added=sorted((a["fileID"], a["source"], a["recordType"]) for a in rep["added"]),
        transcoded=sorted((t["source"], t["fileID"], t["from"], t["to"], t["lossy"]) for t in rep["transcoded"]),
        refused=sorted(r["source"] for r in rep["refused"]),
        notDicom=sorted(n["path"] for n in rep["notDicom"]),
        unreadable=sorted(u["path"] for u in rep["unreadable"]),
    )


def test_dry_run_matches_the_run(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("not DICOM")
    # Copied, transcoded (JPEG into STD-GEN-CD), refused only when encoding (no JPEG progressive decoder), not DICOM.
    inputs = [CT, JPEG_SV1, JPEG_PROGRESSIVE, note]
    out = tmp_path / "out"
    rc_dry, dry, err = run_json("create", out, *inputs, "--dry-run", "--export-time", "20260101120000")
    assert dry is not None and dry["dryRun"], err
    assert not out.exists(), "a dry run writes nothing"
    rc, real, err = run_json("create", out, *inputs, "--export-time", "20260101120000")
    assert real is not None, err
    assert rc_dry == rc == 1
    assert plan_of(dry) == plan_of(real)
    assert len(real["added"]) == 2 and len(real["transcoded"]) == 1 and len(real["refused"]) == 1

    # update, and the volumes of a split: the same File IDs and volumes.
    src = tmp_path / "src"
    src.mkdir()
    more = [variant(CT, src / f"{i}.dcm", series=generate_uid() if i % 2 else None) for i in range(4)]
    rc_dry, dry, err = run_json("update", out, *more, "--dry-run")
    rc, real, err2 = run_json("update", out, *more)
    assert rc_dry == rc == 0 and plan_of(dry) == plan_of(real), (err, err2)

    def volumes(rep):
        return [(Path(v["output"]).name, v["instances"], plan_of(v["report"])) for v in rep["volumes"]]
    split = tmp_path / "split"
    rc_dry, dry, err = run_json("create", split, *more, CT, "--media", "1100K", "--dry-run", "--export-time", "20260101120000")
    assert dry is not None, err
    assert not list(tmp_path.glob("split*"))
    rc, real, err = run_json("create", split, *more, CT, "--media", "1100K", "--export-time", "20260101120000")
    assert real is not None, err
    assert rc_dry == rc and len(real["volumes"]) > 1
    assert volumes(dry) == volumes(real)
