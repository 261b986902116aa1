"""export (issue 6): a selection from the store goes through the same plan and writers as create,
to a folder or an ISO image; export → ISO → import into a fresh store preserves every instance byte
for byte (lossless profile); --deidentify exports carry de-identified copies only."""
import json
import subprocess

import pydicom
import pytest

from conftest import BIN, CORPUS, need
from fileset_util import pydicom_check_files

SRC = CORPUS / "pydicom-3.0.2" / "dicomdirtests"


def dm(*args):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True)


def dm_json(*args):
    r = dm(*args, "--json")
    try:
        return r.returncode, json.loads(r.stdout), r.stderr.decode(errors="replace")
    except ValueError:
        raise AssertionError(f"{args}: exit {r.returncode}: {r.stderr.decode(errors='replace')}")


def listing(store, *sel):
    code, j, err = dm_json("store", "list", "--store", store, *sel)
    assert code == 0, err
    return {i["sopInstanceUID"]: i["sha256"] for p in j["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"]}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = tmp_path_factory.mktemp("export") / "store"
    code, j, err = dm_json("import", SRC, "--store", s)
    assert code in (0, 1) and j["imported"] > 0, err
    return s


def test_export_iso_import_round_trip_is_byte_for_byte(store, tmp_path):
    need("xorriso")
    iso = tmp_path / "disc.iso"
    r = dm("export", "--iso", iso, "--store", store, "--profile", "STD-GEN-CD", "--source-ae", "EXPORTER")
    assert r.returncode in (0, 1), r.stderr.decode()
    assert dm("verify", iso, "--profile", "STD-GEN-CD").returncode == 0
    code, j, err = dm_json("import", iso, "--store", tmp_path / "again")
    assert code in (0, 1), err
    assert listing(tmp_path / "again") == listing(store), "every instance back with the same SHA-256"


IMAGES = [CORPUS / "pydicom-3.0.2" / "test_files" / n for n in ("CT_small.dcm", "MR_small_RLE.dcm")] + [CORPUS / "pydicom-data-1.0.0" / "data" / "SC_rgb.dcm"] + \
         [CORPUS / "wg04-via-dicom-test-files" / "REF" / n for n in ("CT2_UNC", "MR4_UNC", "NM1_UNC")] + \
         [CORPUS / "pydicom-data-1.0.0" / "data" / "emri_small_jpeg_2k_lossless.dcm"]


def test_export_folder_selection_and_profile(tmp_path):
    # Real images (the dicomdirtests files carry no pixels, so no Rows for the JPEG profile's keys).
    store = tmp_path / "store"
    code, j, err = dm_json("import", *IMAGES, "--store", store)
    assert code in (0, 1) and j["imported"] == len(IMAGES), err
    everything = listing(store)
    code, j, err = dm_json("store", "list", "--store", store)
    study = j["patients"][0]["studies"][0]
    chosen = listing(store, "--study", study["studyInstanceUID"])
    assert 0 < len(chosen) < len(everything)
    out = tmp_path / "USB"
    r = dm("export", out, "--store", store, "--study", study["studyInstanceUID"], "--profile", "STD-GEN-USB-JPEG", "--recompress")
    assert r.returncode in (0, 1), r.stderr.decode()
    files = pydicom_check_files(out / "DICOMDIR")
    assert sorted(files) == sorted(chosen)
    for f in out.rglob("*"):
        if f.is_file() and f.name != "DICOMDIR":
            ds = pydicom.dcmread(f, stop_before_pixels=True)
            if "Rows" in ds:  # images were recompressed losslessly for the JPEG profile
                assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.70"
    assert dm("verify", out, "--profile", "STD-GEN-USB-JPEG").returncode == 0


def test_export_deidentified_carries_no_original(store, tmp_path):
    out = tmp_path / "SERVICE"
    r = dm("export", out, "--store", store, "--deidentify")
    assert r.returncode in (0, 1), r.stderr.decode()
    originals = set(listing(store))
    for f in out.rglob("*"):
        if f.is_file() and f.name != "DICOMDIR":
            ds = pydicom.dcmread(f, stop_before_pixels=True)
            assert ds.SOPInstanceUID not in originals and ds.PatientIdentityRemoved == "YES"


def test_export_nothing_selected_and_bad_arguments(store, tmp_path):
    r = dm("export", tmp_path / "X", "--store", store, "--study", "1.2.3.4.5.6.7")
    assert r.returncode == 1 and b"nothing in the store matches" in r.stderr
    assert dm("export", "--store", store).returncode == 64
    assert dm("export", tmp_path / "X", "--iso", tmp_path / "x.iso", "--store", store).returncode == 64
