"""Changing a File-set: `update` never changes an existing file, `remove` deletes files and records
and prunes empty parents, `create --in-place` indexes conformant names only, and the arineta layout
puts two exports side by side under one DICOMDIR."""
import re
import shutil
from pathlib import Path

import pydicom
import pytest

from conftest import run
from fileset_util import (DICOMDIRTESTS, SAMPLES, TEST_FILES, hash_tree, have_verify, list_json, our_instances,
                          pydicom_check_files, run_json, sop_of, verify)


def sops_listed(root):
    rc, listing, err = list_json(root)
    assert rc == 0 and listing is not None, (err, listing and listing["problems"])
    inst = our_instances(listing)
    assert all(i["present"] for i in inst), [i for i in inst if not i["present"]]
    return [i["sopInstanceUID"] for i in inst], listing


def assert_verify_clean(root):
    if have_verify():
        rc, _, text = verify(root)
        assert rc == 0, text


# ---------------------------------------------------------------------------------------------
# update


def test_update_never_changes_existing_files(tmp_path):
    fs = tmp_path / "fs"
    rc, rep, err = run_json("create", fs, DICOMDIRTESTS, SAMPLES)
    assert rc == 0 and rep is not None, (err, rep)
    old_sops, _ = sops_listed(fs)
    before = hash_tree(fs)

    duplicate = sorted(SAMPLES.rglob("*.dcm"))[0]           # already on the medium, same bytes
    changed = tmp_path / "changed.dcm"                       # same SOP Instance UID, other content
    ds = pydicom.dcmread(str(duplicate))
    ds.ImageComments = "changed after the File-set was written"
    ds.save_as(str(changed))
    new_files = [TEST_FILES / "CT_small.dcm", TEST_FILES / "MR_small.dcm", TEST_FILES / "test-SR.dcm"]
    new_sops = [sop_of(f) for f in new_files]

    rc, rep, err = run_json("update", fs, *new_files, duplicate, changed)
    assert rep is not None, err
    assert rc == 1, rep  # something was refused
    assert sorted(a["sopInstanceUID"] for a in rep["added"]) == sorted(new_sops)
    assert [Path(p["source"]).name for p in rep["alreadyPresent"]] == [duplicate.name]
    assert [Path(r["source"]).name for r in rep["refused"]] == ["changed.dcm"]
    assert "different content" in rep["refused"][0]["reason"]

    after = hash_tree(fs)
    changed_files = [p for p in before if p != "DICOMDIR" and after.get(p) != before[p]]
    assert changed_files == [], changed_files
    added_paths = set(after) - set(before)
    assert added_paths == {a["fileID"] for a in rep["added"]}
    assert not (fs / ".dicom-media").exists()

    sops, _ = sops_listed(fs)
    assert sorted(sops) == sorted(old_sops + new_sops)
    assert sorted(pydicom_check_files(fs / "DICOMDIR")) == sorted(old_sops + new_sops)
    assert_verify_clean(fs)


# ---------------------------------------------------------------------------------------------
# remove


def test_remove_series(tmp_path):
    fs = tmp_path / "fs"
    rc, rep, err = run_json("create", fs, SAMPLES)
    assert rc == 0, (err, rep)
    _, listing = sops_listed(fs)
    # A patient with one study with one series: removing it leaves no empty parent behind.
    lone = next(p for p in listing["patients"] if len(p["studies"]) == 1 and len(p["studies"][0]["series"]) == 1)
    lone_series = lone["studies"][0]["series"][0]
    # A series whose study keeps other series.
    study = next(st for p in listing["patients"] for st in p["studies"] if len(st["series"]) > 1)
    other = study["series"][0]
    gone = lone_series["instances"] + other["instances"]
    kept = [i for i in our_instances(listing) if i not in gone]

    rc, rep, err = run_json("remove", fs, "--series", lone_series["seriesInstanceUID"], "--series", other["seriesInstanceUID"])
    assert rc == 0, (err, rep)
    assert sorted(rep["removedFiles"]) == sorted(i["fileID"] for i in gone)
    for i in gone:
        assert not (fs / i["fileID"]).exists()
        # Folders left empty are removed too.
        assert not (fs / i["fileID"]).parent.exists()
    for i in kept:
        assert (fs / i["fileID"]).is_file()

    sops, after = sops_listed(fs)
    assert sorted(sops) == sorted(i["sopInstanceUID"] for i in kept)
    assert lone["patientID"] not in [p["patientID"] for p in after["patients"]]
    series_left = [se["seriesInstanceUID"] for p in after["patients"] for st in p["studies"] for se in st["series"]]
    assert lone_series["seriesInstanceUID"] not in series_left and other["seriesInstanceUID"] not in series_left
    assert study["studyInstanceUID"] in [st["studyInstanceUID"] for p in after["patients"] for st in p["studies"]]
    # No empty PATIENT/STUDY/SERIES record is left.
    for p in after["patients"]:
        assert p["studies"]
        for st in p["studies"]:
            assert st["series"]
            for se in st["series"]:
                assert se["instances"]
    assert sorted(pydicom_check_files(fs / "DICOMDIR")) == sorted(sops)
    assert not (fs / ".dicom-media").exists()
    assert_verify_clean(fs)

    # Removing what is no longer there: reported, exit 1, nothing changes.
    before = hash_tree(fs)
    rc, rep, err = run_json("remove", fs, "--series", other["seriesInstanceUID"])
    assert rc == 1 and rep["notFound"], (err, rep)
    assert hash_tree(fs) == before


