"""ISO 9660 images (issue 5): `create --iso` and `iso` write images that xorriso, isoinfo and bsdtar
read; the extracted File-set passes `dicom-media verify`, dciodvfy and pydicom's FileSet; `list` and
`verify` read images made by xorriso and genisoimage (with and without Joliet/Rock Ridge) directly
and give the same result as on the folder."""
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, need, run
from fileset_util import SAMPLES, pydicom_check_files, run_json, sop_of, synth, verify
from fileset_util import list_json as _list_json


def list_json(source):
    """`list --json` without its "root" (an image's path or a folder's), so an image and its extraction compare."""
    rc, j, err = _list_json(source)
    if isinstance(j, dict):
        j.pop("root", None)
    return rc, j, err


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("isoin")
    files = synth(tmp / "gen", 60, seed=11, modality="mix")
    return [tmp / "gen", SAMPLES], [sop_of(f) for f in files] + [sop_of(f) for f in sorted(SAMPLES.rglob("*.dcm"))]


@pytest.fixture(scope="module")
def image(inputs, tmp_path_factory):
    """(ISO path, expected SOP Instance UIDs, create report) of `create --iso` with default options."""
    dirs, expected = inputs
    tmp = tmp_path_factory.mktemp("iso")
    iso = tmp / "disc.iso"
    rc, report, err = run_json("create", "--iso", iso, *dirs, "--fileset-id", "ISO_TEST", "--export-time", "20261123140509")
    assert rc in (0, 1) and report is not None, err
    assert iso.is_file()
    vol = report["volumes"]
    assert len(vol) == 1 and vol[0]["output"] == str(iso)
    assert vol[0]["report"]["refused"] == [] and vol[0]["report"]["unreadable"] == []
    return iso, expected, report


def pvd_volume_id(iso):
    """Primary Volume Descriptor volume identifier (sector 16, bytes 41-72; ECMA-119 8.4.6)."""
    with open(iso, "rb") as f:
        f.seek(16 * 2048)
        pvd = f.read(2048)
    assert pvd[0] == 1 and pvd[1:6] == b"CD001"
    return pvd[40:72].decode("ascii").rstrip()


def extract(iso, dest):
    need("bsdtar")
    dest.mkdir(parents=True)
    subprocess.run(["bsdtar", "-xf", str(iso), "-C", str(dest)], check=True)
    return dest


def test_xorriso_and_isoinfo_list_it(image):
    iso, expected, _ = image
    need("xorriso")
    r = subprocess.run(["xorriso", "-indev", str(iso), "-find", "/", "-type", "f"], capture_output=True, check=True)
    files = [l.strip("'") for l in r.stdout.decode().splitlines() if l.strip()]
    assert "/DICOMDIR" in files
    dicom = [f for f in files if f.startswith("/DICOM/")]
    assert len(dicom) == len(expected), files[:10]
    need("isoinfo")
    # Plain ISO 9660 names: level 1, upper case, DICOMDIR at the root as DICOMDIR.;1 (PS3.12 F.3.2).
    r = subprocess.run(["isoinfo", "-l", "-i", str(iso)], capture_output=True, check=True)
    text = r.stdout.decode()
    assert re.search(r"\sDICOMDIR\.;1\s*$", text, re.M), text[:2000]
    names = re.findall(r"\]\s+(\S+)\s*$", text, re.M)
    for n in names:
        if n in (".", ".."):
            continue
        base = n.split(";")[0].rstrip(".")
        assert re.fullmatch(r"[A-Z0-9_]{1,8}", base), n
    # Joliet and Rock Ridge are present by default.
    d = subprocess.run(["isoinfo", "-d", "-i", str(iso)], capture_output=True, check=True).stdout.decode()
    assert "Joliet" in d and "Rock Ridge signatures version" in d and "NO Rock Ridge" not in d, d
    assert pvd_volume_id(iso) == "ISO_TEST"


