"""Overflow and bombs (issue 10, item 4): impossible image descriptions give a clear error or a
refusal, never a signal; deflated data sets that inflate to millions of items or a 4 GB value are
refused quickly with bounded memory."""
import struct
import subprocess
import zlib
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from conftest import BIN

SC = "1.2.840.10008.5.1.4.1.1.7"


def dm(*args, timeout=120):
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, timeout=timeout)


def no_signal(r, args=""):
    assert r.returncode >= 0, f"{args}: killed by signal {-r.returncode}: {r.stderr.decode(errors='replace')[-2000:]}"


def crafted(path, rows=65535, columns=65535, frames="2147483647", bits=16, samples=1, pixel=b"\0\0"):
    """A tiny file whose Image Pixel description is impossible."""
    pydicom.config.settings.writing_validation_mode = pydicom.config.IGNORE
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SC
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = SC
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientID = "BOMB"
    ds.PatientName = "Bomb^Test"
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.StudyDate = "20240101"
    ds.StudyTime = "120000"
    ds.StudyID = "1"
    ds.AccessionNumber = "A1"
    ds.Modality = "OT"
    ds.SeriesNumber = "1"
    ds.InstanceNumber = "1"
    ds.ConversionType = "WSD"
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = "MONOCHROME2" if samples == 1 else "RGB"
    if samples > 1:
        ds.PlanarConfiguration = 0
    if frames is not None:
        ds.add_new(0x00280008, "IS", frames)
    ds.Rows = rows
    ds.Columns = columns
    ds.BitsAllocated = bits
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    ds.add_new(0x7FE00010, "OW" if bits > 8 else "OB", pixel)
    ds.save_as(path, enforce_file_format=True)
    return path


