#!/usr/bin/env python3
"""Writes DIMSE command-set vectors made by a real peer, pynetdicom, for Tests/DICOMNetworkTests.

    .venv/bin/python Tools/gen-dimse-vectors.py [OUT]   (OUT defaults to Tests/DICOMNetworkTests/Fixtures)

For each message: pynetdicom builds the DIMSE primitive, turns it into its message (primitive_to_message)
and encodes it into P-DATA primitives (encode_msg, as it sends them); the command fragments (PDV control
bit 0 set) are joined and written as hex to dimse/NAME.hex. dimse/vectors.json names each vector's command
and the field values it was made with (by keyword), which the tests compare after decoding.
association/pynetdicom-fsm.tsv is pynetdicom's transcription of PS3.8 Table 9-10 (event, state, action) and
association/pynetdicom-actions.tsv its actions' next states: independent copies the state machine is checked against.
"""
import io
import json
import os
import sys

import pynetdicom
from pydicom.tag import Tag
from pynetdicom import dimse_messages as msgs
from pynetdicom import dimse_primitives as prims
from pynetdicom import fsm

VERIFICATION = "1.2.840.10008.1.1"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
STUDY_FIND = "1.2.840.10008.5.1.4.1.2.2.1"
PATIENT_FIND = "1.2.840.10008.5.1.4.1.2.1.1"
WORKLIST_FIND = "1.2.840.10008.5.1.4.31"
STUDY_MOVE = "1.2.840.10008.5.1.4.1.2.2.2"
STUDY_GET = "1.2.840.10008.5.1.4.1.2.2.3"
STORAGE_COMMITMENT = "1.2.840.10008.1.20.1"
STORAGE_COMMITMENT_INSTANCE = "1.2.840.10008.1.20.1.1"
INSTANCE = "1.2.826.0.1.3680043.8.498.10207419328436617046853011813128386587"
ODD_INSTANCE = "1.2.3.4.5.6.7.8.9"  # odd length: padded with NUL



def retrieve_rsp(message_id, sop_class, status, remaining, completed, failed, warning):
    """The fields of a C-MOVE-RSP or C-GET-RSP; a counter given as None is left out."""
    fields = {"MessageIDBeingRespondedTo": message_id, "AffectedSOPClassUID": sop_class, "Status": status}
    counters = zip(("Remaining", "Completed", "Failed", "Warning"), (remaining, completed, failed, warning))
    fields.update({f"NumberOf{name}Suboperations": value for name, value in counters if value is not None})
    return fields


def commitment(message_id, type_keyword, type_id, requested=False, status=None):
    """The fields of a Storage Commitment N-ACTION or N-EVENT-REPORT request, or of its response when status is given."""
    uid = "Requested" if requested else "Affected"
    fields = {"MessageID" if status is None else "MessageIDBeingRespondedTo": message_id, f"{uid}SOPClassUID": STORAGE_COMMITMENT,
              f"{uid}SOPInstanceUID": STORAGE_COMMITMENT_INSTANCE, type_keyword: type_id}
    if status is not None:
        fields["Status"] = status
    return fields


COMMITMENT_DATA = b"\x08\x00\x95\x11\x04\x00\x00\x001.2\x00"  # (0008,1195) Transaction UID "1.2"

