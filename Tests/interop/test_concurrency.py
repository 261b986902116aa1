"""One writer at a time (issue 10, item 2) and private temporary data (item 5, File-sets and images).

- 20 rounds of two `update`s at once on one File-set (different patients) and 20 of `update` +
  `remove`: every run succeeds with its change made, or fails "busy" (exit 2) having changed
  nothing; `verify` is clean after each round. Even rounds use `--wait 0` (busy is possible), odd
  rounds a long wait (the two runs must both succeed, one after the other).
- A writer stopped (SIGSTOP) while it holds the lock makes a second writer fail busy with the
  holder's pid, touching nothing (every file, mode and mtime of the File-set unchanged); the same
  with the lock held by this test (flock from Python): a stale lock text of a dead process is not
  a lock.
- Staged data: while an update stages re-encoded files they are in `.dicom-media/staged/` (0700,
  files 0600); after a kill -9 the next command on the File-set removes them; after success and
  after a failure nothing is left; files written to the medium keep normal modes. The same for an
  ISO image: its staging folder lives beside the image, never in TMPDIR.
- A lock path planted as a symbolic link (file or folder) to a canary outside: refused, the canary
  untouched.
- The store: `store verify`, `store remove` and `import` fail busy while another process holds the
  store exclusively, and wait with `--wait`.
"""
import fcntl
import json
import os
import shutil
import signal
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import BIN
from fileset_util import list_json, our_instances, sop_of, synth, verify

ROUNDS = 20


def cmd(*args):
    return [str(BIN), *map(str, args)]


def run(*args, env=None):
    r = subprocess.run(cmd(*args), capture_output=True, env=env)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def sops_on(root):
    rc, listing, err = list_json(root)
    assert rc == 0, err
    return {i["sopInstanceUID"] for i in our_instances(listing)}


def snapshot(root):
    """Every entry under root (hidden ones too): (kind, mode, size, mtime_ns, content)."""
    out = {}
    root = Path(root)
    for p in sorted([root, *root.rglob("*")]):
        st = os.lstat(p)
        content = p.read_bytes() if stat.S_ISREG(st.st_mode) else None
        out[str(p.relative_to(root))] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_size, st.st_mtime_ns, content)
    return out


def contents(root):
    """The snapshot without the root folder's own entry (a writer that held the lock made and removed its tool folder)."""
    s = snapshot(root)
    del s["."]
    return s


def assert_clean(root, context):
    rc, problems, text = verify(root)
    assert rc == 0, f"{context}: verify exit {rc}: {text[:2000]}"
    assert not (Path(root) / ".dicom-media").exists(), f"{context}: tool folder left behind"


def wait_for(pred, what, timeout=120):
    t0 = time.monotonic()
    while not pred():
        assert time.monotonic() - t0 < timeout, f"timed out waiting for {what}"
        time.sleep(0.002)


def lock_text(root):
    try:
        return (Path(root) / ".dicom-media" / "lock").read_text()
    except OSError:
        return ""


@pytest.fixture(scope="module")
def patients(tmp_path_factory):
    """Folders of one patient each (2 instances), at least 2 * ROUNDS + 2 of them."""
    tmp = tmp_path_factory.mktemp("conc")
    src = tmp / "src"
    synth(src, 10 * (2 * ROUNDS + 4), seed=11)
    out = []
    for k, p in enumerate(sorted(d for d in src.iterdir() if d.is_dir())):
        files = sorted(p.rglob("*.dcm"))[:2]
        dest = tmp / f"p{k:03d}"
        dest.mkdir()
        for i, f in enumerate(files):
            shutil.copyfile(f, dest / f"{i}.dcm")
        out.append((dest, {sop_of(f) for f in files}, p.name))
    assert len(out) >= 2 * ROUNDS + 2, len(out)
    return out


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """A folder of 40 small files: an update long enough to be stopped while it stages."""
    src = tmp_path_factory.mktemp("many") / "src"
    synth(src, 40, seed=5)
    return src


