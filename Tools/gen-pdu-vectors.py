#!/usr/bin/env python3
"""Writes byte-exact PDU vectors made by pynetdicom (a real peer implementation) into
Tests/DICOMNetworkTests/Fixtures/pdu/, for PDUVectorTests: each is decoded by DICOMNetwork and
re-encoded byte for byte.

How they were made (run from the repository root, pynetdicom from scripts/setup.sh's .venv):

    .venv/bin/python Tools/gen-pdu-vectors.py        # pynetdicom 3.0.4, pydicom 3.0.2

1. pdu-*.hex: one PDU each, built by pynetdicom's own encoders (pynetdicom.pdu, from its
   A-ASSOCIATE/A-ABORT/... primitives): every PDU type and every A-ASSOCIATE item and
   User Information sub-item (51H-59H), rejections and aborts of every source.
2. stream-*.hex: the bytes of a real association on loopback, pynetdicom SCU -> a relay ->
   pynetdicom SCP (C-ECHO and a C-STORE of a small data set, then release), each direction as one
   stream of consecutive PDUs, captured by the relay, with maximum PDU 0 (unlimited) and 256 (tiny,
   so the data set is fragmented).
Files are hex, 64 characters a line; the first line is a `#` comment naming the vector.
"""

import socket
import sys
import threading
from pathlib import Path

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import AE, evt, pdu, pdu_primitives as prim
from pynetdicom.presentation import PresentationContext
from pynetdicom.sop_class import CTImageStorage, Verification

OUT = Path(__file__).resolve().parent.parent / "Tests" / "DICOMNetworkTests" / "Fixtures" / "pdu"
VERIFICATION = "1.2.840.10008.1.1"
CT = "1.2.840.10008.5.1.4.1.1.2"


def write(name: str, data: bytes, note: str) -> None:
    text = data.hex().upper()
    lines = [f"# {note}"] + [text[i:i + 64] for i in range(0, len(text), 64)]
    (OUT / f"{name}.hex").write_text("\n".join(lines) + "\n")


def context(cid: int, abstract: str, syntaxes: list[str], result: int | None = None) -> PresentationContext:
    c = PresentationContext()
    c.context_id = cid
    c.abstract_syntax = abstract
    c.transfer_syntax = syntaxes
    if result is not None:
        c.result = result
    return c


def user_information(accept: bool) -> list:
    items: list = []
    m = prim.MaximumLengthNotification(); m.maximum_length_received = 16382; items.append(m)
    i = prim.ImplementationClassUIDNotification(); i.implementation_class_uid = "1.2.826.0.1.3680043.9.3811.3.0.4"; items.append(i)
    v = prim.ImplementationVersionNameNotification(); v.implementation_version_name = "PYNETDICOM_304"; items.append(v)
    a = prim.AsynchronousOperationsWindowNegotiation(); a.maximum_number_operations_invoked = 5
    a.maximum_number_operations_performed = 3; items.append(a)
    r = prim.SCP_SCU_RoleSelectionNegotiation(); r.sop_class_uid = CT; r.scu_role = False; r.scp_role = True; items.append(r)
    if accept:
        u = prim.UserIdentityNegotiation(); u.server_response = b"server-ticket"; items.append(u)
        return items
    e = prim.SOPClassExtendedNegotiation(); e.sop_class_uid = CT; e.service_class_application_information = b"\x02\x00\x01\x00"
    items.append(e)
    c = prim.SOPClassCommonExtendedNegotiation(); c.sop_class_uid = "1.2.840.10008.5.1.4.1.1.88.22"
    c.service_class_uid = "1.2.840.10008.4.2"; c.related_general_sop_class_identification = ["1.2.840.10008.5.1.4.1.1.88.11", "1.2.840.10008.5.1.4.1.1.88.33"]
    items.append(c)
    u = prim.UserIdentityNegotiation(); u.user_identity_type = 2; u.positive_response_requested = True
    u.primary_field = b"alice"; u.secondary_field = b"s3cret"; items.append(u)
    return items


def associate(accept: bool, contexts: list[PresentationContext], user: list) -> bytes:
    p = prim.A_ASSOCIATE()
    p.application_context_name = "1.2.840.10008.3.1.1.1"
    p.calling_ae_title = "PYNETDICOM"
    p.called_ae_title = "ANY-SCP"
    p.presentation_context_definition_list = [c for c in contexts] if not accept else []
    if accept:
        p.result = 0
        p.presentation_context_definition_results_list = contexts
    p.user_information = user
    out = pdu.A_ASSOCIATE_AC() if accept else pdu.A_ASSOCIATE_RQ()
    out.from_primitive(p)
    return out.encode()


