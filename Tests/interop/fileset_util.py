"""Helpers of the File-set interop tests (test_fileset_*.py): our `list --json` and pydicom's
FileSet reduced to the same normalised tree, peer DICOMDIR writers, hashing, synthetic data.

Not a test module; imported by the tests (pytest puts this folder on sys.path, as for conftest).
"""
import functools
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import warnings
from pathlib import Path

import pydicom
import pydicom.charset
from pydicom.fileset import FileSet
from pydicom.multival import MultiValue

from conftest import BIN, CORPUS, ROOT, need, run

# The binary finds templates/ next to the build folder; the scratch path may differ.
os.environ.setdefault("DICOM_MEDIA_TEMPLATES", str(ROOT / "templates"))

PYDICOM_DATA = Path(pydicom.__file__).parent / "data" / "test_files" / "dicomdirtests"
DICOMDIRTESTS = CORPUS / "pydicom-3.0.2" / "dicomdirtests"
TEST_FILES = CORPUS / "pydicom-3.0.2" / "test_files"
CHARSET_FILESET = CORPUS / "clunie-charset-fileset"
SAMPLES = ROOT / "media-samples" / "studies"
EXPLICIT_LE = "1.2.840.10008.1.2.1"


# ---------------------------------------------------------------------------------------------
# Our side


def list_json(source, binary=None):
    """(exit code, parsed `list --json` output or None, stderr)."""
    r = subprocess.run([str(binary or BIN), "list", "--json", str(source)], capture_output=True)
    try:
        j = json.loads(r.stdout)
    except ValueError:
        j = None
    return r.returncode, j, r.stderr.decode(errors="replace")


def run_json(*args, binary=None):
    """Runs a command with --json; (exit code, parsed output or None, stderr)."""
    r = subprocess.run([str(binary or BIN), *map(str, args), "--json"], capture_output=True)
    try:
        j = json.loads(r.stdout)
    except ValueError:
        j = None
    return r.returncode, j, r.stderr.decode(errors="replace")


INSTANCE_KEYS = ("recordType", "sopInstanceUID", "fileID", "transferSyntaxUID")


def our_tree(listing):
    """The patient/study/series/instance tree of a `list --json` output, reduced to the keys compared."""
    return [
        dict(patientID=p["patientID"], patientName=p["patientName"], studies=[
            dict(studyInstanceUID=st["studyInstanceUID"], series=[
                dict(seriesInstanceUID=se["seriesInstanceUID"], modality=se["modality"],
                     instances=[{k: i[k] for k in INSTANCE_KEYS} for i in se["instances"]])
                for se in st["series"]])
            for st in p["studies"]])
        for p in listing["patients"]
    ]


def our_instances(listing):
    """Every instance record of a `list --json` output (patients > studies > series > instances), in order."""
    return [i for p in listing["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"]]


@functools.lru_cache(maxsize=None)
def have_verify(binary=None):
    """Whether `dicom-media verify` exists yet (it is being written in parallel)."""
    r = subprocess.run([str(binary or BIN), "verify", "--help"], capture_output=True)
    return r.returncode == 0 and b"verify" in r.stdout.lower() and b"SUBCOMMANDS" not in r.stdout


def verify(source, *extra, binary=None):
    """(exit code, problems as dicts when --json is understood, combined output)."""
    r = subprocess.run([str(binary or BIN), "verify", str(source), *map(str, extra), "--json"], capture_output=True)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    problems = None
    try:
        j = json.loads(r.stdout)
        if isinstance(j, dict):
            problems = j.get("problems")
        elif isinstance(j, list):
            problems = j
    except ValueError:
        pass
    return r.returncode, problems, out


# ---------------------------------------------------------------------------------------------
# pydicom's side


def _s(v):
    """A value as our JSON gives it: multiple values joined by backslash, None when absent."""
    if v is None:
        return None
    if isinstance(v, MultiValue):
        return "\\".join(str(x) for x in v)
    return str(v)


# Without (0008,0005) in a record (gdcmgendir drops it), pydicom decodes ISO 2022 escape sequences
# as Latin-1 text; dicom-media honours the escapes with a Latin-1 default. Normalise to the latter.
_ISO2022_FALLBACK = ["ISO 2022 IR 100", "ISO 2022 IR 87", "ISO 2022 IR 149", "ISO 2022 IR 13",
                     "ISO 2022 IR 159", "ISO 2022 IR 58"]


