"""Disc labels and case inserts (issue 14): `--label FILE.png|.pdf` and `--insert FILE.pdf` with the
patient's name, birth date, studies with dates and descriptions, institution, File-set ID and
"Disc n of m" for split media, at the size disc printers take (120 mm; PNG at 300 dpi)."""
import struct
import subprocess

import pydicom
import pytest

from conftest import CORPUS, need, run
from fileset_util import run_json


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    src = tmp_path_factory.mktemp("label") / "in"
    src.mkdir()
    for k in range(3):
        ds = pydicom.dcmread(CORPUS / "pydicom-3.0.2/test_files/CT_small.dcm")
        ds.SpecificCharacterSet = ["", "ISO 2022 IR 87"]
        ds.PatientName = "Furuhashi^Taichi=古橋^大地=ふるはし^たいち"
        ds.PatientBirthDate = "19700615"
        ds.StudyDate, ds.StudyTime, ds.StudyDescription = f"2018010{k + 1}", "110530", f"CT Thorax {k}"
        ds.StudyInstanceUID = f"1.2.826.0.1.3680043.8.498.5000.{k}"
        ds.SeriesInstanceUID = f"1.2.826.0.1.3680043.8.498.5001.{k}"
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"1.2.826.0.1.3680043.8.498.5002.{k}"
        ds.save_as(src / f"f{k}.dcm")
    return src


def pdf_text(path):
    need("pdftotext")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()


def pdf_size_mm(path):
    need("pdfinfo")
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    w, h = [float(v) for v in out.split("Page size:")[1].split("pts")[0].split(" x ")]
    return round(w / 72 * 25.4), round(h / 72 * 25.4)


def test_label_png_and_insert_pdf(studies, tmp_path):
    label, insert = tmp_path / "LABEL.png", tmp_path / "INSERT.pdf"
    rc, report, err = run_json("create", tmp_path / "FS", studies, "--pdi", "--label", label, "--insert", insert,
                               "--institution", "Clinic & Co", "--locale", "en")
    assert rc in (0, 1), err
    head = label.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (1417, 1417)  # 120 mm at 300 dpi
    assert pdf_size_mm(insert) == (120, 120)
    text = pdf_text(insert)
    for expected in ("FURUHASHI Taichi", "古橋 大地", "15 Jun 1970", "1 Jan 2018", "3 Jan 2018", "CT Thorax 2", "Clinic & Co"):
        assert expected in text, expected
    assert "Disc" not in text  # a single medium


def test_three_disc_split_prints_disc_n_of_3(studies, tmp_path):
    rc, report, err = run_json("create", "--iso", tmp_path / "d.iso", studies, "--pdi", "--media", "1110K",
                               "--label", tmp_path / "L.pdf", "--locale", "en")
    assert rc in (0, 1), err
    assert len(report["volumes"]) == 3, err
    for n in (1, 2, 3):
        text = pdf_text(tmp_path / f"L_{n}.pdf")
        assert f"Disc {n} of 3" in text and "FURUHASHI Taichi" in text
        assert pdf_size_mm(tmp_path / f"L_{n}.pdf") == (120, 120)
    dates = [pdf_text(tmp_path / f"L_{n}.pdf") for n in (1, 2, 3)]
    assert sum(f"{d} Jan 2018" in t for d in (1, 2, 3) for t in dates) == 3, "each study on exactly one label"


def test_label_arguments(studies, tmp_path):
    assert run("create", tmp_path / "A", studies, "--label", tmp_path / "x.png").returncode == 64  # needs --pdi
    assert run("create", tmp_path / "B", studies, "--pdi", "--label", tmp_path / "x.jpg").returncode == 64
    assert run("create", tmp_path / "C", studies, "--pdi", "--insert", tmp_path / "x.png").returncode == 64
    existing = tmp_path / "old.pdf"
    existing.write_bytes(b"keep")
    assert run("create", tmp_path / "D", studies, "--pdi", "--label", existing).returncode == 64
    assert existing.read_bytes() == b"keep"
    # A volume's numbered label already there: refused before any volume is written.
    (tmp_path / "L_2.pdf").write_bytes(b"keep")
    r = run("create", "--iso", tmp_path / "d.iso", studies, "--pdi", "--media", "1110K", "--label", tmp_path / "L.pdf")
    assert r.returncode != 0 and (tmp_path / "L_2.pdf").read_bytes() == b"keep"
    assert not list(tmp_path.glob("d_*.iso"))
