// swift-tools-version:6.0
// The libFuzzer targets, a package of their own so that a plain `swift build` of dicom-media builds none of
// them: libFuzzer supplies `main`, so they link only with `--sanitize fuzzer` (scripts/fuzz.sh builds them:
// swift build --package-path Fuzz --product fuzz-NAME --sanitize fuzzer --sanitize address ...).
import PackageDescription

func lib(_ name: String) -> Target.Dependency { .product(name: name, package: "dicom-media") }

/// A fuzz target: `-parse-as-library` keeps Swift from emitting its own `main`.
func fuzzTarget(_ name: String, _ path: String, _ libs: [String]) -> Target {
    .executableTarget(name: name, dependencies: libs.map(lib), path: path, swiftSettings: [.unsafeFlags(["-parse-as-library"])])
}

let package = Package(
    name: "dicom-media-fuzz",
    dependencies: [.package(name: "dicom-media", path: "..")],
    targets: [
        fuzzTarget("fuzz-part10", "Part10", ["DICOMCore", "DICOMIO"]),
        fuzzTarget("fuzz-dicomdir", "DICOMDIR", ["DICOMCore", "DICOMIO", "DICOMFileSet"]),
        fuzzTarget("fuzz-transcode", "Transcode", ["DICOMCore", "DICOMIO", "DICOMPixel", "DICOMCodecs"]),
        fuzzTarget("fuzz-rle", "RLE", ["DICOMCore", "DICOMPixel"]),
        fuzzTarget("fuzz-jpegdct", "JPEGDCT", ["DICOMCore", "DICOMPixel"]),
        fuzzTarget("fuzz-jpegll", "JPEGLossless", ["DICOMCore", "DICOMPixel"]),
        fuzzTarget("fuzz-adapters", "Adapters", ["DICOMCore", "DICOMPixel", "DICOMCodecs"]),
        fuzzTarget("fuzz-iso", "ISO", ["MediaImage"]),
        fuzzTarget("fuzz-medium", "Medium", ["DICOMCore", "DICOMIO", "DICOMFileSet"]),
        fuzzTarget("fuzz-pdu", "PDU", ["DICOMNetwork"]),
        fuzzTarget("fuzz-dimse", "DIMSE", ["DICOMNetwork"]),
        fuzzTarget("fuzz-multipart", "Multipart", ["DICOMNetwork"]),
    ],
    swiftLanguageModes: [.v6]
)