# (name, primitive class, message class, fields, data set bytes or None)
VECTORS = [
    ("c-echo-rq", prims.C_ECHO, msgs.C_ECHO_RQ, {"MessageID": 1, "AffectedSOPClassUID": VERIFICATION}, None),
    ("c-echo-rsp", prims.C_ECHO, msgs.C_ECHO_RSP,
     {"MessageIDBeingRespondedTo": 1, "AffectedSOPClassUID": VERIFICATION, "Status": 0x0000}, None),
    ("c-store-rq", prims.C_STORE, msgs.C_STORE_RQ,
     {"MessageID": 7, "AffectedSOPClassUID": CT_IMAGE, "AffectedSOPInstanceUID": INSTANCE, "Priority": 2}, b"\x08\x00\x16\x00\x00\x00\x00\x00"),
    ("c-store-rq-move-originator", prims.C_STORE, msgs.C_STORE_RQ,
     {"MessageID": 65535, "AffectedSOPClassUID": MR_IMAGE, "AffectedSOPInstanceUID": ODD_INSTANCE, "Priority": 1,
      "MoveOriginatorApplicationEntityTitle": "MOVESCU", "MoveOriginatorMessageID": 3}, b"\x08\x00\x16\x00\x00\x00\x00\x00"),
    ("c-store-rsp", prims.C_STORE, msgs.C_STORE_RSP,
     {"MessageIDBeingRespondedTo": 7, "AffectedSOPClassUID": CT_IMAGE, "AffectedSOPInstanceUID": INSTANCE, "Status": 0x0000}, None),
    ("c-store-rsp-warning", prims.C_STORE, msgs.C_STORE_RSP,
     {"MessageIDBeingRespondedTo": 8, "AffectedSOPClassUID": CT_IMAGE, "AffectedSOPInstanceUID": ODD_INSTANCE, "Status": 0xB000,
      "OffendingElement": [0x00100010, 0x00100020], "ErrorComment": "Patient ID coerced"}, None),
    ("c-store-rsp-failure", prims.C_STORE, msgs.C_STORE_RSP,
     {"MessageIDBeingRespondedTo": 9, "AffectedSOPClassUID": CT_IMAGE, "AffectedSOPInstanceUID": INSTANCE, "Status": 0xA700,
      "ErrorComment": "Disk full"}, None),
    ("c-find-rq", prims.C_FIND, msgs.C_FIND_RQ, {"MessageID": 2, "AffectedSOPClassUID": STUDY_FIND, "Priority": 0},
     b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "),
    ("c-find-rq-worklist", prims.C_FIND, msgs.C_FIND_RQ, {"MessageID": 3, "AffectedSOPClassUID": WORKLIST_FIND, "Priority": 0},
     b"\x10\x00\x10\x00\x04\x00\x00\x00Doe*"),
    ("c-find-rsp-pending", prims.C_FIND, msgs.C_FIND_RSP,
     {"MessageIDBeingRespondedTo": 2, "AffectedSOPClassUID": STUDY_FIND, "Status": 0xFF00},
     b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "),
    ("c-find-rsp-success", prims.C_FIND, msgs.C_FIND_RSP,
     {"MessageIDBeingRespondedTo": 2, "AffectedSOPClassUID": PATIENT_FIND, "Status": 0x0000}, None),
    ("c-find-rsp-cancel", prims.C_FIND, msgs.C_FIND_RSP,
     {"MessageIDBeingRespondedTo": 2, "AffectedSOPClassUID": STUDY_FIND, "Status": 0xFE00}, None),
    ("c-cancel-rq", prims.C_CANCEL, msgs.C_CANCEL_RQ, {"MessageIDBeingRespondedTo": 2}, None),
    ("c-move-rq", prims.C_MOVE, msgs.C_MOVE_RQ,
     {"MessageID": 4, "AffectedSOPClassUID": STUDY_MOVE, "Priority": 0, "MoveDestination": "DICOM_MEDIA"},
     b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "),
    ("c-move-rsp-pending", prims.C_MOVE, msgs.C_MOVE_RSP, retrieve_rsp(4, STUDY_MOVE, 0xFF00, 9, 1, 0, 0), None),
    ("c-move-rsp-warning", prims.C_MOVE, msgs.C_MOVE_RSP, retrieve_rsp(4, STUDY_MOVE, 0xB000, None, 8, 1, 1), None),
    ("c-move-rsp-unknown-destination", prims.C_MOVE, msgs.C_MOVE_RSP,
     {"MessageIDBeingRespondedTo": 5, "AffectedSOPClassUID": STUDY_MOVE, "Status": 0xA801}, None),
    ("c-get-rq", prims.C_GET, msgs.C_GET_RQ, {"MessageID": 6, "AffectedSOPClassUID": STUDY_GET, "Priority": 1},
     b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY "),
    ("c-get-rsp-pending", prims.C_GET, msgs.C_GET_RSP, retrieve_rsp(6, STUDY_GET, 0xFF00, 2, 3, 0, 0), None),
    ("c-get-rsp-cancel", prims.C_GET, msgs.C_GET_RSP, retrieve_rsp(6, STUDY_GET, 0xFE00, 2, 3, 0, 0), None),
    ("c-get-rsp-failure", prims.C_GET, msgs.C_GET_RSP, retrieve_rsp(6, STUDY_GET, 0xA702, None, 0, 5, 0), None),
    ("n-action-rq", prims.N_ACTION, msgs.N_ACTION_RQ, commitment(10, "ActionTypeID", 1, requested=True), COMMITMENT_DATA),
    ("n-action-rsp", prims.N_ACTION, msgs.N_ACTION_RSP, commitment(10, "ActionTypeID", 1, status=0x0000), None),
    ("n-event-report-rq", prims.N_EVENT_REPORT, msgs.N_EVENT_REPORT_RQ, commitment(1, "EventTypeID", 2), COMMITMENT_DATA),
    ("n-event-report-rsp", prims.N_EVENT_REPORT, msgs.N_EVENT_REPORT_RSP, commitment(1, "EventTypeID", 2, status=0x0000), None),
]

# The attribute of each primitive that carries its data set.
DATASET_ATTRIBUTE = {prims.C_STORE: "DataSet", prims.C_FIND: "Identifier", prims.C_MOVE: "Identifier", prims.C_GET: "Identifier",
                     prims.N_ACTION: "ActionInformation", prims.N_EVENT_REPORT: "EventInformation"}
RESPONSE_DATASET_ATTRIBUTE = {prims.C_FIND: "Identifier", prims.N_ACTION: "ActionReply", prims.N_EVENT_REPORT: "EventReply"}


def command_set_bytes(primitive_class, message_class, fields, data):
    primitive = primitive_class()
    for keyword, value in fields.items():
        setattr(primitive, keyword, value)
    if data is not None:
        response = message_class.__name__.endswith("_RSP")
        attribute = (RESPONSE_DATASET_ATTRIBUTE if response else DATASET_ATTRIBUTE)[primitive_class]
        setattr(primitive, attribute, io.BytesIO(data))
    message = message_class()
    message.primitive_to_message(primitive)
    command = b""
    for pdata in message.encode_msg(1, 16384):
        for _context, pdv in pdata.presentation_data_value_list:
            if pdv[0] & 0x01:
                command += pdv[1:]
    return command


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Tests", "DICOMNetworkTests", "Fixtures")
    os.makedirs(os.path.join(out, "dimse"), exist_ok=True)
    os.makedirs(os.path.join(out, "association"), exist_ok=True)
    manifest = {"generator": f"pynetdicom {pynetdicom.__version__}", "vectors": []}
    for name, primitive_class, message_class, fields, data in VECTORS:
        command = command_set_bytes(primitive_class, message_class, fields, data)
        with open(os.path.join(out, "dimse", name + ".hex"), "w") as f:
            hexed = command.hex()
            f.write("\n".join(hexed[i:i + 64] for i in range(0, len(hexed), 64)) + "\n")
        expected = {k: ([f"{Tag(t).group:04X}{Tag(t).element:04X}" for t in v] if isinstance(v, list) else v) for k, v in fields.items()}
        manifest["vectors"].append({"name": name, "command": message_class.__name__.replace("_", "-"),
                                    "hasDataSet": data is not None, "fields": expected})
    with open(os.path.join(out, "dimse", "vectors.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    with open(os.path.join(out, "association", "pynetdicom-fsm.tsv"), "w") as f:
        f.write(f"# PS3.8 Table 9-10 as transcribed by pynetdicom {pynetdicom.__version__} (fsm.TRANSITION_TABLE): event, state, action\n")
        for (event, state), action in sorted(fsm.TRANSITION_TABLE.items(), key=lambda kv: (int(kv[0][0][3:]), int(kv[0][1][3:]))):
            f.write(f"{event}\t{state}\t{action}\n")
    with open(os.path.join(out, "association", "pynetdicom-actions.tsv"), "w") as f:
        f.write(f"# PS3.8 Tables 9-6 to 9-9 as transcribed by pynetdicom {pynetdicom.__version__} (fsm.ACTIONS): action, next state(s)\n")
        for action, (_description, _function, following) in fsm.ACTIONS.items():
            f.write(f"{action}\t{','.join(following) if isinstance(following, tuple) else following}\n")
    print(f"{len(VECTORS)} command sets and {len(fsm.TRANSITION_TABLE)} state-table cells written under {out}")


if __name__ == "__main__":
    main()
