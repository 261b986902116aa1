"""A Storage Commitment Push Model SCP (pynetdicom) that reports on the requesting association.

Usage: commitment_scp.py PORT. Every referenced instance whose SOP Instance UID ends in ".404" fails with
0112 (No such object instance); the others are committed. The N-EVENT-REPORT goes out on the same
association right after the N-ACTION-RSP (PS3.4 J.3.3). Listens until its standard input closes.
"""
import sys
import threading

from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import StorageCommitmentPushModel

INSTANCE = "1.2.840.10008.1.20.1.1"


def report(assoc, info):
    result = Dataset()
    result.TransactionUID = info.TransactionUID
    ok, failed = [], []
    for ref in info.ReferencedSOPSequence:
        item = Dataset()
        item.ReferencedSOPClassUID = ref.ReferencedSOPClassUID
        item.ReferencedSOPInstanceUID = ref.ReferencedSOPInstanceUID
        if str(ref.ReferencedSOPInstanceUID).endswith(".404"):
            item.FailureReason = 0x0112
            failed.append(item)
        else:
            ok.append(item)
    if ok:
        result.ReferencedSOPSequence = ok
    if failed:
        result.FailedSOPSequence = failed
    assoc.send_n_event_report(result, 2 if failed else 1, StorageCommitmentPushModel, INSTANCE)


def on_action(event):
    info = event.action_information
    threading.Timer(0.2, report, (event.assoc, info)).start()
    return 0x0000, None


ae = AE(ae_title="COMMITSCP")
ae.add_supported_context(StorageCommitmentPushModel)
server = ae.start_server(("127.0.0.1", int(sys.argv[1])), block=False, evt_handlers=[(evt.EVT_N_ACTION, on_action)])
sys.stdin.read()
server.shutdown()