def single_pdus() -> None:
    rq_contexts = [
        context(1, VERIFICATION, [ImplicitVRLittleEndian]),
        context(3, CT, [ExplicitVRLittleEndian, ImplicitVRLittleEndian, "1.2.840.10008.1.2.4.90"]),
    ]
    write("pdu-associate-rq", associate(False, rq_contexts, user_information(False)),
          "A-ASSOCIATE-RQ: two contexts; sub-items 51H 52H 55H 53H 54H 56H 57H 58H (pynetdicom encoder)")
    minimal = prim.MaximumLengthNotification(); minimal.maximum_length_received = 0
    write("pdu-associate-rq-minimal", associate(False, [context(1, VERIFICATION, [ImplicitVRLittleEndian])], [minimal]),
          "A-ASSOCIATE-RQ: one context, only a Maximum Length of 0 (unlimited) (pynetdicom encoder)")
    ac_contexts = [
        context(1, VERIFICATION, [ImplicitVRLittleEndian], result=0),
        context(3, CT, [ExplicitVRLittleEndian], result=4),
        context(5, CT, [ImplicitVRLittleEndian], result=3),
    ]
    write("pdu-associate-ac", associate(True, ac_contexts, user_information(True)),
          "A-ASSOCIATE-AC: accepted, TS-refused, abstract-refused contexts; sub-items 51H 52H 55H 53H 54H 59H (pynetdicom encoder)")
    for name, (result, source, reason) in {
        "pdu-associate-rj-user": (1, 1, 7), "pdu-associate-rj-acse": (2, 2, 2), "pdu-associate-rj-presentation": (2, 3, 1),
    }.items():
        p = prim.A_ASSOCIATE(); p.result = result; p.result_source = source; p.diagnostic = reason
        rj = pdu.A_ASSOCIATE_RJ(); rj.from_primitive(p)
        write(name, rj.encode(), f"A-ASSOCIATE-RJ result {result} source {source} reason {reason} (pynetdicom encoder)")
    for name, cls in {"pdu-release-rq": pdu.A_RELEASE_RQ, "pdu-release-rp": pdu.A_RELEASE_RP}.items():
        p = prim.A_RELEASE()
        if cls is pdu.A_RELEASE_RP:
            p.result = "affirmative"
        r = cls(); r.from_primitive(p)
        write(name, r.encode(), f"{name[4:].upper()} (pynetdicom encoder)")
    user = prim.A_ABORT(); user.abort_source = 0
    a = pdu.A_ABORT_RQ(); a.from_primitive(user)
    write("pdu-abort-user", a.encode(), "A-ABORT by the service-user (pynetdicom encoder)")
    provider = prim.A_P_ABORT(); provider.provider_reason = 2
    a = pdu.A_ABORT_RQ(); a.from_primitive(provider)
    write("pdu-abort-provider", a.encode(), "A-ABORT by the service-provider, unexpected-PDU (pynetdicom encoder)")
    d = prim.P_DATA()
    d.presentation_data_value_list = [[1, b"\x03" + bytes(range(16))], [3, b"\x00" + b"\xAB" * 9], [3, b"\x02" + b"\xCD" * 4]]
    p = pdu.P_DATA_TF(); p.from_primitive(d)
    write("pdu-p-data-tf", p.encode(), "P-DATA-TF: three PDVs (last command; data; last data) (pynetdicom encoder)")


class Relay:
    """A TCP relay on loopback that records each direction's bytes."""

    def __init__(self, target_port: int) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.target = target_port
        self.streams = {"rq": bytearray(), "ac": bytearray()}
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def pump(self, src: socket.socket, dst: socket.socket, key: str) -> None:
        while chunk := src.recv(65536):
            self.streams[key] += chunk
            dst.sendall(chunk)
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def run(self) -> None:
        client, _ = self.server.accept()
        upstream = socket.create_connection(("127.0.0.1", self.target))
        t = threading.Thread(target=self.pump, args=(upstream, client, "ac"))
        t.start()
        self.pump(client, upstream, "rq")
        t.join()
        client.close(); upstream.close()


def captured_association(max_pdu: int) -> None:
    scp = AE(ae_title="STORE-SCP")
    scp.maximum_pdu_size = max_pdu
    scp.add_supported_context(Verification)
    scp.add_supported_context(CTImageStorage, [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
    server = scp.start_server(("127.0.0.1", 0), block=False, evt_handlers=[(evt.EVT_C_STORE, lambda e: 0x0000)])
    relay = Relay(server.server_address[1])
    scu = AE(ae_title="STORE-SCU")
    scu.maximum_pdu_size = max_pdu
    scu.add_requested_context(Verification)
    scu.add_requested_context(CTImageStorage, ExplicitVRLittleEndian)
    ds = Dataset()
    attributes = {
        "SOPClassUID": CT, "SOPInstanceUID": "1.2.826.0.1.3680043.8.498.1", "PatientName": "Doe^Jane", "PatientID": "PDU-VECTOR",
        "StudyInstanceUID": "1.2.826.0.1.3680043.8.498.2", "SeriesInstanceUID": "1.2.826.0.1.3680043.8.498.3", "Modality": "CT",
        "ImageComments": "x" * 600,  # long enough to need several PDVs at a maximum of 256
    }
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    assoc = scu.associate("127.0.0.1", relay.port, ae_title="STORE-SCP")
    if not assoc.is_established:
        sys.exit("gen-pdu-vectors: the loopback association was not established")
    assoc.send_c_echo()
    assoc.send_c_store(ds)
    assoc.release()
    relay.thread.join(10)
    server.shutdown()
    label = f"maximum PDU {max_pdu}"
    write(f"stream-max{max_pdu}-rq", bytes(relay.streams["rq"]), f"requestor's stream, {label}: A-ASSOCIATE-RQ, P-DATA-TF (C-ECHO-RQ, C-STORE-RQ), A-RELEASE-RQ (pynetdicom 3.0.4 on loopback)")
    write(f"stream-max{max_pdu}-ac", bytes(relay.streams["ac"]), f"acceptor's stream, {label}: A-ASSOCIATE-AC, P-DATA-TF (C-ECHO-RSP, C-STORE-RSP), A-RELEASE-RP (pynetdicom 3.0.4 on loopback)")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    single_pdus()
    for m in (0, 256):
        captured_association(m)
    print(f"gen-pdu-vectors: wrote {len(list(OUT.glob('*.hex')))} vectors to {OUT}")