def test_extracted_fileset_passes_verify_dciodvfy_pydicom(image, tmp_path):
    iso, expected, _ = image
    out = extract(iso, tmp_path / "x")
    # Rock Ridge modes: files 644, folders 755 (PS3.12 P: everyone may read), whatever the sources had.
    assert (out / "DICOMDIR").stat().st_mode & 0o777 == 0o644
    assert (out / "DICOM").stat().st_mode & 0o777 == 0o755
    rc, problems, text = verify(out)
    assert rc == 0, text
    need("dciodvfy")
    r = subprocess.run(["dciodvfy", str(out / "DICOMDIR")], capture_output=True)
    msgs = (r.stdout + r.stderr).decode(errors="replace")
    assert [l for l in msgs.splitlines() if l.startswith("Error")] == [], msgs
    files = pydicom_check_files(out / "DICOMDIR")
    assert sorted(files) == sorted(expected)


def test_list_and_verify_read_the_image_directly(image, tmp_path):
    iso, expected, _ = image
    folder = extract(iso, tmp_path / "x")
    rc_i, li, err = list_json(iso)
    rc_f, lf, _ = list_json(folder)
    assert rc_i == rc_f == 0, err
    assert li == lf
    rc, problems, text = verify(iso)
    assert rc == 0 and problems == [], text


def test_no_rock_ridge_and_volume_id(inputs, tmp_path):
    dirs, expected = inputs
    iso = tmp_path / "plain.iso"
    r = run("create", "--iso", iso, *dirs, "--no-rock-ridge", "--volume-id", "MY_DISC_1")
    assert r.returncode in (0, 1), r.stderr
    d = subprocess.run(["isoinfo", "-d", "-i", str(iso)], capture_output=True, check=True).stdout.decode()
    assert "NO Rock Ridge present" in d and "Joliet" in d, d
    assert pvd_volume_id(iso) == "MY_DISC_1"
    rc, problems, text = verify(iso)
    assert rc == 0, text


def test_volume_id_defaults_to_fileset_id_never_patient(inputs, tmp_path):
    dirs, _ = inputs
    iso = tmp_path / "noid.iso"
    rc, report, err = run_json("create", "--iso", iso, *dirs, "--export-time", "20261123140509")
    assert rc in (0, 1), err
    fsid = report["volumes"][0]["fileSetID"]
    assert fsid == "DICOM20261123"
    assert pvd_volume_id(iso) == fsid


def test_refusals(inputs, tmp_path):
    dirs, _ = inputs
    bad = run("create", "--iso", tmp_path / "a.iso", *dirs, "--volume-id", "Smith^John")
    assert bad.returncode != 0 and b"volume-id" in bad.stderr
    (tmp_path / "exists.iso").write_bytes(b"x")
    r = run("create", "--iso", tmp_path / "exists.iso", *dirs)
    assert r.returncode == 2 and b"never overwritten" in r.stderr
    assert (tmp_path / "exists.iso").read_bytes() == b"x"
    junk = tmp_path / "junk.iso"
    junk.write_bytes(b"not an image at all" * 100)
    r = run("verify", junk)
    assert r.returncode == 2 and str(junk).encode() in r.stderr


@pytest.mark.parametrize("tool,flags", [
    ("xorriso", ["-as", "mkisofs", "-R", "-J"]),
    ("xorriso", ["-as", "mkisofs"]),
    ("genisoimage", ["-J"]),
    ("genisoimage", []),
    ("genisoimage", ["-R"]),
])
def test_images_made_by_other_tools(image, tmp_path, tool, flags):
    """A File-set folder packaged by xorriso/genisoimage (plain ISO 9660, Joliet, Rock Ridge) lists and verifies as the folder does."""
    iso, _, _ = image
    folder = extract(iso, tmp_path / "x")
    need(tool)
    theirs = tmp_path / "theirs.iso"
    subprocess.run([tool, *flags, "-quiet", "-o", str(theirs), str(folder)], check=True, capture_output=True)
    rc_i, li, err = list_json(theirs)
    rc_f, lf, _ = list_json(folder)
    assert (rc_i, li) == (rc_f, lf), err
    vi = json.loads(run("verify", theirs, "--json").stdout)
    vf = json.loads(run("verify", folder, "--json").stdout)
    for v in (vi, vf):
        v.pop("source"); v.pop("dicomdir")
    assert vi == vf


