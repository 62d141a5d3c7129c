import Foundation
import RBSCronTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        // CI is the test run's own; a test that wants rbscron to see it sets it (runs are then recorded as source ci).
        for key in ["RBSCRON_DB", "RBSCRON_MASTER_KEY", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "NO_COLOR", "CI"] { env[key] = nil }
        for key in env.keys where key.hasPrefix("RBSCRON_SECRET_") { env[key] = nil }
        env["HOME"] = home.path
        env["XDG_CONFIG_HOME"] = home.appendingPathComponent("config").path
        env["XDG_DATA_HOME"] = home.appendingPathComponent("data").path
        return env
    }

    /// Runs `rbscron` with `--db` first unless `useDB` is false; bounded by `timeout` seconds.
    ///
    /// Async on purpose: the wait happens on a thread of its own (`runTool`). A test that blocked here would hold
    /// one of the few threads of Swift's cooperative pool (two on a two-core machine) for the whole run, and the
    /// loopback servers of the tests running beside it, which need those threads, would stall.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, env extra: [String: String] = [:], useDB: Bool = true,
             timeout: TimeInterval = 60) async throws -> Outcome {
        do {
            let result = try await runTool(Self.binary.path, (useDB ? ["--db", db] : []) + arguments,
                                           stdin: stdin.map { Data($0.utf8) },
                                           environment: environment.merging(extra) { _, new in new }, directory: home,
                                           timeout: timeout)
            return Outcome(status: result.status, stdout: result.text, stderr: result.errorText)
        } catch is ToolTimeout {
            Issue.record("rbscron \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
            return Outcome(status: -1, stdout: "", stderr: "terminated after \(timeout) s")
        }
    }

    func json(_ arguments: [String]) async throws -> Any {
        let outcome = try await run(arguments)
        #expect(outcome.status == 0, "rbscron \(arguments) failed: \(outcome.stderr)")
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
    }
}