CASES = {
    "huge": dict(),
    "huge-rgb": dict(samples=3, bits=32),
    "zero-frames": dict(rows=4, columns=4, frames="0", pixel=b"\0" * 32),
    "negative-frames": dict(rows=4, columns=4, frames="-5", pixel=b"\0" * 32),
    "frames-beyond-int32": dict(rows=4, columns=4, frames="999999999999", pixel=b"\0" * 32),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_transcode_impossible_description(case, tmp_path):
    f = crafted(tmp_path / "bomb.dcm", **CASES[case])
    for target in ("explicit-little", "rle", "jpeg-ls-lossless", "j2k-lossless"):
        r = dm("transcode", "--to", target, f, tmp_path / f"out-{target}.dcm")
        no_signal(r, f"transcode {case} {target}")
        assert r.returncode == 2, (case, target, r.returncode, r.stderr)
        assert b"bomb.dcm" in r.stderr, r.stderr


@pytest.mark.parametrize("case", sorted(CASES))
def test_create_import_export_verify_refuse(case, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    crafted(src / "bomb.dcm", **CASES[case])
    good = crafted(src / "good.dcm", rows=2, columns=2, frames="1", pixel=b"\0" * 8)
    r = dm("create", tmp_path / "fs", src)
    no_signal(r, "create")
    assert r.returncode == 1, r.stderr
    assert b"bomb.dcm" in r.stderr + r.stdout and b"offset" in r.stderr + r.stdout, r.stderr
    store = tmp_path / "store"
    r = dm("import", src, "--store", store)
    no_signal(r, "import")
    assert r.returncode == 1, r.stderr
    assert b"bomb.dcm" in r.stderr + r.stdout, r.stderr
    # A store object replaced by the bomb afterwards (as an old store could hold it): export refuses it.
    objects = [p for p in store.rglob("*") if p.is_file() and p.read_bytes()[128:132] == b"DICM"]
    assert len(objects) == 1
    objects[0].write_bytes((src / "bomb.dcm").read_bytes())
    r = dm("export", tmp_path / "exp", "--store", store)
    no_signal(r, "export")
    assert r.returncode in (1, 2), r.stderr
    r = dm("store", "verify", "--store", store)
    no_signal(r, "store verify")
    assert r.returncode == 1
    # A referenced file replaced by the bomb after creation: verify reports it.
    fs = tmp_path / "fs2"
    dm("create", fs, good).check_returncode()
    ref = [p for p in fs.rglob("*") if p.is_file() and p.name != "DICOMDIR"][0]
    ref.write_bytes((src / "bomb.dcm").read_bytes())
    for deep in ([], ["--deep"]):
        r = dm("verify", fs, *deep)
        no_signal(r, "verify")
        assert r.returncode == 1, r.stderr + r.stdout
        assert b"file-impossible-image" in r.stdout + r.stderr or b"file-incomplete" in r.stdout + r.stderr


def deflated_file(path, body):
    """A Part 10 file in Deflated Explicit VR Little Endian whose data set is `body` (an iterable of chunks)."""
    meta_elems = [
        (0x00020001, b"OB", b"\0\x01"),
        (0x00020002, b"UI", SC.encode() + b"\0"),
        (0x00020003, b"UI", b"1.2.3.4.5\0"),
        (0x00020010, b"UI", b"1.2.840.10008.1.2.1.99"),
    ]
    meta = b""
    for tag, vr, value in meta_elems:
        g, e = tag >> 16, tag & 0xFFFF
        if vr == b"OB":
            meta += struct.pack("<HH2sHI", g, e, vr, 0, len(value)) + value
        else:
            meta += struct.pack("<HH2sH", g, e, vr, len(value)) + value
    meta = struct.pack("<HH2sHI", 2, 0, b"UL", 4, len(meta)) + meta
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = bytearray()
    for chunk in body:
        out += comp.compress(chunk)
    out += comp.flush()
    Path(path).write_bytes(b"\0" * 128 + b"DICM" + meta + bytes(out))
    return path


def items_bomb():
    yield struct.pack("<HH2sHI", 0x0008, 0x0016, b"UI", len(SC) + 1, 0)[:8] + SC.encode() + b"\0"
    yield struct.pack("<HH2sHI", 0x0040, 0x0275, b"SQ", 0, 0xFFFFFFFF)
    item = struct.pack("<HHI", 0xFFFE, 0xE000, 0)
    for _ in range(64):
        yield item * (4_000_000 // 64)
    yield struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)


def value_bomb():
    yield struct.pack("<HH2sHI", 0x0009, 0x1010, b"OB", 0, 0xFFFFFFF0)
    zeros = b"\0" * (1 << 20)
    for _ in range(50):
        yield zeros


@pytest.mark.parametrize("kind", ["items", "value"])
def test_deflate_bomb_refused_fast_and_small(kind, tmp_path):
    f = deflated_file(tmp_path / "bomb.dcm", items_bomb() if kind == "items" else value_bomb())
    assert f.stat().st_size < 80_000, f.stat().st_size
    for args in (["dump", f], ["dump", "--json", f], ["transcode", f, tmp_path / "o.dcm"]):
        probe = ("import resource, subprocess, sys, time; t = time.monotonic(); "
                 "r = subprocess.run(sys.argv[1:], capture_output=True); "
                 "print(r.returncode, time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
                 "sys.stderr.write(r.stderr.decode(errors='replace'))")
        r = subprocess.run(["python3", "-c", probe, str(BIN), *map(str, args)], capture_output=True, timeout=60)
        code, seconds, rss_kb = r.stdout.split()
        assert int(code) == 2, (args, r.stderr)
        assert b"too-large" in r.stderr or b"more than" in r.stderr, r.stderr
        assert b"--max-inflated" in r.stderr or kind == "items", r.stderr
        assert float(seconds) < 10, seconds  # the issue asks under 2 s; generous for a loaded debug build
        assert int(rss_kb) < 256 * 1024, rss_kb
    # Inside a File-set input: refused, the rest goes on.
    src = tmp_path / "in"
    src.mkdir()
    (src / "bomb.dcm").write_bytes(f.read_bytes())
    crafted(src / "good.dcm", rows=2, columns=2, frames="1", pixel=b"\0" * 8)
    r = dm("create", tmp_path / "fs", src)
    no_signal(r)
    assert r.returncode == 1, r.stderr
    assert (tmp_path / "fs" / "DICOMDIR").is_file()


def test_max_inflated_option(tmp_path):
    f = deflated_file(tmp_path / "d.dcm", [struct.pack("<HH2sHI", 0x0009, 0x1010, b"OB", 0, 1 << 20) + b"\0" * (1 << 20)])
    r = dm("dump", f)
    assert r.returncode == 2 and b"--max-inflated" in r.stderr, r.stderr
    r = dm("dump", "--max-inflated", "2M", f)
    assert r.returncode in (0, 1), r.stderr
    r = dm("dump", "--max-inflated", "lots", f)
    assert r.returncode == 64, r.stderr
    for cmd in (["create", tmp_path / "x"], ["update", tmp_path / "x"], ["import", "--store", tmp_path / "s"],
                ["transcode", tmp_path / "o.dcm"], ["verify"], ["export", tmp_path / "e", "--store", tmp_path / "s"]):
        r = dm(cmd[0], "--help")
        assert b"--max-inflated" in r.stdout, cmd


def test_dump_json_never_inlines_above_threshold(tmp_path):
    """Every binary value above the BulkDataURI threshold, deflated ones (no file offset) too, is a BulkDataURI."""
    import json
    body = [struct.pack("<HH2sHI", 0x0009, 0x0010, b"LO", 4, 0)[:8] + b"ACME",
            struct.pack("<HH2sHI", 0x0009, 0x1010, b"OB", 0, 2 << 20) + bytes(range(256)) * (8 << 10),
            struct.pack("<HH2sHI", 0x0009, 0x1011, b"UN", 0, 4096) + b"\1" * 4096]
    f = deflated_file(tmp_path / "d.dcm", body)
    r = dm("dump", "--json", "--max-inflated", "64M", f)
    assert r.returncode in (0, 1), r.stderr
    j = json.loads(r.stdout)
    for key in ("00091010", "00091011"):
        assert "InlineBinary" not in j[key] and "BulkDataURI" in j[key], j[key]
    assert max(len(v.get("InlineBinary", "")) for v in j.values()) <= 1024 * 4 // 3 + 4


def test_tiny_rle_frame_describing_a_huge_image(tmp_path):
    """Encapsulated: one small RLE fragment for a 65535 x 65535 16-bit frame is refused, never allocated."""
    f = crafted(tmp_path / "rle.dcm", frames="1")
    ds = pydicom.dcmread(f)
    header = struct.pack("<16I", 2, 64, 66, *([0] * 13))
    from pydicom.encaps import encapsulate
    ds.PixelData = encapsulate([header + b"\x00\x00\x00\x00"])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.5"
    ds.save_as(f, enforce_file_format=True)
    r = dm("transcode", f, tmp_path / "out.dcm")
    no_signal(r, "transcode")
    assert r.returncode == 2, r.stderr
    assert b"rle.dcm" in r.stderr, r.stderr
    fs = tmp_path / "fs"
    r = dm("create", "--profile", "PRI-GEN-USB", fs, f)
    no_signal(r, "create")
    if (fs / "DICOMDIR").is_file():
        for deep in ([], ["--deep"]):
            no_signal(dm("verify", fs, *deep), "verify")
