// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "synthaudit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "synthaudit", targets: ["synthaudit"]),
        .library(name: "Generator", targets: ["Generator"]),
        .library(name: "TableIO", targets: ["TableIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C libraries, wrapped as system libraries.
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CLibCSV",
            providers: [.apt(["libcsv-dev"])]
        ),

        // Table I/O shared by the generator and the auditor: SQLite, CSV, calendar, atomic output.
        .target(
            name: "TableIO",
            dependencies: ["CSQLite", "CLibCSV"]
        ),

        // Dataset models with their own seeded randomness.
        .target(
            name: "Generator",
            dependencies: ["TableIO"]
        ),

        // Thin command-line front end.
        .executableTarget(
            name: "synthaudit",
            dependencies: [
                "Generator",
                "TableIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "TableIOTests", dependencies: ["TableIO"]),
        .testTarget(name: "GeneratorTests", dependencies: ["Generator", "TableIO"], exclude: ["Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TableIO"]),
    ],
    swiftLanguageModes: [.v6]
)
