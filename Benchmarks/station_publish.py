"""One publish job through the station's API, timed by Benchmarks/station-publish.sh: POST /api/jobs, then
GET /api/jobs/ID every 20 ms until the job ends; exit 0 when it ends done.

    station_publish.py PORT TARGET_DIR PROFILE STUDY_UID...
"""
import json
import sys
import time
import urllib.request


def call(port, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def main():
    port, target, profile, studies = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    job = call(port, "/api/jobs", {"kind": "publish", "studies": studies, "target": {"kind": "iso", "path": target},
                                   "profile": profile, "pdi": True})
    while job["state"] not in ("done", "failed", "cancelled"):
        time.sleep(0.02)
        job = call(port, f"/api/jobs/{job['id']}")
    if job["state"] != "done":
        print(f"job {job['id']}: {job['state']}: {job.get('reason')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
