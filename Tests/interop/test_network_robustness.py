"""A storage peer killed (SIGKILL) in the middle of an `import --to`: the command ends with one clear line and a
non-zero exit, and every instance it reports as sent is one the peer confirmed, i.e. wrote before answering
(PS3.4 B.2.3: only a C-STORE-RSP confirms a store). A peer that never answers is given up after the timeout."""
import json
import signal
import socket
import subprocess
import sys
import threading
import time

from conftest import BIN, CORPUS
from network_util import dm, free_port, wait_listening

# A pynetdicom C-STORE SCP that takes 0.3 s per instance and writes each data set before it answers success.
SLOW_SCP = r"""
import os, sys, time
from pynetdicom import AE, evt, AllStoragePresentationContexts, ALL_TRANSFER_SYNTAXES
out, port = sys.argv[1], int(sys.argv[2])
def on_store(event):
    time.sleep(0.3)
    uid = event.request.AffectedSOPInstanceUID
    with open(os.path.join(out, uid + ".part"), "wb") as f:
        f.write(event.request.DataSet.getvalue())
    os.rename(os.path.join(out, uid + ".part"), os.path.join(out, uid))
    return 0x0000
ae = AE(ae_title="SLOW")
for cx in AllStoragePresentationContexts:
    ae.add_supported_context(cx.abstract_syntax, ALL_TRANSFER_SYNTAXES)
ae.start_server(("127.0.0.1", port), block=True, evt_handlers=[(evt.EVT_C_STORE, on_store)])
"""


def test_peer_killed_mid_transfer_reports_only_confirmed(tmp_path):
    import pynetdicom  # noqa: F401 (scripts/setup.sh installs it; missing, the test fails)
    py = sys.executable
    out = tmp_path / "received"
    out.mkdir()
    port = free_port()
    scp = subprocess.Popen([py, "-c", SLOW_SCP, str(out), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_listening(port, scp)
        source = CORPUS / "clunie-charset-fileset"
        ours = subprocess.Popen([str(BIN), "import", str(source), "--to", f"SLOW@127.0.0.1:{port}", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(list(out.iterdir())) < 3 and time.monotonic() < deadline and ours.poll() is None:
            time.sleep(0.02)
        assert ours.poll() is None, "the import ended before the peer was killed"
        scp.send_signal(signal.SIGKILL)
        stdout, stderr = ours.communicate(timeout=120)
    finally:
        if scp.poll() is None:
            scp.kill()
        scp.wait()
    assert ours.returncode in (1, 2), stderr
    written = {p.name for p in out.iterdir() if not p.name.endswith(".part")}
    assert len(written) >= 3
    report = json.loads(stdout)
    confirmed = {i["sopInstanceUID"] for i in report["send"]["sent"] if i["confirmed"]}
    assert confirmed <= written, confirmed - written
    assert len(confirmed) < 11, "the peer was killed before all 11 instances were sent"
    assert b"Traceback" not in stderr and b"Fatal error" not in stderr
    assert stderr.strip(), "the failure is named on stderr"


def test_peer_that_never_answers_the_association_request(tmp_path):
    """A listener that accepts the TCP connection and says nothing: echo gives up (ARTIM / connect timeout) with
    one line and exit 2, and does not hang."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    held = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                pass
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        start = time.monotonic()
        r = dm("echo", f"MUTE@127.0.0.1:{port}")
        took = time.monotonic() - start
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        srv.close()
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.decode().strip().splitlines()) == 1, r.stderr
    assert took < 60, took  # the 30 s wait for an answer (ARTIM duration), not the 120 s idle timeout
