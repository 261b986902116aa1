"""The network commands against an Orthanc of the test's own (fresh folder, free loopback ports): `echo`
by C-ECHO and by QIDO-RS, `send` by C-STORE and by STOW-RS from a store made by `import`: every instance
arrives, with the bytes the store holds, and only what Orthanc confirmed is reported as sent."""
import json
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BIN, CORPUS
from network_util import Orthanc, data_set_bytes

CHARSET = CORPUS / "clunie-charset-fileset"


def dm(*args):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, timeout=300)


@pytest.fixture
def orthanc(tmp_path):
    o = Orthanc(tmp_path / "orthanc")
    yield o
    o.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = tmp_path_factory.mktemp("ostore") / "s"
    r = dm("import", CHARSET, "--store", s)
    assert r.returncode == 0, r.stderr
    return s


def stored(store):
    j = json.loads(dm("store", "list", "--store", store, "--json").stdout)
    return {i["sopInstanceUID"]: Path(store) / i["path"]
            for p in j["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"]}


def test_echo_dimse_and_dicomweb(orthanc):
    r = dm("echo", orthanc.node, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["service"] == "C-ECHO"
    r = dm("echo", orthanc.dicomweb, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["service"] == "QIDO-RS" and j["studies"] == 0


@pytest.mark.parametrize("how", ["dimse", "dicomweb"])
def test_send_to_orthanc(orthanc, store, how):
    to = orthanc.node if how == "dimse" else orthanc.dicomweb
    r = dm("send", "--to", to, "--store", store, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    ours = stored(store)
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
