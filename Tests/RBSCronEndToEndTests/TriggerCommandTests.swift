import Foundation
import RBSCronTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("rbscron trigger end to end", .serialized, .timeLimit(.minutes(2)))
struct TriggerCommandTests {
    static let secret = "e2e-cron-secret-4f9a8b7c6d5e"

    func manifest(baseURL: String) -> String {
        """
        version: 1
        apps:
          - name: shop
            display_name: Shop
            base_url: \(baseURL)
            platform: vercel
            jobs:
              - {name: hourly-sync, path: /api/cron/hourly-sync, layer: vercel, schedule: "0 * * * *", auth: cron_secret}
              - {name: dispatcher, path: /api/cron/dispatcher, layer: vercel, schedule: "0 9 * * *", auth: cron_secret}
              - {name: step-one, path: /api/cron/step-one, layer: fanout, triggered_by: shop/dispatcher, order: 1, group: "daily@09:00"}
              - {name: step-two, path: /api/cron/step-two, layer: fanout, triggered_by: shop/dispatcher, order: 2, depends_on: [shop/step-one], group: "daily@09:00"}
              - {name: keep-alive, sql: SELECT 1, layer: pg_cron, schedule: "0 12 */3 * *"}
        """
    }

    func setUp(_ server: LoopbackServer) async throws -> RBSCronProcess {
        let cli = try RBSCronProcess()
        let file = cli.home.appendingPathComponent("shop.yaml")
        try manifest(baseURL: server.baseURL).write(to: file, atomically: true, encoding: .utf8)
        let imported = try await cli.run(["import", file.path, "--yes"])
        #expect(imported.status == 0, "\(imported.stderr)")
        return cli
    }

    var secretEnv: [String: String] { ["RBSCRON_SECRET_SHOP_CRON_SECRET": Self.secret, "CI": "true"] }

