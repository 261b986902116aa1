"""Writers on a full disk (small tmpfs mounts, so as root): create, update, create --in-place, create --iso, export --iso,
import and the station's publish and burn jobs each fail with the path and "No space left on device", never leave a
half-written file under its final name, never touch what was there before, and finish when run again with room."""
import hashlib
import json
import os
import subprocess

import pydicom
import pytest

from conftest import CORPUS, need, run
from fileset_util import synth
from network_util import Receiver
from test_station import api, stop, wait_job
from test_station_burn import imported

CHARSET = CORPUS / "clunie-charset-fileset"
NO_SPACE = "No space left on device"
STUDY = "1.3.6.1.4.1.5962.1.2.0.1175775772.5732.0"


@pytest.fixture
def disk(tmp_path):
    """disk(name, size): a tmpfs of `size` (mount(8) units) at tmp_path/name, unmounted at the end; disk.resize(path, size)."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is a small tmpfs: mounting one needs root (CI runs as root)")
    mounted = []

    def make(name, size):
        path = tmp_path / name
        path.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        mounted.append(path)
        return path

    def resize(path, size):
        r = subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr

    make.resize = resize
    yield make
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def digests(folder):
    """Every file under `folder` (hidden ones too) with its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def used_kib(path):
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize // 1024


def test_create_on_a_full_disk_fails_then_finishes_or_rolls_back(disk):
    d = disk("usb", "1m")
    r = run("create", d / "out", CHARSET)
    err = r.stderr.decode()
    assert r.returncode == 2 and NO_SPACE in err and str(d / "out") in err, err
    assert not (d / "out" / "DICOMDIR").exists()
    # Rolled back: nothing of the create is left.
    r = run("recover", d / "out", "--abort")
    assert r.returncode == 0, r.stderr.decode()
    assert not (d / "out").exists() or [p for p in (d / "out").rglob("*") if p.is_file()] == []
    # Failed again, then with room the same command finishes it.
    assert run("create", d / "out", CHARSET).returncode == 2
    disk.resize(d, "8m")
    r = run("create", d / "out", CHARSET)
    assert r.returncode == 0, r.stderr.decode()
    r = run("verify", d / "out")
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    assert len(list(pydicom.fileset.FileSet(pydicom.dcmread(d / "out" / "DICOMDIR")))) == 11


def test_update_on_a_full_disk_leaves_the_file_set_as_it_was(disk):
    d = disk("usb", "4m")
    assert run("create", d / "fs", CHARSET / "SCSGERM", CHARSET / "SCSFREN").returncode == 0
    before = {k: v for k, v in digests(d / "fs").items() if not k.startswith(".dicom-media")}
    disk.resize(d, f"{used_kib(d) + 40}k")
    r = run("update", d / "fs", CHARSET)
    err = r.stderr.decode()
    assert r.returncode == 2 and NO_SPACE in err, err
    # The DICOMDIR and every file of the File-set are untouched, and it still verifies.
    after = digests(d / "fs")
    assert all(after.get(k) == v for k, v in before.items()), "an existing file changed"
    assert run("verify", d / "fs").returncode == 0
    r = run("recover", d / "fs", "--abort")
    assert r.returncode == 0, r.stderr.decode()
    assert {k: v for k, v in digests(d / "fs").items() if not k.startswith(".dicom-media")} == before
    disk.resize(d, "8m")
    r = run("update", d / "fs", CHARSET)
    assert r.returncode == 0, r.stderr.decode()
    r = run("list", d / "fs", "--json")
    assert len(json.loads(r.stdout)["patients"]) == 11


def test_in_place_on_a_full_medium_writes_no_dicomdir(disk, tmp_path):
    d = disk("stick", "4m")
    (d / "m").mkdir()
    for name in ("SCSGERM", "SCSFREN", "SCSARAB"):
        (d / "m" / name).write_bytes((CHARSET / name).read_bytes())
    before = digests(d / "m")
    st = os.statvfs(d)
    with open(d / "filler", "wb") as f:
        f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - 2048))
    r = run("create", d / "m", "--in-place")
    err = r.stderr.decode()
    assert r.returncode == 2 and NO_SPACE in err and "DICOMDIR" in err, err
    assert not (d / "m" / "DICOMDIR").exists()
    assert {k: v for k, v in digests(d / "m").items() if not k.startswith(".dicom-media")} == before


def test_images_on_a_full_disk_leave_no_partial_image(disk, tmp_path):
    d = disk("out", "1m")
    r = run("create", "--iso", d / "a.iso", CHARSET)
    assert r.returncode == 2 and NO_SPACE in r.stderr.decode() and str(d / "a.iso") in r.stderr.decode(), r.stderr.decode()
    assert run("import", CHARSET, "--store", tmp_path / "store").returncode == 0
    r = run("export", "--iso", d / "b.iso", "--store", tmp_path / "store", "--pdi")
    assert r.returncode == 2 and NO_SPACE in r.stderr.decode(), r.stderr.decode()
    assert list(d.iterdir()) == [], list(d.iterdir())


