"""IHE PDI web content for patients and referring doctors (issue 14): renderings through the PS3.4 N.2
pipeline (colour in colour, aspect kept, DCMTK's greyscale), key images per series, a broken instance
shown as a plain sentence, readable names and dates, valid XHTML whose links resolve, and pages that
headless Chromium shows with the names, descriptions and image counts."""
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest

from conftest import CORPUS, need
from fileset_util import CHARSET_FILESET, DICOMDIRTESTS, run_json, synth, verify

COLOUR = ["pydicom-data-1.0.0/data/US1_UNCR.dcm", "pydicom-data-1.0.0/data/OBXXXX1A_rle.dcm", "pydicom-3.0.2/test_files/examples_ybr_color.dcm"]
GREY = ["cornerstone3D/testImages/CTImage.dcm", "pydicom-3.0.2/test_files/MR_small.dcm", "pydicom-3.0.2/test_files/CT_small.dcm",
        "pydicom-3.0.2/dicomdirtests/77654033/CR1/6154", "pydicom-data-1.0.0/data/emri_small.dcm"]


def create(out, *inputs, extra=(), web=True):
    rc, report, err = run_json("create", out, *inputs, "--pdi", *(["--web"] if web else []), *extra)
    assert rc in (0, 1) and report is not None, err
    return report, err


def pnm(data):
    """(width, height, channels, pixels as a numpy array) of a binary PGM/PPM."""
    fields, pos = [], 2
    while len(fields) < 3:
        m = re.compile(rb"\s*(#[^\n]*\n\s*)*(\d+)").match(data, pos)
        fields.append(int(m.group(2)))
        pos = m.end()
    w, h, _ = fields
    channels = 3 if data[:2] == b"P6" else 1
    px = np.frombuffer(data[pos + 1:pos + 1 + w * h * channels], dtype=np.uint8).astype(np.float64)
    return w, h, channels, px


def jpeg_pixels(path):
    need("djpeg")
    return pnm(subprocess.run(["djpeg", "-pnm", str(path)], capture_output=True, check=True).stdout)


def page_images(page):
    """The JPEGs a series page shows, in order."""
    return re.findall(r'<img src="(S\d{7}\.JPG)"', page.read_text())


def page_file_ids(page):
    return re.findall(r"<tr><td>[A-Z ]+</td><td>[^<]*</td><td>([^<]+)</td></tr>", page.read_text())


def psnr(a, b):
    mse = np.mean((a - b) ** 2)
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


