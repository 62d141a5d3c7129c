// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "rbscron",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rbscron", targets: ["rbscron"]),
        .library(name: "RBSCronKit", targets: ["RBSCronKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // libcurl's headers from the system (Debian: libcurl4-openssl-dev). Not linked: see CCurlShim.
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // rbscron's only door to libcurl: loads it with dlopen on first use (a command that sends nothing starts
        // without it) and wraps curl's variadic setopt/getinfo, which Swift cannot call.
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .target(
            name: "RBSCronKit",
            dependencies: [
                "CCurlShim",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for reading columns straight from a statement in the stats scan.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "rbscron",
            dependencies: [
                "RBSCronKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Release builds carry Swift's standard library and Foundation inside the binary: the dynamic loader then
            // has a dozen fewer libraries to map and relocate, which is most of a short command's time (bench/README.md,
            // start-up). The module is compiled with the flag too, so that it names static Foundation's own libraries
            // to the linker. Debug builds and tests link dynamically.
            swiftSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))],
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),
        // Benchmark driver for bench/cron-throughput.sh; not part of the shipped tool.
        .executableTarget(name: "cron-bench", dependencies: ["RBSCronKit"]),
        // Test-only: a loopback stand-in for QStash's API (schedules, logs, dead letters, publish with real
        // delivery), shared by both test targets. It delivers through RBSCronKit's curl transport and signs with
        // swift-crypto on its own.
        .target(
            name: "QStashStandIn",
            dependencies: [
                "RBSCronKit",
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/QStashStandIn"
        ),
        // What both test targets share: waiting for child processes off Swift's cooperative pool.
        .target(name: "RBSCronTestSupport", path: "Tests/RBSCronTestSupport"),
        .testTarget(
            name: "RBSCronKitTests",
            dependencies: [
                "RBSCronKit",
                "QStashStandIn",
                "RBSCronTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]
        ),
        .testTarget(
            name: "RBSCronEndToEndTests",
            dependencies: ["rbscron", "RBSCronKit", "QStashStandIn", "RBSCronTestSupport"],
            exclude: ["Golden"]
        ),
    ]
)
