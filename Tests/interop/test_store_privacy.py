"""Privacy by construction in the store (issue 10, item 5): after `import --deidentify` (alone and
with `--reconcile`), no original Patient Name, Patient ID, Birth Date, Accession Number, instance
UID, File-set ID or UID, File ID or source path appears in any byte of any file of the store folder
(index.sqlite, its -wal and -shm, objects, tmp, keys), after a clean run and after a kill followed by
another command. The originals are collected with pydicom from the inputs, not from us. The store's
temporary folders are 0700 with 0600 files while present, and gone after success, failure and a
kill followed by any command."""
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pydicom
from pydicom.uid import generate_uid

from conftest import BIN, CORPUS
from fileset_util import run_and_kill
from test_store import dm, dm_json

TEMPLATE = CORPUS / "pydicom-3.0.2" / "test_files" / "CT_small.dcm"
CORPUS_FILESETS = [CORPUS / "pydicom-3.0.2" / "dicomdirtests", CORPUS / "clunie-charset-fileset"]
# UIDs that name a kind of thing (SOP Class, transfer syntax, coding scheme): not identifying, kept by the profile.
CLASS_UID_KEYWORDS = {"SOPClassUID", "ReferencedSOPClassUID", "MediaStorageSOPClassUID", "TransferSyntaxUID",
                      "ImplementationClassUID", "ReferencedSOPClassUIDInFile", "ReferencedTransferSyntaxUIDInFile",
                      "RelatedGeneralSOPClassUID", "OriginalSpecializedSOPClassUID", "CodingSchemeUID",
                      "ContextUID", "MappingResourceUID", "PrivateInformationCreatorUID", "ReferencedRelatedGeneralSOPClassUIDInFile"}
# Replacement values our de-identifier writes; an original equal to one of them proves nothing.
DUMMIES = {b"ANONYMIZED", b"19000101", b"000000", b"REMOVED", b"YES"}


def make_medium(base, n=12):
    """A File-set (made by `create`) of `n` instances with distinctive identifying values, in a folder
    whose name is itself identifying, with a File-set ID that names the patient."""
    src = base / "src_DOE_JOHN_PRIVSRC"
    src.mkdir(parents=True)
    study = generate_uid()
    series = generate_uid()
    for i in range(n):
        ds = pydicom.dcmread(str(TEMPLATE))
        ds.PatientName = "PRIVDOE^JOHNATHAN" if i % 2 == 0 else "PRIVROE^JANEMARIE"
        ds.PatientID = "PIDCANARY%03d" % (i % 2)
        ds.PatientBirthDate = "19471113" if i % 2 == 0 else "19520229"
        ds.AccessionNumber = "ACCCANARY77"
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = series
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.FrameOfReferenceUID = generate_uid()
        ds.InstanceNumber = i + 1
        ds.OtherPatientIDs = "OTHERPIDCANARY"
        ds.add_new(0x00091010, "LO", "PRIVATECANARYNAME")
        ds.private_block(0x0009, "CANARY CREATOR", create=True).add_new(0x10, "LO", "PRIVDOE JOHNATHAN")
        ds.save_as(str(src / f"IMG{i:03d}.dcm"), enforce_file_format=True)
    medium = base / "medium_DOE_JOHN_PRIVMED"
    r = dm("create", medium, src, "--fileset-id", "DOEJOHNPRIV")
    assert r.returncode in (0, 1) and (medium / "DICOMDIR").is_file(), r.stderr
    return medium


