"""`create --deidentify` and `--reconcile` checked with pydicom and dciodvfy.

The de-identified File-set is compared with its inputs attribute by attribute against the Basic
Profile column of PS3.15 Table E.1-1 (read from the generated Swift table, whose source is the
standard): nothing the profile removes, empties or replaces keeps its value, UIDs map one to one
across all files, Pixel Data is unchanged, private attributes are gone, and neither the DICOMDIR
nor any file holds an original Patient's Name or Patient ID. dciodvfy finds no new error.
"""
import csv
import re
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from pydicom.tag import Tag

from conftest import ROOT, need, run
from fileset_util import CHARSET_FILESET, CORPUS, SAMPLES, TEST_FILES, run_json, verify

DATA = CORPUS / "pydicom-data-1.0.0" / "data"
# ~20 varied inputs STD-GEN-CD takes once re-encoded: SR with nested content and references,
# segmentation and enhanced MR (functional group sequences), waveform, overlays + icon + private
# (Siemens), private-rich GE CT, big-endian and deflated files (re-encoded as Explicit VR LE),
# non-ASCII character sets, and a generated study of several series (shared Study/FoR UIDs).
INPUTS = [TEST_FILES / n for n in ("CT_small.dcm", "MR_small.dcm", "test-SR.dcm", "reportsi.dcm", "waveform_ecg.dcm",
                                    "liver_1frame.dcm", "ExplVR_BigEnd.dcm", "image_dfl.dcm", "SC_rgb_small_odd_big_endian.dcm",
                                    "SC_ybr_full_422_uncompressed.dcm")] + \
         [DATA / n for n in ("emri_small.dcm", "SC_rgb.dcm", "MR-SIEMENS-DICOM-WithOverlays.dcm")] + \
         [CORPUS / "cornerstone3D" / "testImages" / "CTImage.dcm_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm",
          CORPUS / "wg04-via-dicom-test-files" / "REF" / "CT2_UNC", CORPUS / "wg04-via-dicom-test-files" / "REF" / "US1_UNC",
          CHARSET_FILESET / "SCSGERM", CHARSET_FILESET / "SCSFREN", CHARSET_FILESET / "SCSGREEK"] + \
         sorted((SAMPLES / "SYN321670").rglob("*.dcm"))
# Implicit VR LE inputs given as Explicit VR LE copies (rtdose references rtplan; rtstruct has no File Meta).
IMPLICIT = [TEST_FILES / n for n in ("rtplan.dcm", "rtdose.dcm", "rtstruct.dcm")]
BIG_ENDIAN = "1.2.840.10008.1.2.2"
# Z attributes written as dummies (Z allows it): the Type 1 keys of DICOMDIR STUDY records.
Z_DUMMY = {Tag(0x0008, 0x0020), Tag(0x0008, 0x0030), Tag(0x0020, 0x0010)}
ADDED = {Tag(0x0012, 0x0062), Tag(0x0012, 0x0063), Tag(0x0012, 0x0064), Tag(0x0028, 0x0303)}


def profile_table():
    """{tag: action} and [(tag, mask, action)] from the generated Basic Profile table."""
    text = (ROOT / "Sources" / "MediaKit" / "Generated" / "BasicProfileTable.swift").read_text()
    exact = {int(t, 16): a for t, a in re.findall(r"^        \(0x([0-9A-F]{8}), \.(\w+), ", text, re.M)}
    masked = [(int(t, 16), int(m, 16), a) for t, m, a in re.findall(r"^        \(0x([0-9A-F]{8}), 0x([0-9A-F]{8}), \.(\w+), ", text, re.M)]
    assert len(exact) > 600 and len(masked) == 3
    return exact, masked


EXACT, MASKED = profile_table()


def action(tag):
    if tag in EXACT:
        return EXACT[tag]
    for t, m, a in MASKED:
        if tag & m == t:
            return a
    return None


def empty(elem):
    if elem.VR == "SQ":
        return len(elem.value) == 0
    return elem.value in (None, "", b"") or (isinstance(elem.value, (list, pydicom.multival.MultiValue)) and len(elem.value) == 0)


