"""The station's drive and robot targets: a publish job burned with libburn to a `stdio:` pseudo-drive and verified by
reading it back; a disc robot's hot folder (PTBurn .JRQ, TD Bridge .JDF) with the test playing the robot, for a done and
a failed result; a kill -9 in the middle of a burn."""
import hashlib
import os
import shutil
import subprocess
import threading
import time

from conftest import CORPUS, run
from test_station import api, kill_and_restart, start, stop, wait_job, wait_up, write_config

STUDY = "1.3.6.1.4.1.5962.1.2.0.1175775772.5732.0"


def imported(tmp_path, **extra):
    """A station whose store holds the clunie-charset File-set, imported by a job; returns (proc, config, port)."""
    shutil.copytree(CORPUS / "clunie-charset-fileset", tmp_path / "drop" / "disc")
    config, port = write_config(tmp_path, **extra)
    proc = start(config)
    wait_up(proc, port)
    _, job = api(port, "/api/jobs", {"kind": "import", "source": str(tmp_path / "drop" / "disc")})
    assert wait_job(port, job["id"])["state"] == "done"
    return proc, config, port


def sha256(path, size):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(size))
    return h.hexdigest()


def test_a_publish_job_burns_to_a_stdio_drive_and_verifies_it(tmp_path):
    proc, config, port = imported(tmp_path)
    try:
        (tmp_path / "disc").mkdir()
        disc = tmp_path / "disc" / "disc.img"
        target = {"kind": "drive", "device": f"stdio:{disc}"}
        status, err = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": {"kind": "drive", "device": "stdio:/tmp/x.img"}})
        assert status == 400 and "roots" in err["error"]["message"], err
        status, err = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": target, "copies": 0})
        assert status == 400, err
        status, pub = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": target, "copies": 2, "label": "Clunie"})
        assert status == 201 and pub["resource"] == f"drive:stdio:{disc}", pub
        done = wait_job(port, pub["id"])
        assert done["state"] == "done", done
        burn = done["report"]["burn"]
        assert burn["device"] == f"stdio:{disc}"
        assert [c["verified"] for c in burn["copies"]] == [True, True], burn
        assert all(c["readBack"] == burn["sha256"] for c in burn["copies"])
        assert sha256(disc, burn["bytes"]) == burn["sha256"]
        assert done["progress"] == {"done": burn["bytes"], "total": burn["bytes"]}
        messages = [line["message"] for line in done["log"]]
        assert any("copy 2 of 2" in m for m in messages), messages
        # The disc is the image: our verify and xorriso read it; the image in the state folder is gone.
        image = tmp_path / "read.iso"
        with open(disc, "rb") as f, open(image, "wb") as out:
            out.write(f.read(burn["bytes"]))
        r = run("verify", image, "--pdi")
        assert r.returncode == 0, r.stderr.decode()
        listing = subprocess.run(["xorriso", "-indev", f"stdio:{disc}", "-find", "/", "-name", "DICOMDIR"], capture_output=True, text=True)
        assert "/DICOMDIR" in listing.stdout, listing.stderr
        assert list((tmp_path / "state" / "burn").iterdir()) == []
    finally:
        code, err = stop(proc)
    assert code == 0, err


def play_robot(hot, ext, taken, results, stop_event):
    """The robot: takes each job file (renamed to `taken`), checks its data, then ends it as `results` says."""
    while not stop_event.is_set():
        for job in sorted(hot.glob(f"*.{ext}")):
            name = job.stem
            text = job.read_text()
            inp = job.with_suffix("." + taken)
            job.rename(inp)
            data = [line.split("=", 1)[1] for line in text.splitlines() if line.split("=", 1)[0] in ("ImageFile", "DATA")][0]
            ok = os.path.exists(data) and not results.get(name)
            if results.get(name):
                (hot / "Status").mkdir(exist_ok=True)
                (hot / "Status" / "PTSTATUS.TXT").write_text(f"[{name}]\r\nJobState=3\r\nJobErrorString={results[name]}\r\n")
            inp.rename(job.with_suffix(".DON" if ok else ".ERR"))
        time.sleep(0.1)


