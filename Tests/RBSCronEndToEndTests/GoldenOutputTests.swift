import Foundation
import QStashStandIn
import RBSCronTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every command's `--json` output and exit code, pinned in `Golden/*.golden`, so that moving code around cannot
/// change a contract other tools read. Volatile values (times, durations, ports, the scratch folder) are
/// normalised; everything else must match byte for byte.
///
/// Regenerate after a deliberate change with `RBSCRON_UPDATE_GOLDEN=1 swift test --filter Golden`, read the diff,
/// and note a changed JSON shape in CHANGELOG.md.
@Suite("golden outputs: JSON shapes and exit codes of every command", .serialized, .timeLimit(.minutes(5)))
struct GoldenOutputTests {
    static let folder = RBSCronProcess.repositoryRoot.appendingPathComponent("Tests/RBSCronEndToEndTests/Golden")
    static let updating = ProcessInfo.processInfo.environment["RBSCRON_UPDATE_GOLDEN"] == "1"

    static let cronSecret = "golden-cron-secret-0123456789abcdef"
    static let anonKey = "golden-anon-key-0123456789abcdef0123"
    static let signingKey = "sig_golden0123456789abcdefghijklmnopqrstu"
    static let qstashToken = "golden-qstash-token-0123456789abcdef"
    static let accessToken = "sbp_golden0123456789abcdef0123456789abcd"
    static let masterKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

    /// Keys whose values change from run to run; their values are replaced (null stays null).
    static let volatileKeys: Set<String> = [
        "started_at", "finished_at", "duration_ms", "timings", "generated_at", "since", "fires_checked_until",
        "checked_at", "pinged_at", "total_ms", "created_at", "rotated_at", "previous_expires_at", "previous_valid_until",
        "last_success_at", "last_attempt_at", "days_since", "pauses_after", "last_checked_at", "p50_ms", "p95_ms",
        "max_ms", "p95_latency_ms", "totalDuration", "duration", "observed_since", "at", "older_than",
        "last_schedule_time", "next_schedule_time", "uptime", "opened_at", "last_seen_at", "resolved_at", "expires_at",
        "resolved_since", "delivered_at", "next_start", "open_until",
    ]

    // MARK: Normalising

    static func normalize(text: String, home: String) -> String {
        var out = text.replacingOccurrences(of: home, with: "<home>")
        out = out.replacing(/127\.0\.0\.1:\d+/, with: "127.0.0.1:<port>")
        out = out.replacing(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/, with: "<time>")
        out = out.replacing(/\d{14}_rbscron/, with: "<stamp>_rbscron")
        return out
    }

    /// Which fires of a rolling window exist, and which are still `pending` (the last 15 minutes), depends on the
    /// wall clock: a `*/30` job's latest fire is pending half of every hour, and a fire may fall between an import and
    /// the `stats` that follows it. So `stats` fire lists and fire counts are volatile here (the keys of the counts
    /// stay); the shape of a fire is checked in `loopback()`, and the accounting's values by its own tests
    /// (FireAccounting, EcosystemEvidence).
    static func normalize(key: String, _ item: Any, home: String) -> Any {
        if key == "fires", let fires = item as? [[String: Any]], fires.allSatisfy({ $0["state"] != nil }), !fires.isEmpty {
            return "<fires>"
        }
        if key == "fires", let fires = item as? [Any], fires.isEmpty { return "<fires>" }
        if key == "fire_counts", let counts = item as? [String: Any] {
            return counts.mapValues { _ in "<count>" }
        }
        return normalize(json: item, home: home)
    }

    static func normalize(json value: Any, home: String) -> Any {
        switch value {
        case let object as [String: Any]:
            var out: [String: Any] = [:]
            for (key, item) in object {
                out[key] = volatileKeys.contains(key) && !(item is NSNull) ? "<volatile>" : normalize(key: key, item, home: home)
            }
            return out
        case let array as [Any]:
            return array.map { normalize(json: $0, home: home) }
        case let text as String:
            return normalize(text: text, home: home)
        default:
            return value
        }
    }

