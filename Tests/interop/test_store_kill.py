"""Crash safety of `import`: the process is SIGKILLed at many points of a run (reading, writing
temporary files, syncfs, renames, index transactions); right after each kill every index row has
its complete file (only leftovers of the interrupted run may exist), and running the import again
ends with every instance stored exactly once: `store verify` clean, counts equal to the source,
no conflicts. Kill points: half spread over the whole run, half after the run's temporary folder
appears (the writing part). DICOM_MEDIA_KILL_POINTS sets the number of kills (default 16)."""
import json
import os
import random
import subprocess
import time

import pytest

from conftest import BIN
from fileset_util import run_and_kill, synth
from test_store import instances_on, stored

POINTS = int(os.environ.get("DICOM_MEDIA_KILL_POINTS", "16"))
ENV = dict(os.environ, DICOM_MEDIA_IMPORT_BATCH="24")


def import_cmd(src, store):
    return [str(BIN), "import", str(src), "--store", str(store), "--json"]


def run_dir_exists(store):
    tmp = store / "tmp"
    return tmp.is_dir() and any(n.name.startswith("run-") for n in tmp.iterdir())


def killed_import(src, store, delay, after_run_dir):
    """SIGKILLs an import `delay` seconds after the start (or after its run folder appears)."""
    return run_and_kill(import_cmd(src, store), delay, started=(lambda: run_dir_exists(store)) if after_run_dir else None, env=ENV)


def verify(store):
    r = subprocess.run([str(BIN), "store", "verify", "--json", "--store", str(store)], capture_output=True)
    return r.returncode, json.loads(r.stdout)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    base = tmp_path_factory.mktemp("killsrc")
    synth(base / "src", 240, seed=21)
    fs = base / "fs"
    env = dict(os.environ)
    r = subprocess.run([str(BIN), "create", str(fs), str(base / "src")], capture_output=True, env=env)
    assert r.returncode == 0, r.stderr
    return fs


def test_kill_and_rerun(medium, tmp_path):
    expected = instances_on(medium)
    assert len(expected) == 240
    # A normal run's duration sets the kill delays.
    t0 = time.monotonic()
    r = subprocess.run(import_cmd(medium, tmp_path / "timing"), capture_output=True, env=ENV)
    total = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    rng = random.Random(1234)
    half = POINTS // 2
    points = [(total * (i + rng.random()) / half, False) for i in range(half)]
    points += [(total * 0.6 * (i + rng.random()) / (POINTS - half), True) for i in range(POINTS - half)]
    killed = 0
    partial = 0  # kills that left some rows but not all: the kill hit the middle of the writing
    for k, (delay, after) in enumerate(points):
        store = tmp_path / f"s{k}"
        # Some iterations first import part of the medium's content cleanly, then get killed twice.
        rc = killed_import(medium, store, delay, after)
        if rc is None:
            killed += 1
            # Right after the kill: rows only for complete files; leftovers only of the interrupted run.
            if (store / "index.sqlite").exists():
                code, v = verify(store)
                bad = [p for p in v["problems"] if p["code"] not in ("interrupted", "orphan-file")]
                assert not bad, (k, delay, after, bad)
                if 0 < v["instances"] < len(expected):
                    partial += 1
            if k % 3 == 0:
                if killed_import(medium, store, delay / 2, after) is None:
                    killed += 1
        r = subprocess.run(import_cmd(medium, store), capture_output=True, env=ENV)
        assert r.returncode == 0, (k, r.stderr)
        j = json.loads(r.stdout)
        assert j["conflicts"] == 0 and j["failed"] == 0
        got = stored(store)
        assert sorted(s for _, _, s, _ in got) == sorted(expected), (k, delay, after)
        assert not any(c for _, _, _, c in got)
        code, v = verify(store)
        assert code == 0 and v["problems"] == [], (k, v)
        assert not list((store / "tmp").iterdir())
    assert killed >= POINTS // 2, f"only {killed} of {POINTS} runs were killed before they ended"
    assert partial >= 2, f"only {partial} kills landed while instances were being stored"
    print(f"{killed} kills, {partial} in the middle of storing")
