"""The network commands against DCMTK and pynetdicom on loopback: `echo` (success, a closed port, a wrong
called AE title, a calling AE title not allowed: one line, exit 2), `send` from a store made by `import`
(the data set bytes storescp +B received equal the stored files'), `import --to` with --reconcile (the
Patient ID storescp received is the local one), and `receive` (storescu's and pynetdicom's instances stored
with the bytes storescp +B keeps of the same send; SIGTERM lets a running association finish, exit 0;
nothing half-received is kept). Expected values come from pydicom and the peers, not from us."""
import json
from pathlib import Path

import pydicom

from conftest import CORPUS
from network_util import Receiver, charset_store, data_set_bytes, dm, free_port, storescp, store_files  # noqa: F401 (fixtures)

CHARSET = CORPUS / "clunie-charset-fileset"


def lines(b):
    return [l for l in b.decode(errors="replace").splitlines() if l.strip()]


# ----------------------------------------------------------------------------------------------- echo

def test_echo_storescp_text_and_json(storescp):
    r = dm("echo", storescp.node)
    assert r.returncode == 0, r.stderr
    out = lines(r.stdout)
    assert len(out) == 1 and "C-ECHO success" in out[0] and storescp.node in out[0]
    r = dm("echo", storescp.node, "--json", "--ae", "TESTER")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["success"] is True and j["status"] == 0 and j["service"] == "C-ECHO"
    assert j["implementationClassUID"]  # DCMTK's


def test_echo_closed_port_is_one_line_exit_2():
    port = free_port()
    r = dm("echo", f"NOBODY@127.0.0.1:{port}")
    assert r.returncode == 2
    assert r.stdout == b""
    err = lines(r.stderr)
    assert len(err) == 1 and f"127.0.0.1:{port}" in err[0], err
    r = dm("echo", f"NOBODY@127.0.0.1:{port}", "--json")
    assert r.returncode == 2
    assert json.loads(r.stdout)["exitCode"] == 2


def test_echo_wrong_called_ae_and_calling_ae_not_allowed(tmp_path):
    rx = Receiver("--ae", "RIGHT", "--allow", "FRIEND", "--spool", tmp_path / "spool")
    try:
        r = dm("echo", f"WRONG@127.0.0.1:{rx.port}", "--ae", "FRIEND")
        assert r.returncode == 2 and r.stdout == b""
        err = lines(r.stderr)
        assert len(err) == 1 and "called-AE-title-not-recognized" in err[0], err
        r = dm("echo", f"RIGHT@127.0.0.1:{rx.port}", "--ae", "STRANGER")
        assert r.returncode == 2
        err = lines(r.stderr)
        assert len(err) == 1 and "calling-AE-title-not-recognized" in err[0], err
        r = dm("echo", f"RIGHT@127.0.0.1:{rx.port}", "--ae", "FRIEND")
        assert r.returncode == 0, r.stderr
    finally:
        code, out, _ = rx.stop()
    assert code == 0
    # Only the accepted association is reported: one C-ECHO, nothing stored.
    assert len(lines(out.encode())) == 1 and "1 C-ECHO" in out


def test_nodes_file_names_and_usage_errors(storescp, tmp_path):
    cfg = tmp_path / "cfg"
    (cfg / "dicom-media").mkdir(parents=True)
    nodes = {"scp": {"aeTitle": storescp.aetitle, "host": "127.0.0.1", "port": storescp.port}}
    (cfg / "dicom-media" / "nodes.json").write_text(json.dumps(nodes))
    r = dm("echo", "scp", env={"XDG_CONFIG_HOME": str(cfg)})
    assert r.returncode == 0, r.stderr
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"pacs": nodes["scp"]}))
    assert dm("echo", "pacs", "--nodes", other).returncode == 0
    # A name no file defines, or a bad address: usage (64); a nodes file with an unknown key: 2, naming the key.
    assert dm("echo", "nosuch", "--nodes", other).returncode == 64
    assert dm("echo", "AE@host:notaport").returncode == 64
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"pacs": dict(nodes["scp"], password="x")}))
    r = dm("echo", "pacs", "--nodes", bad)
    assert r.returncode == 2 and b"password" in r.stderr


# ----------------------------------------------------------------------------------------------- send