def uid_values(elem):
    v = elem.value
    return [str(x) for x in v] if isinstance(v, (list, pydicom.multival.MultiValue)) else ([str(v)] if v else [])


@pytest.fixture(scope="module")
def deidentified(tmp_path_factory):
    """(output folder, [(input path, output path)], create report)."""
    tmp = tmp_path_factory.mktemp("deid")
    inputs = list(INPUTS)
    for f in IMPLICIT:
        out = tmp / "explicit" / f.name
        out.parent.mkdir(exist_ok=True)
        r = run("transcode", f, out, "--to", "explicit-little")
        assert r.returncode in (0, 1) and out.is_file(), r.stderr
        inputs.append(out)
    # A derived image that references CT_small.dcm in two sequences (X/Z/U*: its UIDs are replaced).
    ct = pydicom.dcmread(TEST_FILES / "CT_small.dcm")
    ref = pydicom.dataset.Dataset()
    ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID = ct.SOPClassUID, ct.SOPInstanceUID
    ct.ReferencedImageSequence = [ref]
    ct.SourceImageSequence = [ref]
    ct.SOPInstanceUID = ct.file_meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid()
    ct.InstanceNumber = 2
    derived = tmp / "derived" / "CT_derived.dcm"
    derived.parent.mkdir()
    ct.save_as(derived)
    inputs.append(derived)
    assert len(inputs) >= 20 and all(p.is_file() for p in inputs), [p for p in inputs if not p.is_file()]
    out = tmp / "fs"
    rc, report, err = run_json("create", out, *inputs, "--deidentify", "--export-time", "20261124101010")
    assert report is not None, err
    # Exit 1: some inputs lack Type 1 record keys of their own (invented-key warnings).
    assert rc in (0, 1), err
    assert report["refused"] == [] and report["unreadable"] == [], report
    assert {p["code"] for p in report["problems"]} <= {"invented-key", "last-root-offset"}, report["problems"]
    pairs = [(Path(a["source"]), out / a["fileID"]) for a in report["added"]]
    assert len(pairs) == len(inputs)
    return out, pairs, report


# Free text inside D sequences (SR Content Sequence, Graphic Annotation Sequence): replaced too.
FREE_TEXT = {Tag(0x0040, 0xA160), Tag(0x0070, 0x0006)}


def walk_pair(orig, new, path, problems, uid_map, in_dummy=False):
    """Checks one data set of an input against its de-identified copy, recursively."""
    for elem in orig:
        tag = int(elem.tag)
        where = f"{path}{elem.tag}"
        if elem.tag.is_private:
            if elem.tag in new:
                problems.append(f"{where}: private attribute kept")
            continue
        if elem.tag.element == 0:  # group lengths are recomputed by the writer
            continue
        if elem.tag.group & 0xFF00 == 0x6000 and Tag(elem.tag.group, 0x3000) in orig:
            if elem.tag in new:
                problems.append(f"{where}: overlay group kept")
            continue
        a = action(tag)
        got = new.get(elem.tag)
        if a is None:
            if got is None:
                if elem.tag not in ADDED:
                    problems.append(f"{where}: attribute not in Table E.1-1 was removed")
            elif elem.VR == "SQ":
                if len(got.value) != len(elem.value):
                    problems.append(f"{where}: sequence item count changed")
                for i, (a_item, b_item) in enumerate(zip(elem.value, got.value)):
                    walk_pair(a_item, b_item, f"{where}[{i}].", problems, uid_map, in_dummy)
            elif in_dummy and elem.tag in FREE_TEXT:
                if got.value == elem.value and elem.value:
                    problems.append(f"{where}: free text in a D sequence kept {elem.value!r}")
            elif got.value != elem.value and elem.tag not in ADDED and elem.tag != Tag(0x7FE0, 0x0010):
                problems.append(f"{where}: kept attribute changed {elem.value!r} -> {got.value!r}")
            continue
        if a == "X":
            if got is not None:
                problems.append(f"{where}: X but present")
        elif a in ("Z", "XZ"):
            if elem.tag in Z_DUMMY:
                if got is not None and got.value == elem.value:
                    problems.append(f"{where}: Z (dummy) kept its value {elem.value!r}")
            elif got is not None and not empty(got):
                problems.append(f"{where}: {a} but not empty: {got.value!r}")
        elif a == "U" or (a == "XZU" and elem.VR != "SQ"):
            if got is None:
                problems.append(f"{where}: U but removed")
                continue
            old, newv = uid_values(elem), uid_values(got)
            if len(old) != len(newv):
                problems.append(f"{where}: U changed the number of values")
            for o, n in zip(old, newv):
                if o == n:
                    problems.append(f"{where}: UID {o} kept")
                if not re.fullmatch(r"2\.25\.[1-9][0-9]*", n) or len(n) > 64:
                    problems.append(f"{where}: new UID {n} is not a 2.25 UID")
                if uid_map.setdefault(o, n) != n:
                    problems.append(f"{where}: {o} became {n} here but {uid_map[o]} elsewhere")
        else:  # D and the combined codes (D, Z/D, X/D, X/Z/D, X/Z/U* on sequences)
            if got is None or empty(got) or empty(elem):
                continue
            if elem.VR == "SQ":
                if a in ("D", "ZD", "XZU"):
                    for i, (a_item, b_item) in enumerate(zip(elem.value, got.value)):
                        walk_pair(a_item, b_item, f"{where}[{i}].", problems, uid_map, in_dummy or a in ("D", "ZD"))
                else:
                    problems.append(f"{where}: {a} sequence kept its items")
            elif got.value == elem.value:
                problems.append(f"{where}: {a} kept its value {elem.value!r}")
    for elem in new:
        if elem.tag.is_private:
            problems.append(f"{path}{elem.tag}: private attribute in the output")


