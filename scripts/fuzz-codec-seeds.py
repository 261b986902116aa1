#!/usr/bin/env python3
"""Writes fuzz seeds for the codec fuzz targets (scripts/fuzz.sh FUZZ_TARGET=rle|jpegdct).

    fuzz-codec-seeds.py TARGET CORPUS_DIR OUT_DIR [MAX_BYTES]

Takes the first frame of every media-corpus file (manifest.tsv) in the target's transfer syntaxes
(RLE Lossless; JPEG Baseline/Extended and, for the refusal paths, the other JPEG processes) and writes it
as the target expects: for rle, 4 bytes rows-1 and columns-1 (UInt16 LE) then the RLE frame; for
jpegdct, the JPEG stream as is. Frames larger than MAX_BYTES (default 262144) are skipped.
"""
import hashlib
import os
import struct
import sys

import pydicom
from pydicom.encaps import generate_frames

target, corpus, out = sys.argv[1], sys.argv[2], sys.argv[3]
limit = int(sys.argv[4]) if len(sys.argv) > 4 else 262144
want = {"rle": ("RLE Lossless",), "jpegdct": ("JPEG Baseline", "JPEG Extended", "JPEG Full Progression", "JPEG Spectral", "JPEG Lossless")}[target]
os.makedirs(out, exist_ok=True)
n = 0
with open(os.path.join(corpus, "manifest.tsv"), encoding="utf-8") as f:
    next(f)
    for line in f:
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 6 or not cols[5].startswith(want):
            continue
        try:
            ds = pydicom.dcmread(os.path.join(corpus, cols[0]))
            frame = next(generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1) or 1)))
        except Exception:
            continue
        if target == "rle":
            frame = struct.pack("<HH", (ds.Rows - 1) & 0xFFFF, (ds.Columns - 1) & 0xFFFF) + frame
        if len(frame) > limit:
            continue
        with open(os.path.join(out, hashlib.sha1(frame).hexdigest()[:16]), "wb") as g:
            g.write(frame)
        n += 1
print(n)
