"""The network commands against an Orthanc of the test's own (fresh folder, free loopback ports): `echo`
by C-ECHO and by QIDO-RS, `send` by C-STORE and by STOW-RS from a store made by `import`: every instance
arrives, with the bytes the store holds, and only what Orthanc confirmed is reported as sent."""
import json
import tempfile

import pytest

from network_util import charset_store, data_set_bytes, dm, orthanc, store_files  # noqa: F401 (fixtures)

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
