"""Round trip: every native-pixel corpus file read and written as Explicit VR LE by us is read
back by pydicom and by DCMTK's dcmdump with identical element values; pixel bytes identical
after byte-order normalisation."""
import re
import subprocess

import numpy as np
import pydicom
import pytest

from conftest import CORPUS, corpus_files, need, run

# Keep UN elements as bytes: pydicom would otherwise reinterpret them with its private dictionary
# in the file's byte order, although UN values are never byte-swapped (PS3.5 6.2.2).
pydicom.config.replace_un_with_known_vr = False

NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"}


def native_files():
    out = []
    for rel in corpus_files():
        try:
            ds = pydicom.dcmread(CORPUS / rel, stop_before_pixels=True)
        except Exception:
            continue
        ts = str(ds.file_meta.get("TransferSyntaxUID", "")) if ds.file_meta else ""
        if ts in NATIVE and rel.rsplit("/", 1)[-1] != "DICOMDIR":
            out.append(rel)
    return out


def element_values(ds):
    """(tag path, VR, value) of every element, recursing into sequences; pixel data aside."""
    out = {}

    def walk(d, prefix):
        for elem in d:
            if elem.tag.element == 0 or elem.tag == 0x7FE00010:
                continue
            key = f"{prefix}{elem.tag:08X}"
            if elem.VR == "SQ":
                for i, item in enumerate(elem.value):
                    walk(item, f"{key}[{i}].")
                out[key] = ("SQ", len(elem.value))
            else:
                v = elem.value
                if isinstance(v, (bytes, bytearray)):
                    v = bytes(v).rstrip(b"\0")  # even-length padding may be added to odd values
                elif isinstance(v, pydicom.multival.MultiValue):
                    v = [str(x) for x in v]
                else:
                    v = str(v)
                out[key] = v
    walk(ds, "")
    return out


FILES = native_files()


def test_there_are_native_files():
    assert len(FILES) > 40


@pytest.mark.parametrize("rel", FILES)
def test_explicit_le_round_trip(rel, tmp_path):
    src = CORPUS / rel
    out = tmp_path / "out.dcm"
    r = run("transcode", src, out, "--to", "explicit-little")
    assert r.returncode in (0, 1), r.stderr
    orig = pydicom.dcmread(src, force=True)
    back = pydicom.dcmread(out)
    assert back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert back.file_meta.ImplementationVersionName.startswith("DICOM_MEDIA_")
    assert back.file_meta.ImplementationClassUID.startswith("2.25.")
    a, b = element_values(orig), element_values(back)
    # Private elements the source gave no VR for (Implicit VR, or UN) are written as UN: pydicom
    # then guesses their VR from its private dictionary on one side only. Their bytes are compared
    # by the Swift round-trip tests; here only their presence is.
    diffs = [k for k in set(a) | set(b) if a.get(k) != b.get(k) and not (is_private(k) and k in a and k in b and vr_of(orig, k) != vr_of(back, k))]
    assert not diffs, [(k, a.get(k), b.get(k)) for k in sorted(diffs)[:10]]
    if "PixelData" in orig:
        try:
            pa, pb = orig.pixel_array, back.pixel_array
        except Exception:
            # Layouts numpy cannot express: compare the raw bytes after byte-order normalisation.
            ra = bytes(orig.PixelData)
            if not orig.is_little_endian and orig[0x7FE00010].VR == "OW":
                ra = np.frombuffer(ra[: len(ra) // 2 * 2], ">u2").astype("<u2").tobytes()
            assert ra.rstrip(b"\0") == bytes(back.PixelData).rstrip(b"\0")
        else:
            assert np.array_equal(pa, pb)

    # DCMTK reads it and prints the same values as for the original.
    need("dcmdump")
    d1 = dcmdump_values(src)
    d2 = dcmdump_values(out)
    diffs = [k for k in set(d1) | set(d2) if d1.get(k) != d2.get(k)]
    assert not diffs, [(k, d1.get(k), d2.get(k)) for k in sorted(diffs)[:10]]


def is_private(key):
    return int(key.split(".")[-1][:4], 16) % 2 == 1


def vr_of(ds, key):
    d = ds
    parts = key.split(".")
    for p in parts[:-1]:
        tag, idx = p[:-1].split("[")
        d = d[int(tag, 16)].value[int(idx)]
    return d[int(parts[-1], 16)].VR


LINE = re.compile(r"^(\s*)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\w\w) (.*?)\s*#\s*(\S+), (\d+) ")


def dcmdump_values(path):
    r = subprocess.run(["dcmdump", "-q", "+L", "-dc", str(path)], capture_output=True, text=True, errors="replace")
    assert r.returncode == 0, f"dcmdump {path}: {r.stderr}"
    vals, seen = {}, {}
    for line in r.stdout.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        indent, g, e, vr, value = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
        if g in ("0002", "fffe") or e == "0000" or (g, e) == ("7fe0", "0010"):
            continue
        if int(g, 16) % 2 == 1 and int(e, 16) > 0xFF:
            # Private data elements: DCMTK interprets them by its private dictionary only when the
            # file gives no VR; our UN copy of such an element is compared as bytes by the Swift tests.
            value = "<private>"
        elif vr in ("OB", "OW", "UN", "SQ", "na", "pi", "ox"):
            value = vr if vr == "SQ" else "<binary>"
        key = (len(indent), g, e)
        n = seen.get(key, 0)
        seen[key] = n + 1
        vals[(len(indent), g, e, n)] = value
    return vals
