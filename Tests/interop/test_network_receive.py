"""`receive` against DCMTK's storescu and pynetdicom on loopback: what it stores (in the store or a spool)
has the data set bytes storescp +B keeps of the same send; one line per association; SIGTERM stops
accepting but lets a running association finish (exit 0); an association aborted mid-transfer leaves no
file; --idle exits 0. Expected values come from storescp and pydicom, not from us."""
import json
import os
import signal
import socket
import subprocess
import time
from io import BytesIO
from pathlib import Path

import pydicom

from conftest import BIN, CORPUS, need
from network_util import Receiver, data_set_bytes, dm, free_port, imported_store, storescp, store_files  # noqa: F401 (fixtures)

CHARSET = CORPUS / "clunie-charset-fileset"
FILES = sorted(p for p in CHARSET.iterdir() if p.name != "DICOMDIR")


def storescu(port, aet, *files, called="DICOM_MEDIA"):
    need("storescu")
    r = subprocess.run(["storescu", "-aet", aet, "-aec", called, "127.0.0.1", str(port), *map(str, files)],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r


def no_hidden_leftovers(folder):
    return [p for p in Path(folder).rglob("*") if ".tmp" in p.name or p.name.startswith(".receive")]


def test_storescu_into_store_equals_storescp(tmp_path, storescp):
    store = tmp_path / "store"
    rx = Receiver("--store", store, "--json")
    try:
        storescu(rx.port, "MODALITY", *FILES)
        storescu(storescp.port, "MODALITY", *FILES, called="STORESCP")
    finally:
        code, out, err = rx.stop()
    assert code == 0, err
    events = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert len(events) == 1, out
    assert events[0]["callingAETitle"] == "MODALITY" and events[0]["stored"] == len(FILES) and events[0]["failed"] == []
    assert events[0]["released"] is True
    stored = store_files(store)
    theirs = storescp.received()
    assert set(stored) == set(theirs) and len(stored) == len(FILES)
    for uid, path in stored.items():
        assert data_set_bytes(path) == data_set_bytes(theirs[uid]), uid
    assert no_hidden_leftovers(store) == []
    # The store is sound and says where the instances came from.
    assert dm("store", "verify", "--store", store).returncode == 0


def test_storescu_into_spool_equals_storescp(tmp_path, storescp):
    spool = tmp_path / "spool"
    rx = Receiver("--spool", spool)
    try:
        storescu(rx.port, "MODALITY", *FILES[:3])
        storescu(storescp.port, "MODALITY", *FILES[:3], called="STORESCP")
    finally:
        code, out, _ = rx.stop()
    assert code == 0
    assert len([l for l in out.splitlines() if l.strip()]) == 1 and "3 instances stored" in out
    theirs = storescp.received()
    ours = {str(pydicom.dcmread(str(p), stop_before_pixels=True).SOPInstanceUID): p for p in spool.iterdir()}
    assert set(ours) == set(theirs)
    for uid in ours:
        assert data_set_bytes(ours[uid]) == data_set_bytes(theirs[uid])


def test_pynetdicom_sigterm_lets_the_running_association_finish(tmp_path, storescp):
    from pynetdicom import AE
    spool = tmp_path / "spool"
    rx = Receiver("--spool", spool)
    ae = AE(ae_title="PYNETDICOM")
    sop_class = str(pydicom.dcmread(str(FILES[0]), stop_before_pixels=True).SOPClassUID)
    ae.add_requested_context(sop_class, ["1.2.840.10008.1.2.1"])
    ae.add_requested_context("1.2.840.10008.1.1")
    assoc = ae.associate("127.0.0.1", rx.port, ae_title="DICOM_MEDIA")
    assert assoc.is_established
    try:
        first = pydicom.dcmread(str(FILES[0]))
        assert assoc.send_c_store(first).Status == 0
        # SIGTERM while the association runs: no new association is accepted, this one goes on.
        rx.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert rx.proc.poll() is None
        second = pydicom.dcmread(str(FILES[1]))
        assert assoc.send_c_store(second).Status == 0
        assert assoc.send_c_echo().Status == 0
    finally:
        assoc.release()
    code, out, err = rx.stop()
    assert code == 0, err
    assert "2 instances stored" in out and "1 C-ECHO" in out
    names = sorted(p.name for p in spool.iterdir())
    assert names == sorted([f"{first.SOPInstanceUID}.dcm", f"{second.SOPInstanceUID}.dcm"])
    # The same datasets sent by pynetdicom to storescp +B: same bytes.
    assoc = ae.associate("127.0.0.1", storescp.port, ae_title="STORESCP")
    assert assoc.is_established
    assert assoc.send_c_store(first).Status == 0
    assoc.release()
    theirs = storescp.received()
    assert data_set_bytes(spool / f"{first.SOPInstanceUID}.dcm") == data_set_bytes(theirs[str(first.SOPInstanceUID)])


def test_abort_mid_transfer_leaves_nothing(tmp_path):
    from pynetdicom.dimse_messages import C_STORE_RQ
    from pynetdicom.dimse_primitives import C_STORE
    from pynetdicom.pdu import A_ASSOCIATE_RQ, P_DATA_TF
    from pynetdicom.pdu_primitives import A_ASSOCIATE, MaximumLengthNotification
    from pynetdicom.presentation import build_context
    from pynetdicom.transport import AddressInformation
    store = tmp_path / "store"
    rx = Receiver("--store", store)
    try:
        primitive = A_ASSOCIATE()
        primitive.application_context_name = "1.2.840.10008.3.1.1.1"
        primitive.calling_ae_title = "KILLER"
        primitive.called_ae_title = "DICOM_MEDIA"
        primitive.calling_presentation_address = AddressInformation("127.0.0.1", 1)
        primitive.called_presentation_address = AddressInformation("127.0.0.1", rx.port)
        cx = build_context(str(pydicom.dcmread(str(FILES[0]), stop_before_pixels=True).SOPClassUID), ["1.2.840.10008.1.2.1"])
        cx.context_id = 1
        primitive.presentation_context_definition_list = [cx]
        ml = MaximumLengthNotification()
        ml.maximum_length_received = 0
        primitive.user_information = [ml]
        rq = A_ASSOCIATE_RQ()
        rq.from_primitive(primitive)
        with socket.create_connection(("127.0.0.1", rx.port), timeout=10) as s:
            s.sendall(rq.encode())
            assert s.recv(1)[0] == 0x02  # A-ASSOCIATE-AC
            # The C-STORE-RQ and all but the last P-DATA-TF of its data set, then the connection is cut.
            ds = pydicom.dcmread(str(FILES[0]), stop_before_pixels=True)
            prim = C_STORE()
            prim.MessageID = 1
            prim.AffectedSOPClassUID = ds.SOPClassUID
            prim.AffectedSOPInstanceUID = ds.SOPInstanceUID
            prim.Priority = 2
            prim.DataSet = BytesIO(data_set_bytes(FILES[0]))
            msg = C_STORE_RQ()
            msg.primitive_to_message(prim)
            pdus = list(msg.encode_msg(1, 16384))
            assert len(pdus) > 3
            for primitive in pdus[:-1]:
                pdu = P_DATA_TF()
                pdu.from_primitive(primitive)
                s.sendall(pdu.encode())
            time.sleep(0.3)
    finally:
        code, out, err = rx.stop()
    assert code == 0, err
    assert "0 instances stored" in out and "; ended:" in out
    assert not (store / "objects").exists() or not any((store / "objects").rglob("*.dcm"))
    assert no_hidden_leftovers(store) == []


def test_idle_exits_0_and_port_in_use_exits_2(tmp_path):
    start = time.monotonic()
    r = subprocess.run([str(BIN), "receive", "--port", str(free_port()), "--spool", tmp_path / "s", "--idle", "1"],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b""
    assert time.monotonic() - start < 30
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        r = subprocess.run([str(BIN), "receive", "--port", str(busy.getsockname()[1]), "--spool", tmp_path / "s", "--idle", "1"],
                           capture_output=True, timeout=60)
    assert r.returncode == 2
    assert len([l for l in r.stderr.decode().splitlines() if l.strip()]) == 1


def test_sigint_and_association_limit(tmp_path):
    from pynetdicom import AE
    rx = Receiver("--spool", tmp_path / "spool", "--max-associations", "1")
    ae = AE(ae_title="FIRST")
    ae.add_requested_context("1.2.840.10008.1.1")
    first = ae.associate("127.0.0.1", rx.port, ae_title="DICOM_MEDIA")
    try:
        assert first.is_established
        # A second association over the limit of one is rejected transiently (local-limit-exceeded).
        second = ae.associate("127.0.0.1", rx.port, ae_title="DICOM_MEDIA")
        assert second.is_rejected
        assert first.send_c_echo().Status == 0
    finally:
        first.release()
    code, out, _ = rx.stop(signal.SIGINT)
    assert code == 0
    assert len([l for l in out.splitlines() if l.strip()]) == 1 and "1 C-ECHO; released" in out


def test_planted_staging_links_in_the_store_are_not_followed(tmp_path):
    """A store holding `.receive-<dead pid>` entries planted as symbolic links (to a folder outside, and a file):
    `receive --store` removes the links, never what they point at, and still stores what it receives."""
    store = imported_store(tmp_path, FILES[0])
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("precious")
    (tmp_path / "file.txt").write_text("precious too")
    dead = 4_000_000  # above the kernel's pid_max: no such process
    os.symlink(outside, store / f".receive-{dead}")
    os.symlink(tmp_path / "file.txt", store / f".receive-{dead + 1}")
    rx = Receiver("--store", store, "--ae", "DICOM_MEDIA")
    try:
        storescu(rx.port, "PLANTER", FILES[1])
    finally:
        code, out, err = rx.stop()
    assert code == 0, err
    assert (outside / "keep.txt").read_text() == "precious"
    assert (tmp_path / "file.txt").read_text() == "precious too"
    assert not os.path.lexists(store / f".receive-{dead}")
    assert str(pydicom.dcmread(str(FILES[1]), stop_before_pixels=True).SOPInstanceUID) in store_files(store)