@pytest.fixture(scope="module")
def corpus_disc(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdipages") / "FS"
    create(out, *[CORPUS / f for f in COLOUR + GREY], extra=("--locale", "en"))
    return out


def series_pages(root):
    return sorted((root / "IHE_PDI").glob("S*.HTM"))


def test_colour_instances_render_in_colour(corpus_disc):
    seen = 0
    for page in series_pages(corpus_disc):
        ds = pydicom.dcmread(corpus_disc / page_file_ids(page)[0], stop_before_pixels=True)
        if ds.SamplesPerPixel != 3 and ds.PhotometricInterpretation != "PALETTE COLOR":
            continue
        for name in page_images(page):
            w, h, channels, px = jpeg_pixels(corpus_disc / "IHE_PDI" / name)
            assert channels == 3, name
            rgb = px.reshape(-1, 3)
            differing = np.count_nonzero((np.abs(rgb[:, 0] - rgb[:, 1]) > 8) | (np.abs(rgb[:, 0] - rgb[:, 2]) > 8))
            assert differing > len(rgb) / 100, f"{name}: channels differ in {differing} of {len(rgb)} pixels"
            seen += 1
    assert seen >= len(COLOUR)


def test_greyscale_matches_dcmtk(corpus_disc):
    """Each greyscale rendering against dcmj2pnm of the same frame with the same VOI, scaled to the same size."""
    need("dcmj2pnm")
    compared = 0
    for page in series_pages(corpus_disc):
        ids = page_file_ids(page)
        path = corpus_disc / ids[0]
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        if ds.SamplesPerPixel != 1 or ds.PhotometricInterpretation == "PALETTE COLOR":
            continue
        assert len(ids) == 1, page  # one instance per series in this disc
        w, h, channels, ours = jpeg_pixels(corpus_disc / "IHE_PDI" / page_images(page)[0])
        assert channels == 1
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        frame = int(ds.get("RepresentativeFrameNumber", 0) or 0) or (frames - 1) // 2 + 1
        if frames > 1:  # a multi-frame image by its representative frame, which the caption names
            assert f"frame {frame} of {frames}" in page.read_text(), page
        voi = ["+Wi", "1"] if "WindowCenter" in ds else ["+Wl", "1"] if "VOILUTSequence" in ds else \
            ["+Wm"] if ds.BitsStored > 8 or "RescaleSlope" in ds else []
        scale = ["+Sxv", str(w)] if w >= h else ["+Syv", str(h)]
        r = subprocess.run(["dcmj2pnm", "+F", str(frame), *voi, *scale, str(path)], capture_output=True)
        assert r.returncode == 0, r.stderr.decode(errors="replace")
        pw, ph, _, theirs = pnm(r.stdout)
        assert (pw, ph) == (w, h), page
        assert psnr(ours, theirs) >= 30, f"{page.name} ({ids[0]}): PSNR {psnr(ours, theirs):.1f} dB"
        compared += 1
    assert compared >= len(GREY)


def test_aspect_ratio_of_non_square_pixels(tmp_path):
    """Pixel Spacing 0.5 mm (rows) by 1 mm (columns): the rendering's shape is the physical one, no letter-box."""
    ds = pydicom.dcmread(CORPUS / "pydicom-3.0.2/test_files/MR_small.dcm")
    ds.PixelSpacing = [0.5, 1.0]
    ds.Columns, ds.Rows = 64, 64
    src = tmp_path / "in"
    src.mkdir()
    ds.save_as(src / "aspect.dcm")
    wide = pydicom.dcmread(CORPUS / "pydicom-data-1.0.0/data/US1_UNCR.dcm")
    wide.PixelAspectRatio = [3, 2]
    wide.SeriesInstanceUID = pydicom.uid.generate_uid()
    wide.save_as(src / "wide.dcm")
    out = tmp_path / "FS"
    create(out, src)
    checked = 0
    for page in series_pages(out):
        d = pydicom.dcmread(out / page_file_ids(page)[0], stop_before_pixels=True)
        if "PixelSpacing" in d:
            physical = (d.Columns * float(d.PixelSpacing[1])) / (d.Rows * float(d.PixelSpacing[0]))
        else:
            physical = (d.Columns * int(d.PixelAspectRatio[1])) / (d.Rows * int(d.PixelAspectRatio[0]))
        w, h, _, _ = jpeg_pixels(out / "IHE_PDI" / page_images(page)[0])
        assert abs((w / h) / physical - 1) <= 0.01, f"{page.name}: {w}x{h}, physical {physical:.3f}"
        checked += 1
    assert checked == 2


def test_key_images_first_middle_last_and_contact_sheet(tmp_path):
    files = synth(tmp_path / "gen", 40, seed=3, small=True, modality="CT")
    out = tmp_path / "FS"
    create(out, tmp_path / "gen")
    for page in series_pages(out):
        n = len(page_file_ids(page))
        shown = page_images(page)
        assert len(shown) == (min(n, 3) if n < 25 else 9), f"{page.name}: {n} images, {len(shown)} shown"
        assert len(set(shown)) == len(shown)
    assert files


@pytest.mark.parametrize("damage", ["photometric", "jpeg"])
def test_broken_instance_is_a_plain_sentence(damage, tmp_path):
    """An instance the renderer refuses (HSV) or whose JPEG stream is damaged (kept as is by a JPEG profile)."""
    src = tmp_path / "in"
    src.mkdir()
    extra = ()
    if damage == "photometric":
        ds = pydicom.dcmread(CORPUS / "pydicom-3.0.2/test_files/CT_small.dcm")
        ds.PhotometricInterpretation = "HSV"
    else:
        from pydicom.encaps import encapsulate, generate_frames
        ds = pydicom.dcmread(CORPUS / "pydicom-3.0.2/test_files/SC_rgb_jpeg_dcmtk.dcm")
        frame = bytearray(next(generate_frames(ds.PixelData)))
        frame[200:600] = bytes(400)
        ds.PixelData = encapsulate([bytes(frame[:len(frame) // 3])])
        extra = ("--profile", "STD-GEN-DVD-JPEG")
    ds.save_as(src / "BROKEN.dcm")
    out = tmp_path / "FS"
    report, err = create(out, src, extra=extra)
    assert "pdi-image-not-shown" in err, err
    pages = series_pages(out)
    assert len(pages) == 1
    assert "This image cannot be shown" in pages[0].read_text()
    for f in (out / "IHE_PDI").iterdir():
        text = f.read_bytes().decode("utf-8", errors="replace")
        for leak in (str(tmp_path), str(src), "/tmp", "BROKEN", "Pixel Data", "PS3.5", "error", "Error"):
            assert leak not in text, f"{f.name} shows {leak!r}"
    rc, problems, text = verify(out, "--pdi")
    assert rc == 0, text


@pytest.fixture(scope="module")
def named_disc(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("named")
    src = tmp / "in"
    src.mkdir()
    for k, (desc, number) in enumerate([("Chest 1.25 mm", 2), ("Scout", 1)]):
        ds = pydicom.dcmread(CORPUS / "pydicom-3.0.2/test_files/CT_small.dcm")
        ds.SpecificCharacterSet = ["", "ISO 2022 IR 87"]
        ds.PatientName = "Furuhashi^Taichi=古橋^大地=ふるはし^たいち"
        ds.PatientBirthDate, ds.PatientSex = "19700615", "M"
        ds.StudyDate, ds.StudyTime, ds.StudyDescription = "20180107", "110530", "CT Thorax"
        ds.ReferringPhysicianName = "Okada^Mei"
        ds.AccessionNumber = "ACC42"
        ds.SeriesDescription, ds.SeriesNumber, ds.BodyPartExamined = desc, number, "CHEST"
        ds.SeriesInstanceUID = f"1.2.826.0.1.3680043.8.498.4242.{k}"
        ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.4243.{k}"
        ds.save_as(src / f"f{k}.dcm")
    out = tmp / "FS"
    create(out, src, extra=("--locale", "en", "--institution", "Clinic & Co"))
    return tmp, out


def test_names_dates_and_language(named_disc):
    _, out = named_disc
    index = (out / "INDEX.HTM").read_text()
    assert "FURUHASHI Taichi" in index and "古橋 大地" in index and "ふるはし たいち" in index
    assert 'lang="ja"' in index
    assert "7 Jan 2018 11:05" in index and "15 Jun 1970" in index and "47 years" in index
    assert "Referring physician: OKADA Mei" in index and "ACC42" in index
    assert "CT Thorax" in index and "Chest 1.25 mm" in index and "Scout" in index
    # Series in number order, each row linked to its page, and each page back to its row.
    rows = re.findall(r'<tr id="(S\d{7})"><td><a href="IHE_PDI/(S\d{7}\.HTM)">(\d+)</a>', index)
    assert [r[2] for r in rows] == ["1", "2"]
    for anchor, page, _ in rows:
        text = (out / "IHE_PDI" / page).read_text()
        assert f'href="INDEX.HTM#{anchor}"' in text
        assert re.search(r"<title>FURUHASHI Taichi: CT Thorax \(7 Jan 2018\): series #\d CT (Scout|Chest 1\.25 mm)</title>", text)
    readme = (out / "README.TXT").read_text()
    assert "FURUHASHI Taichi (古橋 大地, ふるはし たいち)" in readme and "7 Jan 2018 11:05" in readme
    assert "Clinic & Co" in readme and "not for diagnosis" in readme and "{{" not in readme
    # UIDs and File IDs only in the details section.
    main = index.split('<div class="details">')[0]
    assert "1.2.826.0.1.3680043.8.498.4242" not in main and "DICOM/" not in main


def test_iso_dates_without_a_locale(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    ds = pydicom.dcmread(CORPUS / "pydicom-3.0.2/test_files/CT_small.dcm")
    ds.StudyDate, ds.StudyTime = "20180107", "110530"
    ds.save_as(src / "a.dcm")
    out = tmp_path / "FS"
    create(out, src, extra=("--locale", "C"))
    assert "2018-01-07 11:05" in (out / "INDEX.HTM").read_text()
    rc, _, err = run_json("create", tmp_path / "FS2", src, "--pdi", "--locale", "no such locale")
    assert rc == 64, err


def test_user_templates_replace_the_built_in_ones(tmp_path, named_disc):
    tmp, _ = named_disc
    mine = tmp_path / "tpl"
    mine.mkdir()
    (mine / "README.TXT").write_text("Disc of {{#PATIENTS}}{{NAME}}{{/PATIENTS}}\n")
    out = tmp_path / "FS"
    create(out, tmp / "in", extra=("--web-templates", mine))
    assert (out / "README.TXT").read_text() == "Disc of FURUHASHI Taichi\n"
    assert "<!DOCTYPE html" in (out / "INDEX.HTM").read_text()
    (mine / "INDEX.HTM").write_text("{{NO_SUCH_FIELD}}")
    rc, _, err = run_json("create", tmp_path / "FS2", tmp / "in", "--pdi", "--web-templates", mine)
    assert rc != 0 and "NO_SUCH_FIELD" in err and not (tmp_path / "FS2" / "DICOMDIR").exists()
    # IHE PDI pages hold no scripts: a template that would put one on the medium is refused.
    for script in ('<script type="text/javascript">alert(1)</script>', '<body onload="x()">', '<a href="javascript:x()">'):
        (mine / "INDEX.HTM").unlink(missing_ok=True)
        (mine / "SERIES.HTM").write_text(f"<html>{script}</html>")
        rc, _, err = run_json("create", tmp_path / "FS3", tmp / "in", "--pdi", "--web", "--web-templates", mine)
        assert rc != 0 and "no scripts" in err, script
        assert not (tmp_path / "FS3" / "DICOMDIR").exists()


def all_pages_valid_and_linked(root):
    need("xmllint")
    pages = [root / "INDEX.HTM"] + sorted((root / "IHE_PDI").glob("*.HTM"))
    r = subprocess.run(["xmllint", "--valid", "--noout", "--nonet", *map(str, pages)], capture_output=True)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-3000:]
    for page in pages:
        text = page.read_text()
        assert "<script" not in text.lower()
        ids = set(re.findall(r' id="([^"]+)"', text))
        for link in re.findall(r'(?:href|src)="([^"]+)"', text):
            target, _, fragment = link.partition("#")
            dest = (page.parent / target).resolve() if target else page
            assert dest.is_file(), f"{page.relative_to(root)} links to {link}"
            if fragment:
                assert f'id="{fragment}"' in dest.read_text(), f"{page.relative_to(root)}: no anchor {link}"
        assert len(ids) == len(re.findall(r' id="', text))
    rc, problems, text = verify(root, "--pdi")
    assert rc == 0, text
    return pages


@pytest.mark.parametrize("source", ["generated", "dicomdirtests", "charset", "colour-grey", "dicom-only"])
def test_pages_are_valid_xhtml_with_links_that_resolve(source, tmp_path, corpus_disc):
    if source == "colour-grey":
        root = corpus_disc
    else:
        root = tmp_path / "FS"
        inputs = {"dicomdirtests": [DICOMDIRTESTS], "charset": [CHARSET_FILESET]}.get(source)
        if inputs is None:
            synth(tmp_path / "gen", 30, seed=9, modality="mix", small=True)
            inputs = [tmp_path / "gen"]
        create(root, *inputs, web=source != "dicom-only")
    assert len(all_pages_valid_and_linked(root)) >= (1 if source == "dicom-only" else 3)


def test_chromium_shows_names_descriptions_and_counts(named_disc):
    tmp, out = named_disc
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or need("chromium")

    def dom(page, shot):
        r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                           capture_output=True, timeout=120)
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={shot}",
                        "--window-size=1024,900", page.as_uri()], capture_output=True, timeout=120)
        assert shot.is_file(), r.stderr.decode(errors="replace")[-2000:]
        return r.stdout.decode()

    index = dom(out / "INDEX.HTM", tmp / "index.png")
    for text in ("FURUHASHI Taichi", "古橋 大地", "CT Thorax", "Chest 1.25 mm", "Scout", "1 image", "7 Jan 2018 11:05"):
        assert text in index, text
    for page in series_pages(out):
        shown = dom(page, tmp / (page.stem + ".png"))
        assert "FURUHASHI Taichi" in shown and "CT Thorax" in shown and "1 image" in shown
        assert re.search(r"Series #\d CT (Scout|Chest 1\.25 mm)", shown)
