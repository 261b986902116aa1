"""pynetdicom as a peer for TransportPeerTests.

  store-scp PORT OUTDIR MAXPDU   C-STORE SCP: each data set's bytes as received into OUTDIR/<SOP Instance UID>
                                 (MAXPDU 0: no limit; every storage SOP class in every transfer syntax pynetdicom knows)
  abort-scp PORT                 C-STORE SCP that aborts the association as soon as P-DATA arrives
  store-scu PORT FILE MAXPDU     C-STORE SCU to OURSCP: prints the status as hex
Prints READY once listening (SCP modes).
"""
import os
import sys
import threading

from pydicom import dcmread
from pynetdicom import AE, evt, AllStoragePresentationContexts, StoragePresentationContexts, ALL_TRANSFER_SYNTAXES
from pynetdicom.sop_class import Verification
# pynetdicom's list plus the retired JPEG processes 6/8 and 10/12 that the corpus holds.
SYNTAXES = ALL_TRANSFER_SYNTAXES + ["1.2.840.10008.1.2.4.53", "1.2.840.10008.1.2.4.55"]


def scp(port, handlers, maxpdu=16384):
    ae = AE(ae_title="PYSCP")
    ae.maximum_pdu_size = maxpdu
    for cx in AllStoragePresentationContexts:
        ae.add_supported_context(cx.abstract_syntax, SYNTAXES)
    ae.add_supported_context(Verification)
    server = ae.start_server(("127.0.0.1", port), block=False, evt_handlers=handlers)
    print("READY", flush=True)
    sys.stdin.read()
    server.shutdown()


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "store-scp":
        out, maxpdu = sys.argv[3], int(sys.argv[4])

        def on_store(event):
            uid = event.request.AffectedSOPInstanceUID
            with open(os.path.join(out, uid), "wb") as f:
                f.write(event.request.DataSet.getvalue())
            return 0x0000

        scp(port, [(evt.EVT_C_STORE, on_store)], maxpdu)
    elif mode == "abort-scp":
        seen = []

        def on_pdu(event):
            if type(event.pdu).__name__ == "P_DATA_TF":
                seen.append(1)
                if len(seen) == 3:
                    threading.Thread(target=event.assoc.abort).start()

        scp(port, [(evt.EVT_PDU_RECV, on_pdu)], 4096)
    elif mode == "store-scu":
        path, maxpdu = sys.argv[3], int(sys.argv[4])
        ds = dcmread(path)
        ae = AE(ae_title="PYSCU")
        ae.maximum_pdu_size = maxpdu
        ae.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
        assoc = ae.associate("127.0.0.1", port, ae_title="OURSCP")
        if not assoc.is_established:
            print("NOT-ESTABLISHED", flush=True)
            sys.exit(2)
        status = assoc.send_c_store(ds)
        print("STATUS %04X" % status.Status, flush=True)
        assoc.release()


if __name__ == "__main__":
    main()
