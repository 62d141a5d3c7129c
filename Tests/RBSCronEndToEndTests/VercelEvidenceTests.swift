import Foundation
import RBSCronTestSupport
import Testing

/// `stats --sync` through the built binary against the loopback Vercel stand-in: the calls Vercel's request log
/// shows are stored as runs, each job's observation as what Vercel could tell, and what cannot be read is a warning.
@Suite("Vercel evidence through the built binary", .timeLimit(.minutes(2)))
struct VercelEvidenceTests {
    static let token = "vercel-e2e-token-0123456789abcdef"

    static func query(_ db: String, _ sql: String) async throws -> [[String]] {
        try await runTool("/usr/bin/sqlite3", [db, sql]).text.split(separator: "\n")
            .map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test("stats --sync stores the request log's calls as runs and an observation per Vercel job; again adds nothing")
    func syncStoresRuns() async throws {
        let standIn = try VercelStandIn(token: Self.token)
        defer { standIn.stop() }
        let anchor = VercelScript.anchor(now: Date())
        VercelScript.load(into: standIn, anchor: anchor)
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("vercel.yaml")
        try Data(VercelScript.manifest(baseURL: "https://web.example.test").utf8).write(to: file)
        let imported = try await rbs.run(["import", file.path, "--yes"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let exported = try await rbs.run(["export"])
        #expect(exported.stdout.contains("vercel_project: web-app\n  vercel_team: team_rbs\n"), "\(exported.stdout)")

        let env = standIn.environment.merging(["RBSCRON_SECRET_GLOBAL_VERCEL_TOKEN": Self.token]) { _, new in new }
        let synced = try await rbs.run(["stats", "--sync", "--json"], env: env)
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stderr.contains("synced vercel (web-app, paused-app): 8 request-log rows, 4 calls, 4 new"), "\(synced.stderr)")
        let runs = try await Self.query(rbs.db, """
            SELECT app, job, outcome, coalesce(http_status, ''), idempotency_key, error FROM runs WHERE source = 'remote'
            ORDER BY idempotency_key
            """)
        #expect(runs.map { $0.prefix(5).joined(separator: " ") } == [
            "web broken http_error 500 vercel:req-broken", "web late ok 200 vercel:req-late", "web ok ok 200 vercel:req-ok",
            "paused ok ok 200 vercel:req-paused",
        ])
        #expect(runs.allSatisfy { $0.last?.contains("Vercel does not say whether Vercel Cron or someone else made this call") == true })

        let observations = try await Self.query(rbs.db, """
            SELECT app, job, layer, coalesce(schedule_state, '-'), history_from IS NOT NULL, coalesce(note, '') FROM layer_observations
            ORDER BY app, job
            """)
        let byJob = Dictionary(uniqueKeysWithValues: observations.map { ("\($0[0])/\($0[1])", $0) })
        #expect(byJob["web/ok"]?[2...4] == ["vercel", "active", "1"])
        #expect(byJob["web/silent"]?[2...4] == ["vercel", "active", "1"])
        #expect(byJob["paused/ok"]?[3] == "paused" && byJob["paused/ok"]?[5].contains("disabled") == true)
        #expect(byJob["blind/ok"]?[3...4] == ["-", "0"] && byJob["blind/ok"]?[5].contains("no vercel_project") == true)

        let again = try await rbs.run(["stats", "--sync"], env: env)
        #expect(again.status == 0 && again.stderr.contains("4 calls, 0 new"), "\(again.stderr)")
        for outcome in [imported, exported, synced, again] {
            #expect(!outcome.stdout.contains(Self.token) && !outcome.stderr.contains(Self.token))
        }
        let logged = standIn.requests.filter { $0.path == "/api/logs/request-logs" }
        #expect(!logged.isEmpty && logged.allSatisfy { $0.authorization == "Bearer \(Self.token)" })
    }

    @Test("without VERCEL_TOKEN, or with one Vercel refuses, stats --sync warns, names the secret and still succeeds")
    func tokenProblemsWarn() async throws {
        let standIn = try VercelStandIn(token: Self.token)
        defer { standIn.stop() }
        VercelScript.load(into: standIn, anchor: VercelScript.anchor(now: Date()))
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("vercel.yaml")
        try Data(VercelScript.manifest(baseURL: "https://web.example.test").utf8).write(to: file)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)

        let missing = try await rbs.run(["stats", "--sync", "--app", "web"], env: standIn.environment)
        #expect(missing.status == 0, "\(missing.stderr)")
        #expect(missing.stderr.contains("vercel: no project read; its jobs stay unobserved"), "\(missing.stderr)")
        #expect(missing.stderr.contains("no VERCEL_TOKEN; store it with `rbscron secret set global VERCEL_TOKEN --from-env VERCEL_TOKEN`"))
        #expect(standIn.requests.isEmpty)
        let notes = try await Self.query(rbs.db, "SELECT DISTINCT note FROM layer_observations WHERE app = 'web'")
        #expect(notes.count == 1 && notes.first?.first?.hasPrefix("no VERCEL_TOKEN: store it with") == true)

        let revoked = "revoked-vercel-token-0123456789"
        let refused = try await rbs.run(["stats", "--sync", "--app", "web"],
                                        env: standIn.environment.merging(["RBSCRON_SECRET_WEB_VERCEL_TOKEN": revoked]) { _, new in new })
        #expect(refused.status == 0, "\(refused.stderr)")
        #expect(refused.stderr.contains("refused VERCEL_TOKEN (HTTP 403"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(revoked) && !refused.stdout.contains(revoked))

        let badURL = try await rbs.run(["stats", "--sync", "--app", "web"], env: ["VERCEL_API_URL": "ftp://vercel.example",
                                                                                  "RBSCRON_SECRET_GLOBAL_VERCEL_TOKEN": Self.token])
        #expect(badURL.status == 1 && badURL.stderr.contains("VERCEL_API_URL"), "\(badURL.stderr)")
    }
}
