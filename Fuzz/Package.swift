// swift-tools-version:6.0
// libFuzzer targets for TableIO's CSV reader and value parsers (CSVFuzz) and for the parsers of the
// mapping language: expressions, time formats and zones (MappingFuzz). Kept apart from the main package
// so that its sanitizer flags never reach the product builds. scripts/fuzz/libfuzzer.sh builds and
// runs it (Documentation/fuzzing.md).
import Foundation
import PackageDescription

// A path dependency's identity is the name of its directory, whatever the checkout is called.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let mainIdentity = mainPackage.lastPathComponent.lowercased()

let package = Package(
    name: "synthaudit-fuzz",
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "CSVFuzz",
            dependencies: ["FuzzDriver", .product(name: "TableIO", package: mainIdentity)]
        ),
        .executableTarget(
            name: "MappingFuzz",
            dependencies: ["FuzzDriver", .product(name: "Datasets", package: mainIdentity), .product(name: "TableIO", package: mainIdentity)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