# ---------------------------------------------------------------------------------------------
# create --in-place


def test_in_place(tmp_path):
    root = tmp_path / "medium"
    samples = sorted(SAMPLES.rglob("*.dcm"))
    good = {"IMAGES/SER1/IM00001": samples[0], "IMAGES/SER1/IM00002": samples[1], "IMAGES/SER2/IM00001": samples[2],
            "A/B/C/D/E/F/G/IM00001": samples[3]}
    bad = {"IMAGES/SER1/im00003": samples[4], "IMAGES/IM4.DCM": samples[5], "lower/IM00005": samples[6],
           "IMAGES/TOOLONGNAME": samples[7], "IMAGES/IM-9": samples[8]}
    for rel, src in {**good, **bad}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, root / rel)
    before = hash_tree(root)

    rc, rep, err = run_json("create", root, "--in-place")
    assert rep is not None, err
    assert rc == 1, rep  # refusals are problems
    assert sorted(a["fileID"] for a in rep["added"]) == sorted(good)
    refused = {str(Path(r["source"]).relative_to(root)): r["reason"] for r in rep["refused"]}
    assert sorted(refused) == sorted(bad)
    for reason in refused.values():
        assert "not a conformant File ID" in reason
    # Nothing copied, renamed or rewritten: only the DICOMDIR is new.
    after = hash_tree(root)
    assert {k: v for k, v in after.items() if k != "DICOMDIR"} == before

    sops, listing = sops_listed(root)
    assert sorted(sops) == sorted(sop_of(f) for f in good.values())
    assert sorted(i["fileID"] for i in our_instances(listing)) == sorted(good)
    assert sorted(pydicom_check_files(root / "DICOMDIR")) == sorted(sops)


# ---------------------------------------------------------------------------------------------
# arineta layout


def test_arineta_two_exports(tmp_path):
    fs = tmp_path / "medium"
    first_inputs = SAMPLES / "SYN321670"
    second_inputs = SAMPLES / "SYN321669"
    rc, rep, err = run_json("create", fs, first_inputs, "--layout", "arineta", "--export-time", "20261123140509")
    assert rc == 0, (err, rep)
    first = {a["sopInstanceUID"]: a["fileID"] for a in rep["added"]}
    assert first
    for fid in first.values():
        assert re.fullmatch(r"261123/140509/ST\d{6}/\d{6}/I\d{5}", fid), fid
    before = hash_tree(fs)

    rc, rep, err = run_json("update", fs, second_inputs, "--layout", "arineta", "--export-time", "20261124093000")
    assert rc == 0, (err, rep)
    second = {a["sopInstanceUID"]: a["fileID"] for a in rep["added"]}
    assert second
    for fid in second.values():
        assert re.fullmatch(r"261124/093000/ST\d{6}/\d{6}/I\d{5}", fid), fid
    after = hash_tree(fs)
    assert all(after[p] == h for p, h in before.items() if p != "DICOMDIR")
    assert sorted(p.name for p in fs.iterdir()) == ["261123", "261124", "DICOMDIR"]

    # One DICOMDIR indexes both exports.
    sops, listing = sops_listed(fs)
    ids = {i["sopInstanceUID"]: i["fileID"] for i in our_instances(listing)}
    assert ids == {**first, **second}
    assert sorted(pydicom_check_files(fs / "DICOMDIR")) == sorted(ids)
    assert_verify_clean(fs)

    # Study ID / Series Number / Instance Number come from the headers (all numeric here).
    for sop, fid in ids.items():
        path = fs / fid
        ds = pydicom.dcmread(str(path), stop_before_pixels=True)
        _, _, st, se, im = fid.split("/")
        assert st == f"ST{int(ds.StudyID):06d}" and se == f"{int(ds.SeriesNumber):06d}" and im == f"I{int(ds.InstanceNumber):05d}"