def _person_name(record, raw):
    if "PatientName" not in record:
        return None
    if raw is not None and b"\x1b" in raw and "SpecificCharacterSet" not in record:
        return pydicom.charset.decode_bytes(raw, pydicom.charset.convert_encodings(_ISO2022_FALLBACK), {0x5E, 0x3D})
    return str(record.PatientName)


def load_fileset(dicomdir):
    """pydicom's FileSet of a DICOMDIR (warnings about missing files silenced) and the raw Patient's
    Name bytes of each record by offset."""
    ds = pydicom.dcmread(str(dicomdir))
    raw_names = {}
    for rec in ds.get("DirectoryRecordSequence", []):
        el = rec.get_item(0x00100010)
        if el is not None and isinstance(el.value, bytes):
            raw_names[rec.seq_item_tell] = el.value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fs = FileSet(ds)
    return fs, raw_names


def pydicom_tree(dicomdir):
    """The same tree as our_tree(), read by pydicom's FileSet: its record hierarchy (built by
    following the offsets), PATIENT > STUDY > SERIES > non-PRIVATE records, in record order."""
    fs, raw_names = load_fileset(dicomdir)

    def instance(node):
        r = node._record
        fid = r.get("ReferencedFileID")
        if fid is not None:
            fid = "/".join(fid) if isinstance(fid, MultiValue) else str(fid)
        return dict(recordType=str(r.DirectoryRecordType), sopInstanceUID=_s(r.get("ReferencedSOPInstanceUIDInFile")),
                    fileID=fid, transferSyntaxUID=_s(r.get("ReferencedTransferSyntaxUIDInFile")))

    out = []
    for p in fs._tree.children:
        if p.record_type != "PATIENT":
            continue
        studies = []
        for st in p.children:
            if st.record_type != "STUDY":
                continue
            series = []
            for se in st.children:
                if se.record_type != "SERIES":
                    continue
                # `list` shows instances by Instance Number, then SOP Instance UID, then File ID.
                nodes = [i for i in se.children if i.record_type != "PRIVATE"]

                def order(node):
                    n = node._record.get("InstanceNumber")
                    try:
                        n = int(n) if n not in (None, "") else None
                    except (TypeError, ValueError):
                        n = None
                    i = instance(node)
                    return (n is None, n or 0, i["sopInstanceUID"] or "", i["fileID"] or "")
                series.append(dict(seriesInstanceUID=_s(se._record.get("SeriesInstanceUID")),
                                   modality=_s(se._record.get("Modality")),
                                   instances=[instance(i) for i in sorted(nodes, key=order)]))
            studies.append(dict(studyInstanceUID=_s(st._record.get("StudyInstanceUID")), series=series))
        out.append(dict(patientID=_s(p._record.get("PatientID")),
                        patientName=_person_name(p._record, raw_names.get(p._offset)), studies=studies))
    return out


def pydicom_sops(dicomdir):
    """SOP Instance UIDs of the instances pydicom's FileSet loads (those whose file exists), as a list."""
    fs, _ = load_fileset(dicomdir)
    return [str(i.SOPInstanceUID) for i in fs]


def pydicom_check_files(dicomdir):
    """Loads the File-set with pydicom and reads every referenced file: returns {SOP UID: path}.
    Fails if a file is missing, unreadable or holds another SOP instance than its record says."""
    fs, _ = load_fileset(dicomdir)
    out = {}
    n_records = sum(1 for node in fs._tree if "ReferencedFileID" in node._record and node.record_type != "PRIVATE")
    for inst in fs:
        ds = inst.load()
        assert str(ds.SOPInstanceUID) == str(inst.SOPInstanceUID), inst.path
        out[str(inst.SOPInstanceUID)] = inst.path
    assert len(out) == n_records, f"pydicom loaded {len(out)} of {n_records} referenced files"
    return out


def tree_diff(a, b, limit=40):
    import difflib
    la = json.dumps(a, indent=1, ensure_ascii=False).splitlines()
    lb = json.dumps(b, indent=1, ensure_ascii=False).splitlines()
    return "\n".join(list(difflib.unified_diff(la, lb, "pydicom", "dicom-media", lineterm=""))[:limit])


