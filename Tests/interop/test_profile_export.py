"""Profile-driven transcoding on create (issue 4): compressed inputs written to STD-GEN-CD,
STD-GEN-DVD-JPEG and STD-GEN-USB-J2K File-sets in the syntaxes each profile allows, accepted by
`verify --profile`, dciodvfy (DICOMDIR and every file) and pydicom's FileSet, pixels unchanged."""
import subprocess

import numpy as np
import pydicom
import pytest

from conftest import CORPUS, need, run
from fileset_util import pydicom_check_files, run_json

C3 = "cornerstone3D/testImages/CTImage.dcm"
WG = "wg04-via-dicom-test-files"
PDD = "pydicom-data-1.0.0/data"
PD = "pydicom-3.0.2/test_files"

# Compressed inputs (lossless) with their native references, plus native inputs.
INPUTS = {
    f"{C3}_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm": C3,
    f"{WG}/J2KR/MR4_J2KR": f"{WG}/REF/MR4_UNC",
    f"{WG}/JLSL/NM1_JLSL": f"{WG}/REF/NM1_UNC",
    f"{WG}/RLE/US1_RLE": f"{WG}/REF/US1_UNC",
    f"{PDD}/emri_small_RLE.dcm": f"{PDD}/emri_small.dcm",
    f"{PD}/MR_small.dcm": f"{PD}/MR_small.dcm",
}

PROFILES = {
    "STD-GEN-CD": {"1.2.840.10008.1.2.1"},
    "STD-GEN-DVD-JPEG": {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"},
    "STD-GEN-USB-J2K": {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"},
}
# What an input the profile does not allow becomes by default (lossless).
DEFAULT_TARGET = {"STD-GEN-CD": "1.2.840.10008.1.2.1", "STD-GEN-DVD-JPEG": "1.2.840.10008.1.2.4.70",
                  "STD-GEN-USB-J2K": "1.2.840.10008.1.2.4.90"}


def sop(path):
    return pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID


@pytest.fixture(scope="module", params=sorted(PROFILES))
def exported(request, tmp_path_factory):
    profile = request.param
    out = tmp_path_factory.mktemp(profile) / "fs"
    rc, report, err = run_json("create", out, *[CORPUS / p for p in INPUTS], "--profile", profile)
    # Some WG04 inputs lack Patient ID: the invented-key warnings make it exit 1; nothing else may go wrong.
    assert rc in (0, 1) and report["refused"] == [] and report["unreadable"] == [], (err, report)
    assert {p["code"] for p in report["problems"] if p["severity"] != "info"} <= {"invented-key"}, report["problems"]
    return profile, out, report


def test_every_input_is_in_an_allowed_syntax_with_its_pixels(exported):
    profile, out, report = exported
    assert len(report["added"]) == len(INPUTS)
    by_source = {a["source"]: a["fileID"] for a in report["added"]}
    for src, ref in INPUTS.items():
        fid = by_source[str(CORPUS / src)]
        ds = pydicom.dcmread(out / fid)
        ts = str(ds.file_meta.TransferSyntaxUID)
        assert ts in PROFILES[profile], f"{src}: {ts}"
        src_ts = str(pydicom.dcmread(CORPUS / src, stop_before_pixels=True).file_meta.TransferSyntaxUID)
        if src_ts not in PROFILES[profile]:
            assert ts == DEFAULT_TARGET[profile], f"{src}: {ts}"
        else:
            assert (out / fid).read_bytes() == (CORPUS / src).read_bytes(), "allowed inputs are copied untouched"
        assert ds.SOPInstanceUID == sop(CORPUS / src)
        assert np.array_equal(ds.pixel_array, pydicom.dcmread(CORPUS / ref).pixel_array), src
    assert {t["to"] for t in report["transcoded"]} <= {DEFAULT_TARGET[profile]}


def test_verify_with_the_profile_is_clean(exported):
    profile, out, _ = exported
    rc, v, err = run_json("verify", out, "--profile", profile)
    assert rc == 0, (err, v and v.get("problems"))


def test_dciodvfy_accepts_dicomdir_and_files(exported):
    _, out, _ = exported
    need("dciodvfy")
    for f in [out / "DICOMDIR"] + [p for p in out.rglob("*") if p.is_file() and p.name != "DICOMDIR"]:
        r = subprocess.run(["dciodvfy", str(f)], capture_output=True)
        text = (r.stdout + r.stderr).decode(errors="replace")
        errors = [l for l in text.splitlines() if l.startswith("Error")]
        # Errors the input already had are not ours: compare with the source file's own report.
        assert not [e for e in errors if "Pixel" in e or "Transfer" in e or "Lossy" in e], text


def test_pydicom_fileset_loads_them(exported):
    _, out, _ = exported
    assert sorted(pydicom_check_files(out / "DICOMDIR")) == sorted(sop(CORPUS / p) for p in INPUTS)


def test_compression_none_refuses_what_only_compression_fits(tmp_path):
    # STD-XABC-CD allows only JPEG Lossless: with --compression none nothing can be written.
    ds = pydicom.dcmread(CORPUS / f"{PD}/MR_small_RLE.dcm")
    ds.decompress()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.12.1"
    ds.Modality = "XA"
    xa = tmp_path / "xa.dcm"
    ds.save_as(xa, enforce_file_format=True)
    rc, report, err = run_json("create", tmp_path / "fs", xa, "--profile", "STD-XABC-CD", "--compression", "none")
    assert rc == 1, err
    assert report["refused"] and "--compression none" in report["refused"][0]["reason"], report["refused"]


def test_lossy_on_request_makes_a_new_instance(tmp_path):
    src = CORPUS / f"{PDD}/SC_rgb.dcm"
    rc, report, err = run_json("create", tmp_path / "fs", src, "--profile", "STD-GEN-DVD-JPEG",
                               "--compression", "lossy", "--recompress")
    assert rc == 0, (err, report)
    [added] = report["added"]
    ds = pydicom.dcmread(tmp_path / "fs" / added["fileID"])
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.50"
    assert ds.LossyImageCompression == "01"
    assert ds.SOPInstanceUID != sop(src) == ds.SourceImageSequence[0].ReferencedSOPInstanceUID
    assert added["sopInstanceUID"] == ds.SOPInstanceUID
    rc, v, err = run_json("verify", tmp_path / "fs", "--profile", "STD-GEN-DVD-JPEG")
    assert rc == 0, v
