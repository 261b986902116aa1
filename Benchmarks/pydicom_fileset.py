#!/usr/bin/env python3
"""Reading a File-set with pydicom, the peer of `dicom-media list --json`.

Loads each DICOMDIR given with pydicom.fileset.FileSet (which builds the record tree and checks
that every referenced file exists) and iterates its instances, touching the SOP Instance UID,
transfer syntax and path of each and the keys of its PATIENT/STUDY/SERIES records. Prints
nothing; exits 1 if a File-set cannot be read or has no instance.

    .venv/bin/python Benchmarks/pydicom_fileset.py DICOMDIR...
"""
import sys
import warnings

from pydicom.fileset import FileSet


def main(paths):
    failed = 0
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fs = FileSet(path)
            n = 0
            for inst in fs:
                series = inst.node.parent
                study = series.parent
                patient = study.parent
                _ = (inst.SOPInstanceUID, inst.TransferSyntaxUID, inst.path, series._record.SeriesInstanceUID,
                     study._record.StudyInstanceUID, patient._record.PatientID)
                n += 1
            if n == 0:
                raise ValueError("no instances")
        except Exception as e:  # report and go on, as the other tools do
            print(f"{path}: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
