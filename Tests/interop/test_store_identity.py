"""One identity (issue 10, item 6) and the store's copies (item 7).

Identity: a file whose File Meta names another SOP Instance UID (0002,0003) than its data set
(0008,0018) is reported with the warning `file-meta-mismatch` by create, update, import and export;
records, the store and every listing use (0008,0018); the copy written to a medium gets a File Meta
rebuilt from its data set while the data set stays byte for byte; files that agree are copied as they
are. Copies: `store conflicts --json` lists each SOP Instance with several copies; `store remove UID
--copy SHA256` removes one copy and the other becomes the single unflagged copy; `--dry-run` of
`store remove` and of `remove` prints what would go and changes nothing. pydicom and hashlib judge."""
import hashlib
import json
import struct
from pathlib import Path

import pydicom
from pydicom.uid import generate_uid

from conftest import CORPUS
from fileset_util import sha256
from test_store import dm, dm_json, stored, verify_clean

TEMPLATE = CORPUS / "pydicom-3.0.2" / "test_files" / "CT_small.dcm"


def data_set_bytes(path):
    """The bytes after the File Meta group (preamble + DICM + (0002,0000) value), read by hand."""
    b = Path(path).read_bytes()
    assert b[128:132] == b"DICM"
    assert b[132:136] == b"\x02\x00\x00\x00"
    length = struct.unpack("<I", b[140:144])[0]
    return b[144 + length:]


def make_inputs(folder):
    """Two files: `bad` with (0002,0003) disagreeing with (0008,0018), `good` agreeing."""
    folder.mkdir(parents=True)
    uids = {}
    for name, mismatch in (("bad.dcm", True), ("good.dcm", False)):
        ds = pydicom.dcmread(str(TEMPLATE))
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        path = folder / name
        ds.save_as(str(path), enforce_file_format=True)
        meta_uid = str(ds.SOPInstanceUID)
        if mismatch:
            # pydicom keeps (0002,0003) in step with (0008,0018) when it writes: change it in the bytes
            # (same length, last digit changed), inside the File Meta only.
            b = bytearray(path.read_bytes())
            end = 144 + struct.unpack("<I", b[140:144])[0]
            at = bytes(b[:end]).index(meta_uid.encode())
            meta_uid = meta_uid[:-1] + ("1" if meta_uid[-1] != "1" else "2")
            b[at:at + len(meta_uid)] = meta_uid.encode()
            path.write_bytes(bytes(b))
        got = pydicom.dcmread(str(path))
        assert (got.file_meta.MediaStorageSOPInstanceUID != got.SOPInstanceUID) == mismatch
        uids[name] = (str(ds.SOPInstanceUID), meta_uid)
    return uids


def referenced(fileset):
    """{SOP Instance UID in the DICOMDIR's records: written file}, read by pydicom."""
    d = pydicom.dcmread(str(Path(fileset) / "DICOMDIR"))
    out = {}
    for r in d.DirectoryRecordSequence:
        if "ReferencedSOPInstanceUIDInFile" in r:
            ids = r.ReferencedFileID
            out[str(r.ReferencedSOPInstanceUIDInFile)] = Path(fileset).joinpath(*(ids if isinstance(ids, (list, pydicom.multival.MultiValue)) else [ids]))
    return out


def check_written(fileset, uids, src):
    refs = referenced(fileset)
    bad_ds, bad_meta = uids["bad.dcm"]
    good_ds, _ = uids["good.dcm"]
    assert set(refs) == {bad_ds, good_ds} and bad_meta not in refs
    written = pydicom.dcmread(str(refs[bad_ds]))
    assert written.file_meta.MediaStorageSOPInstanceUID == bad_ds == written.SOPInstanceUID
    assert data_set_bytes(refs[bad_ds]) == data_set_bytes(src / "bad.dcm")
    assert sha256(refs[good_ds]) == sha256(src / "good.dcm")
    r = dm("verify", fileset)
    assert r.returncode == 0, r.stdout


def codes(report):
    return [p["code"] for p in report["problems"]]


def test_file_meta_mismatch_create_update_import_export(tmp_path):
    src = tmp_path / "src"
    uids = make_inputs(src)
    out = tmp_path / "fs"
    r = dm("create", out, src, "--json")
    j = json.loads(r.stdout)
    assert codes(j).count("file-meta-mismatch") == 1, j["problems"]
    assert {a["sopInstanceUID"] for a in j["added"]} == {uids["bad.dcm"][0], uids["good.dcm"][0]}
    check_written(out, uids, src)
    # update: a second pair into the same File-set.
    src2 = tmp_path / "src2"
    uids2 = make_inputs(src2)
    r = dm("update", out, src2, "--json")
    j = json.loads(r.stdout)
    assert codes(j).count("file-meta-mismatch") == 1, j["problems"]
    refs = referenced(out)
    assert uids2["bad.dcm"][0] in refs and uids2["bad.dcm"][1] not in refs
    assert data_set_bytes(refs[uids2["bad.dcm"][0]]) == data_set_bytes(src2 / "bad.dcm")
    assert pydicom.dcmread(str(refs[uids2["bad.dcm"][0]])).file_meta.MediaStorageSOPInstanceUID == uids2["bad.dcm"][0]
    # import: warned, stored under (0008,0018), the stored object is the file as it was.
    store = tmp_path / "store"
    code, j = dm_json("import", src, "--store", store)
    assert j["imported"] == 2 and codes(j) == ["file-meta-mismatch"], j
    got = {u: p for u, p, _, _ in stored(store)}
    assert set(got) == {uids["bad.dcm"][0], uids["good.dcm"][0]}
    assert sha256(got[uids["bad.dcm"][0]]) == sha256(src / "bad.dcm")
    verify_clean(store)
    # export: the copy on the medium gets the rebuilt File Meta.
    exp = tmp_path / "exported"
    r = dm("export", exp, "--store", store, "--json")
    assert b"file-meta-mismatch" in r.stdout + r.stderr
    check_written(exp, uids, src)


