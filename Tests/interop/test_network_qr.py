"""`find` and `retrieve` against an Orthanc of the test's own and DCMTK's wlmscpfs (free loopback ports, stopped in
teardown): Patient and Study Root C-FIND with several pending matches, --limit (C-CANCEL), QIDO-RS, the worklist of
wlmscpfs and of Orthanc's plugin, ISO_IR 100 and ISO_IR 192 names both ways; C-GET, C-MOVE and WADO-RS into the
store with the data set bytes Orthanc keeps, and an unknown move destination reported (exit 1). Expected values
come from pydicom and from the peers, never from us."""
import io
import json

import pydicom
import pytest

from conftest import CORPUS

from network_qr_util import OUR_AE, WORKLIST, orthanc_data_sets, put_charset_files, qr_orthanc, start_wlmscpfs, stored, write_worklist
from network_util import dm, free_port, stop


def q(*args):
    """Our binary calling as the AE title Orthanc knows."""
    return dm(*args, "--ae", OUR_AE)


def found(r):
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def qr(tmp_path):
    """Orthanc (UTF-8 answers) knowing our AE at a free port, holding the Clunie character-set files."""
    our_port = free_port()
    o = qr_orthanc(tmp_path / "orthanc", our_port, encoding="Utf8")
    o.our_port = our_port
    try:
        o.files = put_charset_files(o)
        yield o
    finally:
        o.stop()


def test_find_patient_and_study_levels(qr):
    files = qr.files.values()
    j = found(q("find", qr.node, "--level", "patient", "--json"))
    assert j["model"] == "patientRoot" and j["status"] == 0 and j["service"] == "C-FIND"
    assert sorted(m["PatientID"] for m in j["matches"]) == sorted(str(d.PatientID) for d in files)
    j = found(q("find", qr.node, "--json"))
    assert j["model"] == "studyRoot" and j["count"] == len(files) > 1
    assert {m["StudyInstanceUID"] for m in j["matches"]} == {str(d.StudyInstanceUID) for d in files}
    # Names decoded: Orthanc answers in UTF-8 what it read in each file's character set.
    names = {m["PatientID"]: m["PatientName"] for m in j["matches"]}
    for d in files:
        if d.SpecificCharacterSet in ("ISO_IR 100", "ISO_IR 192"):
            assert names[str(d.PatientID)] == str(d.PatientName), d.PatientID
    # The table on stdout: a header and one line per match.
    r = q("find", qr.node, "--patient-id", "SCSGERM")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode().splitlines()
    assert out[0].split()[:3] == ["StudyDate", "PatientID", "PatientName"] and "Äneas^Rüdiger" in out[1] and len(out) == 3
    # --limit: the search is cancelled after one match, still exit 0.
    j = found(q("find", qr.node, "--limit", "1", "--json"))
    assert j["count"] == 1
    # QIDO-RS on the DICOMweb node finds the same studies.
    j = found(q("find", qr.dicomweb, "--json"))
    assert j["service"] == "QIDO-RS" and {m["StudyInstanceUID"] for m in j["matches"]} == {str(d.StudyInstanceUID) for d in files}
    # A wildcard name over QIDO-RS: `*` goes as it is (a server may take %2A for a literal asterisk).
    j = found(q("find", qr.dicomweb, "--name", "Buc*", "--json"))
    assert [m["PatientID"] for m in j["matches"]] == ["SCSFREN"], j


@pytest.mark.parametrize("charset", ["ISO_IR 100", "ISO_IR 192"])
def test_find_names_in_both_character_sets(qr, charset):
    """A name query encoded in ISO_IR 100 or ISO_IR 192 finds the patient; the answer's name decodes to pydicom's."""
    for pattern, pid in (("Äneas*", "SCSGERM"), ("Buc^J*", "SCSFREN")):
        j = found(q("find", qr.node, "--level", "patient", "--name", pattern, "--character-set", charset, "--json"))
        assert [m["PatientID"] for m in j["matches"]] == [pid], (pattern, charset)
        expected = next(str(d.PatientName) for d in qr.files.values() if d.PatientID == pid)
        assert j["matches"][0]["PatientName"] == expected


