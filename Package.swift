// swift-tools-version:6.0
import PackageDescription

/// Release builds of the libraries with hot loops skip the run-time exclusivity checks: their
/// buffers and plans are classes touched once per byte or row, and the checks cost a third of
/// the generator's time. The checks stay on in debug builds, which the unit tests run.
let hotLoopSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "synthaudit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "synthaudit", targets: ["synthaudit"]),
        .executable(name: "csvscan", targets: ["csvscan"]),
        .library(name: "Generator", targets: ["Generator"]),
        .library(name: "TableIO", targets: ["TableIO"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Auditor", targets: ["Auditor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
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

        // Small C kernels: SHA-256 block compression with the x86 SHA extensions (TableIO falls
        // back to its own Swift rounds on other CPUs).
        .target(name: "CKernels"),

        // Table I/O shared by the generator and the auditor: SQLite, CSV, calendar, atomic output.
        .target(
            name: "TableIO",
            dependencies: ["CSQLite", "CLibCSV", "CKernels"],
            swiftSettings: hotLoopSettings
        ),

        // Dataset models with their own seeded randomness.
        .target(
            name: "Generator",
            dependencies: ["TableIO"],
            swiftSettings: hotLoopSettings
        ),

        // The dataset contract: roles, the mapping language, the built-in profiles as mappings.
        .target(
            name: "Datasets",
            dependencies: ["TableIO", .product(name: "Yams", package: "Yams")]
        ),

        // The auditor: metrics, bands, reports.
        .target(
            name: "Auditor",
            dependencies: ["TableIO", "Datasets", .product(name: "Yams", package: "Yams")],
            swiftSettings: hotLoopSettings
        ),

        // Thin command-line front end.
        .executableTarget(
            name: "synthaudit",
            dependencies: [
                "Auditor",
                "Datasets",
                "Generator",
                "TableIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // The benchmark's parsing floor: libcsv over every file, callbacks that only count.
        .executableTarget(name: "csvscan", dependencies: ["CLibCSV"]),

        .testTarget(name: "TableIOTests", dependencies: ["TableIO", "Generator"]),
        .testTarget(name: "GeneratorTests", dependencies: ["Generator", "TableIO"], exclude: ["Fixtures"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TableIO"]),
        .testTarget(name: "AuditorTests", dependencies: ["Auditor", "Datasets", "TableIO", "Generator"], exclude: ["Fixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TableIO"]),
    ],
    swiftLanguageModes: [.v6]
)
