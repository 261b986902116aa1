#!/usr/bin/env python3
"""Header scan with pydicom, the peer of `dicom-media dump --header-only --quiet`.

Reads every file given on the command line with dcmread(stop_before_pixels=True) and touches
PatientName (decoding it with the file's Specific Character Set). Prints nothing unless a file
cannot be read; exits 1 if any file failed, like `dump --quiet`.

    .venv/bin/python Benchmarks/pydicom_headers.py FILE...
"""
import sys

import pydicom


def main(paths):
    failed = 0
    names = 0
    for path in paths:
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
            if str(ds.PatientName):
                names += 1
        except Exception as e:  # report and go on, as the other tools do
            print(f"{path}: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