def test_iso_command_packages_a_folder(image, tmp_path):
    iso, expected, _ = image
    folder = extract(iso, tmp_path / "x")
    (folder / "README.TXT").write_text("hello\n")
    out = tmp_path / "again.iso"
    r = run("iso", folder, out)
    assert r.returncode == 0, r.stderr
    assert pvd_volume_id(out) == "ISO_TEST"
    rc_i, li, _ = list_json(out)
    rc_f, lf, _ = list_json(folder)
    assert li == lf
    back = extract(out, tmp_path / "y")
    assert (back / "README.TXT").read_text() == "hello\n"
    assert sorted(pydicom_check_files(back / "DICOMDIR")) == sorted(expected)


def test_libarchive_writer_gives_the_same_fileset(inputs, tmp_path):
    """The alternative writer (hidden --iso-writer libarchive) makes an equivalent image."""
    dirs, expected = inputs
    iso = tmp_path / "la.iso"
    r = run("create", "--iso", iso, *dirs, "--iso-writer", "libarchive", "--fileset-id", "LA")
    assert r.returncode in (0, 1), r.stderr
    rc, problems, text = verify(iso)
    assert rc == 0, text
    folder = extract(iso, tmp_path / "x")
    assert sorted(pydicom_check_files(folder / "DICOMDIR")) == sorted(expected)


# ---------------------------------------------------------------------------------------------
# Reading in place (issue 10 item 5): nothing extracted, nothing written to /tmp; truncated images
# salvaged (item 9); `iso` with relative paths.

def iso_extents(iso):
    """{path: (first byte, end byte)} of every file and {path: (first, end)} of every directory,
    from `isoinfo -l` (ISO 9660 names, ";1" and trailing "." stripped)."""
    need("isoinfo")
    text = subprocess.run(["isoinfo", "-l", "-i", str(iso)], capture_output=True, check=True).stdout.decode()
    files, dirs, cur = {}, {}, "/"
    for line in text.splitlines():
        m = re.match(r"Directory listing of (.*)$", line)
        if m:
            cur = m.group(1)
            continue
        m = re.match(r"([d-])\S+\s+\d+\s+\d+\s+\d+\s+(\d+)\s+\w+\s+\d+\s+\d+\s+\[\s*(\d+)\s+\d+\]\s+(.*?)\s*$", line)
        if not m:
            continue
        kind, size, extent, name = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        span = (extent * 2048, extent * 2048 + size)
        if kind == "d":
            if name == ".":
                dirs[cur] = span
            continue
        files[(cur + name.split(";")[0].rstrip(".")).lstrip("/")] = span
    return files, dirs


def other_tool_image(image, tmp_path, tool, flags):
    iso, _, _ = image
    if tool == "create":
        return iso
    folder = extract(iso, tmp_path / "x")
    need(tool)
    theirs = tmp_path / f"{tool}.iso"
    subprocess.run([tool, *flags, "-quiet", "-o", str(theirs), str(folder)], check=True, capture_output=True)
    return theirs


