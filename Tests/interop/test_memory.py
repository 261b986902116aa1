"""Peak memory of a read (issue 10, item 4): a full read of a file costs the parsed data set plus a
bounded window, not the file twice. Long values are read from the file straight into their own
array; the window drops what the parser has passed."""
import io
import struct
import subprocess
import sys

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit, generate_uid

from conftest import BIN

SC = "1.2.840.10008.5.1.4.1.1.7"

# Runs the binary in a fresh interpreter so RUSAGE_CHILDREN holds that one child only.
MEASURE = r"""
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
sys.stderr.buffer.write(r.stderr[-2000:])
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def peak(*args):
    """Exit status and peak resident bytes of `dicom-media args`."""
    r = subprocess.run([sys.executable, "-c", MEASURE, str(BIN), *map(str, args)], capture_output=True, timeout=600)
    rc, rss = r.stdout.split()
    return int(rc), int(rss), r.stderr.decode(errors="replace")


def header(ts, rows, columns, frames, bits=16):
    """Preamble, File Meta and data set up to (not including) Pixel Data."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SC
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ts
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = SC
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = "Memory^Test"
    ds.PatientID = "MEM1"
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "OT"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns, ds.NumberOfFrames = rows, columns, frames
    ds.BitsAllocated = bits
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def native(path, rows, columns, frames, fill=b"\x00"):
    """A native 16-bit file of rows*columns*frames pixels, written in pieces."""
    n = rows * columns * frames * 2
    with open(path, "wb") as f:
        f.write(header(ExplicitVRLittleEndian, rows, columns, frames))
        f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, n))
        piece = (fill * (1 << 20))[: 1 << 20]
        left = n
        while left:
            k = min(left, len(piece))
            f.write(piece[:k])
            left -= k
    return n


def test_dump_of_a_large_native_file_stays_near_its_size(tmp_path):
    p = tmp_path / "big.dcm"
    native(p, 10240, 10240, 1)  # 200 MiB of Pixel Data
    size = p.stat().st_size
    rc, rss, err = peak("dump", p)
    assert rc == 0, err
    assert rss < 1.4 * size, f"dump of a {size}-byte file peaked at {rss} bytes ({rss / size:.2f}x)"


def test_dump_of_many_fragments_drops_what_it_passed(tmp_path):
    # 200 fragments just under the direct-read size: each goes through the window, which must not keep them all.
    p = tmp_path / "frags.dcm"
    frag = 1_000_000
    count = 200
    with open(p, "wb") as f:
        f.write(header(JPEGBaseline8Bit, 16, 16, count, bits=8))
        f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OB", 0, 0xFFFFFFFF))
        f.write(struct.pack("<HHI", 0xFFFE, 0xE000, 0))
        body = b"\xFF\xD8" + b"\x00" * (frag - 4) + b"\xFF\xD9"
        for _ in range(count):
            f.write(struct.pack("<HHI", 0xFFFE, 0xE000, frag))
            f.write(body)
        f.write(struct.pack("<HHI", 0xFFFE, 0xE0DD, 0))
    size = p.stat().st_size
    rc, rss, err = peak("dump", p)
    assert rc == 0, err
    assert rss < 1.4 * size, f"dump of a {size}-byte file peaked at {rss} bytes ({rss / size:.2f}x)"


def test_a_long_value_read_directly_is_the_file_s_bytes(tmp_path):
    # Pixel Data above the direct-read size (1 MiB) with a pattern: the copy written out must equal it.
    p = tmp_path / "pattern.dcm"
    native(p, 1024, 1024, 3, fill=bytes(range(251)))
    out = tmp_path / "out.dcm"
    r = subprocess.run([str(BIN), "transcode", p, out, "--to", "explicit-little"], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    a = pydicom.dcmread(p).PixelData
    b = pydicom.dcmread(out).PixelData
    assert len(a) == 1024 * 1024 * 3 * 2 and a == b


def test_a_truncated_long_value_names_its_offset(tmp_path):
    p = tmp_path / "cut.dcm"
    n = native(p, 1024, 1024, 3)
    data = p.read_bytes()
    value_at = len(data) - n
    p.write_bytes(data[: value_at + n // 2])
    r = subprocess.run([str(BIN), "dump", p], capture_output=True, timeout=120)
    assert r.returncode == 2
    err = r.stderr.decode(errors="replace")
    assert "file ends inside the value" in err and f"{n // 2} byte(s) left" in err, err
    assert str(value_at - 12) in err, err


def test_a_dry_run_import_does_not_hold_a_batch_of_files(tmp_path):
    """`import --dry-run` hashes each file and lets its bytes go: 160 files of 1 MiB (one batch) are not held at once."""
    src = tmp_path / "src"
    src.mkdir()
    for i in range(160):
        native(src / f"I{i:04d}", 512, 1024, 1, fill=bytes([i]))
    one = tmp_path / "one"
    one.mkdir()
    native(one / "I0000", 512, 1024, 1)
    rc1, base, err1 = peak("import", one, "--dry-run", "--store", tmp_path / "store")
    rc, rss, err = peak("import", src, "--dry-run", "--store", tmp_path / "store")
    assert rc1 == 0 and rc == 0, err1 + err
    assert rss < base + 48 * (1 << 20), (rss, base)
