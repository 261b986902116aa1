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
        .executable(name: "dicom-media", targets: ["dicom-media"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // File-system helpers (stat, realpath, mkdir -p, folder listing, tree removal), one copy of each: internal, not a product.
        .target(name: "FileSystem", swiftSettings: [.swiftLanguageMode(.v6)]),
        .target(name: "DICOMCore", dependencies: ["FileSystem"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .target(name: "DICOMIO", dependencies: ["DICOMCore", "FileSystem", "CZlib"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .target(name: "DICOMFileSet", dependencies: ["DICOMCore", "DICOMIO", "FileSystem"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "DICOMStore", dependencies: [
            "DICOMCore", "DICOMIO", "FileSystem", "CCrypto", .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: [.swiftLanguageMode(.v6)]),
        .target(name: "DICOMPixel", dependencies: ["DICOMCore", "DICOMIO"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "COpenJPEG", pkgConfig: "libopenjp2", providers: [.apt(["libopenjp2-7-dev"])]),
        .systemLibrary(name: "CCharLS", pkgConfig: "charls", providers: [.apt(["libcharls-dev"])]),
        .target(name: "DICOMCodecs", dependencies: ["DICOMPixel", "DICOMCore", "CTurboJPEG", "COpenJPEG", "CCharLS"],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CISOFS", pkgConfig: "libisofs-1", providers: [.apt(["libisofs-dev"])]),
        .target(name: "MediaImage", dependencies: ["CArchive", "CISOFS", "DICOMCore", "DICOMPixel", "DICOMCodecs", "FileSystem"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .target(name: "MediaKit", dependencies: ["DICOMCore", "DICOMIO", "DICOMFileSet", "DICOMPixel", "DICOMCodecs", "MediaImage", "DICOMStore", "FileSystem"]),
        .executableTarget(name: "dicom-media", dependencies: [
            "MediaKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmarks (Benchmarks/Package.swift) and fuzz targets (Fuzz/Package.swift) are packages of their own
        // that depend on this one by path: a plain `swift build` builds neither.
        // Helpers shared by the test targets: corpus location (DICOM_MEDIA_CORPUS), skips, temporary folders, peer tools.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "DICOMCoreTests", dependencies: ["DICOMCore", "FileSystem", "TestSupport"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "DICOMIOTests", dependencies: ["DICOMIO", "DICOMCore", "FileSystem", "TestSupport"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "DICOMFileSetTests", dependencies: ["DICOMFileSet", "DICOMIO", "DICOMCore", "TestSupport"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "DICOMPixelTests", dependencies: ["DICOMPixel", "DICOMCodecs", "DICOMIO", "DICOMCore", "TestSupport"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "CLITests", dependencies: ["MediaKit", "DICOMFileSet", "DICOMCore", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "MediaImageTests", dependencies: ["MediaImage", "MediaKit", "DICOMPixel", "DICOMCore", "TestSupport"], swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "DICOMStoreTests", dependencies: ["DICOMStore", "DICOMIO", "DICOMCore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(name: "MediaKitTests", dependencies: ["MediaKit", "DICOMStore", "DICOMFileSet", "DICOMIO", "DICOMCore", "TestSupport"],
                    swiftSettings: [.swiftLanguageMode(.v6)]),
    ],
    swiftLanguageModes: [.v5]
)