@pytest.mark.parametrize("tool,flags", [("create", []), ("genisoimage", ["-R", "-J"]), ("xorriso", ["-as", "mkisofs", "-R", "-J"]), ("genisoimage", [])])
def test_truncated_image_is_salvaged(image, tmp_path, tool, flags):
    """An image cut inside its file data: every file inside is imported, the rest reported with
    the byte where the image ends, exit 1; `list` shows the records of the files beyond as MISSING
    (or, when the DICOMDIR itself is beyond the end, says so, exit 2)."""
    full = other_tool_image(image, tmp_path, tool, flags)
    files, dirs = iso_extents(full)
    data = full.read_bytes()
    last_dir = max(end for _, end in dirs.values())
    dicom = {p: span for p, span in files.items() if p.startswith("DICOM/")}
    first_data = min(s for s, _ in dicom.values())
    data_end = max(e for _, e in dicom.values())
    cuts = sorted({max(last_dir, first_data) + (data_end - max(last_dir, first_data)) * k // 4 + 777 for k in (1, 2, 3)})
    for cut in cuts:
        assert last_dir <= cut < len(data)
        cut_iso = tmp_path / f"cut{cut}.iso"
        cut_iso.write_bytes(data[:cut])
        inside = [p for p, (s, e) in dicom.items() if e <= cut]
        beyond = [p for p, (s, e) in files.items() if e > cut]
        assert inside and beyond
        r = run("import", cut_iso, "--store", tmp_path / f"store{cut}", "--json")
        assert r.returncode == 1, r.stderr
        j = json.loads(r.stdout)
        assert j["imported"] == len(inside), (cut, j["imported"], len(inside))
        msgs = [p["message"] for p in j["problems"] if p["code"] == "image-truncated"]
        assert msgs == [f"image ends at byte {cut}; {len(beyond)} entr{'y' if len(beyond) == 1 else 'ies'} beyond it not read"], j["problems"][:3]
        not_read = {p["fileID"] for p in j["problems"] if p["code"] == "image-entry-beyond-end"}
        assert len(not_read) == len(beyond)
        r = run("list", cut_iso)
        if files["DICOMDIR"][1] <= cut:
            assert r.returncode == 1, r.stderr
            out = r.stdout.decode()
            assert f"image ends at byte {cut}" in r.stderr.decode()  # a diagnostic: stderr
            assert out.count("(MISSING)") == len([p for p in beyond if p.startswith("DICOM/")])
        else:
            assert r.returncode == 2
            assert f"image ends at byte {cut}" in r.stderr.decode() and b"DICOMDIR is among them" in r.stderr


def test_truncated_inside_the_directories(image, tmp_path):
    """Cut inside the volume descriptors or the directory area: a clear error naming the byte, never a crash."""
    iso, _, _ = image
    files, dirs = iso_extents(iso)
    data = iso.read_bytes()
    for cut in [0, 2048, 16 * 2048 + 100, 17 * 2048 + 5] + sorted({s + 100 for s, _ in dirs.values()}):
        cut_iso = tmp_path / "cut.iso"
        cut_iso.write_bytes(data[:cut])
        for cmd in (["list"], ["verify"], ["import", "--dry-run", "--store", tmp_path / "st"]):
            r = run(*cmd, cut_iso)
            assert r.returncode in (1, 2), (cut, cmd, r.returncode, r.stderr)
            text = (r.stdout + r.stderr).decode()
            assert str(cut_iso) in text
            if cut >= 17 * 2048:
                assert f"image ends at byte {cut}" in text, (cut, cmd, text[:500])


def created_paths(log):
    """Paths a traced process created or opened for writing (strace -e trace=%file)."""
    out = []
    for line in Path(log).read_text().splitlines():
        m = re.search(r'(?<![a-z_])(?:open|openat|creat|mkdir|mkdirat|rename|renameat2?|link|linkat|symlink)\((?:AT_FDCWD, )?"([^"]*)"(.*)', line)
        if not m:
            continue
        call = line.split("(")[0].split()[-1]
        if call in ("open", "openat") and not re.search(r"O_CREAT|O_WRONLY|O_RDWR", m.group(2)):
            continue
        if "= -1" in line and call in ("open", "openat"):
            continue
        out.append(m.group(1))
    return out


def test_reading_an_image_writes_nothing_to_tmp(image, tmp_path):
    """list, verify and import of an image read it in place: with TMPDIR an empty folder it stays
    empty, /tmp gets no dicom-media folder, and strace sees no file created outside the store."""
    iso, expected, _ = image
    need("strace")
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    before = {p.name for p in Path("/tmp").iterdir() if "dicom-media" in p.name}
    store = tmp_path / "store"
    env = dict(os.environ, TMPDIR=str(tmpdir))
    for i, cmd in enumerate([["list", iso], ["verify", iso], ["import", iso, "--store", store]]):
        log = tmp_path / f"strace{i}.log"
        r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(log), str(BIN), *map(str, cmd)], capture_output=True, env=env)
        assert r.returncode == 0, (cmd, r.stderr.decode())
        written = [p for p in created_paths(log) if not p.startswith(str(store))]
        assert written == [], (cmd, written[:10])
    assert list(tmpdir.iterdir()) == []
    assert {p.name for p in Path("/tmp").iterdir() if "dicom-media" in p.name} <= before
    r = run("store", "list", "--store", store, "--json")
    assert all(uid.encode() in r.stdout for uid in expected)