def originals(media):
    """Every identifying byte string of the inputs, read by pydicom: names (and their family and given
    parts), IDs, birth dates, accession numbers, every instance UID (DICOMDIR included), the File-set ID,
    every File ID and source path, and the media's own paths."""
    out = set()

    def add(v):
        if v is None:
            return
        if isinstance(v, str):
            v = v.strip(" \0")
            if len(v) >= 4:
                out.add(v.encode("utf-8"))
                out.add(v.replace("/", "\\").encode("utf-8"))
        elif isinstance(v, bytes) and len(v.strip(b" \0")) >= 4:
            out.add(v.strip(b" \0"))

    def walk(ds):
        for e in ds:
            if e.VR == "SQ":
                for item in e.value:
                    walk(item)
                continue
            kw = e.keyword
            if e.VR == "UI" and kw not in CLASS_UID_KEYWORDS:
                for u in (e.value if e.VM > 1 else [e.value]):
                    if u and not str(u).startswith("1.2.840.10008.") and len(str(u)) >= 10:
                        add(str(u))
            elif kw in ("PatientID", "OtherPatientIDs", "AccessionNumber", "PatientBirthDate", "FileSetID"):
                for v in (e.value if e.VM > 1 else [e.value]):
                    add(str(v))
            elif e.tag.is_private and e.VR in ("LO", "PN", "SH") and "CANARY" in str(e.value) or "PRIVDOE" in str(e.value):
                add(str(e.value))   # the synthetic medium's private copies of the identity (removed by the profile)
            elif kw == "PatientName":
                raw = e.value.original_string if hasattr(e.value, "original_string") else e.value
                add(raw if isinstance(raw, bytes) else str(raw))
                for part in (e.value.family_name, e.value.given_name):
                    add(part)
            elif kw == "ReferencedFileID":
                parts = list(e.value) if e.VM > 1 else [e.value]
                add("/".join(parts))

    for m in media:
        m = Path(m)
        add(str(m))
        add(m.name)
        for p in sorted(m.rglob("*")):
            if not p.is_file():
                continue
            rel = str(p.relative_to(m))
            if len(rel) >= 8:
                add(rel)
            try:
                ds = pydicom.dcmread(str(p), stop_before_pixels=True)
            except Exception:
                continue
            if getattr(ds, "file_meta", None) is not None:
                walk(ds.file_meta)
            walk(ds)
    return {o for o in out if o not in DUMMIES}


def store_bytes(store):
    """{relative path: bytes} of every file in the store folder (index, WAL, SHM, objects, tmp, keys)."""
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(Path(store).rglob("*")) if p.is_file()}


def assert_nothing_original(store, needles):
    files = store_bytes(store)
    assert "index.sqlite" in files
    found = [(n, name) for name, data in files.items() for n in needles if n in data]
    assert not found, found[:20]


def tmp_entries(store):
    tmp = Path(store) / "tmp"
    return sorted(tmp.rglob("*")) if tmp.is_dir() else []