def test_import_into_a_full_store_reports_what_it_stored_then_adds_the_rest(disk, tmp_path):
    files = synth(tmp_path / "disc", 600, seed=11)
    total = sum(f.stat().st_size for f in files)
    # Room for the first batch (256 files) and the index, not for the second.
    d = disk("store", f"{int(total * 0.6) // 1024}k")
    r = run("import", tmp_path / "disc", "--store", d / "s", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 1, r.stderr.decode()
    assert NO_SPACE in out["interrupted"] and out["imported"] >= 256 and out["imported"] + out["notRead"] == 600, out
    assert "[ended-early]" in r.stderr.decode()
    # What it stored is whole: the store verifies, with as many instances as the report says.
    r = run("store", "verify", "--store", d / "s", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["instances"] == out["imported"], r.stdout
    assert list((d / "s" / "tmp").iterdir()) == []
    disk.resize(d, f"{int(total * 1.5) // 1024}k")
    r = run("import", tmp_path / "disc", "--store", d / "s", "--json")
    again = json.loads(r.stdout)
    assert r.returncode == 0 and again["imported"] == out["notRead"] and again["alreadyPresent"] == out["imported"], again
    r = run("store", "verify", "--store", d / "s", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["instances"] == 600


def test_station_jobs_on_a_full_disk_fail_with_the_reason_and_leave_nothing(disk, tmp_path):
    (tmp_path / "state").mkdir()
    burn = disk("state/burn", "64k")
    full = disk("full", "64k")
    # The charset File-set imported into the station's store by a job.
    proc, _, port = imported(tmp_path)
    try:
        # The drive's image is made in STATE/burn: no room, the job fails and nothing is burned.
        (tmp_path / "disc").mkdir()
        disc = tmp_path / "disc" / "disc.img"
        _, pub = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": {"kind": "drive", "device": f"stdio:{disc}"}})
        j = wait_job(port, pub["id"])
        assert j["state"] == "failed" and NO_SPACE in json.dumps(j), j
        assert list(burn.iterdir()) == [] and (not disc.exists() or disc.stat().st_size == 0)
        # An ISO target without room: failed, no partial image, nothing under the final name.
        _, pub = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": {"kind": "iso", "path": str(full)}})
        j = wait_job(port, pub["id"])
        assert j["state"] == "failed" and NO_SPACE in json.dumps(j), j
        assert list(full.iterdir()) == []
        # The station goes on: the same job to a folder with room is done.
        (tmp_path / "out").mkdir()
        _, pub = api(port, "/api/jobs", {"kind": "publish", "studies": [STUDY], "target": {"kind": "iso", "path": str(tmp_path / "out")}})
        assert wait_job(port, pub["id"])["state"] == "done"
        assert [p.name for p in (tmp_path / "out").iterdir()] == [f"JOB{pub['id']}.iso"]
    finally:
        code, err = stop(proc)
    assert code == 0, err


@pytest.mark.parametrize("where", ["--store", "--spool"])
def test_receive_on_a_full_disk_answers_out_of_resources_and_keeps_what_it_stored(disk, where):
    need("storescu")
    d = disk("recv", "600k")
    files = sorted(p for p in CHARSET.iterdir() if p.name != "DICOMDIR")
    rx = Receiver(where, d / "in", "--json")
    try:
        r = subprocess.run(["storescu", "-d", "--no-halt", "-aet", "MODALITY", "-aec", "DICOM_MEDIA", "127.0.0.1", str(rx.port), *map(str, files)],
                           capture_output=True, timeout=120)
    finally:
        code, out, err = rx.stop()
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(events) == 1, out
    e = events[0]
    # Success is answered only for what is stored; the rest gets 0xA700 Out of Resources, naming the full disk.
    assert e["failed"] and e["stored"] + len(e["failed"]) == len(files), e
    assert "0xA700" in err and NO_SPACE in err, err
    # DCMTK's storescu was told so, with the reason and without our paths in the Error Comment (0000,0902).
    told = (r.stdout + r.stderr).decode(errors="replace")
    comments = [line for line in told.splitlines() if "ErrorComment" in line]
    assert "0xa700" in told.lower() and comments, told[-2000:]
    assert all("[not stored: No space left on device]" in c for c in comments), comments
    if where == "--store":
        r = run("store", "verify", "--store", d / "in", "--json")
        assert r.returncode == 0 and json.loads(r.stdout)["instances"] == e["stored"], r.stdout
    else:
        kept = [p for p in (d / "in").rglob("*") if p.is_file() and not p.name.startswith(".")]
        assert len(kept) == e["stored"], kept
        for p in kept:
            pydicom.dcmread(p)