def import_two_copies(tmp_path):
    src = CORPUS / "clunie-charset-fileset" / "SCSGERM"
    store = tmp_path / "store"
    code, j = dm_json("import", src, "--store", store)
    assert code == 0 and j["imported"] == 1
    changed = tmp_path / "changed"
    changed.mkdir()
    ds = pydicom.dcmread(str(src))
    ds.StudyDescription = "edited later"
    ds.save_as(str(changed / "SCSGERM"), enforce_file_format=True)
    code, j = dm_json("import", changed, "--store", store)
    assert code == 1 and j["conflicts"] == 1
    return store, str(ds.SOPInstanceUID), sha256(src), sha256(changed / "SCSGERM"), changed


def test_conflicts_listing_and_advice(tmp_path):
    store, uid, first, second, changed = import_two_copies(tmp_path)
    code, j = dm_json("store", "conflicts", "--store", store)
    assert code == 1 and len(j["conflicts"]) == 1, j
    c = j["conflicts"][0]
    assert c["sopInstanceUID"] == uid
    assert [x["sha256"] for x in c["copies"]] == [first, second]
    assert [x["conflict"] for x in c["copies"]] == [False, True]
    assert all(x["importedAt"] and x["source"]["location"] for x in c["copies"])
    # The advice of import and of the listing names these commands, never a plain `store remove UID`.
    changed2 = tmp_path / "changed2"
    changed2.mkdir()
    ds = pydicom.dcmread(str(changed / "SCSGERM"))
    ds.StudyDescription = "edited again"
    ds.save_as(str(changed2 / "SCSGERM"), enforce_file_format=True)
    r = dm("import", changed2, "--store", store)
    assert r.returncode == 1
    assert b"store conflicts" in r.stderr and b"--copy SHA256" in r.stderr  # the advice is a diagnostic (stderr)
    r = dm("store", "conflicts", "--store", store)
    assert r.returncode == 1 and b"--copy SHA256" in r.stdout
    # A store without conflicts: empty list, exit 0.
    empty = tmp_path / "empty"
    dm("import", CORPUS / "clunie-charset-fileset" / "SCSFREN", "--store", empty)
    code, j = dm_json("store", "conflicts", "--store", empty)
    assert code == 0 and j["conflicts"] == []


def test_remove_one_copy_and_dry_run(tmp_path):
    store, uid, first, second, _ = import_two_copies(tmp_path)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in store.rglob("*") if p.is_file() and not p.name.startswith("index")}
    # --dry-run says exactly what would go and changes nothing.
    code, j = dm_json("store", "remove", uid, "--copy", first, "--dry-run", "--store", store)
    assert code == 0 and j["dryRun"] and [c["sha256"] for c in j["copies"]] == [first]
    assert [c["sha256"] for c in j["unflagged"]] == [second]
    code, j = dm_json("store", "remove", uid, "--dry-run", "--store", store)
    assert code == 0 and sorted(c["sha256"] for c in j["copies"]) == sorted([first, second])
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in store.rglob("*") if p.is_file() and not p.name.startswith("index")}
    assert before == after
    assert sorted((s, c) for _, _, s, c in stored(store)) == sorted([(first, False), (second, True)])
    # An unknown copy: exit 1, nothing removed.
    assert dm("store", "remove", uid, "--copy", "0" * 64, "--store", store).returncode == 1
    assert len(stored(store)) == 2
    # Remove the first (unflagged) copy: the other becomes the single unflagged copy.
    code, j = dm_json("store", "remove", uid, "--copy", first[:12], "--store", store)
    assert code == 0 and j["level"] == "copy" and [c["sha256"] for c in j["copies"]] == [first]
    assert [(s, c) for _, _, s, c in stored(store)] == [(second, False)]
    assert not (store / "objects" / first[:2] / f"{first}.dcm").exists()
    verify_clean(store)
    code, j = dm_json("store", "conflicts", "--store", store)
    assert code == 0 and j["conflicts"] == []


def test_fileset_remove_dry_run_changes_nothing(tmp_path):
    src = tmp_path / "src"
    uids = make_inputs(src)
    fs = tmp_path / "fs"
    assert dm("create", fs, src).returncode in (0, 1)
    before = {p: p.read_bytes() for p in fs.rglob("*") if p.is_file()}
    uid = uids["good.dcm"][0]
    target = referenced(fs)[uid]
    code, j = dm_json("remove", fs, "--instance", uid, "--dry-run")
    assert code == 0 and j["dryRun"] and j["removedFiles"] == [str(target.relative_to(fs)).replace("\\", "/")], j
    assert {p: p.read_bytes() for p in fs.rglob("*") if p.is_file()} == before
    code, j = dm_json("remove", fs, "--instance", uid)
    assert code == 0 and not target.exists() and uid not in referenced(fs)