def test_iso_command_with_relative_paths(image, tmp_path):
    """`iso FILESET FILE` and `create --iso FILE` with relative paths, from the folder and from a sub-folder."""
    iso, _, _ = image
    extract(iso, tmp_path / "fs")
    (tmp_path / "sub").mkdir()
    for cwd, args in [(tmp_path, ["iso", "fs", "a.iso"]), (tmp_path / "sub", ["iso", "../fs", "../b.iso"]),
                      (tmp_path / "sub", ["iso", "../fs/DICOMDIR", "c.iso"]), (tmp_path, ["create", "--iso", "d.iso", "fs/DICOM"])]:
        r = subprocess.run([str(BIN), *args], capture_output=True, cwd=cwd)
        assert r.returncode == 0, (args, r.stderr.decode())
    for out in [tmp_path / "a.iso", tmp_path / "b.iso", tmp_path / "sub" / "c.iso", tmp_path / "d.iso"]:
        rc, problems, text = verify(out)
        assert rc == 0 and problems == [], (out, text[:500])
    rc_a, la, _ = list_json(tmp_path / "a.iso")
    rc_f, lf, _ = list_json(tmp_path / "fs")
    assert la == lf


def test_zip_and_tar_read_in_place(image, tmp_path):
    """A File-set in a ZIP or tar archive lists, verifies and imports like the folder, with nothing
    written outside the store; a symbolic link in the archive is refused and listed (exit 1)."""
    iso, expected, _ = image
    folder = extract(iso, tmp_path / "x")
    rc_f, lf, _ = list_json(folder)
    need("strace")
    # Entries are read from their header offsets (plain tar, ZIP local headers) or, under a compression filter, by a pass.
    for name, flags in [("fs.zip", ["-a"]), ("fs.tar", []), ("fs-store.zip", ["--format", "zip", "--options", "zip:compression=store"]),
                        ("fs-gz.tar", ["-z"])]:
        arc = tmp_path / name
        subprocess.run(["bsdtar", *flags, "-cf", str(arc), "-C", str(folder), "."], check=True)
        rc_a, la, err = list_json(arc)
        assert (rc_a, la) == (rc_f, lf), err
        rc, problems, text = verify(arc)
        assert rc == 0 and problems == [], text
        store = tmp_path / f"store-{name}"
        log = tmp_path / f"{name}.strace"
        r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(log), str(BIN), "import", str(arc), "--store", str(store), "--json"],
                           capture_output=True, env=dict(os.environ, TMPDIR=str(tmp_path / "none")))
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["imported"] == len(expected)
        assert [p for p in created_paths(log) if not p.startswith(str(store))] == []
    (folder / "DICOM" / "EVIL").symlink_to("/etc/passwd")
    arc = tmp_path / "link.tar"
    subprocess.run(["bsdtar", "-cf", str(arc), "-C", str(folder), "."], check=True)
    r = run("verify", arc, "--json")
    assert r.returncode == 1
    refused = [p for p in json.loads(r.stdout)["problems"] if p["code"] == "image-entry-refused"]
    assert [p["fileID"] for p in refused] == ["DICOM/EVIL"]
    assert b"root:" not in r.stdout


@pytest.mark.parametrize("tool,flags", [("genisoimage", ["-R"]), ("xorriso", ["-as", "mkisofs", "-R", "-J"])])
def test_rock_ridge_symlinks_are_not_followed(image, tmp_path, tool, flags):
    """Rock Ridge symbolic links in an image (to a host file, to a folder inside) are listed as
    refused, never followed (exit 1); the rest of the File-set reads as the folder does."""
    iso, expected, _ = image
    folder = extract(iso, tmp_path / "x")
    (folder / "DICOM" / "PASSWD").symlink_to("/etc/passwd")
    (folder / "LOOP").symlink_to(".")
    need(tool)
    theirs = tmp_path / "links.iso"
    subprocess.run([tool, *flags, "-quiet", "-o", str(theirs), str(folder)], check=True, capture_output=True)
    for cmd in (["list", "--json"], ["verify", "--json"], ["import", "--store", tmp_path / "st", "--json"]):
        r = run(*cmd[:1], theirs, *cmd[1:])
        assert r.returncode == 1, (cmd, r.stderr)
        j = json.loads(r.stdout)
        refused = sorted(p["fileID"] for p in j["problems"] if p["code"] == "image-entry-refused")
        assert refused == ["DICOM/PASSWD", "LOOP"], (cmd, j["problems"][:4])
        assert b"root:x:" not in r.stdout
    assert json.loads(run("import", theirs, "--store", tmp_path / "st2", "--json").stdout)["imported"] == len(expected)
