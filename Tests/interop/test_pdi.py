"""IHE PDI (issue 5): `create --pdi --web` writes README.TXT, INDEX.HTM and IHE_PDI/ pages with JPEG
renderings; the pages list exactly the studies and series of the DICOMDIR, render in headless
Chromium (screenshots printed), and `verify --pdi` passes them and catches broken media."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import need, run
from fileset_util import SAMPLES, list_json, run_json, synth, verify


@pytest.fixture(scope="module")
def disc(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pdi")
    synth(tmp / "gen", 30, seed=9, modality="mix", small=False)
    iso = tmp / "pdi.iso"
    rc, report, err = run_json("create", "--iso", iso, tmp / "gen", SAMPLES, "--pdi", "--web",
                               "--institution", "Test & Hospital <Radiology>", "--contact", "+41 00 000 00 00",
                               "--fileset-id", "PDI_TEST")
    assert rc in (0, 1) and report is not None, err
    need("bsdtar")
    root = tmp / "root"
    root.mkdir()
    subprocess.run(["bsdtar", "-xf", str(iso), "-C", str(root)], check=True)
    return tmp, iso, root


def uids_on_disc(root):
    rc, listing, err = list_json(root)
    assert rc == 0, err
    studies = {st["studyInstanceUID"] for p in listing["patients"] for st in p["studies"]}
    series = {se["seriesInstanceUID"]: len(se["instances"])
              for p in listing["patients"] for st in p["studies"] for se in st["series"]}
    return studies, series


def page_uids(html):
    studies = set(re.findall(r'<tr class="study">.*?<td class="uid">([0-9.]+)</td>', html))
    series = {}
    for m in re.finditer(r'<tr class="series"><td>Series: .*?</td><td>(\d+) instance\(s\)(?: \(numbers? [0-9-]+\))?</td><td>.*?</td><td class="uid">([0-9.]+)</td>', html):
        series[m.group(2)] = int(m.group(1))
    return studies, series


def test_files_and_names(disc):
    _, iso, root = disc
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert "README.TXT" in names and "INDEX.HTM" in names and "DICOMDIR" in names
    assert "IHE_PDI/INDEX.HTM" in names
    for n in names:
        if n.startswith("DICOM/") or n == "DICOMDIR":
            continue
        for comp in n.split("/"):
            assert re.fullmatch(r"[A-Z0-9_]{1,8}(\.[A-Z0-9_]{1,3})?", comp), n
    readme = (root / "README.TXT").read_text()
    assert "Test & Hospital <Radiology>" in readme and "no autorun" in readme
    assert "{{" not in readme


def test_index_lists_exactly_the_disc(disc):
    _, _, root = disc
    studies, series = uids_on_disc(root)
    for page in ("INDEX.HTM", "IHE_PDI/INDEX.HTM"):
        html = (root / page).read_text()
        assert "{{" not in html
        s, se = page_uids(html)
        assert s == studies, page
        assert se == series, page
    html = (root / "INDEX.HTM").read_text()
    assert 'href="README.TXT"' in html and 'href="IHE_PDI/INDEX.HTM"' in html
    assert "Test &amp; Hospital &lt;Radiology&gt;" in html
    # Instance Numbers of each series (the samples have them), Study/Series Description and Accession.
    assert re.search(r"instance\(s\) \(numbers? [0-9]+", html)


def test_web_pages_one_per_series_with_rendering(disc):
    _, _, root = disc
    _, series = uids_on_disc(root)
    pages = sorted((root / "IHE_PDI").glob("S*.HTM"))
    assert len(pages) == len(series)
    found = {}
    import xml.dom.minidom
    for p in pages:
        text = p.read_text()
        xml.dom.minidom.parseString(text.encode())  # well-formed XHTML
        uid = re.search(r'Series: <span class="uid">([0-9.]+)</span>, (\d+) instance', text)
        found[uid.group(1)] = int(uid.group(2))
        img = re.search(r'<img src="(S\d{7}\.JPG)"', text)
        if img:
            jpg = (root / "IHE_PDI" / img.group(1)).read_bytes()
            assert jpg[:3] == b"\xff\xd8\xff"
            # SOF0 dimensions: at most 512 px.
            i = jpg.index(b"\xff\xc0")
            h, w = int.from_bytes(jpg[i + 5:i + 7], "big"), int.from_bytes(jpg[i + 7:i + 9], "big")
            assert max(h, w) <= 512
        else:
            assert "No web rendering" in text or "no images to render" in text, p
    assert found == series
    assert len(list((root / "IHE_PDI").glob("*.JPG"))) >= len(series) // 2


def test_pages_render_in_chromium(disc, capsys):
    tmp, _, root = disc
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise AssertionError("chromium is not installed: run scripts/setup.sh")
    first_series = sorted((root / "IHE_PDI").glob("S*.HTM"))[0]
    for page in (root / "INDEX.HTM", root / "IHE_PDI" / "INDEX.HTM", first_series):
        shot = tmp / (page.parent.name + "_" + page.stem + ".png")
        r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            f"--screenshot={shot}", "--window-size=1024,900", page.as_uri()],
                           capture_output=True, timeout=120)
        assert shot.is_file() and shot.stat().st_size > 5000, r.stderr.decode(errors="replace")[-2000:]
        with capsys.disabled():  # shown in the test output even when pytest captures it
            print(f"\nscreenshot of {page.relative_to(root)}: {shot}")


def test_verify_pdi_passes_ours(disc):
    _, iso, root = disc
    for src in (iso, root):
        rc, problems, text = verify(src, "--pdi")
        assert rc == 0, text
        assert not [p for p in problems if p["code"].startswith("pdi-")], text


def test_verify_pdi_catches_violations(disc, tmp_path):
    _, _, root = disc
    bad = tmp_path / "bad"
    shutil.copytree(root, bad)
    (bad / "README.TXT").unlink()
    (bad / "Viewer-Setup.exe").write_bytes(b"MZ")
    (bad / "IHE_PDI" / "TOOL.EXE").write_bytes(b"MZ")
    some = next((bad / "DICOM").rglob("I*"))
    shutil.copy(some, bad / "EXTRA")
    html = (bad / "INDEX.HTM").read_text().replace('href="README.TXT"', 'href="MISSING.TXT"')
    (bad / "INDEX.HTM").write_text(html)
    rc, problems, text = verify(bad, "--pdi")
    assert rc == 1, text
    codes = {(p["code"], p.get("fileID")) for p in problems}
    assert ("pdi-missing-file", "README.TXT") in codes
    assert ("pdi-name-not-8.3", "Viewer-Setup.exe") in codes
    assert ("pdi-non-web-content", "IHE_PDI/TOOL.EXE") in codes
    assert ("pdi-dicom-outside-tree", "EXTRA") in codes
    assert ("pdi-broken-link", "INDEX.HTM") in codes


def test_pdi_folder_output(tmp_path):
    """--pdi on a folder File-set writes the same files beside the DICOMDIR."""
    out = tmp_path / "OUT"
    r = run("create", out, SAMPLES, "--pdi")
    assert r.returncode in (0, 1), r.stderr
    assert (out / "README.TXT").is_file() and (out / "INDEX.HTM").is_file() and not (out / "IHE_PDI").exists()
    rc, problems, text = verify(out, "--pdi")
    assert rc == 0, text


def test_compressed_images_are_rendered_too(tmp_path):
    # Compressed inputs are decoded for their web renderings (here all end up JPEG Lossless, the profile's syntax).
    from conftest import CORPUS
    wg = CORPUS / "wg04-via-dicom-test-files"
    inputs = [wg / "JPLL" / "CT2_JPLL", wg / "J2KR" / "MR4_J2KR", wg / "RLE" / "NM1_RLE"]
    out = tmp_path / "fs"
    rc, report, err = run_json("create", out, *inputs, "--profile", "STD-GEN-DVD-JPEG", "--pdi", "--web")
    assert rc in (0, 1) and report is not None, err
    pages = sorted((out / "IHE_PDI").glob("S*.HTM"))
    assert len(pages) == 3
    for p in pages:
        assert "<img src=" in p.read_text(), p.read_text()
    assert len(list((out / "IHE_PDI").glob("*.JPG"))) == 3
    import pydicom
    assert {pydicom.dcmread(f, stop_before_pixels=True).file_meta.TransferSyntaxUID
            for f in (out / "DICOM").rglob("*") if f.is_file()} == {"1.2.840.10008.1.2.4.70"}