def test_attributes_follow_the_basic_profile(deidentified):
    _, pairs, _ = deidentified
    problems, uid_map = [], {}
    for src, dst in pairs:
        a, b = pydicom.dcmread(src, force=True), pydicom.dcmread(dst)
        walk_pair(a, b, f"{src.name}: ", problems, uid_map)
        assert b.PatientIdentityRemoved == "YES"
        assert b.DeidentificationMethodCodeSequence[0].CodeValue == "113100"
        assert b.DeidentificationMethodCodeSequence[0].CodingSchemeDesignator == "DCM"
        assert b.DeidentificationMethod
        assert b.file_meta.MediaStorageSOPInstanceUID == b.SOPInstanceUID != a.SOPInstanceUID
        assert "SourceApplicationEntityTitle" not in b.file_meta
        assert b.preamble == b"\0" * 128
    assert problems == [], "\n".join(problems[:50])
    # One to one: two different originals never share a new UID.
    assert len(set(uid_map.values())) == len(uid_map)


def test_uids_consistent_across_files(deidentified):
    """The generated study's files share Study and Frame of Reference UIDs: so do their copies;
    the RT Dose's reference to the RT Plan points at the plan's new SOP Instance UID."""
    _, pairs, _ = deidentified
    study = [(pydicom.dcmread(s), pydicom.dcmread(d)) for s, d in pairs if "SYN321670" in str(s)]
    assert len(study) >= 5
    for key in ("StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID", "PatientID", "StudyID"):
        mapping = {}
        for a, b in study:
            mapping.setdefault(str(a.get(key)), set()).add(str(b.get(key)))
        assert all(len(v) == 1 for v in mapping.values()), (key, mapping)
        news = [next(iter(v)) for v in mapping.values()]
        assert len(set(news)) == len(news) and not set(news) & set(mapping), (key, mapping)
    assert len({a.StudyInstanceUID for a, _ in study}) == 2 and len({a.SeriesInstanceUID for a, _ in study}) == 5
    by_name = {s.name: (pydicom.dcmread(s), pydicom.dcmread(d)) for s, d in pairs}
    ct_old, ct_new = by_name["CT_small.dcm"]
    der_old, der_new = by_name["CT_derived.dcm"]
    for seq in ("ReferencedImageSequence", "SourceImageSequence"):
        assert der_old[seq][0].ReferencedSOPInstanceUID == ct_old.SOPInstanceUID
        assert der_new[seq][0].ReferencedSOPInstanceUID == ct_new.SOPInstanceUID != ct_old.SOPInstanceUID
        assert der_new[seq][0].ReferencedSOPClassUID == ct_old.SOPClassUID
    assert der_new.StudyInstanceUID == ct_new.StudyInstanceUID != ct_old.StudyInstanceUID


