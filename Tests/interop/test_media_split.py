"""Capacity (issue 5): `create --media SIZE` splits generated studies into volumes; each volume is a
complete File-set that verifies on its own, no series is cut, and together the volumes hold every
instance exactly once. The size is found with --dry-run so that the split has exactly 3 volumes."""
import json
import subprocess
from collections import Counter

import pytest

from conftest import need, run
from fileset_util import list_json, our_instances, pydicom_check_files, run_json, sop_of, synth, verify


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("split")
    files = synth(tmp / "gen", 90, seed=5, modality="mix")
    return tmp, tmp / "gen", sorted(sop_of(f) for f in files)


def three_volume_size(*args):
    """The largest size (in 64 KiB steps down) that gives 3 volumes in a dry run of `create ARGS`."""
    for kib in range(4096, 1024, -64):
        rc, plan, err = run_json("create", *args, "--media", f"{kib}K", "--dry-run")
        assert plan is not None, err
        if len(plan["volumes"]) == 3:
            return kib
    raise AssertionError("no size gives 3 volumes")


def series_of(listing):
    return {se["seriesInstanceUID"]: [i["sopInstanceUID"] for i in se["instances"]]
            for p in listing["patients"] for st in p["studies"] for se in st["series"]}


def check_volumes(roots, expected):
    seen = Counter()
    series_home = {}
    for root in roots:
        rc, problems, text = verify(root)
        assert rc == 0, text
        rc, listing, err = list_json(root)
        assert rc == 0, err
        for uid, sops in series_of(listing).items():
            assert uid not in series_home, f"series {uid} is on {series_home[uid]} and {root}"
            series_home[uid] = root
            seen.update(sops)
    assert sorted(seen) == expected, "every instance exactly once"
    assert max(seen.values()) == 1


def test_three_folders(corpus):
    tmp, src, expected = corpus
    kib = three_volume_size(tmp / "OUT", src)
    rc, report, err = run_json("create", tmp / "OUT", src, "--media", f"{kib}K", "--fileset-id", "SPLIT")
    assert rc == 0, err
    vols = report["volumes"]
    assert [v["output"] for v in vols] == [str(tmp / f"OUT_{n}") for n in (1, 2, 3)]
    assert [v["fileSetID"] for v in vols] == ["SPLIT_1", "SPLIT_2", "SPLIT_3"]
    assert all(v["estimatedBytes"] <= report["capacity"] for v in vols)
    roots = [tmp / f"OUT_{n}" for n in (1, 2, 3)]
    check_volumes(roots, expected)
    for root in roots:
        # The estimate is conservative: the files and DICOMDIR take less than the medium.
        used = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        assert used <= kib * 1024
        pydicom_check_files(root / "DICOMDIR")


def test_three_images(corpus):
    tmp, src, expected = corpus
    kib = three_volume_size("--iso", tmp / "x.iso", src)
    rc, report, err = run_json("create", "--iso", tmp / "disc.iso", src, "--media", f"{kib}K", "--volume-id", "PATIENT_DISC")
    assert rc == 0, err
    images = [tmp / f"disc_{n}.iso" for n in (1, 2, 3)]
    assert [v["output"] for v in report["volumes"]] == [str(p) for p in images]
    for n, img in enumerate(images, 1):
        assert img.stat().st_size <= kib * 1024, f"{img} larger than the medium"
        with open(img, "rb") as f:
            f.seek(16 * 2048 + 40)
            assert f.read(32).decode().rstrip() == f"PATIENT_DISC_{n}"
    check_volumes(images, expected)


def test_dry_run_shows_fill_and_writes_nothing(corpus):
    tmp, src, _ = corpus
    r = run("create", tmp / "DRY", src, "--media", "1600K", "--dry-run")
    assert r.returncode == 0, r.stderr
    text = r.stdout.decode()
    assert "volume 1/" in text and "% full" in text
    assert not any(tmp.glob("DRY*"))


def test_instance_larger_than_medium_is_an_error(corpus):
    tmp, src, _ = corpus
    r = run("create", tmp / "TINY", src, "--media", "1M")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "more than its capacity" in err and ".dcm" in err, err
    assert not any(tmp.glob("TINY*"))


def test_named_media_and_bad_size(corpus):
    tmp, src, _ = corpus
    rc, plan, err = run_json("create", tmp / "CD", src, "--media", "cd", "--dry-run")
    assert rc == 0 and len(plan["volumes"]) == 1 and plan["capacity"] == 737280000, err
    r = run("create", tmp / "BAD", src, "--media", "3X")
    assert r.returncode != 0 and b"--media" in r.stderr
