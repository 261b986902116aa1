"""`list` of what is not a DICOMDIR, of lower-level directory files (Philips DIRFILE), of DICOMDIRs
whose root links are damaged; the listing's fields; `profiles`; the private dictionary."""
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pydicom
import pytest

from conftest import BIN, need, run
from fileset_util import SAMPLES, TEST_FILES, list_json, run_json

MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"


@pytest.fixture(scope="module")
def fileset(tmp_path_factory):
    """A File-set of the samples (2 patients) made by our create; (root, every SOP Instance UID)."""
    root = tmp_path_factory.mktemp("listing") / "fs"
    run("create", root, SAMPLES, check=True)
    rc, listing, err = list_json(root)
    assert rc == 0, err
    sops = sops_of(listing)
    assert len(sops) == len(list(SAMPLES.rglob("*.dcm"))) > 4
    assert len(listing["patients"]) >= 2
    return root, sops


def sops_of(node):
    """Every sopInstanceUID anywhere in a `list --json` document (patients and rootRecords)."""
    out = set()
    if isinstance(node, dict):
        if node.get("sopInstanceUID") and "fileID" in node:
            out.add(node["sopInstanceUID"])
        for v in node.values():
            out |= sops_of(v)
    elif isinstance(node, list):
        for v in node:
            out |= sops_of(v)
    return out


def copy_fileset(fileset, dest):
    shutil.copytree(fileset[0], dest)
    return dest


# ---------------------------------------------------------------------------------------------
# Not a DICOMDIR


def test_list_of_an_instance_or_non_dicom_file_is_refused(tmp_path):
    ct = TEST_FILES / "CT_small.dcm"
    r = run("list", ct)
    assert r.returncode == 2
    assert f"{ct} is a CT Image Storage file, not a DICOMDIR" in r.stderr.decode()
    assert r.stdout == b""
    text = tmp_path / "notes.txt"
    text.write_text("hello, not DICOM at all\n" * 20)
    r = run("list", "--json", text)
    assert r.returncode == 2
    assert "not a DICOM file" in r.stderr.decode() and str(text) in r.stderr.decode()


# ---------------------------------------------------------------------------------------------
# Lower-level directory files (Philips DIRFILE)


def test_lower_level_dirfile_resolves_from_the_enclosing_root(fileset, tmp_path):
    root = copy_fileset(fileset, tmp_path / "fs")
    sub = root / "SUB" / "DEEPER"
    sub.mkdir(parents=True)
    # A DICOMDIR-like file in a subfolder whose File IDs are relative to the File-set root.
    shutil.copy(root / "DICOMDIR", sub / "DIRFILE")
    rc, listing, err = list_json(sub / "DIRFILE")
    assert rc == 0, err
    assert os.path.realpath(listing["root"]) == os.path.realpath(root)
    instances = [i for p in listing["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"]]
    assert {i["sopInstanceUID"] for i in instances} == fileset[1]
    assert all(i["present"] for i in instances), [i["fileID"] for i in instances if not i["present"]]
    text = run("list", sub / "DIRFILE")
    assert text.returncode == 0 and b"MISSING" not in text.stdout
    assert b"enclosing File-set root" in text.stdout


def test_import_follows_a_lower_level_dirfile(fileset, tmp_path):
    """A medium without a root DICOMDIR but with a DIRFILE: its records name the files (the File ID
    is kept as provenance), the DIRFILE is not taken for an instance."""
    root = copy_fileset(fileset, tmp_path / "medium")
    (root / "PHILIPS").mkdir()
    shutil.move(root / "DICOMDIR", root / "PHILIPS" / "DIRFILE")
    rc, report, err = run_json("import", root, "--store", tmp_path / "store")
    assert rc == 0, err
    assert report["imported"] == len(fileset[1])
    assert report["notDicom"] == 0, report["lists"]["notDicom"]
    rc, listing, err = run_json("store", "list", "--store", tmp_path / "store")
    assert rc == 0, err
    instances = [i for p in listing["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"]]
    assert instances and all(i["source"]["fileID"] for i in instances), "File IDs from the DIRFILE's records"


# ---------------------------------------------------------------------------------------------
# Damaged root links


def _element_value_offset(data, group, element):
    """Offset of the 4-byte value of an explicit VR LE UL element (gggg,eeee) in the DICOMDIR header."""
    key = struct.pack("<HH", group, element) + b"UL" + struct.pack("<H", 4)
    at = data.find(key)
    assert at > 0, f"({group:04X},{element:04X}) not found"
    return at + 8


def _root_offsets(dicomdir):
    ds = pydicom.dcmread(dicomdir)
    roots = [r for r in ds.DirectoryRecordSequence if r.DirectoryRecordType == "PATIENT"]
    return [r.seq_item_tag_offset if hasattr(r, "seq_item_tag_offset") else None for r in roots], ds