def test_pixel_data_unchanged(deidentified):
    _, pairs, _ = deidentified
    checked = 0
    for src, dst in pairs:
        a, b = pydicom.dcmread(src, force=True), pydicom.dcmread(dst)
        if "PixelData" not in a:
            continue
        if a.file_meta.get("TransferSyntaxUID") == BIG_ENDIAN:
            assert (a.pixel_array == b.pixel_array).all(), src
        else:
            assert a.PixelData == b.PixelData, src
        checked += 1
    assert checked >= 15


def test_no_original_identity_left(deidentified):
    """No original Patient's Name or Patient ID in the DICOMDIR or in any written file, byte for byte."""
    out, pairs, _ = deidentified
    names, ids = set(), set()
    for src, _ in pairs:
        a = pydicom.dcmread(src, force=True, stop_before_pixels=True)
        if a.get("PatientName"):
            raw = str(a["PatientName"].value)
            for part in [raw] + re.split(r"[\^=]", raw):
                if len(part.strip()) >= 4 and any(c.isalnum() for c in part):
                    names.add(part.strip())
        if a.get("PatientID") and len(str(a.PatientID)) >= 3:
            ids.add(str(a.PatientID))
    assert len(names) >= 5 and len(ids) >= 5
    dicomdir = pydicom.dcmread(out / "DICOMDIR")
    for rec in dicomdir.DirectoryRecordSequence:
        if rec.DirectoryRecordType == "PATIENT":
            assert str(rec.get("PatientName", "")) not in names
            assert str(rec.get("PatientID", "")) not in ids
    files = [out / "DICOMDIR"] + [d for _, d in pairs]
    for f in files:
        data = f.read_bytes()
        for v in names | ids:
            # Byte search for values with letters; all-digit IDs could occur in pixel data by chance.
            if v.isascii() and len(v) >= 4 and any(c.isalpha() for c in v):
                assert v.encode() not in data, f"{v!r} found in {f}"
        ds = pydicom.dcmread(f)
        for elem in ds.iterall():
            if elem.VR in ("PN", "LO", "SH", "LT", "ST", "UT", "UC") and isinstance(elem.value, (str, pydicom.valuerep.PersonName)):
                assert str(elem.value) not in names | ids, (f, elem)


def dciodvfy_errors(path):
    r = subprocess.run(["dciodvfy", str(path)], capture_output=True)
    text = (r.stdout + r.stderr).decode(errors="replace")
    # UIDs, numbers and values change by design: compare the messages with them blanked out.
    return {re.sub(r"[0-9]+(\.[0-9]+)*", "<N>", re.sub(r"<[^<>]*>$", "", l)).strip()
            for l in text.splitlines() if l.startswith("Error")}


def test_dciodvfy_no_new_errors(deidentified, tmp_path):
    need("dciodvfy")
    _, pairs, _ = deidentified
    new = {}
    for src, dst in pairs:
        ref = src
        a = pydicom.dcmread(src, force=True)
        if a.file_meta.get("TransferSyntaxUID") == pydicom.uid.DeflatedExplicitVRLittleEndian:
            # dciodvfy cannot read deflated files: compare with an inflated copy.
            a.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
            ref = tmp_path / src.name
            a.save_as(ref, enforce_file_format=True)
        extra = dciodvfy_errors(dst) - dciodvfy_errors(ref)
        if extra:
            new[src.name] = sorted(extra)
    assert new == {}, new


