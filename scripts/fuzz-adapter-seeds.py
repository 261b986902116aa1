"""Writes fuzz seeds for Fuzz/Adapters: the first frame of every JPEG, JPEG 2000 and JPEG-LS
file in the media corpus, prefixed by the decoder selector byte. Prints how many it wrote.
Usage: fuzz-adapter-seeds.py CORPUS_DIR OUT_DIR MAX_BYTES"""
import hashlib, os, sys
import pydicom
from pydicom.encaps import generate_fragmented_frames

SELECT = {"1.2.840.10008.1.2.4.50": 0, "1.2.840.10008.1.2.4.51": 0, "1.2.840.10008.1.2.4.90": 1,
          "1.2.840.10008.1.2.4.91": 1, "1.2.840.10008.1.2.4.80": 2, "1.2.840.10008.1.2.4.81": 2}
corpus, out, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = 0
for root, _, files in os.walk(corpus):
    for name in files:
        try:
            ds = pydicom.dcmread(os.path.join(root, name))
            sel = SELECT.get(str(ds.file_meta.TransferSyntaxUID))
            if sel is None or "PixelData" not in ds:
                continue
            frame = b"".join(next(generate_fragmented_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1) or 1))))
        except Exception:
            continue
        seed = bytes([sel]) + frame[:cap]
        with open(os.path.join(out, hashlib.sha1(seed).hexdigest()[:16]), "wb") as f:
            f.write(seed)
        n += 1
print(n)
