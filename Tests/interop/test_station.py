"""The media station (`dicom-media station --config`): its configuration checks, the job API over HTTP, import jobs
into the store, one station per state folder, SIGTERM, and a kill -9 in the middle of a job."""
import http.client
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import BIN, CORPUS, ROOT, run
from fileset_util import synth
from network_util import free_port, wait_listening


def write_config(root, **extra):
    port = free_port()
    config = {"http": {"host": "127.0.0.1", "port": port}, "store": str(root / "store"), "state": str(root / "state"), "roots": [str(root)]}
    config.update(extra)
    path = root / "station.json"
    path.write_text(json.dumps(config))
    return path, port


def start(config):
    env = dict(os.environ, DICOM_MEDIA_TEMPLATES=str(ROOT / "templates"))
    return subprocess.Popen([str(BIN), "station", "--config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def api(port, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_up(proc, port):
    wait_listening(port, proc)


def kill_and_restart(proc, config, port):
    """kill -9 of the station, then a new one on the same configuration, listening."""
    proc.kill()
    proc.wait()
    again = start(config)
    wait_up(again, port)
    return again


def wait_job(port, job, states=("done", "failed", "cancelled"), timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        _, j = api(port, f"/api/jobs/{job}")
        if j["state"] in states:
            return j
        time.sleep(0.1)
    raise AssertionError(f"job {job} still {j['state']}")


def assert_burned(job, disc, tmp_path):
    """A done burn job's one copy verified (read back = the image's SHA-256), and the bytes burned on the `stdio:` disc
    file an image that our `verify --pdi` accepts and xorriso lists."""
    burn = job["report"]["burn"]
    assert [c["verified"] for c in burn["copies"]] == [True] and burn["copies"][0]["readBack"] == burn["sha256"], burn
    burned = tmp_path / "burned.iso"
    with open(disc, "rb") as f, open(burned, "wb") as w:
        w.write(f.read(burn["bytes"]))
    r = run("verify", burned, "--pdi")
    assert r.returncode == 0, r.stderr.decode()
    r = subprocess.run(["xorriso", "-indev", f"stdio:{disc}", "-find", "/", "-name", "DICOMDIR"], capture_output=True)
    assert r.returncode == 0 and b"DICOMDIR" in r.stdout


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, err.decode()


def test_a_bad_configuration_stops_the_start_naming_the_key(tmp_path):
    config, _ = write_config(tmp_path, rules=[{"callingAE": "MOD", "target": {"kind": "cd", "path": str(tmp_path / "out")}}])
    r = run("station", "--config", config)
    assert r.returncode == 2
    assert b"rules[0].target.kind" in r.stderr
    config.write_text(json.dumps({"store": "/srv/x", "state": str(tmp_path), "roots": [str(tmp_path)], "colour": 1}))
    r = run("station", "--config", config)
    assert r.returncode == 2 and b"colour" in r.stderr


def test_an_import_job_through_the_api(tmp_path):
    shutil.copytree(CORPUS / "clunie-charset-fileset", tmp_path / "drop" / "disc")
    (tmp_path / "drop" / "link").symlink_to("/etc")
    config, port = write_config(tmp_path)
    proc = start(config)
    try:
        wait_up(proc, port)
        # A second station on the same state folder does not start.
        other, _ = write_config(tmp_path / "drop")
        text = json.loads(other.read_text())
        text["state"], text["roots"] = str(tmp_path / "state"), [str(tmp_path)]
        other.write_text(json.dumps(text))
        r = run("station", "--config", other)
        assert r.returncode == 2 and b"another station" in r.stderr
        status, job = api(port, "/api/jobs", {"kind": "import", "source": str(tmp_path / "drop" / "disc")})
        assert status == 201 and job["state"] == "queued"
        for source in [str(tmp_path / "drop" / "link"), str(tmp_path / ".." / "etc"), "/etc"]:
            status, err = api(port, "/api/jobs", {"kind": "import", "source": source})
            assert status == 403 and err["error"]["code"] == "path-outside-roots", source
        done = wait_job(port, job["id"])
        assert done["state"] == "done", done
        assert done["report"]["imported"] == 11
        assert done["progress"] == {"done": 11, "total": 11}
        status, listed = api(port, "/api/jobs?state=done")
        assert listed["total"] == 1 and listed["jobs"][0]["id"] == job["id"]
        # Publish one of the imported studies to an ISO image with PDI; the job verifies what it wrote.
        (tmp_path / "out").mkdir()
        study = "1.3.6.1.4.1.5962.1.2.0.1175775772.5732.0"
        status, pub = api(port, "/api/jobs", {"kind": "publish", "studies": [study], "target": {"kind": "iso", "path": str(tmp_path / "out")}})
        assert status == 201, pub
        status, err = api(port, "/api/jobs", {"kind": "publish", "studies": [study], "target": {"kind": "iso", "path": "/tmp"}})
        assert status == 400, err
        published = wait_job(port, pub["id"])
        assert published["state"] == "done", published
        assert published["report"]["verify"][0]["problems"] == [] or all(p["severity"] != "error" for p in published["report"]["verify"][0]["problems"])
        image = tmp_path / "out" / f"JOB{pub['id']}.iso"
        assert image.is_file() and not list((tmp_path / "out").glob(".*"))
        r = run("verify", image, "--pdi")
        assert r.returncode == 0, r.stderr.decode()
        listing = subprocess.run(["xorriso", "-indev", str(image), "-find", "/", "-name", "DICOMDIR"], capture_output=True, text=True)
        assert "/DICOMDIR" in listing.stdout, listing.stderr
    finally:
        code, err = stop(proc)
    assert code == 0, err
    r = run("store", "list", "--store", tmp_path / "store", "--json", check=True)
    assert json.dumps(json.loads(r.stdout)).count('"sopInstanceUID"') >= 11


def running_import(tmp_path):
    """A station importing 300 generated files, the job running: (configuration, port, process, job)."""
    synth(tmp_path / "drop" / "big", 300, small=False)
    config, port = write_config(tmp_path)
    proc = start(config)
    wait_up(proc, port)
    _, job = api(port, "/api/jobs", {"kind": "import", "source": str(tmp_path / "drop" / "big")})
    wait_job(port, job["id"], states=("running",), timeout=60)
    return config, port, proc, job


def test_a_station_killed_mid_job_runs_it_again(tmp_path):
    config, port, proc, job = running_import(tmp_path)
    try:
        time.sleep(0.3)
        proc = kill_and_restart(proc, config, port)
        done = wait_job(port, job["id"])
        assert done["state"] == "done", done
        assert done["attempts"] == 2
        messages = [line["message"] for line in done["log"]]
        assert any("stopped while the job ran" in m for m in messages), messages
    finally:
        code, err = stop(proc)
    assert code == 0, err
    assert f"job {job['id']}" in err and "was running when the station stopped: queued again" in err, err
    r = run("store", "verify", "--store", tmp_path / "store")
    assert r.returncode == 0, r.stderr.decode()
    r = run("store", "list", "--store", tmp_path / "store", "--json", check=True)
    assert json.dumps(json.loads(r.stdout)).count('"sopInstanceUID"') == 300


def test_a_running_import_cancelled_stops_at_its_next_batch_and_a_retry_finishes_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DICOM_MEDIA_IMPORT_BATCH", "5")
    config, port, proc, job = running_import(tmp_path)
    try:
        status, _ = api(port, f"/api/jobs/{job['id']}/cancel", {})
        assert status == 200
        ended = wait_job(port, job["id"])
        assert ended["state"] == "cancelled" and "what was already imported stays" in ended["reason"], ended
        assert ended["report"]["stopped"] is True and ended["report"]["imported"] < 300
        r = run("store", "verify", "--store", tmp_path / "store")
        assert r.returncode == 0, r.stderr.decode()
        status, _ = api(port, f"/api/jobs/{job['id']}/retry", {})
        assert status == 200
        done = wait_job(port, job["id"])
        assert done["state"] == "done", done
    finally:
        stop(proc)
    r = run("store", "list", "--store", tmp_path / "store", "--json", check=True)
    assert json.dumps(json.loads(r.stdout)).count('"sopInstanceUID"') == 300


def test_the_api_keeps_to_its_openapi_document(tmp_path):
    """schemathesis (coverage, fuzzing and stateful phases) against /api/openapi.json: no 5xx, every response as the
    document describes it (status, content type, schema), 405 for methods a path does not take."""
    shutil.copytree(CORPUS / "clunie-charset-fileset", tmp_path / "drop" / "disc")
    config, port = write_config(tmp_path)
    proc = start(config)
    try:
        wait_up(proc, port)
        status, job = api(port, "/api/jobs", {"kind": "import", "source": str(tmp_path / "drop" / "disc")})
        assert status == 201
        st = ROOT / ".venv" / "bin" / "schemathesis"
        r = subprocess.run(
            [str(st), "run", f"http://127.0.0.1:{port}/api/openapi.json", "--checks", "all", "--exclude-checks", "positive_data_acceptance",
             "--max-examples", "50", "--generation-deterministic", "--request-timeout", "30"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path)
        assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_an_iso_dropped_in_a_watched_folder_is_imported(tmp_path):
    """An IHE PDI image made by `create --iso --pdi` from corpus studies, moved into the watched folder: one import job,
    done, the instances in the store; moving it in again with the same content queues nothing."""
    (tmp_path / "drop").mkdir()
    made = tmp_path / "made.iso"
    run("create", "--iso", made, "--pdi", CORPUS / "clunie-charset-fileset", check=True)
    config, port = write_config(tmp_path, watch=[{"kind": "folder", "path": str(tmp_path / "drop"), "action": "import", "destination": "store"}])
    proc = start(config)
    try:
        wait_up(proc, port)
        shutil.move(made, tmp_path / "drop" / "disc.iso")
        deadline = time.time() + 60
        jobs = []
        while time.time() < deadline and not jobs:
            _, listed = api(port, "/api/jobs")
            jobs = listed["jobs"]
            time.sleep(0.2)
        assert len(jobs) == 1 and jobs[0]["kind"] == "import", jobs
        done = wait_job(port, jobs[0]["id"])
        assert done["state"] == "done", done
        assert done["report"]["imported"] == 11
        time.sleep(4)
        _, listed = api(port, "/api/jobs")
        assert listed["total"] == 1
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_storescu_to_the_station_makes_one_publish_job_per_quiet_study(tmp_path):
    """storescu of generated studies to the station's AE: after the quiet period exactly one publish job per study,
    each ISO verified; a calling AE off the allow-list is rejected and stores nothing."""
    import pydicom
    files = synth(tmp_path / "src", 24, small=True)
    studies = {pydicom.dcmread(f, stop_before_pixels=True).StudyInstanceUID for f in files}
    (tmp_path / "out").mkdir()
    dicom_port = free_port()
    config, port = write_config(
        tmp_path, dicom={"aeTitle": "DMSTATION", "port": dicom_port, "allow": ["MODALITY1"]},
        rules=[{"callingAE": "MODALITY1", "per": "study", "quietSeconds": 3, "target": {"kind": "iso", "path": str(tmp_path / "out")},
                "profile": "STD-GEN-CD"}])
    proc = start(config)
    try:
        wait_up(proc, port)
        wait_up(proc, dicom_port)
        r = subprocess.run(["storescu", "-aet", "OTHER", "-aec", "DMSTATION", "127.0.0.1", str(dicom_port), str(files[0])], capture_output=True)
        assert r.returncode != 0
        r = subprocess.run(["storescu", "+sd", "+r", "-aet", "MODALITY1", "-aec", "DMSTATION", "127.0.0.1", str(dicom_port), str(tmp_path / "src")],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        deadline = time.time() + 90
        listed = {"jobs": []}
        while time.time() < deadline:
            _, listed = api(port, "/api/jobs?kind=publish")
            if len(listed["jobs"]) >= len(studies) and all(j["state"] in ("done", "failed") for j in listed["jobs"]):
                break
            time.sleep(0.5)
        time.sleep(4)
        _, listed = api(port, "/api/jobs?kind=publish")
        assert listed["total"] == len(studies), listed
        for j in listed["jobs"]:
            assert j["state"] == "done", j
            image = tmp_path / "out" / f"JOB{j['id']}.iso"
            v = run("verify", image, "--pdi")
            assert v.returncode == 0, v.stderr.decode()
    finally:
        code, err = stop(proc)
    assert code == 0, err
    r = run("store", "list", "--store", tmp_path / "store", "--json", check=True)
    assert json.dumps(json.loads(r.stdout)).count('"sopInstanceUID"') == len(files)


def test_a_station_killed_mid_publish_fails_the_job_and_leaves_no_half_image(tmp_path):
    import pydicom
    files = synth(tmp_path / "drop" / "big", 300, small=False)
    study = pydicom.dcmread(files[0], stop_before_pixels=True).StudyInstanceUID
    (tmp_path / "out").mkdir()
    config, port = write_config(tmp_path)
    proc = start(config)
    try:
        wait_up(proc, port)
        _, imp = api(port, "/api/jobs", {"kind": "import", "source": str(tmp_path / "drop" / "big")})
        assert wait_job(port, imp["id"])["state"] == "done"
        _, pub = api(port, "/api/jobs", {"kind": "publish", "studies": [study], "target": {"kind": "iso", "path": str(tmp_path / "out")}})
        deadline = time.time() + 60
        while time.time() < deadline:
            _, j = api(port, f"/api/jobs/{pub['id']}")
            if j["state"] == "running" and j["progress"]["done"] > 0:
                break
            assert j["state"] in ("queued", "running"), j
            time.sleep(0.02)
        proc = kill_and_restart(proc, config, port)
        _, j = api(port, f"/api/jobs/{pub['id']}")
        assert j["state"] == "failed" and "stopped" in j["reason"], j
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []
        # Retried, it writes the image.
        status, _ = api(port, f"/api/jobs/{pub['id']}/retry", {})
        assert status == 200
        assert wait_job(port, pub["id"])["state"] == "done"
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"JOB{pub['id']}.iso"]
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_bound_beyond_loopback_over_https_every_request_needs_the_token(tmp_path, monkeypatch):
    """A station on 0.0.0.0 with TLS: the API's requests without the token get 401, with it 200, and the pages send
    to the login form; the certificate is the one configured (verified against it as the CA)."""
    import ssl
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       capture_output=True)
    assert r.returncode == 0, r.stderr
    token = "s3cret-token-of-the-station"
    monkeypatch.setenv("STATION_TOKEN", token)
    port = free_port()
    config = tmp_path / "station.json"
    config.write_text(json.dumps({
        "http": {"host": "0.0.0.0", "port": port, "tokenEnv": "STATION_TOKEN", "tlsCertificate": str(cert), "tlsKey": str(key)},
        "store": str(tmp_path / "store"), "state": str(tmp_path / "state"), "roots": [str(tmp_path)]}))
    proc = start(config)
    try:
        wait_up(proc, port)
        context = ssl.create_default_context(cafile=str(cert))

        def get(path, auth=None):
            req = urllib.request.Request(f"https://127.0.0.1:{port}{path}")
            if auth:
                req.add_header("Authorization", auth)
            try:
                with urllib.request.urlopen(req, timeout=10, context=context) as resp:
                    return resp.status, resp.headers, resp.url
            except urllib.error.HTTPError as e:
                return e.code, e.headers, e.url
        for path in ("/api/jobs", "/api/openapi.json"):
            status, headers, _ = get(path)
            assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer"), (path, status)
            assert get(path, "Bearer wrong-token-of-the-station")[0] == 401
        assert get("/api/jobs", f"Bearer {token}")[0] == 200
        # The pages send a caller without the token to the login form.
        for path in ("/", "/jobs", "/import", "/settings"):
            assert get(path)[2] == f"https://127.0.0.1:{port}/login", path
        with pytest.raises((OSError, http.client.HTTPException)):  # plain HTTP is not served
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/jobs", timeout=10)
    finally:
        assert stop(proc)[0] == 0
