// swift-tools-version:6.0
import PackageDescription
import Foundation

let package = Package(
    name: "dicom-media",
    products: [
        .library(name: "DICOMCore", targets: ["DICOMCore"]),
        .library(name: "DICOMIO", targets: ["DICOMIO"]),
        .library(name: "DICOMFileSet", targets: ["DICOMFileSet"]),
        .library(name: "DICOMPixel", targets: ["DICOMPixel"]),
        .library(name: "DICOMCodecs", targets: ["DICOMCodecs"]),
        .library(name: "MediaKit", targets: ["MediaKit"]),
        .library(name: "MediaImage", targets: ["MediaImage"]),
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
        // libcrypto, CharLS, libarchive and libisofs: headers only (their module maps link nothing); the
        // functions called are stubs in CNativeLibraries that load the library on first use
        // (Tools/gen-native-stubs.py), so a start that needs none of them does not map them.
        .target(name: "CNativeLibraries", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "DICOMStore", dependencies: [
            "DICOMCore", "DICOMIO", "CCrypto", "CNativeLibraries", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "DICOMPixel", dependencies: ["DICOMCore", "DICOMIO"]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "COpenJPEG", pkgConfig: "libopenjp2", providers: [.apt(["libopenjp2-7-dev"])]),
        .systemLibrary(name: "CCharLS", providers: [.apt(["libcharls-dev"])]),
        .target(name: "DICOMCodecs", dependencies: ["DICOMPixel", "DICOMCore", "CTurboJPEG", "COpenJPEG", "CCharLS", "CNativeLibraries"]),
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CISOFS", providers: [.apt(["libisofs-dev"])]),
        .target(name: "MediaImage", dependencies: ["CArchive", "CISOFS", "CTurboJPEG", "CNativeLibraries"]),
        .target(name: "MediaKit", dependencies: ["DICOMCore", "DICOMIO", "DICOMFileSet", "DICOMPixel", "DICOMCodecs", "MediaImage", "DICOMStore"]),
        .executableTarget(name: "dicom-media", dependencies: [
            "MediaKit", "DICOMCore", "DICOMIO", "DICOMPixel", "DICOMFileSet", "DICOMStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // Release: the Swift runtime and Foundation linked statically, so a start maps and binds
            // no Swift shared library (`--version` 17.7 -> 9.1 ms of CPU). The modules were compiled
            // against the shared Foundation, whose autolink entries do not name the static archives'
            // own dependencies: they are listed here, as one group.
            .unsafeFlags(["-static-stdlib", "-Xlinker", "--start-group", "-lFoundation", "-lCoreFoundation",
                          "-lFoundationInternationalization", "-l_FoundationICU", "-lFoundationEssentials",
                          "-l_FoundationCShims", "-l_FoundationCollections", "-lswiftDispatch", "-ldispatch",
                          "-lBlocksRuntime", "-lswiftSynchronization", "-lswiftCore", "-lstdc++", "-lm",
                          "-Xlinker", "--end-group"], .when(configuration: .release)),
        ]),
        .executableTarget(name: "synth-studies", dependencies: ["DICOMCore", "DICOMIO"], path: "Benchmarks/Generator"),
        .executableTarget(name: "codec-bench", dependencies: ["DICOMCore", "DICOMIO", "DICOMPixel"], path: "Benchmarks/CodecBench"),
        .executableTarget(name: "adapter-bench", dependencies: ["DICOMCore", "DICOMIO", "DICOMPixel", "DICOMCodecs"], path: "Benchmarks/AdapterBench"),
        .testTarget(name: "DICOMCoreTests", dependencies: ["DICOMCore"]),
        .testTarget(name: "DICOMIOTests", dependencies: ["DICOMIO", "DICOMCore"]),
        .testTarget(name: "DICOMFileSetTests", dependencies: ["DICOMFileSet", "DICOMIO", "DICOMCore"]),
        .testTarget(name: "DICOMPixelTests", dependencies: ["DICOMPixel", "DICOMCodecs", "DICOMIO", "DICOMCore"]),
        .testTarget(name: "CLITests", dependencies: ["MediaKit"]),
        .testTarget(name: "DeidentifyTests", dependencies: ["MediaKit", "DICOMCore"]),
        .testTarget(name: "MediaImageTests", dependencies: ["MediaImage", "MediaKit"]),
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
    package.targets.append(.executableTarget(
        name: "fuzz-transcode", dependencies: ["DICOMCore", "DICOMIO", "DICOMPixel", "DICOMCodecs"], path: "Fuzz/Transcode",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.targets.append(.executableTarget(
        name: "fuzz-rle", dependencies: ["DICOMCore", "DICOMPixel"], path: "Fuzz/RLE",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.targets.append(.executableTarget(
        name: "fuzz-jpegdct", dependencies: ["DICOMCore", "DICOMPixel"], path: "Fuzz/JPEGDCT",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.targets.append(.executableTarget(
        name: "fuzz-jpegll", dependencies: ["DICOMCore", "DICOMPixel"], path: "Fuzz/JPEGLossless",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.targets.append(.executableTarget(
        name: "fuzz-adapters", dependencies: ["DICOMCore", "DICOMPixel", "DICOMCodecs"], path: "Fuzz/Adapters",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.targets.append(.executableTarget(
        name: "fuzz-iso", dependencies: ["MediaImage"], path: "Fuzz/ISO",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    package.targets.append(.executableTarget(
        name: "fuzz-medium", dependencies: ["DICOMCore", "DICOMIO", "DICOMFileSet"], path: "Fuzz/Medium",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}

// The JPEG Lossless timing harness (Benchmarks/JPEGLossless): only with DICOM_MEDIA_BENCH=1.
if ProcessInfo.processInfo.environment["DICOM_MEDIA_BENCH"] != nil {
    package.targets.append(.executableTarget(
        name: "bench-jpegll", dependencies: ["DICOMCore", "DICOMIO", "DICOMPixel"], path: "Benchmarks/JPEGLossless"))
}
