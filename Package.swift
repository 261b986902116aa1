// swift-tools-version:6.0
import PackageDescription

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
        .library(name: "DICOMNetwork", targets: ["DICOMNetwork"]),
        .library(name: "Station", targets: ["Station"]),
        .executable(name: "dicom-media", targets: ["dicom-media"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // File-system helpers (stat, realpath, mkdir -p, folder listing, tree removal), one copy of each: internal, not a product.
        .target(name: "FileSystem"),
        .target(name: "DICOMCore", dependencies: ["FileSystem"]),
        .target(name: "DICOMIO", dependencies: ["DICOMCore", "FileSystem", "CZlib"]),
        .target(name: "DICOMFileSet", dependencies: ["DICOMCore", "DICOMIO", "FileSystem"]),
        // libcrypto, CharLS, libarchive and libisofs: headers only (their module maps link nothing); the
        // functions called are stubs in CNativeLibraries that load the library on first use
        // (Tools/gen-native-stubs.py), so a start that needs none of them does not map them.
        .target(name: "CNativeLibraries", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "DICOMStore",
            dependencies: [
                "DICOMCore", "DICOMIO", "FileSystem", "CCrypto", "CNativeLibraries", .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(name: "DICOMPixel", dependencies: ["DICOMCore", "DICOMIO"]),
        // The DICOM Upper Layer (PS3.8) and DIMSE (PS3.7): PDUs, the association state machine, command sets.
        // Transport/ and Services/ run associations over SwiftNIO (event loops start only when a network call runs);
        // Web/ is the DICOMweb client (PS3.18) over async-http-client; Nodes/ reads nodes.json.
        .target(
            name: "DICOMNetwork",
            dependencies: [
                "DICOMCore", "DICOMIO", "FileSystem", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "COpenJPEG", pkgConfig: "libopenjp2", providers: [.apt(["libopenjp2-7-dev"])]),
        .systemLibrary(name: "CCharLS", providers: [.apt(["libcharls-dev"])]),
        .target(name: "DICOMCodecs", dependencies: ["DICOMPixel", "DICOMCore", "CTurboJPEG", "COpenJPEG", "CCharLS", "CNativeLibraries"]),
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CCairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CISOFS", providers: [.apt(["libisofs-dev"])]),
        // libburn: headers only, loaded on first use like the libraries above (a drive target's burn).
        .systemLibrary(name: "CBurn", providers: [.apt(["libburn-dev"])]),
        .target(name: "MediaImage", dependencies: ["CArchive", "CISOFS", "DICOMCore", "DICOMPixel", "DICOMCodecs", "FileSystem", "CNativeLibraries"]),
        .target(
            name: "MediaKit",
            dependencies: [
                "DICOMCore", "DICOMIO", "DICOMFileSet", "DICOMPixel", "DICOMCodecs", "MediaImage", "DICOMStore", "DICOMNetwork", "FileSystem",
                "CCairo", "CNativeLibraries",
            ]),
        .target(
            name: "Station",
            dependencies: [
                "MediaKit", "DICOMNetwork", "DICOMFileSet", "DICOMCore", "DICOMStore", "FileSystem", "CBurn", "CNativeLibraries",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Mustache", package: "swift-mustache"),
            ]),
        .executableTarget(
            name: "dicom-media",
            dependencies: [
                "MediaKit", "DICOMNetwork", "Station", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [
                // Release: the Swift runtime and Foundation linked statically, so a start maps and binds
                // no Swift shared library (`--version` 17.7 -> 9.1 ms of CPU). The modules were compiled
                // against the shared Foundation, whose autolink entries do not name the static archives'
                // own dependencies: they are listed here, as one group.
                .unsafeFlags(
                    [
                        "-static-stdlib", "-Xlinker", "--start-group", "-lFoundation", "-lCoreFoundation",
                        "-lFoundationInternationalization", "-l_FoundationICU", "-lFoundationEssentials",
                        "-l_FoundationCShims", "-l_FoundationCollections", "-lswiftDispatch", "-ldispatch",
                        "-lBlocksRuntime", "-lswiftSynchronization", "-lswiftCore", "-lstdc++", "-lm",
                        "-Xlinker", "--end-group",
                    ], .when(configuration: .release))
            ]),
        // Benchmarks (Benchmarks/Package.swift) and fuzz targets (Fuzz/Package.swift) are packages of their own
        // that depend on this one by path: a plain `swift build` builds neither.
        // Helpers shared by the test targets: corpus location (DICOM_MEDIA_CORPUS), skips, temporary folders, peer tools,
        // synthetic instances (hence DICOMCore).
        .target(name: "TestSupport", dependencies: ["DICOMCore"], path: "Tests/TestSupport"),
        .testTarget(name: "DICOMCoreTests", dependencies: ["DICOMCore", "FileSystem", "TestSupport"]),
        .testTarget(name: "DICOMIOTests", dependencies: ["DICOMIO", "DICOMCore", "FileSystem", "TestSupport"]),
        .testTarget(name: "DICOMFileSetTests", dependencies: ["DICOMFileSet", "DICOMIO", "DICOMCore", "TestSupport"]),
        .testTarget(name: "DICOMPixelTests", dependencies: ["DICOMPixel", "DICOMCodecs", "DICOMIO", "DICOMCore", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["MediaKit", "DICOMFileSet", "DICOMCore", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "MediaImageTests", dependencies: ["MediaImage", "MediaKit", "DICOMPixel", "DICOMCore", "TestSupport"]),
        .testTarget(
            name: "DICOMStoreTests", dependencies: ["DICOMStore", "DICOMIO", "DICOMCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "StationTests",
            dependencies: ["Station", "DICOMNetwork", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")]),
        .testTarget(
            name: "DICOMNetworkTests",
            dependencies: [
                "DICOMNetwork", "DICOMIO", "DICOMCore", "TestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ], exclude: ["Fixtures"]),
        .testTarget(
            name: "MediaKitTests", dependencies: ["MediaKit", "DICOMStore", "DICOMFileSet", "DICOMIO", "DICOMCore", "DICOMNetwork", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
