"""Every corpus instance to Orthanc by our C-STORE (`import --to`) and by DCMTK's `storescu -R` (each file in
its own syntax): Orthanc keeps the same file for both senders (it re-encodes undefined-length sequences,
all-space values and OW fragments whoever sends them, so its copy of storescu's send is the reference), and
every instance storescu gets in, ours gets in too (issue 12, check 1). Where they differ, storescu is the one that
changed the file: it sends Big Endian as Little Endian and drops a trailing (FFFC,FFFC); ours keeps both."""
import io
import json
import os
import shutil
import subprocess

import pydicom

from conftest import CORPUS
from network_util import Orthanc, dm, need


def corpus_batches():
    """The corpus's Part 10 instances (no DICOMDIR) in batches whose SOP Instance UIDs differ."""
    batches = []
    for line in (CORPUS / "manifest.tsv").read_text().splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 6 or not cols[5] or "Media Storage Directory" in cols[5]:
            continue
        path = CORPUS / cols[0]
        try:
            ds = pydicom.dcmread(str(path), stop_before_pixels=True)
            uid = str(ds.SOPInstanceUID)
            assert ds.file_meta.TransferSyntaxUID
        except Exception:
            continue
        for b in batches:
            if uid not in b:
                b[uid] = path
                break
        else:
            batches.append({uid: path})
    return batches


def syntax_of(data):
    """The Transfer Syntax UID in a Part 10 file's bytes."""
    return str(pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True).file_meta.TransferSyntaxUID)


def clear(o):
    for oid in json.loads(o.get("/instances")):
        o.call("DELETE", f"/instances/{oid}", None)


def test_every_corpus_instance_reaches_orthanc_as_storescu_s_does(tmp_path):
    need("storescu")
    ours_o, peer_o = Orthanc(tmp_path / "ours"), Orthanc(tmp_path / "peer")
    compared = padded = converted = 0
    try:
        for k, batch in enumerate(corpus_batches()):
            folder = tmp_path / f"batch{k}"
            folder.mkdir()
            for i, path in enumerate(batch.values()):
                # A hard link where the corpus shares the file system, else a copy (shared/ on another mount).
                try:
                    os.link(path, folder / f"{i:04d}.dcm")
                except OSError:
                    shutil.copyfile(path, folder / f"{i:04d}.dcm")
            for f in sorted(folder.iterdir()):
                # One storescu per file: storescu stops at the first file it cannot read.
                subprocess.run(["storescu", "-R", "-aec", "ORTHANC", "127.0.0.1", str(peer_o.dicom_port), str(f)], capture_output=True, timeout=120)
            r = dm("import", folder, "--to", ours_o.node, "--json")
            assert r.returncode in (0, 1), r.stderr
            theirs, ours = peer_o.instances(), ours_o.instances()
            assert set(theirs) <= set(ours), f"storescu got in what we did not: {set(theirs) - set(ours)}"
            for uid, data in theirs.items():
                own = str(pydicom.dcmread(str(batch[uid]), stop_before_pixels=True).file_meta.TransferSyntaxUID)
                if syntax_of(data) != own:
                    # storescu converted it (it sends Big Endian as Little Endian): ours must have kept the file's own syntax.
                    assert syntax_of(ours[uid]) == own, batch[uid]
                    converted += 1
                    continue
                mine = ours[uid]
                if mine != data and mine.startswith(data) and mine[len(data):len(data) + 4] == b"\xfc\xff\xfc\xff":
                    # storescu drops a trailing Data Set Trailing Padding (FFFC,FFFC); ours sends the data set as it is.
                    padded += 1
                    continue
                assert mine == data, f"Orthanc keeps another file for {batch[uid]} from us than from storescu"
                compared += 1
            clear(ours_o)
            clear(peer_o)
    finally:
        ours_o.stop()
        peer_o.stop()
    assert compared > 100 and compared + padded + converted > 120, (compared, padded, converted)
