"""A File-set written by `dicom-media create` from corpus inputs is accepted by the peers:
dciodvfy finds no error in the DICOMDIR, pydicom's FileSet loads exactly the input instances,
dcmdump reads it, `dcmmkdir +A` appends to it, and `dicom-media verify` reports it clean."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import need, run
from fileset_util import (CHARSET_FILESET, DICOMDIRTESTS, EXPLICIT_LE, SAMPLES, TEST_FILES, CORPUS, have_verify,
                          list_json, our_instances, pydicom_check_files, referenced_sops, run_json, sop_of, verify)

# Explicit VR Little Endian instances of many kinds (STD-GEN-CD takes nothing else).
SINGLE_FILES = [TEST_FILES / n for n in ("CT_small.dcm", "MR_small.dcm", "test-SR.dcm", "reportsi.dcm",
                                          "waveform_ecg.dcm", "liver_1frame.dcm")] + \
               [CORPUS / "pydicom-data-1.0.0" / "data" / n for n in ("emri_small.dcm", "SC_rgb.dcm")]
# Implicit VR Little Endian in the corpus: given as Explicit VR LE copies made by `transcode`.
IMPLICIT_FILES = [TEST_FILES / n for n in ("rtplan.dcm", "rtdose.dcm", "rtstruct.dcm")]
# Existing File-sets, read through their DICOMDIR.
FILESET_INPUTS = [DICOMDIRTESTS, CHARSET_FILESET]


@pytest.fixture(scope="module")
def created(tmp_path_factory):
    """(File-set folder, expected SOP Instance UIDs, create report)."""
    tmp = tmp_path_factory.mktemp("create")
    converted = []
    for f in IMPLICIT_FILES:
        out = tmp / "explicit" / f.name
        out.parent.mkdir(exist_ok=True)
        r = run("transcode", f, out, "--to", "explicit-little")
        assert r.returncode in (0, 1) and out.is_file(), r.stderr  # 1: rtstruct.dcm has no File Meta
        converted.append(out)
    expected = []
    for fs in FILESET_INPUTS:
        expected += referenced_sops(fs)
    for f in SINGLE_FILES + converted:
        expected.append(sop_of(f))
    expected += [sop_of(f) for f in sorted(SAMPLES.rglob("*.dcm"))]
    assert len(expected) == len(set(expected)) > 60
    out = tmp / "fs"
    rc, report, err = run_json("create", out, *FILESET_INPUTS, *SINGLE_FILES, *converted, SAMPLES,
                               "--fileset-id", "INTEROP_1", "--export-time", "20261123140509")
    assert report is not None, err
    # Exit 1 is expected: some inputs lack Type 1 keys (reported as invented-key warnings).
    assert rc in (0, 1), err
    assert report["refused"] == [] and report["unreadable"] == [], report
    assert {p["code"] for p in report["problems"]} <= {"invented-key", "last-root-offset"}, report["problems"]
    return out, expected, report


def test_dciodvfy_no_errors(created):
    out, _, _ = created
    need("dciodvfy")
    r = subprocess.run(["dciodvfy", str(out / "DICOMDIR")], capture_output=True)
    text = (r.stdout + r.stderr).decode(errors="replace")
    errors = [l for l in text.splitlines() if l.startswith("Error")]
    assert errors == [], text


def test_pydicom_loads_exactly_the_inputs(created):
    out, expected, report = created
    files = pydicom_check_files(out / "DICOMDIR")
    assert sorted(files) == sorted(expected)
    assert len(report["added"]) == len(expected)
    # Every file written is Part 10 with the transfer syntax its record names.
    import pydicom
    ds = pydicom.dcmread(str(out / "DICOMDIR"))
    assert ds.file_meta.TransferSyntaxUID == EXPLICIT_LE
    assert ds.FileSetID == "INTEROP_1"
    for rec in ds.DirectoryRecordSequence:
        if "ReferencedFileID" in rec:
            assert rec.ReferencedTransferSyntaxUIDInFile == EXPLICIT_LE


def test_list_matches(created):
    out, expected, _ = created
    rc, listing, err = list_json(out)
    assert rc == 0, (err, listing and listing["problems"])
    inst = our_instances(listing)
    assert sorted(i["sopInstanceUID"] for i in inst) == sorted(expected)
    assert all(i["present"] for i in inst)
    # Standard layout: DICOM/Pnnnnnnn/Snnnnnnn/SEnnnnnn/Innnnnnn.
    for i in inst:
        assert re.fullmatch(r"DICOM/P\d{7}/S\d{7}/SE\d{6}/I\d{7}", i["fileID"]), i["fileID"]


def test_dcmdump_reads_it(created):
    out, _, _ = created
    need("dcmdump")
    r = subprocess.run(["dcmdump", "-q", str(out / "DICOMDIR")], capture_output=True)
    assert r.returncode == 0, r.stderr.decode(errors="replace")


def test_dcmmkdir_appends(created, tmp_path):
    out, expected, _ = created
    need("dcmmkdir")
    copy = tmp_path / "fs"
    shutil.copytree(out, copy)
    extra = CORPUS / "pydicom-data-1.0.0" / "data" / "MR-SIEMENS-DICOM-WithOverlays.dcm"
    (copy / "EXTRA").mkdir()
    shutil.copyfile(extra, copy / "EXTRA" / "MRSIEMEN")
    r = subprocess.run(["dcmmkdir", "+A", "+D", "DICOMDIR", "EXTRA/MRSIEMEN"], cwd=copy, capture_output=True)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    rc, listing, err = list_json(copy)
    assert rc == 0, (err, listing and listing["problems"])
    inst = {i["sopInstanceUID"]: i for i in our_instances(listing)}
    sop = sop_of(extra)
    assert sop in inst and inst[sop]["present"] and inst[sop]["fileID"] == "EXTRA/MRSIEMEN"
    assert set(inst) == set(expected) | {sop}
    assert sorted(pydicom_check_files(copy / "DICOMDIR")) == sorted(set(expected) | {sop})


def test_verify_clean(created):
    out, _, _ = created
    if not have_verify():
        pytest.skip("dicom-media verify does not exist yet")
    rc, problems, text = verify(out)
    assert rc == 0, text
    rc, problems, text = verify(out, "--profile", "STD-GEN-CD")
    assert rc == 0, text


def test_implicit_vr_is_transcoded_for_std_gen_cd(tmp_path):
    """STD-GEN-CD takes only Explicit VR LE (PS3.11 D.3.1): an Implicit VR original is written in it, not refused."""
    import pydicom
    rc, report, err = run_json("create", tmp_path / "fs", TEST_FILES / "rtplan.dcm", TEST_FILES / "CT_small.dcm")
    # The contract: rtplan lacks Instance Number, an invented key is a warning (on stderr), exit 0.
    assert rc == 0 and report["refused"] == [], (err, report)
    assert "invented-key" in err
    [t] = report["transcoded"]
    assert t["source"].endswith("rtplan.dcm") and t["from"] == "1.2.840.10008.1.2" and t["to"] == EXPLICIT_LE
    ds = pydicom.dcmread(tmp_path / "fs" / t["fileID"])
    assert ds.file_meta.TransferSyntaxUID == EXPLICIT_LE and ds.SOPInstanceUID == sop_of(TEST_FILES / "rtplan.dcm")
    assert sorted(a["sopInstanceUID"] for a in report["added"]) == sorted([sop_of(TEST_FILES / "CT_small.dcm"), sop_of(TEST_FILES / "rtplan.dcm")])