def damage(path, how):
    data = bytearray(path.read_bytes())
    first = _element_value_offset(data, 0x0004, 0x1200)
    last = _element_value_offset(data, 0x0004, 0x1202)
    first_root = struct.unpack_from("<I", data, first)[0]
    if how == "first-root-skips":
        # The first root offset points at the second PATIENT: the first becomes an orphan.
        ds = pydicom.dcmread(path)
        nxt = ds.DirectoryRecordSequence[0].OffsetOfTheNextDirectoryRecord
        assert nxt
        struct.pack_into("<I", data, first, nxt)
    elif how == "first-root-broken":
        struct.pack_into("<I", data, first, first_root + 3)
        struct.pack_into("<I", data, last, 0xFFFFFF0)
    elif how == "unknown-top-type":
        # The first PATIENT record gets a type PS3.3 does not define (same length: offsets unchanged).
        at = data.find(b"PATIENT ", first_root)
        assert at > 0
        data[at:at + 8] = b"UNKNOWN "
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["first-root-skips", "first-root-broken", "unknown-top-type"])
def test_damaged_root_links_still_list_every_record(fileset, tmp_path, how):
    root = copy_fileset(fileset, tmp_path / "fs")
    damage(root / "DICOMDIR", how)
    rc, listing, err = list_json(root)
    assert rc == 1, (rc, err)
    assert sops_of(listing) == fileset[1], how
    codes = {p["code"] for p in listing["problems"]}
    expected = {"first-root-skips": "orphan-record", "first-root-broken": "offset-not-item", "unknown-top-type": "root-record-type"}[how]
    assert expected in codes, codes
    text = run("list", root)
    assert text.returncode == 1
    assert len([ln for ln in text.stdout.decode().splitlines() if ln.strip().startswith("IMAGE")]) == len(fileset[1])
    # import follows the same records: every file is named by the DICOMDIR, none found only by scanning.
    rc, report, err = run_json("import", root, "--store", tmp_path / "store")
    # Damaged root links are an error (PS3.3 F.4) for import too: everything imported, exit 1.
    assert rc == 1, err
    assert report["imported"] == len(fileset[1]) and report["missing"] == 0 and report["failed"] == 0
    assert report["media"][0]["dicomdir"] == "used", report["media"]
    assert {p["code"] for p in report["problems"]} >= {expected}


# ---------------------------------------------------------------------------------------------
# Fields and order


def test_listing_fields_and_instance_order(fileset):
    root, _ = fileset
    rc, listing, err = list_json(root)
    assert rc == 0, err
    headers = {}
    for f in SAMPLES.rglob("*.dcm"):
        d = pydicom.dcmread(f, stop_before_pixels=True)
        headers[d.SOPInstanceUID] = d
    for p in listing["patients"]:
        for st in p["studies"]:
            assert "studyDescription" in st and "accessionNumber" in st
            for se in st["series"]:
                assert "seriesDescription" in se and "bodyPartExamined" in se
                nums = [i["instanceNumber"] for i in se["instances"]]
                assert nums == sorted(nums), nums
                for i in se["instances"]:
                    h = headers[i["sopInstanceUID"]]
                    assert i["instanceNumber"] == int(h.InstanceNumber)
                    assert se["seriesDescription"] == (h.get("SeriesDescription") or None)
                    assert se["bodyPartExamined"] == (h.get("BodyPartExamined") or None)
                    assert st["accessionNumber"] == (h.get("AccessionNumber") or None)
                    assert st["studyDescription"] == (h.get("StudyDescription") or None)
    assert any(se["seriesDescription"] for p in listing["patients"] for st in p["studies"] for se in st["series"])


def test_instances_sorted_by_number_not_record_order(fileset, tmp_path):
    """Two sibling IMAGE records whose Instance Numbers are swapped in the DICOMDIR (record order
    now descending) are listed by number."""
    from pydicom.fileset import FileSet
    root = copy_fileset(fileset, tmp_path / "fs")
    fs = FileSet(pydicom.dcmread(root / "DICOMDIR"))
    pair = None
    for node in fs._tree:
        kids = [c for c in node.children if c.record_type == "IMAGE"]
        for x, y in zip(kids, kids[1:]):
            nx, ny = str(x._record.InstanceNumber), str(y._record.InstanceNumber)
            if nx != ny and len(nx) == len(ny):
                pair = (x, y, nx, ny)
                break
        if pair:
            break
    assert pair, "no series with two differently numbered images"
    x, y, nx, ny = pair
    raw = bytearray((root / "DICOMDIR").read_bytes())
    for node, new in ((x, ny), (y, nx)):
        pos = raw.find(b"\x20\x00\x13\x00IS", node._offset)
        ln = struct.unpack_from("<H", raw, pos + 6)[0]
        raw[pos + 8:pos + 8 + ln] = new.encode().ljust(ln, b" ")
    (root / "DICOMDIR").write_bytes(bytes(raw))
    rc, listing, err = list_json(root)
    assert rc == 0, err
    order = []
    for p in listing["patients"]:
        for st in p["studies"]:
            for se in st["series"]:
                nums = [i["instanceNumber"] for i in se["instances"]]
                assert nums == sorted(nums)
                order += [i["sopInstanceUID"] for i in se["instances"]]
    sx, sy = str(x._record.ReferencedSOPInstanceUIDInFile), str(y._record.ReferencedSOPInstanceUIDInFile)
    assert order.index(sy) < order.index(sx), "listed by number, not record order"


