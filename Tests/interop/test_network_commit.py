"""`import --to --commit`, `import --to --reconcile-worklist` and `export --from` against an Orthanc of the test's own:
Storage Commitment success and failure 0x0112 (an instance Orthanc deletes, by its own Lua script, right after
storing it); the end-to-end check of issue 12: an IHE PDI ISO made by `export --pdi` -> `import --to orthanc
--reconcile-worklist` with a worklist entry under another Patient ID -> Patient ID coerced, Original Attributes
Sequence present, UIDs unchanged, commitment success; an Orthanc study -> `export --iso --from orthanc` -> `verify`
clean, DCMTK and pydicom read it, data sets identical to Orthanc's."""
import json
import subprocess
import tempfile

import pydicom

from conftest import need
from network_qr_util import CHARSET, OUR_AE, charset_pdi_iso, local_worklist, orthanc_data_sets, put_charset_files, qr_orthanc, worklist_entry
from network_util import data_set_bytes, dm, free_port


def q(*args):
    return dm(*args, "--ae", OUR_AE)


def orthanc_patient_ids(o):
    return {json.loads(o.get(f"/patients/{p}"))["MainDicomTags"]["PatientID"] for p in json.loads(o.get("/patients"))}


def test_commit_success(tmp_path):
    port = free_port()
    o = qr_orthanc(tmp_path / "orthanc", port)
    try:
        r = q("import", CHARSET, "--to", o.node, "--commit", "--commit-port", port, "--json")
        assert r.returncode == 0, r.stderr
        j = json.loads(r.stdout)
        assert j["send"]["confirmed"] == 11
        assert j["commit"]["committed"] == 11 and j["commit"]["failed"] == 0 and j["commit"]["onRequestAssociation"] is False
    finally:
        o.stop()


def test_commit_failure_0112(tmp_path):
    """Orthanc confirms the C-STORE of SCSGERM, then its Lua script deletes it: commitment fails with 0x0112 for it alone."""
    port = free_port()
    lua = tmp_path / "delete.lua"
    lua.write_text("function OnStoredInstance(id, tags, metadata, origin)\n"
                   "  if tags['PatientID'] == 'SCSGERM' then Delete(id) end\nend\n")
    gone = str(pydicom.dcmread(str(CHARSET / "SCSGERM"), stop_before_pixels=True).SOPInstanceUID)
    o = qr_orthanc(tmp_path / "orthanc", port, lua=lua)
    try:
        r = q("import", CHARSET, "--to", o.node, "--commit", "--commit-port", port, "--json")
        assert r.returncode == 1, r.stderr
        j = json.loads(r.stdout)
        assert j["send"]["confirmed"] == 11
        assert j["commit"]["committed"] == 10
        assert [(f["sopInstanceUID"], "0x0112" in f["reason"]) for f in j["commit"]["failures"]] == [(gone, True)]
        assert gone in r.stderr.decode()
    finally:
        o.stop()


def test_pdi_iso_reconciled_by_worklist_then_committed(tmp_path):
    """Check 7, first half: a PDI ISO of two patients; the worklist knows both under local IDs (one in Latin-1)."""
    iso = charset_pdi_iso(tmp_path)
    wl = local_worklist(tmp_path / "wl")
    worklist_entry(wl, None, "Buc^Jerome", "OTHER", "B2002")  # another name: no match for it
    port = free_port()
    o = qr_orthanc(tmp_path / "orthanc", port, worklist=wl)
    originals = {}
    for n in ("SCSGERM", "SCSFREN"):
        d = pydicom.dcmread(str(CHARSET / n), stop_before_pixels=True)
        originals[str(d.SOPInstanceUID)] = d
    try:
        r = q("import", iso, "--to", o.node, "--reconcile-worklist", o.node, "--commit", "--commit-port", port, "--json")
        assert r.returncode == 0, r.stderr
        j = json.loads(r.stdout)
        assert {p["sourcePatientID"]: p["patientID"] for p in j["worklist"]["patients"]} == {"SCSGERM": "LOCAL-GERM", "SCSFREN": "LOCAL-FREN"}
        assert j["commit"]["committed"] == 2 and j["commit"]["failed"] == 0
        assert orthanc_patient_ids(o) == {"LOCAL-GERM", "LOCAL-FREN"}
        theirs = o.instances()
        assert set(theirs) == set(originals)  # UIDs unchanged
        for uid, b in theirs.items():
            with tempfile.NamedTemporaryFile(suffix=".dcm") as f:
                f.write(b)
                f.flush()
                d = pydicom.dcmread(f.name)
            assert d.StudyInstanceUID == originals[uid].StudyInstanceUID and d.SeriesInstanceUID == originals[uid].SeriesInstanceUID
            old = d.OriginalAttributesSequence[0].ModifiedAttributesSequence[0]
            assert old.PatientID == originals[uid].PatientID
            assert str(d.PatientName) == str(originals[uid].PatientName)
    finally:
        o.stop()


def test_worklist_without_match_refuses_the_patient(tmp_path):
    wl = tmp_path / "wl"
    wl.mkdir()
    worklist_entry(wl, "ISO_IR 100", "Äneas^Rüdiger", "LOCAL-GERM", "B2001")
    o = qr_orthanc(tmp_path / "orthanc", free_port(), worklist=wl)
    try:
        r = q("import", CHARSET / "SCSGERM", CHARSET / "SCSFREN", "--to", o.node, "--reconcile-worklist", o.node, "--json")
        assert r.returncode == 1, r.stderr
        j = json.loads(r.stdout)
        refused = [p["sourcePatientID"] for p in j["worklist"]["patients"] if not p["reconciled"]]
        assert refused == ["SCSFREN"] and "SCSFREN" in r.stderr.decode()
        assert orthanc_patient_ids(o) == {"LOCAL-GERM"}
    finally:
        o.stop()


def test_export_iso_from_orthanc(tmp_path):
    """Check 7, second half: Orthanc studies -> `export --iso --from` -> verify clean; dcmdump and pydicom read every file."""
    need("dcmdump")
    o = qr_orthanc(tmp_path / "orthanc", free_port())
    try:
        files = put_charset_files(o)
        uids = sorted({str(d.StudyInstanceUID) for n, d in files.items() if d.PatientID in ("SCSGERM", "X1EXAMPLE")})
        iso = tmp_path / "out.iso"
        r = q("export", "--iso", iso, "--from", o.node, *[a for u in uids for a in ("--study", u)])
        assert r.returncode == 0, r.stderr
        assert dm("verify", iso).returncode == 0
        root = tmp_path / "disc"
        root.mkdir()
        subprocess.run(["bsdtar", "-xf", str(iso), "-C", str(root)], check=True)
        theirs = orthanc_data_sets(o)
        seen = set()
        for f in root.rglob("*"):
            if not f.is_file():
                continue
            assert subprocess.run(["dcmdump", "-q", str(f)], capture_output=True).returncode == 0, f
            if f.name.upper() != "DICOMDIR":
                d = pydicom.dcmread(str(f))
                seen.add(str(d.SOPInstanceUID))
                assert data_set_bytes(f) == theirs[str(d.SOPInstanceUID)], f
        assert seen == {u for u, d in files.items() if str(d.StudyInstanceUID) in uids}
    finally:
        o.stop()
