// swift-tools-version:6.0
import PackageDescription
import Foundation

let package = Package(
    name: "dicom-media",
    products: [
        .library(name: "DICOMCore", targets: ["DICOMCore"]),
        .library(name: "DICOMIO", targets: ["DICOMIO"]),
        .library(name: "DICOMFileSet", targets: ["DICOMFileSet"]),
        .library(name: "MediaKit", targets: ["MediaKit"]),
        .library(name: "DICOMStore", targets: ["DICOMStore"]),
        .executable(name: "dicom-media", targets: ["dicom-media"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "DICOMCore"),
        .target(name: "DICOMIO", dependencies: ["DICOMCore", "CZlib"]),
        .target(name: "DICOMFileSet", dependencies: ["DICOMCore", "DICOMIO"]),
        .target(name: "MediaKit", dependencies: ["DICOMCore", "DICOMIO", "DICOMFileSet", "DICOMStore"]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "DICOMStore", dependencies: [
            "DICOMCore", "DICOMIO", "CCrypto", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .executableTarget(name: "dicom-media", dependencies: [
            "MediaKit", "DICOMCore", "DICOMIO", "DICOMStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "synth-studies", dependencies: ["DICOMCore", "DICOMIO"], path: "Benchmarks/Generator"),
        .testTarget(name: "DICOMCoreTests", dependencies: ["DICOMCore"]),
        .testTarget(name: "DICOMIOTests", dependencies: ["DICOMIO", "DICOMCore"]),
        .testTarget(name: "DICOMFileSetTests", dependencies: ["DICOMFileSet", "DICOMIO", "DICOMCore"]),
        .testTarget(name: "CLITests", dependencies: ["MediaKit"]),
        .testTarget(name: "DICOMStoreTests", dependencies: ["DICOMStore", "MediaKit", "DICOMFileSet", "DICOMIO", "DICOMCore"]),
    ],
    swiftLanguageModes: [.v5]
)

// Fuzz targets exist only when asked for (scripts/fuzz.sh sets DICOM_MEDIA_FUZZ=1 and builds
// with `--sanitize fuzzer`): libFuzzer supplies `main`, so they cannot link in a normal build.
if ProcessInfo.processInfo.environment["DICOM_MEDIA_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "fuzz-part10", dependencies: ["DICOMCore", "DICOMIO"], path: "Fuzz/Part10",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.targets.append(.executableTarget(
        name: "fuzz-dicomdir", dependencies: ["DICOMCore", "DICOMIO", "DICOMFileSet"], path: "Fuzz/DICOMDIR",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