def test_store_list_carries_the_fields(fileset, tmp_path):
    rc, report, err = run_json("import", fileset[0], "--store", tmp_path / "store")
    assert rc == 0, err
    rc, listing, err = run_json("store", "list", "--store", tmp_path / "store")
    assert rc == 0, err
    seen_desc = False
    for p in listing["patients"]:
        for st in p["studies"]:
            assert "accessionNumber" in st and "studyDescription" in st
            for se in st["series"]:
                assert "seriesDescription" in se and "bodyPartExamined" in se
                seen_desc |= bool(se["seriesDescription"])
                nums = [i["instanceNumber"] for i in se["instances"]]
                assert nums == sorted(nums)
    assert seen_desc
    text = run("store", "list", "--store", tmp_path / "store")
    assert text.returncode == 0


# ---------------------------------------------------------------------------------------------
# profiles


def test_profiles_lists_48_with_syntaxes_and_media():
    rc, profiles, err = run_json("profiles")
    assert rc == 0, err
    assert len(profiles) == 48
    ids = [p["id"] for p in profiles]
    assert len(set(ids)) == 48 and "STD-GEN-CD" in ids and "STD-GEN-USB-JPEG" in ids and "STD-CTMR-DVD" in ids
    by = {p["id"]: p for p in profiles}
    assert [t["uid"] for t in by["STD-GEN-CD"]["transferSyntaxes"]] == ["1.2.840.10008.1.2.1"]
    assert by["STD-GEN-CD"]["medium"] == "CD-R"
    assert by["STD-GEN-USB-JPEG"]["medium"].startswith("USB")
    assert "1.2.840.10008.1.2.4.70" in [t["uid"] for t in by["STD-GEN-USB-JPEG"]["transferSyntaxes"]]
    assert all(p["transferSyntaxes"] and all(t["name"] for t in p["transferSyntaxes"]) for p in profiles)
    text = run("profiles")
    assert text.returncode == 0
    lines = text.stdout.decode().splitlines()
    assert len([ln for ln in lines if ln.startswith(("STD-", "PRI-"))]) == 48


# ---------------------------------------------------------------------------------------------
# Private dictionary


def make_private(path):
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ImplicitVRLittleEndian, generate_uid
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = generate_uid()
    ds.PatientName = "Private^Dictionary"
    ds.PatientID = "PD1"
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "OT"
    ds.add_new(0x00190010, "LO", "GEMS_ACQU_01")
    ds.add_new(0x00191002, "SL", 7)          # Detector Channel
    ds.add_new(0x00191003, "DS", "1.5")      # Cell number at Theta
    ds.add_new(0x00191011, "SS", -3)         # Series contrast
    ds.add_new(0x00190011, "LO", "GEMS_ACQU_01")
    ds.add_new(0x00191102, "SL", 9)          # same element in block 11
    ds.add_new(0x00290010, "LO", "SIEMENS CSA HEADER")
    ds.add_new(0x00291008, "CS", "IMAGE NUM 4")
    ds.add_new(0x00290011, "LO", "NO SUCH CREATOR")
    ds.add_new(0x00291102, "SL", 5)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds.save_as(path, enforce_file_format=True)


def test_private_dictionary_names_and_keeps_vrs(tmp_path):
    src = tmp_path / "private.dcm"
    make_private(src)
    dump = run("dump", src)
    assert dump.returncode == 0
    lines = {ln[:11]: ln for ln in dump.stdout.decode().splitlines() if ln.startswith("(00")}
    assert lines["(0019,1002)"].startswith("(0019,1002) SL 7") and lines["(0019,1002)"].endswith("DetectorChannel")
    assert lines["(0019,1102)"].endswith("DetectorChannel")
    assert lines["(0019,1011)"].startswith("(0019,1011) SS -3")
    assert lines["(0029,1008)"].endswith("CSAImageHeaderType")
    assert lines["(0029,1102)"].startswith("(0029,1102) UN") and lines["(0029,1102)"].endswith("PrivateTag")
    out = tmp_path / "explicit.dcm"
    r = run("transcode", "--to", "explicit-little", src, out)
    assert r.returncode == 0, r.stderr
    d = pydicom.dcmread(out)
    assert not d.file_meta.TransferSyntaxUID.is_implicit_VR
    # VRs as written in the file (pydicom reads explicit VRs as they are).
    vrs = {int(e.tag): e.VR for e in d if e.tag.is_private}
    assert vrs[0x00191002] == "SL" and vrs[0x00191102] == "SL" and vrs[0x00191011] == "SS"
    assert vrs[0x00191003] == "DS" and vrs[0x00291008] == "CS"
    assert vrs[0x00291102] == "UN"  # unknown creator: stays UN
    assert d[0x00191002].value == 7 and d[0x00191011].value == -3
    need("dcmdump")
    text = subprocess.run(["dcmdump", str(out)], capture_output=True, text=True).stdout
    assert "(0019,1011) SS -3" in text and "(0019,1002) SL 7" in text
