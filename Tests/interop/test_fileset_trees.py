"""`list --json` gives the same patient/study/series/instance tree as pydicom's FileSet, in the same
order, for every DICOMDIR of the corpus and for DICOMDIRs written by dcmmkdir, gdcmgendir, pydicom
and dicom-media from the same inputs."""
import shutil

import pytest

from conftest import CORPUS
from fileset_util import (CHARSET_FILESET, DICOMDIRTESTS, PYDICOM_DATA, SAMPLES, TEST_FILES, dcmmkdir_fileset,
                          gdcmgendir_fileset, list_json, our_tree, pydicom_fileset, pydicom_tree, run_json, safe_copy,
                          tree_diff)

CORPUS_DICOMDIRS = [
    DICOMDIRTESTS / "DICOMDIR",
    DICOMDIRTESTS / "DICOMDIR-implicit",
    DICOMDIRTESTS / "DICOMDIR-bigEnd",
    DICOMDIRTESTS / "DICOMDIR-empty.dcm",
    DICOMDIRTESTS / "TINY_ALPHA" / "DICOMDIR",
    CHARSET_FILESET / "DICOMDIR",
    PYDICOM_DATA / "DICOMDIR-nooffset",
    PYDICOM_DATA / "DICOMDIR-reordered",
]

# Inputs of the generated DICOMDIRs: Explicit VR LE images with all keys (gdcmgendir and pydicom
# refuse instances without a Patient ID; pydicom also refuses those without a Study Date: the
# charset files, which it skips).
PEER_INPUTS = sorted(p for p in DICOMDIRTESTS.glob("[0-9]*/*/*") if p.is_file()) + \
    [TEST_FILES / "CT_small.dcm", TEST_FILES / "MR_small.dcm"] + \
    sorted(p for p in CHARSET_FILESET.glob("SCS*")) + sorted(SAMPLES.rglob("*.dcm"))


def compare(dicomdir):
    rc, listing, err = list_json(dicomdir)
    assert rc in (0, 1) and listing is not None, err
    ours, theirs = our_tree(listing), pydicom_tree(dicomdir)
    assert ours == theirs, tree_diff(theirs, ours)
    return ours


@pytest.mark.parametrize("dicomdir", CORPUS_DICOMDIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_dicomdir(dicomdir):
    tree = compare(dicomdir)
    if dicomdir.name != "DICOMDIR-empty.dcm":
        assert tree


@pytest.fixture(scope="module")
def peer_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("peer") / "src"
    safe_copy(PEER_INPUTS, folder)
    return folder


def test_dcmmkdir_dicomdir(peer_folder, tmp_path):
    folder = tmp_path / "fs"
    shutil.copytree(peer_folder, folder)
    tree = compare(dcmmkdir_fileset(folder))
    assert sum(len(se["instances"]) for p in tree for st in p["studies"] for se in st["series"]) == len(PEER_INPUTS)


def test_gdcmgendir_dicomdir(peer_folder, tmp_path):
    folder = tmp_path / "fs"
    shutil.copytree(peer_folder, folder)
    tree = compare(gdcmgendir_fileset(folder))
    assert sum(len(se["instances"]) for p in tree for st in p["studies"] for se in st["series"]) == len(PEER_INPUTS)


def test_pydicom_dicomdir(peer_folder, tmp_path):
    dicomdir, added = pydicom_fileset(sorted(p for p in peer_folder.rglob("*") if p.is_file()), tmp_path / "fs")
    assert added >= len(PEER_INPUTS) - len(list(CHARSET_FILESET.glob("SCS*")))
    tree = compare(dicomdir)
    assert sum(len(se["instances"]) for p in tree for st in p["studies"] for se in st["series"]) == added


def test_our_dicomdir(peer_folder, tmp_path):
    rc, report, err = run_json("create", tmp_path / "fs", peer_folder)
    assert rc in (0, 1) and report["refused"] == [], err
    tree = compare(tmp_path / "fs" / "DICOMDIR")
    assert sum(len(se["instances"]) for p in tree for st in p["studies"] for se in st["series"]) == len(PEER_INPUTS)