# ---------------------------------------------------------------------------------------------
# Files


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_tree(root):
    """{relative path: sha256} of every regular file under root (hidden entries included)."""
    root = Path(root)
    return {str(p.relative_to(root)): sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def sop_of(path):
    return str(pydicom.dcmread(str(path), stop_before_pixels=True).SOPInstanceUID)


def referenced_sops(fileset_dir):
    """SOP Instance UIDs of the instances a File-set's DICOMDIR references (pydicom)."""
    return pydicom_sops(Path(fileset_dir) / "DICOMDIR")


def safe_copy(files, dest):
    """Copies files into dest with 8-character conformant names (D000/F00001 ...); returns the copies."""
    dest = Path(dest)
    out = []
    for i, f in enumerate(files, 1):
        d = dest / f"D{i // 10:03d}"
        d.mkdir(parents=True, exist_ok=True)
        target = d / f"F{i:05d}"
        shutil.copyfile(f, target)
        out.append(target)
    return out


def synth(out, count, seed=7, small=True, modality=None):
    """Generates `count` files with synth-studies: $DICOM_MEDIA_SYNTH, else the Benchmarks package's
    build (Benchmarks/.build/debug or release), else next to the dicom-media binary."""
    candidates = [Path(os.environ["DICOM_MEDIA_SYNTH"])] if os.environ.get("DICOM_MEDIA_SYNTH") else [
        ROOT / "Benchmarks" / ".build" / "debug" / "synth-studies", ROOT / "Benchmarks" / ".build" / "release" / "synth-studies",
        Path(BIN).parent / "synth-studies"]
    gen = next((c for c in candidates if c.is_file()), candidates[0])
    if not gen.is_file():
        raise AssertionError(f"{gen} missing: run swift build --package-path Benchmarks --product synth-studies")
    args = [str(gen), "--out", str(out), "--count", str(count), "--seed", str(seed)]
    if small:
        args.append("--small")
    if modality:
        args += ["--modality", modality]
    subprocess.run(args, check=True, capture_output=True)
    return sorted(p for p in Path(out).rglob("*.dcm"))


# ---------------------------------------------------------------------------------------------
# Peers writing DICOMDIRs


def dcmmkdir_fileset(folder):
    """DCMTK: `dcmmkdir +r +I +id FOLDER +D FOLDER/DICOMDIR` (STD-GEN-CD, Type 1 keys invented)."""
    need("dcmmkdir")
    r = subprocess.run(["dcmmkdir", "+r", "+I", "+id", str(folder), "+D", str(Path(folder) / "DICOMDIR")], capture_output=True)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return Path(folder) / "DICOMDIR"


def gdcmgendir_fileset(folder):
    """GDCM: `gdcmgendir -i FOLDER -o FOLDER/DICOMDIR -r`."""
    need("gdcmgendir")
    r = subprocess.run(["gdcmgendir", "-i", str(folder), "-o", str(Path(folder) / "DICOMDIR"), "-r"], capture_output=True)
    out = Path(folder) / "DICOMDIR"
    assert r.returncode == 0 and out.is_file(), r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    return out


def pydicom_fileset(files, out):
    """pydicom: FileSet.add() of each file it accepts (it refuses instances without Type 1 keys), write()."""
    fs = FileSet()
    added = 0
    for f in files:
        try:
            fs.add(str(f))
            added += 1
        except ValueError:
            pass
    fs.write(str(out))
    return Path(out) / "DICOMDIR", added


def run_and_kill(args, delay, started=None, env=None):
    """Starts the command and SIGKILLs it `delay` seconds after the start, or after `started()`
    first holds (a journal or a run folder appeared); returns None if it was killed, else the
    exit code of a run that ended first (the kill-and-rerun tests)."""
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    t0 = time.monotonic()
    if started is not None:
        while p.poll() is None and not started():
            time.sleep(0.0002)
        t0 = time.monotonic()
    while p.poll() is None and time.monotonic() - t0 < delay:
        time.sleep(0.0005)
    if p.poll() is not None:
        return p.returncode
    p.send_signal(signal.SIGKILL)
    p.wait()
    return None
