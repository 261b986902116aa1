"""Helpers of the network interop tests (test_network*.py): free loopback ports, DCMTK's storescp and our
`receive` as servers (stopped in teardown), and the data set bytes of a Part 10 file.

Not a test module; imported by the tests (pytest puts this folder on sys.path, as for conftest).
"""
import json
import os
import signal
import socket
import struct
import subprocess
import time
import urllib.request
from pathlib import Path

import pydicom
import pytest

from conftest import BIN, CORPUS, need


def dm(*args, env=None):
    """Runs our binary (environment additions in env); the CompletedProcess."""
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([str(BIN), *map(str, args)], capture_output=True, env=e, timeout=300)


def store_files(store):
    """{SOP Instance UID: stored file} from `store list --json`."""
    r = dm("store", "list", "--store", store, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    return {i["sopInstanceUID"]: Path(store) / i["path"]
            for p in j["patients"] for st in p["studies"] for se in st["series"] for i in se["instances"]}


def imported_store(folder, source):
    """A store at folder/s made by the existing `import` of source."""
    store = Path(folder) / "s"
    r = dm("import", source, "--store", store)
    assert r.returncode == 0, r.stderr
    return store


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, timeout=30):
    """Waits until something accepts on 127.0.0.1:port (fails if proc exits first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}: {proc.stderr.read().decode(errors='replace') if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def stop(proc, sig=signal.SIGTERM, timeout=30):
    """Stops a server we started (by its own pid) and waits for it; the exit code."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class Storescp:
    """DCMTK storescp +B +xa (bit-preserving, every syntax it supports; `syntaxes` "+xe" for Explicit VR LE only)
    on a free loopback port."""

    def __init__(self, folder, aetitle="STORESCP", syntaxes="+xa"):
        need("storescp")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.aetitle = aetitle
        self.proc = subprocess.Popen(
            ["storescp", "+B", syntaxes, "-aet", aetitle, "-od", str(self.folder), str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_listening(self.port, self.proc)

    @property
    def node(self):
        return f"{self.aetitle}@127.0.0.1:{self.port}"

    def received(self):
        """{SOP Instance UID: path} of the files storescp wrote."""
        out = {}
        for p in self.folder.iterdir():
            if p.is_file():
                out[str(pydicom.dcmread(str(p), stop_before_pixels=True).SOPInstanceUID)] = p
        return out

    def stop(self):
        return stop(self.proc)


class Receiver:
    """Our `receive` on a free loopback port (extra arguments appended); stdout and stderr kept."""

    def __init__(self, *args, env=None):
        self.port = free_port()
        e = dict(os.environ)
        if env:
            e.update(env)
        self.proc = subprocess.Popen([str(BIN), "receive", "--port", str(self.port), *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
        wait_listening(self.port, self.proc)

    def stop(self, sig=signal.SIGTERM):
        """Sends the signal, waits; (exit code, stdout, stderr)."""
        code = stop(self.proc, sig)
        return code, self.proc.stdout.read().decode(), self.proc.stderr.read().decode()


def data_set_bytes(path):
    """The bytes after the File Meta of a Part 10 file (preamble, DICM, the group 0002 elements, Explicit VR LE)."""
    b = Path(path).read_bytes()
    assert b[128:132] == b"DICM", path
    at = 132
    while at + 8 <= len(b):
        group, _element = struct.unpack("<HH", b[at:at + 4])
        if group != 0x0002:
            break
        vr = b[at + 4:at + 6]
        if vr in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"UC", b"UR", b"OD", b"OL", b"OV", b"SV", b"UV"):
            (length,) = struct.unpack("<I", b[at + 8:at + 12])
            at += 12 + length
        else:
            (length,) = struct.unpack("<H", b[at + 6:at + 8])
            at += 8 + length
    return b[at:]


class Orthanc:
    """An Orthanc of the test's own: a fresh folder, its config with free loopback ports, the DICOMweb plugin
    (more plugins and configuration entries when given); ready once /system answers. stop() sends SIGTERM and waits for the process to exit."""

    PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"

    def __init__(self, folder, plugins=(), extra=None):
        need("Orthanc")
        for plugin in (self.PLUGIN, *plugins):
            if not Path(plugin).is_file():
                raise AssertionError(f"{plugin} is not installed: run scripts/setup.sh")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.http_port, self.dicom_port = free_port(), free_port()
        config = {"Name": "dicom-media-pytest", "StorageDirectory": str(self.folder / "db"), "IndexDirectory": str(self.folder / "db"),
                  "HttpPort": self.http_port, "DicomPort": self.dicom_port, "DicomAet": "ORTHANC", "RemoteAccessAllowed": False,
                  "AuthenticationEnabled": False, "Plugins": [self.PLUGIN, *plugins], "DicomWeb": {"Enable": True, "Root": "/dicom-web/"}}
        config.update(extra or {})
        (self.folder / "orthanc.json").write_text(json.dumps(config))
        self.proc = subprocess.Popen(["Orthanc", f"--logdir={self.folder}", str(self.folder / "orthanc.json")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/system")
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    stop(self.proc)
                    raise AssertionError(f"Orthanc did not start; its log is in {self.folder}")
                time.sleep(0.1)
        wait_listening(self.dicom_port, self.proc)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def dicomweb(self):
        return self.url + "/dicom-web"

    @property
    def node(self):
        return f"ORTHANC@127.0.0.1:{self.dicom_port}"

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return r.read()

    def call(self, method, path, body):
        """A REST request with a JSON body; the parsed answer."""
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method=method)
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read() or b"null")

    def instances(self):
        """{SOP Instance UID: the file Orthanc keeps}."""
        out = {}
        for oid in json.loads(self.get("/instances")):
            tags = json.loads(self.get(f"/instances/{oid}/simplified-tags"))
            out[tags["SOPInstanceUID"]] = self.get(f"/instances/{oid}/file")
        return out

    def stop(self):
        return stop(self.proc)


# Fixtures the network tests import (pytest finds a fixture imported into a test module).

@pytest.fixture
def storescp(tmp_path):
    """storescp +B +xa on a free port, stopped after the test."""
    s = Storescp(tmp_path / "storescp")
    yield s
    s.stop()


@pytest.fixture
def orthanc(tmp_path):
    """An Orthanc of the test's own, stopped after the test."""
    o = Orthanc(tmp_path / "orthanc")
    yield o
    o.stop()


@pytest.fixture(scope="module")
def charset_store(tmp_path_factory):
    """A store made by the existing import from the Clunie character-set File-set."""
    return imported_store(tmp_path_factory.mktemp("store"), CORPUS / "clunie-charset-fileset")
