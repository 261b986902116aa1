"""The network commands against an Orthanc of the test's own (fresh folder, free loopback ports): `echo`
by C-ECHO and by QIDO-RS, `send` by C-STORE and by STOW-RS from a store made by `import`: every instance
arrives, with the bytes the store holds, and only what Orthanc confirmed is reported as sent."""
import json
import tempfile

import pydicom
import pytest

from conftest import CORPUS
from network_util import Receiver, charset_store, data_set_bytes, dm, orthanc, store_files  # noqa: F401 (fixtures)


def test_echo_dimse_and_dicomweb(orthanc):
    r = dm("echo", orthanc.node, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["service"] == "C-ECHO"
    r = dm("echo", orthanc.dicomweb, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["service"] == "QIDO-RS" and j["studies"] == 0


@pytest.mark.parametrize("how", ["dimse", "dicomweb"])
def test_send_to_orthanc(orthanc, charset_store, how):
    to = orthanc.node if how == "dimse" else orthanc.dicomweb
    r = dm("send", "--to", to, "--store", charset_store, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    ours = store_files(charset_store)
    assert j["confirmed"] == j["instances"] == len(ours)
    assert j["service"] == ("C-STORE" if how == "dimse" else "STOW-RS")
    theirs = orthanc.instances()
    assert set(theirs) == set(ours)
    for uid, path in ours.items():
        # Compared after the File Meta, which Orthanc writes anew.
        assert data_set_bytes_of(theirs[uid]) == data_set_bytes(path), uid
    r = dm("echo", orthanc.dicomweb, "--json")
    assert json.loads(r.stdout)["studies"] == 1


def data_set_bytes_of(b):
    with tempfile.NamedTemporaryFile(suffix=".dcm") as f:
        f.write(b)
        f.flush()
        return data_set_bytes(f.name)


def test_orthanc_stores_into_our_receive(orthanc, charset_store, tmp_path):
    """Orthanc's C-STORE SCU (/modalities/X/store) -> `receive --store`: the data sets Orthanc keeps, stored unchanged."""
    assert dm("send", "--to", orthanc.dicomweb, "--store", charset_store).returncode == 0
    store = tmp_path / "received"
    rx = Receiver("--store", store, "--ae", "RECEIVER", "--json")
    try:
        orthanc.call("PUT", "/modalities/us", {"AET": "RECEIVER", "Host": "127.0.0.1", "Port": rx.port})
        ids = json.loads(orthanc.get("/instances"))
        orthanc.call("POST", "/modalities/us/store", {"Resources": ids, "Synchronous": True})
    finally:
        code, out, err = rx.stop()
    assert code == 0, err
    events = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert sum(e["stored"] for e in events) == len(ids) and all(e["failed"] == [] for e in events)
    theirs = orthanc.instances()
    ours = store_files(store)
    assert set(ours) == set(theirs)
    for uid, path in ours.items():
        assert data_set_bytes(path) == data_set_bytes_of(theirs[uid]), uid


def test_import_to_dicomweb_with_reconcile(orthanc, tmp_path):
    """`import --to` a DICOMweb node: the reconciled instances (written to a private temporary folder) posted by STOW-RS."""
    fileset = CORPUS / "clunie-charset-fileset"
    source_id = str(pydicom.dcmread(str(fileset / "SCSGERM"), stop_before_pixels=True).PatientID)
    mp = tmp_path / "map.csv"
    mp.write_text(f"source_patient_id,patient_id\n{source_id},LOCAL-7\n")
    r = dm("import", fileset, "--to", orthanc.dicomweb, "--reconcile", mp, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["send"]["service"] == "STOW-RS" and j["send"]["confirmed"] == j["send"]["instances"] == 11
    patients = {json.loads(orthanc.get(f"/patients/{p}"))["MainDicomTags"]["PatientID"] for p in json.loads(orthanc.get("/patients"))}
    assert "LOCAL-7" in patients and source_id not in patients
