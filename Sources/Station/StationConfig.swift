import DICOMNetwork

/// The station's configuration (`dicom-media station --config FILE`), read and checked by ``StationConfigReader``.
public struct StationConfig: Sendable, Equatable {
    /// The HTTP server: its address and, when bound beyond loopback, how callers prove who they are.
    public struct HTTP: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 8080
        /// The environment variable holding the bearer token every request must carry (required off loopback).
        public var tokenEnv: String?
        /// TLS for the web page and the API: a PEM certificate chain and its private key.
        public var tlsCertificate: String?
        public var tlsKey: String?
        /// True when `host` is a loopback address or name: the only binding allowed without a token.
        public var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
    }

    /// The station's C-STORE/C-ECHO SCP (PS3.4 Annex B).
    public struct DICOM: Sendable, Equatable {
        /// The address to listen on (0.0.0.0 for every interface); loopback unless set.
        public var host = "127.0.0.1"
        public var aeTitle: AETitle
        public var port: Int
        /// The calling AE titles accepted; an association from any other is rejected (PS3.8 §9.3.4).
        public var allow: [AETitle] = []
        public var maxAssociations = 8
        /// The port a Storage Commitment report comes to on a new association, to `aeTitle` (PS3.4 J.3.3); nil: awaited on
        /// the request's association.
        public var commitPort: Int?
    }

    /// Where a job's instances go: the station's store or a PACS node named in `nodes`.
    public enum Destination: Sendable, Equatable {
        case store
        case node(String)
    }

    /// A watched place whose new sources become import jobs.
    public struct Watch: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable { case folder, mounts }
        public var kind: Kind
        public var path: String
        public var destination: Destination
        /// A worklist node to reconcile each patient with (IHE IRWF), or nil to import as the medium says.
        public var reconcileWorklist: String?
        public var deidentify = false
        /// Ask the destination node for Storage Commitment of what it confirmed.
        public var commit = false
    }

    /// What a publish job writes to.
    public enum Target: Sendable, Equatable {
        case folder(path: String)
        case iso(path: String)
        /// An optical drive, by libburn address (`/dev/sr0`, or `stdio:/path` for a file standing in for one).
        case drive(device: String)
        /// A disc robot's hot folder and its job-file format.
        case robot(hotFolder: String, format: RobotFormat)
    }

    /// Disc-robot job-file formats.
    public enum RobotFormat: String, Sendable, CaseIterable {
        /// Primera PTBurn `.JRQ` job request files.
        case ptburn
        /// Epson Total Disc Maker / TD Bridge job files.
        case tdbridge
    }

    /// A publish rule for instances received from a calling AE.
    public struct Rule: Sendable, Equatable {
        public enum Per: String, Sendable, CaseIterable { case study, patient }
        public var callingAE: AETitle
        public var per: Per = .study
        /// Seconds without a new instance before the job is made; nil: the station's `quietSeconds`.
        public var quietSeconds: Int?
        public var target: Target
        public var profile = "STD-GEN-CD"
        public var copies = 1
        /// Whether the disc carries the IHE PDI viewer pages (the export's `--pdi`).
        public var pdi = true
    }

    public var http = HTTP()
    public var dicom: DICOM?
    public var store: String
    public var state: String
    /// Every path a job, a watch or an API call names must lie under one of these.
    public var roots: [String]
    public var quietSeconds = 120
    public var locale = "en_GB"
    public var watch: [Watch] = []
    public var nodes = NodeDirectory()
    public var rules: [Rule] = []

    public init(store: String, state: String, roots: [String]) {
        self.store = store; self.state = state; self.roots = roots
    }
}
