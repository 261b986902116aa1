import DICOMCore

/// Type of a directory record key (PS3.3 F.5: 1 = present with a value, 2 = present, may be
/// empty, 1C/2C = as 1/2 when the condition holds, 3 = optional).
public enum KeyType: Sendable, Hashable {
    case type1, type2, type1C, type2C, type3
    /// "1", "2", "1C", ...
    public var label: String {
        switch self {
        case .type1: "1";
        case .type2: "2";
        case .type1C: "1C";
        case .type2C: "2C";
        case .type3: "3"
        }
    }
}

/// When a 1C/2C key is required (for other types the condition is `.always`).
public enum KeyCondition: Sendable, Hashable {
    /// No condition.
    case always
    /// Required if the instance has the attribute (for 1C: with a value, PS3.11 "if present in object").
    case ifPresent
    /// Required if the instance has the attribute with a value (a sequence: with at least one item).
    case ifPresentNonEmpty
    /// Parent-level 1C of PS3.11 Table H.3-2: required if any instance under the record has a value;
    /// the first instance with a value fills it (``FileSet/insert(_:index:)``).
    case ifAnyInstanceNonEmpty
    /// Required (as Type 1/2) when the instance is of one of these SOP classes, else copied when present
    /// (STD-XA1K Image Type: "1C if XA image").
    case ifSOPClass(Set<String>)
    /// Required when value `index` (0-based) of the instance's attribute is one of `in`, else copied
    /// when present (XA Referenced Image Sequence: Image Type value 3 BIPLANE A/B; SR Verification
    /// DateTime: Verification Flag VERIFIED).
    case ifValue(Tag, index: Int, in: Set<String>)
}

/// Where a key's value comes from in the instance.
public enum KeySource: Sendable, Hashable {
    /// The top-level element with the key's tag, copied byte for byte.
    case element
    /// The top-level element if it has a value, else the one in the Shared Functional Groups Sequence
    /// (5200,9229) (directly or in one of its functional group macros) (PS3.11 Table H.3-2).
    case elementOrSharedFunctionalGroups
    /// Content Sequence (0040,A730) reduced to the root's HAS CONCEPT MOD items (PS3.3 F.5.25, F.5.26).
    case conceptModifierContentItems
    /// Verification DateTime: the most recent (0040,A030) of the Verifying Observer Sequence (0040,A073) (PS3.3 F.5.25).
    case latestVerificationDateTime
}

/// One key of a directory record: tag, type, condition and where the value comes from.
public struct KeyRule: Sendable, Hashable, CustomStringConvertible {
    public let tag: Tag
    public let type: KeyType
    public let condition: KeyCondition
    public let source: KeySource

    public init(_ tag: Tag, _ type: KeyType, _ condition: KeyCondition = .always, source: KeySource = .element) {
        self.tag = tag; self.type = type; self.condition = condition; self.source = source
    }
    public init(tag: Tag, type: KeyType, condition: KeyCondition = .always, source: KeySource = .element) {
        self.init(tag, type, condition, source: source)
    }

    /// "Study Date (0008,0020)".
    public var name: String { "\(DataDictionary.entry(for: tag)?.name ?? "Attribute") \(tag)" }
    public var description: String { "\(name) Type \(type.label)" }
}
