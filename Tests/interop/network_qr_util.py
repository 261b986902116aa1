"""Helpers of the query/retrieve interop tests (test_network_qr*.py): worklist files made with DCMTK's dump2dcm,
DCMTK's wlmscpfs on a free loopback port, an Orthanc that knows our AE title (C-MOVE destination, storage
commitment) and the corpus files it holds.

Not a test module; imported by the tests.
"""
import json
import subprocess
import tempfile
from pathlib import Path

import pydicom

from conftest import CORPUS, need
from network_util import Orthanc, data_set_bytes, dm, free_port, wait_listening

CHARSET = CORPUS / "clunie-charset-fileset"
WORKLISTS_PLUGIN = "/usr/share/orthanc/plugins/libModalityWorklists.so"
OUR_AE = "DM_TEST"

# (character set, name, patient ID, accession, modality): the worklist of the tests.
WORKLIST = [
    ("ISO_IR 100", "Äneas^Rüdiger", "WL1", "A1001", "CT"),
    ("ISO_IR 192", "Gómez^José", "WL2", "A1002", "CT"),
    (None, "Smith^John", "WL3", "A1003", "MR"),
    (None, "Smith^Jane", "WL4", "A1004", "CT"),
]


def worklist_entry(folder, charset, name, patient_id, accession, modality="CT", birth_date="19700101", sex="O"):
    """Writes `<accession>.wl` in folder with dump2dcm, its text bytes in the entry's character set."""
    need("dump2dcm")
    lines = [f"(0008,0005) CS [{charset}]"] if charset else []
    lines += [
        f"(0008,0050) SH [{accession}]", "(0008,0090) PN [Ref^Doc]", f"(0010,0010) PN [{name}]", f"(0010,0020) LO [{patient_id}]",
        f"(0010,0030) DA [{birth_date}]", f"(0010,0040) CS [{sex}]",
        f"(0020,000d) UI [1.2.826.0.1.3680043.10.1234.{''.join(c for c in accession if c.isdigit())}]",
        "(0032,1060) LO [Procedure]", "(0040,0100) SQ (Sequence with undefined length #=1)",
        "(fffe,e000) na (Item with undefined length #=7)", f"(0008,0060) CS [{modality}]", "(0040,0001) AE [SCANNER]",
        "(0040,0002) DA [20240102]", "(0040,0003) TM [090000]", "(0040,0006) PN [Perf^Doc]", "(0040,0007) LO [Step]",
        f"(0040,0009) SH [SPS{accession}]", "(fffe,e00d) na (ItemDelimitationItem)", "(fffe,e0dd) na (SequenceDelimitationItem)",
        f"(0040,1001) SH [RP{accession}]",
    ]
    dump = Path(folder) / f"{accession}.dump"
    dump.write_bytes(("\n".join(lines) + "\n").encode("latin-1" if charset == "ISO_IR 100" else "utf-8"))
    r = subprocess.run(["dump2dcm", str(dump), str(Path(folder) / f"{accession}.wl")], capture_output=True)
    assert r.returncode == 0, r.stderr
    dump.unlink()


def write_worklist(folder, entries=WORKLIST):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for charset, name, pid, accession, modality in entries:
        worklist_entry(folder, charset, name, pid, accession, modality)
    return folder


def start_wlmscpfs(folder, entries=WORKLIST, sleep=0):
    """DCMTK's wlmscpfs serving the worklist files of folder/WLMSCP on a free loopback port (`sleep` seconds between its
    matches): (its process, its node AE@host:port); the test stops it with network_util.stop."""
    need("wlmscpfs")
    write_worklist(Path(folder) / "WLMSCP", entries)
    (Path(folder) / "WLMSCP" / "lockfile").touch()
    port = free_port()
    slow = ["--sleep-during", str(sleep)] if sleep else []
    proc = subprocess.Popen(["wlmscpfs", "-dfp", str(folder), "--single-process", *slow, str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_listening(port, proc)
    return proc, f"WLMSCP@127.0.0.1:{port}"


def charset_pdi_iso(folder):
    """An IHE PDI ISO image (`export --iso --pdi`) of the character-set File-set's two patients SCSGERM and SCSFREN,
    made through a store of its own in folder; its path."""
    folder = Path(folder)
    r = dm("import", CHARSET / "SCSGERM", CHARSET / "SCSFREN", "--store", folder / "made")
    assert r.returncode == 0, r.stderr
    iso = folder / "pdi.iso"
    r = dm("export", "--iso", iso, "--pdi", "--store", folder / "made")
    assert r.returncode == 0, r.stderr
    return iso


def local_worklist(folder, both=True):
    """A worklist folder knowing SCSGERM's patient as LOCAL-GERM (in Latin-1) and, with both, SCSFREN's as LOCAL-FREN."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    worklist_entry(folder, "ISO_IR 100", "Äneas^Rüdiger", "LOCAL-GERM", "B2001")
    if both:
        worklist_entry(folder, "ISO_IR 192", "Buc^Jérôme", "LOCAL-FREN", "B2003")
    return folder


def qr_orthanc(folder, our_port, worklist=None, encoding=None, lua=None):
    """An Orthanc knowing OUR_AE at 127.0.0.1:our_port (C-MOVE destination, storage commitment reports); with a worklist
    folder, its Modality Worklists plugin serving it; `encoding`: its DefaultEncoding; `lua`: a Lua script it runs."""
    extra = {"DicomModalities": {"us": {"AET": OUR_AE, "Host": "127.0.0.1", "Port": our_port, "AllowStorageCommitment": True}}}
    plugins = ()
    if worklist is not None:
        plugins = (WORKLISTS_PLUGIN,)
        extra["Worklists"] = {"Enable": True, "Database": str(worklist)}
    if encoding:
        extra["DefaultEncoding"] = encoding
    if lua:
        extra["LuaScripts"] = [str(lua)]
    return Orthanc(folder, plugins=plugins, extra=extra)


def put_charset_files(orthanc):
    """Sends the Clunie character-set files to Orthanc with our `send` from a store made by `import`; {SOP UID: pydicom data set}."""
    r = dm("import", CHARSET, "--to", orthanc.node, "--json")
    assert r.returncode == 0, r.stderr
    out = {}
    for p in CHARSET.iterdir():
        if p.name.startswith("SCS"):
            d = pydicom.dcmread(str(p), stop_before_pixels=True)
            out[str(d.SOPInstanceUID)] = d
    return out


def orthanc_data_sets(orthanc):
    """{SOP Instance UID: the data set bytes of Orthanc's copy}."""
    out = {}
    for uid, b in orthanc.instances().items():
        with tempfile.NamedTemporaryFile(suffix=".dcm") as f:
            f.write(b)
            f.flush()
            out[uid] = data_set_bytes(f.name)
    return out


def stored(store):
    """{SOP Instance UID: data set bytes} of a store, by `store list --json`."""
    r = dm("store", "list", "--store", store, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    return {i["sopInstanceUID"]: data_set_bytes(Path(store) / i["path"])
            for p in j["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"]}
