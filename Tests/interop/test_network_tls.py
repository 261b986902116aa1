"""nodes.json TLS: `"tls": true` with `tlsCA`, `tlsCertificate`, `tlsKey` (paths relative to the nodes file) -> `echo` and
`send` over DICOM TLS to DCMTK's storescp +tls (client certificate required; certificates made by openssl here);
without our client certificate the handshake fails (one line, exit 2); a TLS key without `"tls": true`, or an
unknown key, is an error naming the key."""
import json
import subprocess

import pytest

from conftest import need
from network_util import charset_store, data_set_bytes, dm, free_port, stop, store_files, wait_listening  # noqa: F401 (fixtures)


def openssl(*args):
    r = subprocess.run(["openssl", *map(str, args)], capture_output=True)
    assert r.returncode == 0, r.stderr


@pytest.fixture
def tls_scp(tmp_path):
    """storescp +tls on a free port with a CA, server and client certificates in tmp_path/pki; yields (pki, port, folder)."""
    need("openssl")
    need("storescp")
    pki = tmp_path / "pki"
    pki.mkdir()
    (pki / "leaf.ext").write_text("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                                  "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pki / "ca.key", "-out", pki / "ca.crt", "-days", "2",
            "-subj", "/CN=dicom-media test ca")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", pki / f"{name}.key", "-out", pki / f"{name}.csr", "-subj", "/CN=localhost")
        openssl("x509", "-req", "-in", pki / f"{name}.csr", "-CA", pki / "ca.crt", "-CAkey", pki / "ca.key", "-CAcreateserial",
                "-out", pki / f"{name}.crt", "-days", "2", "-extfile", pki / "leaf.ext")
    out = tmp_path / "received"
    out.mkdir()
    port = free_port()
    proc = subprocess.Popen(["storescp", "-aet", "TLSSCP", "-od", str(out), "+B", "+tls", str(pki / "server.key"), str(pki / "server.crt"),
                             "-pw", "+cf", str(pki / "ca.crt"), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_listening(port, proc)
    yield pki, port, out
    stop(proc)


def nodes_file(pki, port, **extra):
    node = {"aeTitle": "TLSSCP", "host": "127.0.0.1", "port": port, "tls": True, "tlsCA": "ca.crt"}
    node.update(extra)
    f = pki / "nodes.json"
    f.write_text(json.dumps({"scp": node}))
    return f


def test_echo_and_send_over_tls(tls_scp, charset_store):
    pki, port, out = tls_scp
    nodes = nodes_file(pki, port, tlsCertificate="client.crt", tlsKey="client.key")
    r = dm("echo", "scp", "--nodes", nodes)
    assert r.returncode == 0, r.stderr
    r = dm("send", "--to", "scp", "--nodes", nodes, "--store", charset_store, "--json")
    assert r.returncode == 0, r.stderr
    ours = store_files(charset_store)
    assert json.loads(r.stdout)["confirmed"] == len(ours)
    got = {}
    for p in out.iterdir():
        got[p] = data_set_bytes(p)
    assert sorted(got.values()) == sorted(data_set_bytes(p) for p in ours.values())


def test_tls_failures_are_one_line(tls_scp):
    pki, port, _ = tls_scp
    # No client certificate: storescp requires one; the handshake fails.
    r = dm("echo", "scp", "--nodes", nodes_file(pki, port))
    assert r.returncode == 2 and r.stdout == b""
    assert len(r.stderr.decode().strip().splitlines()) == 1
    # Plain DIMSE to a TLS port fails too, as one line.
    r = dm("echo", f"TLSSCP@127.0.0.1:{port}")
    assert r.returncode == 2 and len(r.stderr.decode().strip().splitlines()) == 1
    # A TLS file without "tls": true, and an unknown key: exit 2 naming the key.
    r = dm("echo", "scp", "--nodes", nodes_file(pki, port, tls=False))
    assert r.returncode == 2 and "tlsCA" in r.stderr.decode()
    r = dm("echo", "scp", "--nodes", nodes_file(pki, port, tlsCertficate="client.crt"))
    assert r.returncode == 2 and "tlsCertficate" in r.stderr.decode()