def assert_private_tmp(store):
    tmp = Path(store) / "tmp"
    assert stat.S_IMODE(tmp.stat().st_mode) == 0o700
    for p in tmp_entries(store):
        mode = stat.S_IMODE(p.lstat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


def write_reconcile_map(path):
    path.write_text("source_patient_id,patient_id,patient_name,birth_date,sex,accession_number\n"
                    "PIDCANARY000,LOCALPID000,LOCAL^ONE,19700101,O,LOCALACC1\n"
                    "PIDCANARY001,LOCALPID001,LOCAL^TWO,19700101,O,LOCALACC2\n")
    return path


def test_deidentified_import_keeps_nothing_original(tmp_path):
    medium = make_medium(tmp_path)
    media = [medium, *CORPUS_FILESETS]
    needles = originals(media)
    # The collection itself is sound: it holds what the synthetic medium was made with.
    for must in (b"PRIVDOE^JOHNATHAN", b"PIDCANARY000", b"19471113", b"ACCCANARY77", b"DOEJOHNPRIV", b"PRIVATECANARYNAME"):
        assert must in needles
    assert len(needles) > 100
    store = tmp_path / "store"
    code, j = dm_json("import", "--deidentify", *media, "--store", store)
    assert j["imported"] > 100 and j["failed"] == 0, j
    assert_nothing_original(store, needles)
    assert tmp_entries(store) == []
    # The default provenance is a token of the medium, the same for every instance of one medium.
    code, s = dm_json("store", "list", "--store", store)
    r = dm("store", "show", s["patients"][0]["patientID"], "--store", store)
    assert r.returncode == 0 and b"medium-" in r.stdout
    # A second import of the same media adds nothing (same keyed UIDs) and still leaves nothing original.
    code, j2 = dm_json("import", "--deidentify", *media, "--store", store)
    assert j2["imported"] == 0 and j2["alreadyPresent"] == j["imported"] + j["alreadyPresent"], j2
    assert_nothing_original(store, needles)


def test_reconciled_and_deidentified_import(tmp_path):
    medium = make_medium(tmp_path)
    needles = originals([medium])
    csv = write_reconcile_map(tmp_path / "map.csv")
    store = tmp_path / "store"
    code, j = dm_json("import", "--reconcile", csv, "--deidentify", medium, "--store", store)
    assert code == 0 and j["imported"] == 12, j
    assert_nothing_original(store, needles)
    # Reconcile alone rewrites identity too: its provenance keeps no path or File ID by default.
    store2 = tmp_path / "store2"
    code, j = dm_json("import", "--reconcile", csv, medium, "--store", store2)
    assert code == 0 and j["imported"] == 12, j
    index = b"".join(data for name, data in store_bytes(store2).items() if name.startswith("index.sqlite"))
    assert str(medium).encode() not in index and b"DOEJOHNPRIV" not in index


def test_provenance_modes(tmp_path):
    medium = make_medium(tmp_path)
    rows = {}
    for mode in ("full", "label", "hash"):
        store = tmp_path / f"store-{mode}"
        code, j = dm_json("import", "--deidentify", "--provenance", mode, medium, "--store", store)
        assert code == 0 and j["imported"] == 12, j
        code, c = dm_json("store", "list", "--store", store)
        pid = c["patients"][0]["patientID"]
        out = dm("store", "show", pid, "--store", store).stdout.decode()
        rows[mode] = out
    assert str(medium) in rows["full"] and "File ID" in rows["full"]
    assert "DOEJOHNPRIV" in rows["label"] and str(medium) not in rows["label"] and "File ID" not in rows["label"]
    assert "medium-" in rows["hash"] and "DOEJOHNPRIV" not in rows["hash"] and str(medium) not in rows["hash"]
    assert dm("import", "--provenance", "nonsense", medium, "--store", tmp_path / "x").returncode == 64


def test_kill_then_any_command_leaves_nothing(tmp_path):
    medium = make_medium(tmp_path, n=60)
    needles = originals([medium])
    env = dict(os.environ, DICOM_MEDIA_IMPORT_BATCH="4")
    cmd = [str(BIN), "import", "--deidentify", str(medium), "--store", str(tmp_path / "s"), "--json"]
    killed = 0
    seen_tmp = 0
    for k, delay in enumerate([0.0, 0.002, 0.01, 0.03, 0.08]):
        store = tmp_path / f"s{k}"
        cmd[-2] = str(store)

        def run_folder_present():
            return bool(tmp_entries(store))
        rc = run_and_kill(cmd, delay, started=run_folder_present, env=env)
        if rc is not None:
            continue
        killed += 1
        if tmp_entries(store):
            seen_tmp += 1
            assert_private_tmp(store)
        assert_nothing_original(store, needles)
        # Any store command afterwards removes the leftovers (and still writes nothing original).
        command = [("store", "list"), ("store", "conflicts"), ("store", "show", "x"), ("store", "verify"), ("import", "--deidentify", medium)][k]
        r = dm(*command, "--store", store)
        assert r.returncode in (0, 1), r.stderr
        assert tmp_entries(store) == [], (command, tmp_entries(store))
        assert_nothing_original(store, needles)
    assert killed >= 3 and seen_tmp >= 1, (killed, seen_tmp)


def test_failed_import_removes_its_temporary_folder(tmp_path):
    medium = make_medium(tmp_path)
    store = tmp_path / "store"
    assert dm("store", "list", "--store", store).returncode == 2   # no store yet
    # Every objects/xx is a file, so the move into the store fails after the files were staged in tmp/.
    (store / "objects").mkdir(parents=True)
    for i in range(256):
        (store / "objects" / f"{i:02x}").write_bytes(b"")
    r = dm("import", "--deidentify", medium, "--store", store)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert b"cannot move into the store" in r.stderr
    assert tmp_entries(store) == []
    # Files moved into objects/ before the failure were reconciled at once (the store was idle).
    code, v = dm_json("store", "verify", "--store", store)
    assert code == 0 and v["problems"] == [], v
    assert_nothing_original(store, originals([medium]))


def test_removed_study_leaves_no_trace_in_the_index(tmp_path):
    """`store remove` deletes rows with SQLite's secure_delete: nothing of them stays in free pages."""
    src = CORPUS / "clunie-charset-fileset"
    victim = pydicom.dcmread(str(src / "SCSGERM"))
    store = tmp_path / "store"
    assert dm("import", src, "--store", store).returncode == 0
    needles = {str(victim.StudyInstanceUID).encode(), str(victim.SOPInstanceUID).encode(), victim.PatientName.original_string}
    assert any(n in (store / "index.sqlite").read_bytes() + b"".join(
        p.read_bytes() for p in store.glob("index.sqlite-*")) for n in needles)
    assert dm("store", "remove", victim.StudyInstanceUID, "--store", store).returncode == 0
    assert_nothing_original(store, needles)