    @Test("exit 0: a fired job's JSON report, source ci, the secret nowhere in the output")
    func exitZero() async throws {
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let cli = try await setUp(server)
        defer { cli.cleanup() }
        let outcome = try await cli.run(["trigger", "shop/hourly-sync", "--json"], env: secretEnv)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]])
        let report = try #require(reports.first)
        #expect(report["job"] as? String == "shop/hourly-sync" && report["outcome"] as? String == "ok")
        #expect(report["http_status"] as? Int == 200 && report["attempts"] as? Int == 1 && report["source"] as? String == "ci")
        #expect(report["run_id"] is Int && report["duration_ms"] is NSNumber && report["timings"] is [String: Any])
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.authorization == "Bearer \(Self.secret)")
        #expect(!outcome.stdout.contains(Self.secret) && !outcome.stderr.contains(Self.secret))
        #expect(outcome.stderr.isEmpty, "no progress lines when stderr is not a terminal")
    }

    @Test("several jobs with --parallel: one report each, in the order asked")
    func parallelJobs() async throws {
        let server = try LoopbackServer(status: 200, delayMs: 100)
        defer { server.stop() }
        let cli = try await setUp(server)
        defer { cli.cleanup() }
        let outcome = try await cli.run(["trigger", "shop/dispatcher", "shop/hourly-sync", "shop/step-one", "--parallel", "3", "--json"],
                                        env: secretEnv)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]])
        #expect(reports.map { $0["job"] as? String } == ["shop/dispatcher", "shop/hourly-sync", "shop/step-one"])
        #expect(reports.allSatisfy { $0["outcome"] as? String == "ok" })
        #expect(server.requests.count == 3)
        let zero = try await cli.run(["trigger", "shop/dispatcher", "--parallel", "0"], env: secretEnv)
        #expect(zero.status == 64 && zero.stderr.contains("--parallel must be 1 or more"))
    }

    @Test("exit 2: denied without a secret, nothing sent; a 500 fails too")
    func exitTwo() async throws {
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let cli = try await setUp(server)
        defer { cli.cleanup() }
        let denied = try await cli.run(["trigger", "shop/hourly-sync"])
        #expect(denied.status == 2)
        #expect(denied.stdout.contains("denied") && denied.stdout.contains("RBSCRON_SECRET_SHOP_CRON_SECRET"))
        #expect(server.requests.isEmpty)

        let failing = try LoopbackServer(status: 500)
        defer { failing.stop() }
        let cli2 = try await setUp(failing)
        defer { cli2.cleanup() }
        let failed = try await cli2.run(["trigger", "shop/hourly-sync", "--retries", "1", "--backoff-base", "10ms"], env: secretEnv)
        #expect(failed.status == 2)
        #expect(failed.stdout.contains("http_error") && failed.stdout.contains("dead letter #1"))
        #expect(failing.requests.count == 2)
    }

    @Test("exit 1: unknown job with a suggestion; a SQL job cannot be fired")
    func exitOne() async throws {
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let cli = try await setUp(server)
        defer { cli.cleanup() }
        let unknown = try await cli.run(["trigger", "shop/hourly-synk"], env: secretEnv)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("Did you mean 'shop/hourly-sync'?"))
        let sql = try await cli.run(["trigger", "shop/keep-alive"], env: secretEnv)
        #expect(sql.status == 1)
        #expect(sql.stderr.contains("cannot be fired over HTTP"))
        #expect(server.requests.isEmpty)
    }

    @Test("exit 64: usage errors", arguments: [
        ["trigger"], ["trigger", "shop/hourly-sync", "--due"], ["trigger", "not-an-address"],
        ["trigger", "shop/hourly-sync", "--timeout", "soon"], ["trigger", "shop/hourly-sync", "--body", "{nope"],
        ["trigger", "--schedule", "daily"], ["trigger", "--due", "--at", "09:00"], ["trigger", "shop/hourly-sync", "--retries", "11"],
    ])
    func exitSixtyFour(arguments: [String]) async throws {
        let cli = try RBSCronProcess()
        defer { cli.cleanup() }
        let outcome = try await cli.run(arguments)
        #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
    }

    @Test("--dry-run prints the request with the secret masked and sends nothing")
    func dryRun() async throws {
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let cli = try await setUp(server)
        defer { cli.cleanup() }
        let outcome = try await cli.run(["trigger", "shop/hourly-sync", "--dry-run", "--body", #"{"n":1}"#], env: secretEnv)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("POST \(server.baseURL)/api/cron/hourly-sync"))
        #expect(outcome.stdout.contains("Authorization: Bearer e2e-…(28 chars)"))
        #expect(outcome.stdout.contains("# secret: environment RBSCRON_SECRET_SHOP_CRON_SECRET"))
        #expect(outcome.stdout.contains(#"{"n":1}"#))
        #expect(!outcome.stdout.contains(Self.secret))
        #expect(server.requests.isEmpty)
        // Nothing recorded: no run row at all (a dry run writes nothing), read from the file itself.
        let rows = try await runTool("/usr/bin/sqlite3", [cli.db, "SELECT count(*) FROM runs"])
        #expect(rows.status == 0 && rows.text.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test("--dry-run of a job that would be denied exits 2 (a CI pre-check); with its secret it exits 0")
    func dryRunOfADeniedJobFails() async throws {
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let cli = try await setUp(server)
        defer { cli.cleanup() }
        let denied = try await cli.run(["trigger", "shop/hourly-sync", "--dry-run"])
        #expect(denied.status == 2, "\(denied.stderr)")
        #expect(denied.stdout.contains("# DENIED: no CRON_SECRET for shop"))
        let deniedJSON = try await cli.run(["trigger", "shop/hourly-sync", "shop/dispatcher", "--dry-run", "--json"])
        #expect(deniedJSON.status == 2)
        #expect(deniedJSON.stdout.contains(#""missing_secret" : "CRON_SECRET""#))
        let allowed = try await cli.run(["trigger", "shop/hourly-sync", "--dry-run"], env: secretEnv)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(server.requests.isEmpty)
    }

    @Test("Ctrl-C during a request: the run is recorded as interrupted (no dead letter, not a failure), exit 130")
    func interruptedRunIsNotAFailure() async throws {
        let server = try LoopbackServer(status: 200, delayMs: 30_000)
        defer { server.stop() }
        let cli = try await setUp(server)
        defer { cli.cleanup() }
        async let triggered = cli.run(["trigger", "shop/hourly-sync", "--timeout", "50s", "--retries", "0"], env: secretEnv)
        // The run is written (with its process id) before its request; wait for the request to arrive, then interrupt.
        var pid: Int32?
        for _ in 0..<200 where pid == nil || server.requests.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            let row = try await runTool("/usr/bin/sqlite3", [cli.db, "SELECT pid FROM runs WHERE state = 'started'"])
            pid = Int32(row.text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let running = try #require(pid, "the run was never recorded as started")
        #expect(kill(running, SIGINT) == 0)
        let outcome = try await triggered
        #expect(outcome.status == 130, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("1 run(s) in flight recorded as interrupted"))
        let rows = try await runTool("/usr/bin/sqlite3", [cli.db, "SELECT state, outcome FROM runs; SELECT count(*) FROM dead_letters"])
        #expect(rows.text == "finished|interrupted\n0\n")
        // Not a failure: the stats count no failed run, and the next trigger marks nothing abandoned.
        let stats = try await cli.run(["stats", "--json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let jobs = try #require((try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])?["jobs"] as? [[String: Any]])
        let job = try #require(jobs.first { $0["app"] as? String == "shop" && $0["job"] as? String == "hourly-sync" })
        #expect(job["failures"] as? Int == 0 && job["failure_streak"] as? Int == 0)
        let next = try await cli.run(["trigger", "shop/hourly-sync", "--dry-run"], env: secretEnv)
        #expect(!next.stderr.contains("abandoned"))
    }

    @Test("a group prints seed 003's summary JSON; --schedule picks the time-of-day group")
    func groupSummary() async throws {
        let server = try LoopbackServer(status: 200)
        defer { server.stop() }
        let cli = try await setUp(server)
        defer { cli.cleanup() }
        for arguments in [["trigger", "--group", "shop/dispatcher", "--json", "--parallel", "2"],
                          ["trigger", "--app", "shop", "--schedule", "daily", "--at", "09:00", "--json"]] {
            let outcome = try await cli.run(arguments, env: secretEnv)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            #expect(Set(json.keys) == ["success", "schedule", "summary", "results"])
            let summary = try #require(json["summary"] as? [String: Any])
            #expect(summary["total"] as? Int == 2 && summary["succeeded"] as? Int == 2 && summary["failed"] as? Int == 0)
            #expect(summary["totalDuration"] is Int)
            let results = try #require(json["results"] as? [[String: Any]])
            #expect(results.map { $0["taskId"] as? String } == ["step-one", "step-two"])
            #expect(results.first?["message"] as? String == "handled")
        }
        #expect(server.requests.count == 4)
    }

    @Test("--due from two rbscron processes at once sends each fire once")
    func dueTwoProcesses() async throws {
        let server = try LoopbackServer(status: 200, delayMs: 200)
        defer { server.stop() }
        let cli = try await setUp(server)
        defer { cli.cleanup() }
        let arguments = ["trigger", "--due", "--blind", "--at", "2026-04-10T09:10:00Z", "--window", "30m", "--json"]
        async let first = cli.run(arguments, env: secretEnv)
        async let second = cli.run(arguments, env: secretEnv)
        let both = try await [first, second]
        #expect(both.count == 2)
        #expect(both.allSatisfy { $0.status == 0 }, "\(both.map(\.stderr))")
        // Due at 09:10 within 30 minutes: hourly-sync (09:00) and dispatcher (09:00); fan-out children are not scheduled.
        let paths = server.paths.sorted()
        #expect(paths == ["/api/cron/dispatcher", "/api/cron/hourly-sync"])
        let fired = both.compactMap { try? JSONSerialization.jsonObject(with: Data($0.stdout.utf8)) as? [[String: Any]] }.flatMap { $0 }
        #expect(fired.count == 2 && fired.allSatisfy { $0["source"] as? String == "due" && $0["scheduled_for"] as? String == "2026-04-10T09:00:00Z" })

        let again = try await cli.run(arguments, env: secretEnv)
        #expect(again.status == 0 && again.stderr.contains("already fired"))
        #expect(server.requests.count == 2)
    }
}
