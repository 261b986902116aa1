"""Writes the pixels of each DICOM file named on stdin (NUL-separated) as a 16-bit PGM into
argv[1], for opj_compress (benchmark row 5c: OpenJPEG's own command line on the same pixels)."""
import sys
from pathlib import Path

import pydicom

out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
for name in sys.stdin.buffer.read().split(b"\0"):
    if not name:
        continue
    ds = pydicom.dcmread(name.decode())
    a = ds.pixel_array.astype(">u2") if ds.PixelRepresentation == 0 else (ds.pixel_array.astype("int32") + 32768).astype(">u2")
    p = out / (Path(name.decode()).stem + ".pgm")
    with open(p, "wb") as f:
        f.write(b"P5\n%d %d\n65535\n" % (ds.Columns, ds.Rows))
        f.write(a.tobytes())
