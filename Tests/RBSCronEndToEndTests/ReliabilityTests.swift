import Foundation
import RBSCronTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `/usr/bin/sqlite3` on the inventory file, as an operator would inspect it (the E2E target has no GRDB).
enum SQLite3 {
    static let path = "/usr/bin/sqlite3"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs one statement; returns its rows, one line each, fields separated by `|`.
    static func query(_ db: String, _ sql: String) async throws -> [String] {
        let result = try await runTool(path, ["-batch", "-cmd", ".timeout 10000", db, sql])
        guard result.status == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: String(decoding: result.stderr, as: UTF8.self)])
        }
        return result.text.split(separator: "\n").map(String.init)
    }
}

/// An `rbscron` process started in the background, its output going to files (no pipe can fill up).
final class BackgroundRBSCron {
    let process: ChildProcess
    let stdoutURL: URL
    let stderrURL: URL

    /// - Parameter background: run at the lowest CPU priority, so a load test does not starve the
    ///   other tests that share this machine (and the test process) with it.
    init(_ cli: RBSCronProcess, _ arguments: [String], name: String, env: [String: String] = [:],
         background: Bool = false) throws {
        stdoutURL = cli.home.appendingPathComponent("\(name).out")
        stderrURL = cli.home.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process = try ChildProcess(RBSCronProcess.binary.path, ["--db", cli.db] + arguments,
                                   environment: cli.environment.merging(env) { _, new in new }, directory: cli.home,
                                   stdout: .file(stdoutURL), stderr: .file(stderrURL))
        #if canImport(Glibc)
        if background { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(process.pid), 19) }
        #else
        if background { _ = setpriority(PRIO_PROCESS, id_t(process.pid), 19) }
        #endif
    }

    var pid: Int32 { process.pid }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Waits for the process up to `deadline`; kills it (and records an issue) past that.
    /// Polls with `Task.sleep`: a blocking wait would hold one of the few threads of Swift's
    /// cooperative pool for the whole run and starve the async tests running beside this one.
    func wait(until deadline: Date) async {
        if await process.exit(within: deadline.timeIntervalSinceNow) == nil {
            Issue.record("rbscron \(process.command.dropFirst()) did not finish in time; killed")
        }
    }
}

@Suite("reliability end to end: concurrent processes and crashes on one inventory file", .serialized,
       .timeLimit(.minutes(3)), .enabled(if: SQLite3.available))
struct ReliabilityTests {
    func setUp(okURL: String, silentURL: String = "http://127.0.0.1:9") async throws -> RBSCronProcess {
        let cli = try RBSCronProcess()
        let manifest = """
            version: 1
            apps:
              - name: shop
                display_name: Shop
                base_url: \(okURL)
                platform: other
                jobs:
                  - {name: ping, path: /api/cron/ping, layer: manual, auth: none}
              - name: slow
                display_name: Slow
                base_url: \(silentURL)
                platform: other
                jobs:
                  - {name: hang, path: /api/cron/hang, layer: manual, auth: none}
            """
        let file = cli.home.appendingPathComponent("reliability.yaml")
        try manifest.write(to: file, atomically: true, encoding: .utf8)
        let imported = try await cli.run(["import", file.path, "--yes"])
        #expect(imported.status == 0, "\(imported.stderr)")
        return cli
    }

    @Test("8 processes × 500 runs on one file: 4,000 finished runs, unique ids, none lost, never 'database is locked'")
    func concurrentProcesses() async throws {
        let processes = 8, runsEach = 500
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let cli = try await setUp(okURL: server.baseURL)
        defer { cli.cleanup() }

        // One invocation per process firing the same job 500 times (trigger takes several APP/JOB).
        let arguments = ["trigger", "--json"] + Array(repeating: "shop/ping", count: runsEach)
        let running = try (0..<processes).map { try BackgroundRBSCron(cli, arguments, name: "p\($0)", background: true) }
        let deadline = Date().addingTimeInterval(160)
        for process in running { await process.wait(until: deadline) }

        var reportedIDs: [Int] = []
        for (i, process) in running.enumerated() {
            let stderr = process.stderr
            #expect(process.process.terminationStatus == 0, "process \(i) exited \(process.process.terminationStatus ?? -1): \(stderr)")
            #expect(!stderr.localizedCaseInsensitiveContains("database is locked"), "process \(i): \(stderr)")
            #expect(!stderr.localizedCaseInsensitiveContains("busy"), "process \(i): \(stderr)")
            let reports = try #require(
                try JSONSerialization.jsonObject(with: Data(process.stdout.utf8)) as? [[String: Any]], "process \(i)")
            #expect(reports.count == runsEach, "process \(i) reported \(reports.count) runs")
            #expect(reports.allSatisfy { $0["outcome"] as? String == "ok" && $0["attempts"] as? Int == 1 })
            reportedIDs += reports.compactMap { $0["run_id"] as? Int }
        }
        let total = processes * runsEach
        #expect(reportedIDs.count == total && Set(reportedIDs).count == total, "run ids reported: \(reportedIDs.count), unique \(Set(reportedIDs).count)")
        #expect(server.requests.count == total, "requests that reached the server")