def check_worklist(node, matches_bytes):
    j = found(q("find", node, "--worklist", "--json"))
    assert j["model"] == "modalityWorklist"
    assert sorted(m["AccessionNumber"] for m in j["matches"]) == sorted(e[3] for e in WORKLIST)
    assert {m["Modality"] for m in j["matches"]} == {"CT", "MR"}
    j = found(q("find", node, "--worklist", "--modality", "MR", "--json"))
    assert [m["PatientID"] for m in j["matches"]] == ["WL3"]
    for pattern, charset in (("Äneas*", "ISO_IR 100"), ("Äneas*", "ISO_IR 192"), ("Gómez*", "ISO_IR 192")):
        entry = next(e for e in WORKLIST if e[1].startswith(pattern[:-1]))
        j = found(q("find", node, "--worklist", "--name", pattern, "--character-set", charset, "--json"))
        # wlmscpfs compares bytes: a UTF-8 query does not find a Latin-1 entry.
        expected = [] if matches_bytes and entry[0] != charset else [entry[1]]
        assert [m["PatientName"] for m in j["matches"]] == expected, (pattern, charset)
    r = q("find", node, "--worklist", "--patient-id", "WL1")
    assert r.returncode == 0 and "Äneas^Rüdiger" in r.stdout.decode()


def test_find_worklist_wlmscpfs(tmp_path):
    proc, node = start_wlmscpfs(tmp_path / "wl")
    try:
        check_worklist(node, matches_bytes=True)
    finally:
        stop(proc)


def test_find_limit_cancels_wlmscpfs(tmp_path):
    """--limit 1 against wlmscpfs sleeping between matches: C-CANCEL, the peer ends with Cancel (FE00), one match, exit 0."""
    proc, node = start_wlmscpfs(tmp_path / "wl", sleep=1)
    try:
        j = found(q("find", node, "--worklist", "--limit", "1", "--json"))
    finally:
        stop(proc)
    assert j["status"] == 0xFE00 and j["limited"] is True and j["count"] == 1


def test_find_worklist_orthanc_plugin(tmp_path):
    o = qr_orthanc(tmp_path / "orthanc", free_port(), worklist=write_worklist(tmp_path / "wl"))
    try:
        check_worklist(o.node, matches_bytes=False)
    finally:
        o.stop()


def test_find_unreachable_and_usage(tmp_path):
    r = q("find", f"NOBODY@127.0.0.1:{free_port()}")
    assert r.returncode == 2 and r.stdout == b"" and len(r.stderr.decode().strip().splitlines()) == 1
    assert q("find", "X@127.0.0.1:104", "--study-date", "2020").returncode == 64
    assert q("find", "http://127.0.0.1:1/dicom-web", "--worklist").returncode == 64


@pytest.mark.parametrize("method", ["get", "move", "wado"])
def test_retrieve_into_the_store(qr, tmp_path, method):
    uids = sorted({str(d.StudyInstanceUID) for d in qr.files.values()})[:3]
    store = tmp_path / "store"
    args = ["retrieve", qr.dicomweb if method == "wado" else qr.node, "--method", method, "--store", store, "--json"]
    if method == "move":
        args += ["--port", qr.our_port]
    j = found(q(*args, "--study", *uids))
    expected = {u for u, d in qr.files.items() if str(d.StudyInstanceUID) in uids}
    assert j["retrieved"] == len(expected) and j["failed"] == 0 and j["method"] == method
    assert all(s["error"] is None for s in j["studies"])
    if method != "wado":
        assert all(s["status"] == 0 and s["completed"] == 1 for s in j["studies"])
    ours, theirs = stored(store), orthanc_data_sets(qr)
    assert set(ours) == expected
    for uid in expected:
        assert ours[uid] == theirs[uid], uid