    /// The golden text of one invocation: its exit status, then stdout (JSON re-serialised with sorted keys).
    static func render(_ outcome: Outcome, home: String, stderr: Bool) -> String {
        var body = normalize(text: outcome.stdout, home: home)
        if let data = outcome.stdout.data(using: .utf8), !outcome.stdout.isEmpty,
           let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
           let again = try? JSONSerialization.data(withJSONObject: normalize(json: parsed, home: home),
                                                   options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]) {
            body = String(decoding: again, as: UTF8.self) + "\n"
        }
        var text = "exit: \(outcome.status)\n--- stdout\n\(body)"
        if stderr { text += "--- stderr\n" + normalize(text: outcome.stderr, home: home) }
        return text
    }

    static func check(_ name: String, _ outcome: Outcome, _ rbs: RBSCronProcess, stderr: Bool = false,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = render(outcome, home: rbs.home.path, stderr: stderr)
        let file = folder.appendingPathComponent("\(name).golden")
        if updating {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: file)
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("no golden file \(file.lastPathComponent); run with RBSCRON_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if actual != expected {
            Issue.record("\(name): output differs from \(file.lastPathComponent):\n\(firstDifference(expected: expected, actual: actual))",
                         sourceLocation: sourceLocation)
        }
    }

    /// The first differing line with a little context on each side, so a failure in CI's log says what changed.
    static func firstDifference(expected: String, actual: String, context: Int = 3) -> String {
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let got = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let index = (0..<min(want.count, got.count)).first { want[$0] != got[$0] } ?? min(want.count, got.count)
        let from = max(0, index - context)
        func lines(_ text: [Substring], _ mark: String) -> String {
            text[min(from, text.count)..<min(index + context + 1, text.count)].enumerated()
                .map { "\(mark) \(from + $0.offset + 1): \($0.element)" }.joined(separator: "\n")
        }
        return "expected (\(want.count) lines):\n\(lines(want, "-"))\nactual (\(got.count) lines):\n\(lines(got, "+"))"
    }

    // MARK: The embedded inventory

    @Test("the embedded inventory: listings, schedules, plans, exports, stats, errors")
    func embedded() async throws {
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let cases: [(String, [String], Bool)] = [
            ("list-apps", ["list", "apps", "--json"], false),
            ("list-jobs-camino", ["list", "jobs", "--app", "camino", "--json"], false),
            ("list-schedules", ["list", "schedules", "--json"], false),
            ("list-secrets-empty", ["list", "secrets", "--json"], false),
            ("secret-list-empty", ["secret", "list", "--json"], false),
            ("schedule-next-expression", ["schedule", "next", "0 14 * * *", "--from", "2026-03-08T00:00:00Z", "--count", "3",
                                          "--tz", "America/Mexico_City", "--json"], false),
            ("schedule-next-job", ["schedule", "next", "camino/voice-outbound", "--from", "2026-03-08T00:00:00Z",
                                   "--count", "3", "--json"], false),
            ("schedule-next-fanout", ["schedule", "next", "agora/keep-alive", "--from", "2026-03-08T00:00:00Z",
                                      "--count", "2", "--json"], false),
            ("schedule-timeline", ["schedule", "timeline", "--from", "2026-04-01T00:00:00Z", "--hours", "3", "--json"], false),
            ("schedule-timeline-budget", ["schedule", "timeline", "--budget", "--app", "colectiva", "--from", "2026-05-01T00:00:00Z",
                                          "--hours", "72", "--json"], false),
            ("schedule-migrate-camino", ["schedule", "migrate", "--layer", "vercel", "--app", "camino",
                                         "--from", "2026-05-01T00:00:00Z", "--json"], false),
            ("schedule-check", ["schedule", "check", "--from", "2026-05-01T00:00:00Z", "--json"], false),
            ("schedule-check-exit-code", ["schedule", "check", "--from", "2026-05-01T00:00:00Z", "--exit-code", "--json"], false),
            ("plan-pg-cron-camino", ["schedule", "plan", "--layer", "pg_cron", "--app", "camino", "--json"], false),
            ("keepalive-sql-baul", ["keepalive", "--sql", "--project", "baul"], false),
            ("keepalive-status", ["keepalive", "--status", "--json"], false),
            ("export", ["export"], false),
            ("stats-empty", ["stats", "--app", "caracol", "--json"], false),
            ("cleanup-dry-run", ["cleanup", "--dry-run", "--json"], false),
            ("import-dry-run", ["import", RBSCronProcess.repositoryRoot.appendingPathComponent("examples/dual-cron.yaml").path,
                                "--dry-run", "--json"], false),
            ("error-unknown-job", ["trigger", "camino/dispatcher"], true),
            ("error-bad-cron", ["schedule", "next", "61 * * * *"], true),
            ("error-unknown-app", ["stats", "--app", "camin"], true),
            ("error-bad-duration", ["stats", "--since", "soon"], true),
        ]
        for (name, arguments, stderr) in cases {
            try Self.check(name, try await rbs.run(arguments), rbs, stderr: stderr)
        }
    }

    // MARK: A loopback ecosystem

    static func manifest(base: String, refused: String) -> String {
        """
        version: 1
        apps:
          - name: demo
            display_name: Demo
            base_url: \(base)
            platform: vercel
            vercel_plan: pro
            health: {path: /health}
            supabase: {url: \(base), project_ref: demoref}
            jobs:
              - {name: ok, path: /api/cron/ok, method: GET, layer: vercel, schedule: "0 9 * * *", auth: cron_secret}
              - {name: failing, path: /api/cron/fail, method: GET, layer: vercel, schedule: "0 9 * * *", auth: cron_secret}
              - {name: dispatcher, path: /api/cron/dispatcher, method: GET, layer: vercel, schedule: "0 6 * * *", auth: cron_secret}
              - {name: step-one, path: /api/cron/step-one, layer: fanout, triggered_by: demo/dispatcher, order: 1}
              - {name: step-two, path: /api/cron/step-two, layer: fanout, triggered_by: demo/dispatcher, order: 2, depends_on: [demo/step-one]}
              - {name: signed, path: /api/cron/signed, layer: qstash, schedule: "*/30 * * * *", auth: qstash}
              - {name: sync, path: /api/cron/sync, layer: pg_cron, schedule: "0 */6 * * *", auth: cron_secret}
              - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 * * 1", auth: none}
          - name: down
            display_name: Down
            base_url: \(refused)
            platform: other
            health: {path: /}
        """
    }

    static var secretEnv: [String: String] {
        ["RBSCRON_SECRET_DEMO_CRON_SECRET": cronSecret, "RBSCRON_SECRET_DEMO_SUPABASE_ANON_KEY": anonKey,
         "RBSCRON_SECRET_DEMO_QSTASH_CURRENT_SIGNING_KEY": signingKey, "RBSCRON_SECRET_GLOBAL_QSTASH_TOKEN": qstashToken,
         "RBSCRON_SECRET_GLOBAL_SUPABASE_ACCESS_TOKEN": accessToken]
    }

    static let pgCronRows = """
        [{"jobid": 1, "jobname": "rbs-demo-sync", "schedule": "0 */6 * * *", "command": "/* rbscron:demo */ SELECT 1",
          "active": true, "database": "postgres", "username": "postgres", "last_runid": 7, "last_status": "succeeded",
          "last_start_ms": 1775808000000, "last_end_ms": 1775808000120},
         {"jobid": 2, "jobname": "by-hand", "schedule": "0 4 * * *", "command": "SELECT 'Bearer abcdefghijklmnop'",
          "active": false, "database": "postgres", "username": "postgres", "last_runid": null, "last_status": null,
          "last_start_ms": null, "last_end_ms": null}]
        """

    @Test("a loopback ecosystem: trigger, health-check, keepalive, layer sync, remote listings, secrets, stats, audit")
    func loopback() async throws {
        let app = try LoopbackServer { request in
            switch request.path {
            case "/api/cron/fail": return .text(503, "busy")
            case "/health": return .text(200, "ok")
            case "/rest/v1/rpc/keep_alive":
                return request.header("apikey") == Self.anonKey ? LoopbackReply(status: 204) : .text(401, "no")
            case "/v1/projects/demoref/database/query":
                return request.authorization == "Bearer \(Self.accessToken)" ? .json(201, Self.pgCronRows) : .json(401, #"{"message":"no"}"#)
            default: return .json(200, #"{"success":true,"message":"handled"}"#)
            }
        }
        defer { app.stop() }
        let refused = try LoopbackListener.open(listening: false)
        defer { close(refused.fd) }
        let qstash = try await QStashStandIn.start(token: Self.qstashToken)
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("demo.yaml")
        try Data(Self.manifest(base: app.baseURL, refused: "http://127.0.0.1:\(refused.port)").utf8).write(to: file)
        try Self.check("import-demo", try await rbs.run(["import", file.path, "--yes", "--json"]), rbs)

        var env = Self.secretEnv
        env["QSTASH_URL"] = qstash.baseURL
        env["SUPABASE_API_URL"] = app.baseURL
        let vercelJSON = rbs.home.appendingPathComponent("vercel.json").path
        let cases: [(String, [String], [String: String])] = [
            ("trigger-ok", ["trigger", "demo/ok", "--json"], env),
            ("trigger-failing", ["trigger", "demo/failing", "--json"], env),
            ("trigger-dry-run", ["trigger", "demo/sync", "--dry-run", "--body", #"{"n":1}"#, "--json"], env),
            ("trigger-denied", ["trigger", "demo/ok", "--json"], [:]),
            ("trigger-group", ["trigger", "--group", "demo/dispatcher", "--json"], env),
            ("trigger-due", ["trigger", "--due", "--at", "2026-04-10T09:10:00Z", "--window", "30m", "--json"], env),
            ("trigger-due-explain", ["trigger", "--due", "--at", "2026-04-10T09:10:00Z", "--window", "30m", "--explain", "--json"], env),
            ("trigger-replay", ["trigger", "--replay-dead-letters", "--json"], env),
            ("health-check", ["health-check", "--json"], env),
            ("keepalive", ["keepalive", "--project", "demo", "--json"], env),
            ("keepalive-status-demo", ["keepalive", "--status", "--project", "demo", "--json"], env),
            ("stats-demo", ["stats", "--app", "demo", "--json"], env),
            ("plan-vercel", ["schedule", "plan", "--layer", "vercel", "--app", "demo", "--vercel-json", vercelJSON, "--json"], env),
            ("apply-vercel", ["schedule", "apply", "--layer", "vercel", "--app", "demo", "--vercel-json", vercelJSON, "--json"], env),
            ("remote-vercel", ["list", "schedules", "--remote", "--layer", "vercel", "--app", "demo", "--vercel-json", vercelJSON,
                               "--json"], env),
            ("plan-qstash", ["schedule", "plan", "--layer", "qstash", "--json"], env),
            ("apply-qstash", ["schedule", "apply", "--layer", "qstash", "--json"], env),
            ("remote-qstash", ["list", "schedules", "--remote", "--layer", "qstash", "--json"], env),
            ("pause-qstash", ["schedule", "pause", "demo/signed"], env),
            ("cleanup-remote-qstash", ["cleanup", "--remote", "--layer", "qstash", "--dry-run", "--json"], env),
            ("remote-pg-cron", ["list", "schedules", "--remote", "--layer", "pg_cron", "--app", "demo", "--json"], env),
            ("plan-pg-cron-demo", ["schedule", "plan", "--layer", "pg_cron", "--app", "demo", "--json"], env),
            ("audit-dry-run", ["audit", "--app", "demo", "--dry-run", "--json"], env),
            ("audit", ["audit", "--app", "demo", "--yes", "--json"], env),
        ]
        for (name, arguments, environment) in cases {
            try Self.check(name, try await rbs.run(arguments, env: environment), rbs)
        }
        // The shape of one fire of a stats report (the goldens leave fire lists out: they follow the wall clock).
        let stats = try await rbs.run(["stats", "--job", "demo/signed", "--json"], env: env)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let fires = try #require((report["jobs"] as? [[String: Any]])?.first?["fires"] as? [[String: Any]])
        #expect(!fires.isEmpty, "a */30 job has fires in a 7-day window")
        for fire in fires {
            #expect(Set(fire.keys) == ["at", "attempts", "by", "called_at", "http_status", "reason", "state"], "\(fire)")
        }
        await qstash.stop()

        // Secrets in the inventory, sealed under a master key from the environment.
        let keyed = ["RBSCRON_MASTER_KEY": Self.masterKey]
        #expect(try await rbs.run(["secret", "set", "demo", "CRON_SECRET"], stdin: Self.cronSecret, env: keyed).status == 0)
        try Self.check("secret-list", try await rbs.run(["secret", "list", "--json"], env: keyed), rbs)
        var rotating = keyed
        rotating["NEW_CRON_SECRET"] = "golden-rotated-secret-0123456789abcdef"
        try Self.check("secret-rotate", try await rbs.run(["secret", "rotate", "demo", "CRON_SECRET", "--from-env", "NEW_CRON_SECRET",
                                                           "--json"], env: rotating), rbs)
        try Self.check("list-secrets-demo", try await rbs.run(["list", "secrets", "--app", "demo", "--json"], env: keyed), rbs)
    }

    @Test("alerts: a route, a check that opens an incident and notifies, the list, a silence")
    func alerts() async throws {
        let app = try LoopbackServer { request in
            request.path == "/api/cron/fail" ? .text(503, "busy") : .json(200, #"{"success":true}"#)
        }
        defer { app.stop() }
        let hooks = try LoopbackServer(status: 200, body: "ok")
        defer { hooks.stop() }
        let refused = try LoopbackListener.open(listening: false)
        defer { close(refused.fd) }
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("demo.yaml")
        try Data((Self.manifest(base: app.baseURL, refused: "http://127.0.0.1:\(refused.port)") + """

            maintenance:
              - {name: leap-day, cron: "0 3 29 2 *", duration: 2h, timezone: America/Mexico_City, apps: [demo], reason: once in four years}
            """).utf8).write(to: file)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        var env = Self.secretEnv
        env["RBSCRON_MASTER_KEY"] = Self.masterKey
        #expect(try await rbs.run(["alert", "route", "add", "hooks", "--webhook", hooks.baseURL + "/hook/golden-hook-token"], env: env).status == 0)
        #expect(try await rbs.run(["trigger", "demo/failing"], env: env).status == 2)
        #expect(try await rbs.run(["health-check", "--app", "down"], env: env).status == 2)
        let cases: [(String, [String])] = [
            ("alert-route-list", ["alert", "route", "list", "--json"]),
            ("alert-check", ["alert", "check", "--json"]),
            ("alert-list", ["alert", "list", "--json"]),
            ("alert-silence", ["alert", "silence", "demo/failing", "--for", "1h", "--reason", "golden", "--json"]),
            ("alert-check-silenced", ["alert", "check", "--json"]),
        ]
        for (name, arguments) in cases {
            try Self.check(name, try await rbs.run(arguments, env: env), rbs)
        }
        #expect(hooks.requests.count == 2, "one open per incident, once")
    }
}