def test_burned_in_annotation_refused(tmp_path):
    src = pydicom.dcmread(TEST_FILES / "CT_small.dcm")
    src.BurnedInAnnotation = "YES"
    f = tmp_path / "burned.dcm"
    src.save_as(f)
    rc, report, err = run_json("create", tmp_path / "out", f, "--deidentify")
    assert rc == 1 and report["added"] == [] and len(report["refused"]) == 1, (rc, report, err)
    assert "Burned In Annotation" in report["refused"][0]["reason"] and "--allow-burned-in" in report["refused"][0]["reason"]
    assert not (tmp_path / "out" / "DICOM").exists()  # an empty File-set at most: no instance written
    rc, report, err = run_json("create", tmp_path / "out2", f, "--deidentify", "--allow-burned-in")
    assert rc in (0, 1) and len(report["added"]) == 1 and report["refused"] == [], (report, err)
    # --allow-burned-in alone is a usage error.
    assert run("create", tmp_path / "out3", f, "--allow-burned-in").returncode not in (0, 1)


def test_update_deidentifies_too(tmp_path):
    out = tmp_path / "fs"
    run("create", out, TEST_FILES / "CT_small.dcm", check=False)
    rc, report, err = run_json("update", out, TEST_FILES / "MR_small.dcm", "--deidentify")
    assert rc in (0, 1) and len(report["added"]) == 1, (report, err)
    b = pydicom.dcmread(out / report["added"][0]["fileID"])
    a = pydicom.dcmread(TEST_FILES / "MR_small.dcm")
    assert b.PatientIdentityRemoved == "YES" and b.SOPInstanceUID != a.SOPInstanceUID
    assert report["added"][0]["sopInstanceUID"] == b.SOPInstanceUID
    ids = [str(r.get("PatientID", "")) for r in pydicom.dcmread(out / "DICOMDIR").DirectoryRecordSequence if r.DirectoryRecordType == "PATIENT"]
    assert a.PatientID not in ids[1:] and len(ids) == 2


def test_in_place_refused(tmp_path):
    r = run("create", tmp_path, "--in-place", "--deidentify")
    assert r.returncode == 64 and b"--in-place" in r.stderr, r.stderr  # a usage error


# ---------------------------------------------------------------------------------------------
# Reconciliation