def test_send_from_store_is_bit_preserving(storescp, charset_store):
    r = dm("send", "--to", storescp.node, "--store", charset_store, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    stored = store_files(charset_store)
    assert j["instances"] == len(stored) == j["confirmed"] and j["failed"] == 0
    assert all(i["confirmed"] and i["status"] == 0 for i in j["sent"])
    received = storescp.received()
    assert set(received) == set(stored)
    for uid, path in stored.items():
        assert data_set_bytes(received[uid]) == data_set_bytes(path), uid


def test_send_selection_one_study(storescp, charset_store):
    stored = store_files(charset_store)
    uid, path = sorted(stored.items())[0]
    study = str(pydicom.dcmread(str(path), stop_before_pixels=True).StudyInstanceUID)
    r = dm("send", "--to", storescp.node, "--store", charset_store, "--study", study)
    assert r.returncode == 0, r.stderr
    assert "sent" in r.stdout.decode()
    expected = {u for u, p in stored.items() if str(pydicom.dcmread(str(p), stop_before_pixels=True).StudyInstanceUID) == study}
    assert set(storescp.received()) == expected
    # Nothing selected: done in part (1), as `export`; nothing sent.
    r = dm("send", "--to", storescp.node, "--store", charset_store, "--study", "1.2.3.4.5.6.7")
    assert r.returncode == 1 and b"nothing in the store matches" in r.stderr and r.stdout == b""


def test_send_unreachable_reports_nothing_sent(charset_store):
    r = dm("send", "--to", f"NOBODY@127.0.0.1:{free_port()}", "--store", charset_store)
    assert r.returncode == 2
    assert r.stdout == b""
    assert len(lines(r.stderr)) == 1


def test_send_refused_instances_are_named_exit_1(tmp_path, charset_store):
    # A folder already holding each instance's name makes every write into the spool fail: A700 for each C-STORE.
    spool = tmp_path / "spool"
    for uid in store_files(charset_store):
        (spool / f"{uid}.dcm").mkdir(parents=True)
    rx = Receiver("--spool", spool)
    try:
        r = dm("send", "--to", f"DICOM_MEDIA@127.0.0.1:{rx.port}", "--store", charset_store, "--json")
    finally:
        rx.stop()
    assert r.returncode == 1
    j = json.loads(r.stdout)
    assert j["confirmed"] == 0 and j["failed"] == j["instances"] > 0
    assert all(i["status"] == 0xA700 for i in j["sent"])
    assert b"not stored" in r.stderr


# ----------------------------------------------------------------------------------------- import --to

def test_import_to_with_reconcile_changes_patient_id(storescp, tmp_path):
    files = [p for p in CHARSET.iterdir() if p.name != "DICOMDIR"]
    first = pydicom.dcmread(str(files[0]), stop_before_pixels=True)
    source_id = str(first.PatientID)
    mp = tmp_path / "map.csv"
    mp.write_text(f"source_patient_id,patient_id\n{source_id},LOCAL-42\n")
    r = dm("import", CHARSET, "--to", storescp.node, "--reconcile", mp, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["send"]["confirmed"] == j["send"]["instances"] == len(files)
    assert j["media"][0]["dicomdir"] == "used"
    received = {uid: pydicom.dcmread(str(p)) for uid, p in storescp.received().items()}
    assert len(received) == len(files)
    changed = [ds for ds in received.values() if ds.PatientID == "LOCAL-42"]
    originals = [ds for ds in (pydicom.dcmread(str(p), stop_before_pixels=True) for p in files) if ds.PatientID == source_id]
    assert len(changed) == len(originals) > 0
    for ds in changed:
        assert ds.OriginalAttributesSequence[0].ModifiedAttributesSequence[0].PatientID == source_id
    # UIDs unchanged; other patients untouched.
    assert set(received) == {str(pydicom.dcmread(str(p), stop_before_pixels=True).SOPInstanceUID) for p in files}


def test_import_to_dry_run_contacts_nobody(tmp_path):
    r = dm("import", CHARSET, "--to", f"NOBODY@127.0.0.1:{free_port()}", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "would send 11 instances" in r.stdout.decode()


def test_import_to_refuses_store_options():
    r = dm("import", CHARSET, "--to", "A@127.0.0.1:104", "--provenance", "full")
    assert r.returncode == 64


def test_import_to_many_transfer_syntaxes_is_bit_preserving(storescp):
    """pydicom's test files (Big Endian, deflated, JPEG, JPEG-LS, JPEG 2000, RLE, odd lengths): each instance
    sent in its own syntax arrives with the file's data set bytes."""
    folder = CORPUS / "pydicom-3.0.2" / "test_files"
    r = dm("import", folder, "--to", storescp.node, "--json")
    assert r.returncode in (0, 1), r.stderr
    j = json.loads(r.stdout)
    sent = [i for i in j["send"]["sent"] if i["confirmed"]]
    assert len(sent) >= 40 and j["send"]["failed"] == 0
    syntaxes = {i["transferSyntax"] for i in sent}
    assert len(syntaxes) >= 6, syntaxes
    received = storescp.received()
    # Several test files hold one instance in several encodings: storescp keeps the last, so those are left out.
    once = {u for u in (i["sopInstanceUID"] for i in sent) if sum(k["sopInstanceUID"] == u for k in sent) == 1}
    compared = 0
    for i in sent:
        source = Path(i["path"])
        if i["reencoded"] or i["sopInstanceUID"] not in once or source.read_bytes()[128:132] != b"DICM":
            continue
        ours = data_set_bytes(source)
        # An odd-length deflated bitstream goes out padded with one 00H (PS3.5 A.5); nothing else changes.
        expected = ours + b"\x00" if len(ours) % 2 and i["transferSyntax"] == "1.2.840.10008.1.2.1.99" else ours
        assert data_set_bytes(received[i["sopInstanceUID"]]) == expected, source
        compared += 1
    assert compared >= 25


def test_send_opens_one_association_per_study(tmp_path, charset_store):
    stored = store_files(charset_store)
    studies = {str(pydicom.dcmread(str(p), stop_before_pixels=True).StudyInstanceUID) for p in stored.values()}
    rx = Receiver("--spool", tmp_path / "spool", "--json")
    try:
        r = dm("send", "--to", f"DICOM_MEDIA@127.0.0.1:{rx.port}", "--store", charset_store, "--ae", "SENDER")
    finally:
        code, out, _ = rx.stop()
    assert r.returncode == 0, r.stderr
    events = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert len(events) == len(studies) > 1
    assert all(e["callingAETitle"] == "SENDER" and e["released"] for e in events)
    assert sum(e["stored"] for e in events) == len(stored)
