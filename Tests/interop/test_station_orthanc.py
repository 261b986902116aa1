"""The station against an Orthanc of the test's own (issue 13's checks (a) and (b)): an IHE PDI ISO dropped in a
watched folder -> reconciled by Orthanc's worklist -> sent to Orthanc -> committed (Storage Commitment report on the
station's commit port); an import reconciled to the user's choice of patient; an Orthanc study -> a publish job
from the node -> an ISO with PDI that verifies, and burned to a `stdio:` drive and verified after the burn; a study the node does not have -> failed, nothing written."""
import json
import shutil
import subprocess
import tempfile
import time

import pydicom

from conftest import need
from network_qr_util import CHARSET, OUR_AE, charset_pdi_iso, local_worklist, put_charset_files, qr_orthanc
from network_util import dm, free_port
from test_station import api, assert_burned, start, stop, wait_job, wait_up, write_config


def orthanc_patient_ids(o):
    return {json.loads(o.get(f"/patients/{p}"))["MainDicomTags"]["PatientID"] for p in json.loads(o.get("/patients"))}


def station_with(tmp_path, o, commit_port, **extra):
    nodes = {"orthanc": {"aeTitle": "ORTHANC", "host": "127.0.0.1", "port": o.dicom_port, "dicomweb": o.dicomweb}}
    dicom = {"aeTitle": OUR_AE, "port": free_port(), "allow": ["ORTHANC"], "commitPort": commit_port}
    config, port = write_config(tmp_path, dicom=dicom, nodes=nodes, **extra)
    proc = start(config)
    wait_up(proc, port)
    return proc, port


def test_a_pdi_iso_dropped_is_reconciled_by_worklist_sent_and_committed(tmp_path):
    iso = charset_pdi_iso(tmp_path)
    wl = local_worklist(tmp_path / "wl")
    commit_port = free_port()
    o = qr_orthanc(tmp_path / "orthanc", commit_port, worklist=wl)
    drop = tmp_path / "drop"
    drop.mkdir()
    watch = [{"kind": "folder", "path": str(drop), "action": "import", "destination": "orthanc", "reconcileWorklist": "orthanc",
              "commit": True}]
    proc, port = station_with(tmp_path, o, commit_port, watch=watch)
    try:
        shutil.copy(iso, drop / ".incoming.iso")
        (drop / ".incoming.iso").rename(drop / "disc.iso")
        deadline = time.time() + 60
        while time.time() < deadline:
            _, listed = api(port, "/api/jobs?kind=import")
            if listed["jobs"]:
                break
            time.sleep(0.2)
        assert len(listed["jobs"]) == 1, listed
        job = wait_job(port, listed["jobs"][0]["id"])
        assert job["state"] == "done", job
        report = job["report"]
        assert {p["sourcePatientID"]: p["patientID"] for p in report["worklist"]["patients"]} == {
            "SCSGERM": "LOCAL-GERM", "SCSFREN": "LOCAL-FREN"}
        assert report["commit"]["committed"] == 2 and report["commit"]["failed"] == 0
        assert report["commit"]["onRequestAssociation"] is False
        assert orthanc_patient_ids(o) == {"LOCAL-GERM", "LOCAL-FREN"}
        for b in o.instances().values():
            with tempfile.NamedTemporaryFile(suffix=".dcm") as f:
                f.write(b)
                f.flush()
                d = pydicom.dcmread(f.name)
            assert d.OriginalAttributesSequence[0].ModifiedAttributesSequence[0].PatientID in ("SCSGERM", "SCSFREN")
        time.sleep(3)  # one import per signature: the same disc is not imported again
        _, listed = api(port, "/api/jobs?kind=import")
        assert len(listed["jobs"]) == 1
    finally:
        assert stop(proc)[0] == 0
        o.stop()


