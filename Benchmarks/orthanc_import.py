"""Imports every file under a folder into Orthanc through its REST API (POST /instances), like
Orthanc's own ImportDicomFiles.py sample, with two keep-alive connections (one per core).
Usage: orthanc_import.py FOLDER [PORT]. Exit 1 if any DICOM file was refused."""
import http.client
import os
import sys
import threading

folder = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 18042
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs if f != "DICOMDIR")
failed = []


def worker(part):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for path in part:
        with open(path, "rb") as f:
            body = f.read()
        conn.request("POST", "/instances", body, {"Content-Type": "application/dicom"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            failed.append((path, r.status))


threads = [threading.Thread(target=worker, args=(files[i::2],)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if failed:
    print(f"{len(failed)} files refused, e.g. {failed[0]}", file=sys.stderr)
    sys.exit(1)
