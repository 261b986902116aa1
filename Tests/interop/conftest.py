"""Shared fixtures for the interoperability suite: the corpus, our binary, the peers."""
import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("DICOM_MEDIA_CORPUS", ROOT.parent / "shared" / "media-corpus"))
BIN = Path(os.environ.get("DICOM_MEDIA_BIN", ROOT / ".build" / "debug" / "dicom-media"))

if not (CORPUS / "manifest.tsv").is_file():
    raise SystemExit(f"media corpus missing at {CORPUS}: set DICOM_MEDIA_CORPUS")
if not BIN.is_file():
    raise SystemExit(f"dicom-media binary missing at {BIN}: run swift build first")


def corpus_files():
    """Every DICOM file listed in the corpus manifest (licences and notes excluded)."""
    out = []
    with open(CORPUS / "manifest.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            # The content column is empty for files that are not DICOM (licences, readmes).
            if row["content"].strip():
                out.append(row["path"])
    return sorted(out)


def run(*args, check=False):
    r = subprocess.run([str(BIN), *map(str, args)], capture_output=True)
    if check and r.returncode != 0:
        raise AssertionError(f"{args}: exit {r.returncode}: {r.stderr.decode(errors='replace')}")
    return r


def need(tool):
    if shutil.which(tool) is None:
        raise AssertionError(f"{tool} is not installed: run scripts/setup.sh")
    return tool