        let counts = try await SQLite3.query(cli.db, """
            SELECT COUNT(*), COUNT(DISTINCT id), SUM(state = 'finished'), SUM(outcome = 'ok'), COUNT(DISTINCT pid)
            FROM runs WHERE app = 'shop' AND job = 'ping'
            """)
        #expect(counts == ["\(total)|\(total)|\(total)|\(total)|\(processes)"])
        let storedIDs = try await SQLite3.query(cli.db, "SELECT id FROM runs").compactMap { Int($0) }
        #expect(Set(storedIDs) == Set(reportedIDs), "every reported run is stored, and nothing else")
        // The processes really overlapped: in id order, rows of different processes interleave.
        let pids = try await SQLite3.query(cli.db, "SELECT pid FROM runs ORDER BY id")
        let switches = zip(pids, pids.dropFirst()).filter { $0 != $1 }.count
        #expect(switches > processes * 10, "only \(switches) switches between processes: they ran one after another")
        #expect(try await SQLite3.query(cli.db, "PRAGMA integrity_check") == ["ok"])
    }

    @Test("kill -9 mid-request: the run stays 'started', the next trigger marks it abandoned; the file stays intact")
    func killedMidRequest() async throws {
        let ok = try LoopbackServer(status: 200)
        defer { ok.stop() }
        let silent = try LoopbackServer { _ in .silence }
        defer { silent.stop() }
        let cli = try await setUp(okURL: ok.baseURL, silentURL: silent.baseURL)
        defer { cli.cleanup() }

        let victim = try BackgroundRBSCron(cli, ["trigger", "slow/hang", "--timeout", "2m", "--retries", "0"], name: "victim")
        // Wait (bounded) until its run row is written and its request is in flight.
        var started: [String] = []
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && victim.process.isRunning {
            started = try await SQLite3.query(cli.db, "SELECT id, pid FROM runs WHERE state = 'started'")
            if !started.isEmpty && silent.requests.count > 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(victim.process.isRunning, "the trigger ended before it could be killed: \(victim.stderr)")
        #expect(silent.requests.count == 1)
        let row = try #require(started.first, "no started run appeared")
        let parts = row.split(separator: "|").map(String.init)
        #expect(started.count == 1 && parts.count == 2 && parts[1] == String(victim.pid), "the row names its process: \(row)")
        let runID = parts[0]

        kill(victim.pid, SIGKILL)
        await victim.wait(until: Date().addingTimeInterval(30))
        #expect(victim.process.endedBySignal == true && victim.process.terminationStatus == SIGKILL)
        #expect(try await SQLite3.query(cli.db, "SELECT state, outcome IS NULL FROM runs WHERE id = \(runID)") == ["started|1"],
                "nothing finished the killed run")

        let next = try await cli.run(["trigger", "shop/ping", "--json"], timeout: 60)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("marked 1 run(s)"), "\(next.stderr)")
        let abandoned = try await SQLite3.query(cli.db, "SELECT state, outcome, finished_at IS NOT NULL, error FROM runs WHERE id = \(runID)")
        #expect(abandoned.first?.hasPrefix("abandoned|abandoned|1|the rbscron process that started this run ended") == true,
                "\(abandoned)")
        #expect(try await SQLite3.query(cli.db, "SELECT state, outcome FROM runs WHERE job = 'ping'") == ["finished|ok"])
        #expect(try await SQLite3.query(cli.db, "SELECT COUNT(*) FROM runs WHERE state = 'started'") == ["0"])
        #expect(try await SQLite3.query(cli.db, "PRAGMA integrity_check") == ["ok"])

        // Marking is done once: a further trigger finds nothing left to mark.
        let again = try await cli.run(["trigger", "shop/ping"], timeout: 60)
        #expect(again.status == 0 && !again.stderr.contains("marked"), "\(again.stderr)")
    }
}