def test_retrieve_failures(qr, tmp_path):
    uid = str(next(iter(qr.files.values())).StudyInstanceUID)
    # An AE title Orthanc does not know (our move destination is our calling AE): Orthanc aborts; one line, exit 2.
    r = dm("retrieve", qr.node, "--method", "move", "--port", free_port(), "--ae", "STRANGER", "--study", uid, "--store", tmp_path / "s1")
    assert r.returncode == 2 and r.stdout == b"", r.stderr
    assert len(r.stderr.decode().strip().splitlines()) == 1 and "abort" in r.stderr.decode()
    # A study Orthanc does not have: not retrieved in full; exit 1.
    r = q("retrieve", qr.node, "--study", "1.2.3.4.5.6.7", "--store", tmp_path / "s2", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["retrieved"] == 0
    # Nobody listening: one line, exit 2.
    r = dm("retrieve", f"X@127.0.0.1:{free_port()}", "--study", uid, "--store", tmp_path / "s3")
    assert r.returncode == 2 and len(r.stderr.decode().strip().splitlines()) == 1


def test_retrieve_dry_run_writes_nothing(qr, tmp_path):
    uid = str(next(iter(qr.files.values())).StudyInstanceUID)
    store = tmp_path / "store"
    j = found(q("retrieve", qr.node, "--study", uid, "--store", store, "--dry-run", "--json"))
    assert j["dryRun"] is True and j["studies"] == [{"studyInstanceUID": uid, "found": True, "instances": "1"}]
    assert not store.exists()
    r = q("retrieve", qr.node, "--study", "1.2.3.4.5.6.7", "--store", store, "--dry-run")
    assert r.returncode == 1 and "not found" in r.stderr.decode() and not store.exists()


COMPRESSED = [CORPUS / "pydicom-3.0.2" / "test_files" / "MR_small_RLE.dcm", CORPUS / "pydicom-3.0.2" / "test_files" / "SC_rgb_jpeg_dcmtk.dcm",
              CORPUS / "pydicom-data-1.0.0" / "data" / "emri_small_jpeg_2k_lossless.dcm",
              CORPUS / "pydicom-3.0.2" / "test_files" / "MR_small_jpeg_ls_lossless.dcm"]


def test_get_keeps_compressed_instances_as_stored(tmp_path):
    """C-GET proposes each of the study's SOP classes in every syntax: RLE, JPEG, JPEG 2000 and JPEG-LS instances arrive untranscoded."""
    o = qr_orthanc(tmp_path / "orthanc", free_port())
    try:
        r = dm("import", *COMPRESSED, "--to", o.node)
        assert r.returncode == 0, r.stderr
        files = {str(d.SOPInstanceUID): d for d in (pydicom.dcmread(str(p), stop_before_pixels=True) for p in COMPRESSED)}
        studies = sorted({str(d.StudyInstanceUID) for d in files.values()})
        store = tmp_path / "store"
        j = found(q("retrieve", o.node, "--study", *studies, "--store", store, "--json"))
        assert j["retrieved"] == len(files) and j["failed"] == 0
        ours, theirs = stored(store), orthanc_data_sets(o)
        assert set(ours) == set(files)
        r = dm("store", "list", "--store", store, "--json")
        syntaxes = {i["sopInstanceUID"]: i["transferSyntaxUID"] for p in json.loads(r.stdout)["patients"] for st in p["studies"]
                    for se in st["series"] for i in se["instances"]}
        # The syntax Orthanc keeps each in (it may have taken the JPEG-LS one as RLE from our C-STORE), and compressed ones among them.
        kept = {uid: str(pydicom.dcmread(io.BytesIO(b), stop_before_pixels=True).file_meta.TransferSyntaxUID) for uid, b in o.instances().items()}
        assert syntaxes == kept
        assert {"1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.90"} <= set(kept.values())
        for uid in files:
            assert ours[uid] == without_trailing_padding(theirs[uid], ours[uid]), uid
    finally:
        o.stop()


def without_trailing_padding(theirs, ours):
    """Orthanc's copy without its last element when that is Data Set Trailing Padding (FFFC,FFFC) and the rest is `ours`:
    Orthanc's C-GET sends through DCMTK, which leaves that element out when it writes (PS3.10 §7.2)."""
    n = len(ours)
    tail = theirs[n:]
    if theirs[:n] == ours and tail[:6] == b"\xfc\xff\xfc\xffOB" and len(tail) == 12 + int.from_bytes(tail[8:12], "little"):
        return ours
    return theirs
