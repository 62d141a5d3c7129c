import Foundation
import Testing

/// What one run of the built `rbscron` printed and returned.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built binary in a scratch folder with its own HOME, XDG dirs and inventory.
struct RBSCronProcess {
    let home: URL
    let db: String

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        db = home.appendingPathComponent("inventory.sqlite").path
    }

    func cleanup() { try? FileManager.default.removeItem(at: home) }

    /// The `rbscron` built beside the test bundle (swift test builds it: the test target depends on it).
    static let binary: URL = {
        if let explicit = ProcessInfo.processInfo.environment["RBSCRON_BIN"] { return URL(fileURLWithPath: explicit) }
        var candidates: [URL] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = argv0.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("rbscron"))
            dir = dir.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/rbscron"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[candidates.count - 1]
    }()

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["RBSCRON_DB", "RBSCRON_MASTER_KEY", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "NO_COLOR"] { env[key] = nil }
        env["HOME"] = home.path
        env["XDG_CONFIG_HOME"] = home.appendingPathComponent("config").path
        env["XDG_DATA_HOME"] = home.appendingPathComponent("data").path
        return env
    }

    /// Runs `rbscron` with `--db` first unless `useDB` is false; bounded by `timeout` seconds.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, env extra: [String: String] = [:], useDB: Bool = true,
             timeout: TimeInterval = 60) throws -> Outcome {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = (useDB ? ["--db", db] : []) + arguments
        process.currentDirectoryURL = home
        process.environment = environment.merging(extra) { _, new in new }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty process never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            Issue.record("rbscron \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
            group.wait()
        }
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }

    func json(_ arguments: [String]) throws -> Any {
        let outcome = try run(arguments)
        #expect(outcome.status == 0, "rbscron \(arguments) failed: \(outcome.stderr)")
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
    }
}