def test_robot_hot_folders_done_and_failed(tmp_path):
    (tmp_path / "pt").mkdir()
    (tmp_path / "td").mkdir()
    proc, config, port = imported(tmp_path)
    stop_event = threading.Event()
    results = {}
    robots = [threading.Thread(target=play_robot, args=(tmp_path / "pt", "JRQ", "INP", results, stop_event), daemon=True),
              threading.Thread(target=play_robot, args=(tmp_path / "td", "JDF", "RJD", results, stop_event), daemon=True)]
    for t in robots:
        t.start()
    try:
        pt = {"kind": "robot", "hotFolder": str(tmp_path / "pt"), "format": "ptburn"}
        _, ok = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": pt, "copies": 3, "label": "Clunie charsets"})
        done = wait_job(port, ok["id"])
        assert done["state"] == "done", done
        assert done["report"]["robot"]["result"] == "done"
        jrq = (tmp_path / "pt" / f"JOB{ok['id']}.DON").read_bytes().decode()
        assert "Copies=3\r\n" in jrq and "MergeField=Clunie charsets\r\n" in jrq and f"ImageFile={tmp_path / 'pt'}/JOB{ok['id']}.iso" in jrq, jrq
        assert not (tmp_path / "pt" / f"JOB{ok['id']}.iso").exists()
        results[f"JOB{ok['id'] + 1}"] = "Drive 1 error: disc rejected"
        _, bad = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": pt})
        assert bad["id"] == ok["id"] + 1
        failed = wait_job(port, bad["id"])
        assert failed["state"] == "failed" and "Drive 1 error: disc rejected" in failed["reason"], failed
        _, td = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": {"kind": "robot", "hotFolder": str(tmp_path / "td"),
                                                                                          "format": "tdbridge"}})
        done = wait_job(port, td["id"])
        assert done["state"] == "done", done
        assert "FORMAT=ISO9660L2" in (tmp_path / "td" / f"JOB{td['id']}.DON").read_text()
        assert sorted(p.name for p in (tmp_path / "td").iterdir()) == [f"JOB{td['id']}.DON"]
    finally:
        stop_event.set()
        code, err = stop(proc)
    assert code == 0, err


def test_a_station_killed_mid_burn_fails_the_job_and_removes_its_image(tmp_path):
    """The drive is a FIFO nobody reads (a pseudo-drive whose write blocks), so the kill lands in the burn."""
    (tmp_path / "disc").mkdir()
    fifo = tmp_path / "disc" / "fifo"
    os.mkfifo(fifo)
    proc, config, port = imported(tmp_path)
    try:
        _, pub = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": {"kind": "drive", "device": f"stdio:{fifo}"}})
        deadline = time.time() + 120
        while time.time() < deadline:
            _, j = api(port, f"/api/jobs/{pub['id']}")
            if any("burning to" in line["message"] for line in j["log"]):
                break
            assert j["state"] in ("queued", "running"), j
            time.sleep(0.05)
        assert [p.name for p in (tmp_path / "state" / "burn").iterdir()] == [f"JOB{pub['id']}.iso"]
        proc = kill_and_restart(proc, config, port)
        _, j = api(port, f"/api/jobs/{pub['id']}")
        assert j["state"] == "failed" and "stopped" in j["reason"], j
        assert list((tmp_path / "state" / "burn").iterdir()) == []
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_cancelling_a_robot_job(tmp_path):
    """Not yet taken by the robot: the job file and the image are withdrawn. Taken (PTBurn .INP): an abort request."""
    hot = tmp_path / "pt"
    hot.mkdir()
    proc, config, port = imported(tmp_path)
    try:
        target = {"kind": "robot", "hotFolder": str(hot), "format": "ptburn"}
        for taken in (False, True):
            _, job = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": target})
            name = f"JOB{job['id']}"
            deadline = time.time() + 120
            while not (hot / f"{name}.JRQ").exists():
                assert time.time() < deadline, f"no {name}.JRQ"
                time.sleep(0.05)
            if taken:
                (hot / f"{name}.JRQ").rename(hot / f"{name}.INP")
            status, _ = api(port, f"/api/jobs/{job['id']}/cancel", {})
            assert status == 200
            done = wait_job(port, job["id"])
            assert done["state"] == "cancelled", done
            if taken:
                assert "asked to abort" in done["reason"], done
                assert (hot / f"{name}.PTM").read_bytes() == b"Message=ABORT\r\nClientID=dicom-media\r\n"
                assert (hot / f"{name}.iso").is_file()
            else:
                assert "before the robot took" in done["reason"], done
                assert list(hot.iterdir()) == []
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_a_station_killed_while_a_robot_job_waits_withdraws_it(tmp_path):
    """Killed while the job file waits for a robot that has not taken it: at the restart the job fails with the reason,
    and its job file and image leave the hot folder."""
    hot = tmp_path / "pt"
    hot.mkdir()
    proc, config, port = imported(tmp_path)
    try:
        _, job = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": {"kind": "robot", "hotFolder": str(hot), "format": "ptburn"}})
        deadline = time.time() + 120
        while not (hot / f"JOB{job['id']}.JRQ").exists():
            assert time.time() < deadline, "no job file"
            time.sleep(0.05)
        assert sorted(p.name for p in hot.iterdir()) == [f"JOB{job['id']}.JRQ", f"JOB{job['id']}.iso"]
        proc = kill_and_restart(proc, config, port)
        _, j = api(port, f"/api/jobs/{job['id']}")
        assert j["state"] == "failed" and "stopped" in j["reason"], j
        assert list(hot.iterdir()) == []
    finally:
        code, err = stop(proc)
    assert code == 0, err
