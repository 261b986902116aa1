extension AssociationStateMachine {
    /// PS3.8 Table 9-10 as data: row n-1 is Evt-n, column m-1 is Sta-m; nil is a blank cell (the event cannot occur in that state).
    public static let table: [[AssociationAction?]] = [
        // Sta1  Sta2  Sta3  Sta4  Sta5  Sta6  Sta7  Sta8  Sta9  Sta10 Sta11 Sta12 Sta13
        [.ae1, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],  // Evt1 A-ASSOCIATE request (local user)
        [nil, nil, nil, .ae2, nil, nil, nil, nil, nil, nil, nil, nil, nil],  // Evt2 transport connect confirm
        [nil, .aa1, .aa8, nil, .ae3, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa6],  // Evt3 A-ASSOCIATE-AC PDU received
        [nil, .aa1, .aa8, nil, .ae4, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa6],  // Evt4 A-ASSOCIATE-RJ PDU received
        [.ae5, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],  // Evt5 transport connection indication
        [nil, .ae6, .aa8, nil, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa7],  // Evt6 A-ASSOCIATE-RQ PDU received
        [nil, nil, .ae7, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],  // Evt7 A-ASSOCIATE response (accept)
        [nil, nil, .ae8, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],  // Evt8 A-ASSOCIATE response (reject)
        [nil, nil, nil, nil, nil, .dt1, nil, .ar7, nil, nil, nil, nil, nil],  // Evt9 P-DATA request
        [nil, .aa1, .aa8, nil, .aa8, .dt2, .ar6, .aa8, .aa8, .aa8, .aa8, .aa8, .aa6],  // Evt10 P-DATA-TF PDU received
        [nil, nil, nil, nil, nil, .ar1, nil, nil, nil, nil, nil, nil, nil],  // Evt11 A-RELEASE request
        [nil, .aa1, .aa8, nil, .aa8, .ar2, .ar8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa6],  // Evt12 A-RELEASE-RQ PDU received
        [nil, .aa1, .aa8, nil, .aa8, .aa8, .ar3, .aa8, .aa8, .ar10, .ar3, .aa8, .aa6],  // Evt13 A-RELEASE-RP PDU received
        [nil, nil, nil, nil, nil, nil, nil, .ar4, .ar9, nil, nil, .ar4, nil],  // Evt14 A-RELEASE response
        [nil, nil, .aa1, .aa2, .aa1, .aa1, .aa1, .aa1, .aa1, .aa1, .aa1, .aa1, nil],  // Evt15 A-ABORT request
        [nil, .aa2, .aa3, nil, .aa3, .aa3, .aa3, .aa3, .aa3, .aa3, .aa3, .aa3, .aa2],  // Evt16 A-ABORT PDU received
        [nil, .aa5, .aa4, .aa4, .aa4, .aa4, .aa4, .aa4, .aa4, .aa4, .aa4, .aa4, .ar5],  // Evt17 transport connection closed
        [nil, .aa2, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, .aa2],  // Evt18 ARTIM timer expired
        [nil, .aa1, .aa8, nil, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa8, .aa7],  // Evt19 unrecognized or invalid PDU
    ]
}