def test_reconcile_replaces_and_keeps_originals(tmp_path):
    ct = pydicom.dcmread(TEST_FILES / "CT_small.dcm")
    mr = pydicom.dcmread(TEST_FILES / "MR_small.dcm")
    m = tmp_path / "map.csv"
    with open(m, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source_patient_id", "patient_id", "patient_name", "birth_date", "sex", "accession_number"])
        w.writerow([ct.PatientID, "LOCAL-0001", "Local^Patient, Jr", "19700102", "f", "ACC42"])
        w.writerow(["someone-else", "LOCAL-0002", "", "", "", ""])
    out = tmp_path / "fs"
    rc, report, err = run_json("create", out, TEST_FILES / "CT_small.dcm", TEST_FILES / "MR_small.dcm", "--reconcile", m)
    assert rc in (0, 1) and len(report["added"]) == 2, (report, err)
    by_src = {Path(a["source"]).name: pydicom.dcmread(out / a["fileID"]) for a in report["added"]}
    b = by_src["CT_small.dcm"]
    assert (b.PatientID, str(b.PatientName), b.PatientBirthDate, b.PatientSex, b.AccessionNumber) == \
        ("LOCAL-0001", "Local^Patient, Jr", "19700102", "F", "ACC42")
    assert b.SOPInstanceUID == ct.SOPInstanceUID and b.PixelData == ct.PixelData
    item = b.OriginalAttributesSequence[-1]
    assert item.ReasonForTheAttributeModification == "COERCE"
    assert item.ModifyingSystem == "dicom-media"
    assert re.fullmatch(r"\d{14}", item.AttributeModificationDateTime)
    assert "SourceOfPreviousValues" in item
    old = item.ModifiedAttributesSequence[0]
    assert old.PatientID == ct.PatientID and str(old.PatientName) == str(ct.PatientName)
    assert old.PatientBirthDate == ct.PatientBirthDate and old.PatientSex == ct.PatientSex
    assert old.get("AccessionNumber", "") == ct.get("AccessionNumber", "")
    # MR_small's patient is not in the map: unchanged.
    c = by_src["MR_small.dcm"]
    assert c.PatientID == mr.PatientID and "OriginalAttributesSequence" not in c
    ids = {str(r.PatientID) for r in pydicom.dcmread(out / "DICOMDIR").DirectoryRecordSequence if r.DirectoryRecordType == "PATIENT"}
    assert "LOCAL-0001" in ids and ct.PatientID not in ids


def test_reconcile_then_deidentify_drops_the_originals(tmp_path):
    ct = pydicom.dcmread(TEST_FILES / "CT_small.dcm")
    m = tmp_path / "map.csv"
    m.write_text(f"source_patient_id,patient_id\n{ct.PatientID},LOCAL-9\n")
    rc, report, err = run_json("create", tmp_path / "fs", TEST_FILES / "CT_small.dcm", "--reconcile", m, "--deidentify")
    assert rc in (0, 1) and len(report["added"]) == 1, (report, err)
    b = pydicom.dcmread(tmp_path / "fs" / report["added"][0]["fileID"])
    # Original Attributes Sequence is X in the Basic Profile: the originals must not survive.
    assert "OriginalAttributesSequence" not in b and b.PatientID not in (ct.PatientID, "LOCAL-9")


@pytest.mark.parametrize("text,line,column", [
    ("source_patient_id,patient_id,birth_date\nA,B,19700101\nC,D,1970-01-01\n", 3, "birth_date"),
    ("source_patient_id,sex\nA,X\n", 2, "sex"),
    ("source_patient_id,patient_name,colour\nA,B,C\n", 1, "colour"),
    ("patient_id\nA\n", 1, None),
    ("source_patient_id,patient_id\nA,B\nA,C\n", 3, "source_patient_id"),
    ("source_patient_id,accession_number\nA,12345678901234567\n", 2, "accession_number"),
    ('source_patient_id,patient_id\n"A,B\n', 2, None),
])
def test_reconcile_csv_errors_name_line_and_column(tmp_path, text, line, column):
    m = tmp_path / "map.csv"
    m.write_text(text)
    r = run("create", tmp_path / "fs", TEST_FILES / "CT_small.dcm", "--reconcile", m)
    msg = r.stderr.decode()
    assert r.returncode == 2, msg
    assert f"line {line}" in msg, msg
    if column:
        assert column in msg, msg
    assert not (tmp_path / "fs").exists()


def test_fileset_verifies_and_records_match_the_files(deidentified):
    """The DICOMDIR was built from the de-identified headers: `verify` finds every record in
    agreement with its file, and pydicom's FileSet sees the new SOP Instance UIDs only."""
    out, pairs, report = deidentified
    rc, problems, text = verify(out)
    assert problems is not None, text
    assert [p for p in problems if p["severity"] not in ("info", "warning")] == [], text
    from pydicom.fileset import FileSet
    fs = FileSet(pydicom.dcmread(out / "DICOMDIR"))
    uids = {i.SOPInstanceUID for i in fs}
    assert uids == {a["sopInstanceUID"] for a in report["added"]}
    originals = {str(pydicom.dcmread(s, stop_before_pixels=True, force=True).SOPInstanceUID) for s, _ in pairs}
    assert not uids & originals


def test_encapsulated_pixel_data_unchanged(tmp_path):
    """JPEG files keep their transfer syntax and every fragment byte for byte."""
    inputs = [CORPUS / "wg04-via-dicom-test-files" / "JPLL" / "CT2_JPLL", TEST_FILES / "SC_rgb_jpeg_dcmtk.dcm",
              DATA / "JPGLosslessP14SV1_1s_1f_8b.dcm"]
    rc, report, err = run_json("create", tmp_path / "fs", *inputs, "--deidentify", "--profile", "STD-GEN-USB-JPEG")
    assert rc in (0, 1) and report["refused"] == [] and len(report["added"]) == 3, (report, err)
    for a in report["added"]:
        src, dst = pydicom.dcmread(a["source"]), pydicom.dcmread(tmp_path / "fs" / a["fileID"])
        assert dst.file_meta.TransferSyntaxUID == src.file_meta.TransferSyntaxUID and dst.file_meta.TransferSyntaxUID.is_compressed
        assert dst.PixelData == src.PixelData, a["source"]
        assert dst.PatientIdentityRemoved == "YES" and dst.SOPInstanceUID != src.SOPInstanceUID