def test_a_worklist_without_a_match_fails_the_job_and_sends_nothing_of_that_patient(tmp_path):
    iso = charset_pdi_iso(tmp_path)
    wl = local_worklist(tmp_path / "wl", both=False)
    o = qr_orthanc(tmp_path / "orthanc", free_port(), worklist=wl)
    proc, port = station_with(tmp_path, o, free_port())
    try:
        shutil.copy(iso, tmp_path / "disc.iso")
        body = {"kind": "import", "source": str(tmp_path / "disc.iso"), "destination": "orthanc", "reconcile": {"worklist": "orthanc"}}
        status, job = api(port, "/api/jobs", body)
        assert status == 201, job
        job = wait_job(port, job["id"])
        assert job["state"] == "failed" and "not every instance" in job["reason"]
        refused = [p["sourcePatientID"] for p in job["report"]["worklist"]["patients"] if not p["reconciled"]]
        assert refused == ["SCSFREN"]
        assert orthanc_patient_ids(o) == {"LOCAL-GERM"}
    finally:
        stop(proc)
        o.stop()


def test_import_reconciled_to_the_users_choice_of_patient(tmp_path):
    iso = charset_pdi_iso(tmp_path)
    o = qr_orthanc(tmp_path / "orthanc", free_port())
    proc, port = station_with(tmp_path, o, free_port())
    try:
        shutil.copy(iso, tmp_path / "disc.iso")
        body = {"kind": "import", "source": str(tmp_path / "disc.iso"), "destination": "store",
                "reconcile": {"patientID": "LOCAL-7", "patientName": "Chosen^Patient", "issuer": "HOSP"}}
        status, job = api(port, "/api/jobs", body)
        assert status == 201, job
        job = wait_job(port, job["id"])
        assert job["state"] == "done", job
        r = dm("store", "list", "--store", tmp_path / "store", "--json")
        assert r.returncode == 0, r.stderr
        patients = json.loads(r.stdout)["patients"]
        assert [p["patientID"] for p in patients] == ["LOCAL-7"]
        for bad in ({"patientID": "A\\B"}, {"worklist": "orthanc", "patientID": "X"}, {"worklist": "nowhere"}, {}):
            status, err = api(port, "/api/jobs", dict(body, reconcile=bad))
            assert status == 400, (bad, err)
        status, err = api(port, "/api/jobs", dict(body, commit=True))
        assert status == 400 and "commit" in err["error"]["message"]
    finally:
        stop(proc)
        o.stop()


def test_b_an_orthanc_study_published_from_the_node_to_an_iso_with_pdi(tmp_path):
    need("xorriso")
    o = qr_orthanc(tmp_path / "orthanc", free_port())
    put_charset_files(o)
    out = tmp_path / "out"
    out.mkdir()
    proc, port = station_with(tmp_path, o, free_port())
    try:
        uid = str(pydicom.dcmread(str(CHARSET / "SCSGERM"), stop_before_pixels=True).StudyInstanceUID)
        body = {"kind": "publish", "from": "orthanc", "studies": [uid], "target": {"kind": "iso", "path": str(out)}, "pdi": True}
        status, job = api(port, "/api/jobs", body)
        assert status == 201, job
        job = wait_job(port, job["id"])
        assert job["state"] == "done", job
        image = out / f"JOB{job['id']}.iso"
        assert image.is_file() and [p.name for p in out.iterdir()] == [image.name]
        assert job["report"]["verify"] and all(p["severity"] != "error" for v in job["report"]["verify"] for p in v["problems"])
        r = dm("verify", image, "--pdi")
        assert r.returncode == 0, r.stderr
        r = subprocess.run(["xorriso", "-indev", str(image), "-find", "/", "-name", "DICOMDIR"], capture_output=True)
        assert r.returncode == 0 and b"DICOMDIR" in r.stdout
        assert not (tmp_path / "state" / "retrieve" / f"JOB{job['id']}").exists()
        # The same Orthanc study burned to a stdio: pseudo-drive, read back and compared after the burn.
        disc = tmp_path / "disc.img"
        status, job = api(port, "/api/jobs", dict(body, target={"kind": "drive", "device": f"stdio:{disc}"}, label="Äneas"))
        assert status == 201, job
        job = wait_job(port, job["id"])
        assert job["state"] == "done", job
        assert_burned(job, disc, tmp_path)
        missing = dict(body, studies=["1.2.3.4.5.6.7.8.9"])
        status, job = api(port, "/api/jobs", missing)
        job = wait_job(port, job["id"])
        assert job["state"] == "failed" and "nothing written" in job["reason"]
        assert [p.name for p in out.iterdir()] == [image.name]
    finally:
        stop(proc)
        o.stop()
