"""`dump --json` gives the same elements and values as pydicom 3.0.2's Dataset.to_json_dict()
for every non-binary element of every corpus file (PS3.18 F.2)."""
import json
import math

import pydicom
import pytest

from conftest import CORPUS, corpus_files, run

BINARY = {"OB", "OD", "OF", "OL", "OV", "OW", "UN", "OB or OW", "US or OW", "US or SS or OW"}


def norm_value(vr, v):
    if v is None:
        return None
    if vr == "PN" and isinstance(v, dict):
        groups = [v.get("Alphabetic", ""), v.get("Ideographic", ""), v.get("Phonetic", "")]
        while groups and groups[-1] == "":
            groups.pop()
        return tuple(groups) or None
    if isinstance(v, str):
        # Leading/trailing spaces are padding, insignificant except leading ones in text VRs (PS3.5 6.2).
        v = v.rstrip(" \0") if vr in ("LT", "ST", "UT", "UR") else v.strip(" \0")
        if v == "":
            return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return v


def compare(ours, theirs, path, where=""):
    """Returns a list of differences between two JSON-model data sets."""
    diffs = []
    ours = {k: v for k, v in ours.items()}
    for tag, te in theirs.items():
        if tag.endswith("0000"):
            continue  # group lengths: pydicom keeps them, we keep them too, but values can legitimately be absent
        oe = ours.get(tag)
        if oe is None:
            diffs.append(f"{where}{tag}: missing in ours")
            continue
        tvr, ovr = te.get("vr"), oe.get("vr")
        if tvr in BINARY or ovr in BINARY:
            continue
        if tvr != ovr:
            diffs.append(f"{where}{tag}: vr {ovr} != pydicom {tvr}")
            continue
        if tvr == "SQ":
            ti, oi = te.get("Value", []), oe.get("Value", [])
            if len(ti) != len(oi):
                diffs.append(f"{where}{tag}: {len(oi)} items != pydicom {len(ti)}")
                continue
            for n, (a, b) in enumerate(zip(oi, ti)):
                diffs += compare(a, b, path, f"{where}{tag}[{n}].")
            continue
        tv = [norm_value(tvr, x) for x in te.get("Value", [])]
        ov = [norm_value(ovr, x) for x in oe.get("Value", [])]
        while tv and tv[-1] is None:
            tv.pop()
        while ov and ov[-1] is None:
            ov.pop()
        if len(tv) != len(ov):
            diffs.append(f"{where}{tag} {tvr}: {ov!r} != pydicom {tv!r}")
            continue
        for a, b in zip(ov, tv):
            if isinstance(a, float) and isinstance(b, float):
                if not (a == b or math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))):
                    diffs.append(f"{where}{tag} {tvr}: {a!r} != pydicom {b!r}")
            elif a != b:
                diffs.append(f"{where}{tag} {tvr}: {a!r} != pydicom {b!r}")
    for tag in ours:
        if tag not in theirs and not tag.startswith("0002") and not tag.endswith("0000"):
            diffs.append(f"{where}{tag}: extra in ours")
    return diffs


FILES = corpus_files()


@pytest.mark.parametrize("rel", FILES)
def test_dump_json_matches_pydicom(rel):
    path = CORPUS / rel
    try:
        ds = pydicom.dcmread(path, force=True)
        if len(ds) == 0:
            raise ValueError("pydicom read no elements")  # e.g. a missing delimiter at EOF
        theirs = ds.to_json_dict()
        theirs_meta = ds.file_meta.to_json_dict() if getattr(ds, "file_meta", None) is not None else {}
    except Exception as e:  # pydicom cannot read it: we must fail cleanly too (exit 2) or read it
        r = run("dump", "--json", path)
        assert r.returncode in (0, 1, 2), r.stderr
        assert len(r.stderr.splitlines()) >= 1 or r.returncode == 0
        return
    r = run("dump", "--json", path)
    assert r.returncode in (0, 1), f"exit {r.returncode}: {r.stderr.decode(errors='replace')}"
    ours = json.loads(r.stdout)
    ours_ds = {k: v for k, v in ours.items() if not k.startswith("0002")}
    ours_meta = {k: v for k, v in ours.items() if k.startswith("0002")}
    diffs = compare(ours_ds, theirs, rel) + compare(ours_meta, theirs_meta, rel, "meta.")
    diffs = [d for d in diffs if "extra in ours" not in d or not d.startswith("meta.")]
    assert not diffs, f"{rel}:\n" + "\n".join(diffs[:40])