def outcome(p, sops, context, present_after):
    """Checks one finished run: success with its change made, or busy having made none."""
    out, err = p.communicate()
    err = err.decode(errors="replace")
    if p.returncode == 0:
        assert present_after(sops), f"{context}: exit 0 but its change is not on the medium"
        return "done"
    assert p.returncode == 2 and "busy (locked by pid" in err, f"{context}: exit {p.returncode}: {err}"
    assert not present_after(sops), f"{context}: failed busy but changed the medium"
    return "busy"


def test_two_updates_at_once(patients, tmp_path):
    root = tmp_path / "fs"
    rc, _, err = run("create", root, patients[0][0])
    assert rc == 0, err
    tally = {"done": 0, "busy": 0}
    for r in range(ROUNDS):
        wait = "0" if r % 2 == 0 else "600"
        a, b = patients[1 + 2 * r], patients[2 + 2 * r]
        pa = subprocess.Popen(cmd("update", "--wait", wait, root, a[0]), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pb = subprocess.Popen(cmd("update", "--wait", wait, root, b[0]), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pa.wait(); pb.wait()
        now = sops_on(root)
        results = [outcome(p, x[1], f"round {r} update {x[2]} --wait {wait}", lambda s: s <= now) for p, x in ((pa, a), (pb, b))]
        for x in results:
            tally[x] += 1
        if wait != "0":
            assert results == ["done", "done"], f"round {r}: with a long wait both updates must succeed, one after the other"
        # Nothing lost, nothing mixed up: each patient's instances under its own patient record.
        rc, listing, _ = list_json(root)
        for pat in listing["patients"]:
            for st in pat["studies"]:
                for se in st["series"]:
                    for inst in se["instances"]:
                        owner = next((x for x in patients if inst["sopInstanceUID"] in x[1]), None)
                        assert owner is not None and owner[2] == pat["patientID"], f"round {r}: {inst['fileID']} under {pat['patientID']}"
        assert_clean(root, f"round {r}")
    assert tally["done"] >= ROUNDS, tally
    print(f"two updates: {tally}")


def test_update_and_remove_at_once(patients, tmp_path):
    root = tmp_path / "fs"
    rc, _, err = run("create", root, patients[0][0])
    assert rc == 0, err
    on_medium = [patients[0]]
    for r in range(ROUNDS):
        wait = "0" if r % 2 == 0 else "600"
        add = patients[1 + r]
        gone = on_medium[0]
        pu = subprocess.Popen(cmd("update", "--wait", wait, root, add[0]), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pr = subprocess.Popen(cmd("remove", "--wait", wait, root, "--patient", gone[2]), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pu.wait(); pr.wait()
        now = sops_on(root)
        u = outcome(pu, add[1], f"round {r} update --wait {wait}", lambda s: s <= now)
        d = outcome(pr, gone[1], f"round {r} remove --wait {wait}", lambda s: not (s & now))
        if wait != "0":
            assert (u, d) == ("done", "done"), f"round {r}: with a long wait both must succeed"
        if u == "done":
            on_medium.append(add)
        if d == "done":
            on_medium.remove(gone)
        assert now == set().union(*(x[1] for x in on_medium)), f"round {r}: the medium holds other instances than expected"
        if not on_medium:  # keep one patient for the next remove
            assert run("update", root, patients[-1][0])[0] == 0
            on_medium.append(patients[-1])
        assert_clean(root, f"round {r}")


def test_stopped_holder_makes_second_writer_busy(patients, many, tmp_path):
    """A first update stopped with SIGSTOP while it holds the lock: the second fails busy naming
    the first one's pid, with every file, mode and mtime unchanged; the first then finishes."""
    root = tmp_path / "fs"
    assert run("create", root, patients[0][0])[0] == 0
    first = subprocess.Popen(cmd("update", root, many), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: lock_text(root).startswith(f"pid {first.pid} since ") or first.poll() is not None, "the lock")
        os.kill(first.pid, signal.SIGSTOP)
        assert first.poll() is None, "the first update ended before it could be stopped (input too small)"
        before = snapshot(root)
        t0 = time.monotonic()
        rc, out, err = run("update", "--wait", "0.5", root, patients[1][0])
        assert rc == 2, err
        assert f"File-set busy (locked by pid {first.pid} since " in err, err
        assert time.monotonic() - t0 < 60
        rc, out, err = run("remove", "--wait", "0", root, "--patient", patients[0][2])
        assert rc == 2 and f"locked by pid {first.pid}" in err, err
        assert snapshot(root) == before, "a busy writer changed the File-set"
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait() == 0, first.stderr.read().decode(errors="replace")
    assert sops_on(root) >= patients[0][1]
    assert_clean(root, "after the stopped update")
    # Now free: the second update goes through.
    rc, _, err = run("update", "--wait", "0", root, patients[1][0])
    assert rc == 0, err
    assert_clean(root, "second update")


def test_lock_held_by_another_process_and_stale_text(patients, tmp_path):
    """flock held by this test: busy, nothing changed, --wait waits for the release; a lock file
    left by a dead holder (text only, no flock) does not stop anyone."""
    root = tmp_path / "fs"
    assert run("create", root, patients[0][0])[0] == 0
    tool = root / ".dicom-media"
    tool.mkdir()
    lock = tool / "lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, b"pid 4242 since 2026-01-02T03:04:05Z\n")
        before = snapshot(root)
        for args in (("update", root, patients[1][0]), ("remove", root, "--patient", patients[0][2]),
                     ("create", "--in-place", root)):
            rc, out, err = run(args[0], "--wait", "0", *args[1:])
            assert rc == 2, f"{args[0]}: {err}"
            assert f"{root}: File-set busy (locked by pid 4242 since 2026-01-02T03:04:05Z)" in err, err
        assert snapshot(root) == before
        # Released after a moment: a writer with a long wait goes through.
        threading.Timer(0.5, lambda: fcntl.flock(fd, fcntl.LOCK_UN)).start()
        rc, out, err = run("update", "--wait", "120", root, patients[1][0])
        assert rc == 0, err
    finally:
        os.close(fd)
    assert sops_on(root) >= patients[1][1]
    assert_clean(root, "after the wait")
    # A stale lock: the text of a dead process, no flock.
    tool.mkdir()
    lock.write_text("pid 999999 since 2020-01-01T00:00:00Z\n")
    rc, out, err = run("update", "--wait", "0", root, patients[2][0])
    assert rc == 0, err
    assert_clean(root, "after a stale lock")


def test_planted_lock_links_touch_nothing_outside(patients, tmp_path):
    root = tmp_path / "fs"
    assert run("create", root, patients[0][0])[0] == 0
    canary = tmp_path / "canary"
    canary.write_bytes(b"precious\n")
    os.chmod(canary, 0o644)
    outside = tmp_path / "outside"
    outside.mkdir()
    tool = root / ".dicom-media"

    def canaries():
        return snapshot(tmp_path / "outside"), canary.read_bytes(), os.stat(canary).st_mtime_ns, stat.S_IMODE(os.stat(canary).st_mode)

    expected = canaries()
    cases = {
        "lock -> canary file": lambda: (tool.mkdir(), (tool / "lock").symlink_to(canary)),
        "lock -> missing file outside": lambda: (tool.mkdir(), (tool / "lock").symlink_to(outside / "made")),
        ".dicom-media -> outside folder": lambda: tool.symlink_to(outside, target_is_directory=True),
        "lock hard link to canary": lambda: (tool.mkdir(), os.link(canary, tool / "lock")),
    }
    for name, plant in cases.items():
        plant()
        before = snapshot(root)
        for args in (("update", root, patients[1][0]), ("remove", root, "--patient", patients[0][2])):
            rc, out, err = run(args[0], "--wait", "0", *args[1:])
            assert rc == 2, f"{name}: {args[0]} exit {rc}: {err}"
            assert "refused" in err and ("link" in err or "not a folder" in err), f"{name}: {err}"
        assert canaries() == expected, f"{name}: the canary outside was touched"
        assert not (outside / "made").exists() and not (outside / "lock").exists()
        assert snapshot(root) == before, f"{name}: the File-set changed"
        if tool.is_symlink():
            tool.unlink()
        else:
            shutil.rmtree(tool)
    assert sops_on(root) == patients[0][1]


def modes_under(folder):
    return {str(p.relative_to(folder)): (stat.S_IFMT(os.lstat(p).st_mode), stat.S_IMODE(os.lstat(p).st_mode))
            for p in [Path(folder), *Path(folder).rglob("*")]}


def stop_while_staging(args, staged, env=None):
    """Starts a command, stops it (SIGSTOP) once `staged` holds a file; returns the process."""
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wait_for(lambda: (staged.is_dir() and any(staged.iterdir())) or p.poll() is not None, "staged files")
    os.kill(p.pid, signal.SIGSTOP)
    assert p.poll() is None, "the command ended before it could be stopped: " + p.stderr.read().decode(errors="replace")
    return p


def assert_private(folder, context):
    modes = modes_under(folder)
    assert modes, context
    for rel, (kind, mode) in modes.items():
        want = 0o700 if kind == stat.S_IFDIR else 0o600
        assert mode == want, f"{context}: {rel} has mode {oct(mode)}, not {oct(want)}"


def test_staged_data_private_and_removed_after_kill(patients, many, tmp_path):
    root = tmp_path / "fs"
    assert run("create", root, patients[0][0])[0] == 0
    staged = root / ".dicom-media" / "staged"
    # --deidentify rewrites every instance into the staging folder first.
    p = stop_while_staging(cmd("update", "--deidentify", root, many), staged)
    try:
        assert_private(root / ".dicom-media", "while staging")
        assert stat.S_IMODE(os.stat(root / ".dicom-media").st_mode) == 0o700
    finally:
        p.kill()
        p.wait()
    assert staged.exists(), "the kill should leave the staged files (the next command removes them)"
    # Any later writer on the File-set removes them under the lock.
    rc, out, err = run("remove", root, "--patient", "NO-SUCH-PATIENT")
    assert rc == 1, err
    assert not (root / ".dicom-media").exists(), "leftovers of the killed run not removed"
    assert sops_on(root) == patients[0][1]
    assert_clean(root, "after the kill")
    # Success: nothing left; the files on the medium have normal modes, not 0600.
    umask = os.umask(0o022); os.umask(umask)
    rc, out, err = run("update", "--deidentify", root, many)
    assert rc == 0, err
    assert not (root / ".dicom-media").exists()
    for f in (root / "DICOM").rglob("*"):
        if f.is_file():
            assert stat.S_IMODE(os.stat(f).st_mode) == 0o666 & ~umask, f"{f}: {oct(os.stat(f).st_mode)}"
    assert_clean(root, "after success")


def test_staged_data_removed_after_failure(patients, many, tmp_path):
    """A run that fails after staging (the descriptor file is missing: checked after every input
    is prepared) leaves no staged copy; refused instances leave none either."""
    root = tmp_path / "fs"
    assert run("create", root, patients[0][0])[0] == 0
    before = contents(root)
    rc, out, err = run("update", "--deidentify", "--descriptor", tmp_path / "missing.txt", root, many)
    assert rc == 2, err
    assert not (root / ".dicom-media").exists(), "staged files left after a failure"
    assert contents(root) == before
    # Refused by the transform (burned-in annotation): nothing staged for it, nothing left.
    import pydicom
    src = pydicom.dcmread(str(next(iter(sorted(patients[3][0].glob("*.dcm"))))))
    src.BurnedInAnnotation = "YES"
    bad = tmp_path / "burned"
    bad.mkdir()
    src.save_as(str(bad / "b.dcm"))
    rc, out, err = run("update", "--deidentify", root, bad)
    assert rc == 1, err
    assert not (root / ".dicom-media").exists()
    assert contents(root) == before


def test_image_staging_beside_the_image(patients, many, tmp_path):
    """create --iso: staged files in `.NAME.dicom-media/` beside the image (0700/0600), nothing in
    TMPDIR; a kill leaves them, the next create of that image removes them; success leaves only the image."""
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    env = dict(os.environ, TMPDIR=str(tmpdir))
    out = tmp_path / "out"
    out.mkdir()
    image = out / "disc.iso"
    tool = out / ".disc.iso.dicom-media"
    p = stop_while_staging(cmd("create", "--iso", image, "--deidentify", many), tool / "staged", env=env)
    try:
        assert_private(tool, "image staging")
        assert list(tmpdir.iterdir()) == [], "temporary data written to TMPDIR"
    finally:
        p.kill()
        p.wait()
    assert not image.exists()
    rc, o, err = run("create", "--iso", image, "--deidentify", many, env=env)
    assert rc == 0, err
    assert sorted(x.name for x in out.iterdir()) == ["disc.iso"], sorted(x.name for x in out.iterdir())
    assert list(tmpdir.iterdir()) == []
    umask = os.umask(0o022); os.umask(umask)
    assert stat.S_IMODE(os.stat(image).st_mode) & 0o044 == 0o044 & ~umask, "the image is not a normal file"
    # Two writers of one image: the second is busy while the first holds it.
    image2 = out / "two.iso"
    p = stop_while_staging(cmd("create", "--iso", image2, "--deidentify", many), out / ".two.iso.dicom-media" / "staged", env=env)
    try:
        rc, o, err = run("create", "--iso", image2, "--wait", "0", many, env=env)
        assert rc == 2 and "image busy (locked by pid" in err, err
    finally:
        os.kill(p.pid, signal.SIGCONT)
    assert p.wait() == 0, p.stderr.read().decode(errors="replace")
    assert sorted(x.name for x in out.iterdir()) == ["disc.iso", "two.iso"]


def test_store_busy_and_wait(patients, tmp_path):
    store = tmp_path / "store"
    rc, out, err = run("import", "--store", store, patients[0][0])
    assert rc == 0, err
    lock = store / "store.lock"
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.write(fd, b"pid 4343 since 2026-02-03T04:05:06Z\n")
        for args in (("store", "verify"), ("store", "remove", next(iter(patients[0][1]))), ("import", patients[1][0])):
            rc, out, err = run(*args, "--store", store, "--wait", "0")
            assert rc == 2, f"{args}: {err}"
            assert "store busy (locked by pid 4343 since 2026-02-03T04:05:06Z)" in err, err
        rc, out, err = run("store", "list", "--store", store, "--json")
        assert rc == 0 and patients[1][2] not in out
        threading.Timer(0.5, lambda: fcntl.flock(fd, fcntl.LOCK_UN)).start()
        rc, out, err = run("import", patients[1][0], "--store", store, "--wait", "120")
        assert rc == 0, err
    finally:
        os.close(fd)
    rc, out, err = run("store", "verify", "--store", store, "--wait", "0")
    assert rc == 0, err
    # A planted link at store.lock is refused; its target is untouched.
    canary = tmp_path / "canary"
    canary.write_text("x")
    lock.unlink()
    lock.symlink_to(canary)
    rc, out, err = run("store", "verify", "--store", store)
    assert rc == 2 and "symbolic link" in err, err
    assert canary.read_text() == "x"
