// swift-tools-version:6.0
// The benchmark tools, a package of their own (as swift-nio keeps Benchmarks/Package.swift) so that a
// plain `swift build` of dicom-media builds none of them. Build: swift build --package-path Benchmarks
// [-c release] [--product NAME]; the scripts beside this file do it for you.
import PackageDescription

func lib(_ name: String) -> Target.Dependency { .product(name: name, package: "dicom-media") }

let package = Package(
    name: "dicom-media-benchmarks",
    dependencies: [.package(name: "dicom-media", path: "..")],
    targets: [
        // Realistic synthetic CT/MR/DX studies (Benchmarks/run.sh, the interop tests, media-samples/).
        .executableTarget(name: "synth-studies", dependencies: [lib("DICOMCore"), lib("DICOMIO")], path: "Generator"),
        // CPU time of the Swift RLE codec and JPEG DCT decoder (codec-bench.sh).
        .executableTarget(name: "codec-bench", dependencies: [lib("DICOMCore"), lib("DICOMIO"), lib("DICOMPixel")], path: "CodecBench"),
        // The libjpeg-turbo/OpenJPEG/CharLS adapters (adapters.sh).
        .executableTarget(
            name: "adapter-bench", dependencies: [lib("DICOMCore"), lib("DICOMIO"), lib("DICOMPixel"), lib("DICOMCodecs")],
            path: "AdapterBench"),
        // Single-thread JPEG Lossless timing (jpegll-bench.sh).
        .executableTarget(name: "bench-jpegll", dependencies: [lib("DICOMCore"), lib("DICOMIO"), lib("DICOMPixel")], path: "JPEGLossless"),
    ],
    swiftLanguageModes: [.v6]
)
