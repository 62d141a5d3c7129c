import Foundation
import RBSCronTestSupport
import Testing

extension PgCronBinaryTests {
    static let truthManifest = """
        version: 1
        apps:
          - name: mesa
            display_name: Mesa
            base_url: https://mesa.example.test
            platform: vercel
            supabase: {url: https://mesa.supabase.co, project_ref: mesa}
            jobs:
              - {name: ok, path: /api/cron/ok, method: POST, layer: pg_cron, schedule: "* * * * *", auth: cron_secret, timeout: 5s}
              - {name: denied, path: /api/cron/denied, method: POST, layer: pg_cron, schedule: "* * * * *", auth: cron_secret, timeout: 5s}
              - {name: down, path: /api/cron/down, method: GET, layer: pg_cron, schedule: "* * * * *", auth: cron_secret, timeout: 5s}
              - {name: hang, path: /api/cron/hang, method: POST, layer: pg_cron, schedule: "* * * * *", auth: cron_secret, timeout: 2s}
              - {name: keep-alive-ping, sql: "SELECT keep_alive()", layer: pg_cron, schedule: "0 12 */3 * *", auth: none}
        """

    /// The endpoints of the truth test: what each answers, as pg_cron's own history would never tell.
    static func endpoints() throws -> LoopbackServer {
        try LoopbackServer { request in
            switch request.path {
            case "/api/cron/ok": return .json(200, #"{"ok": true}"#)
            case "/api/cron/denied": return .json(401, #"{"error": "unauthorized"}"#)
            case "/api/cron/down": return .json(503, #"{"error": "maintenance"}"#)
            case "/api/cron/hang": return .silence
            default: return .json(404, #"{"error": "no such cron"}"#)
            }
        }
    }

    /// Reads one run row per job from the inventory file with sqlite3: outcome and HTTP status of its remote runs.
    static func remoteRuns(_ db: String) async throws -> [String: [String]] {
        let text = try await runTool("/usr/bin/sqlite3", [db, """
            SELECT job || '|' || outcome || '|' || coalesce(http_status, '') FROM runs WHERE source = 'remote' ORDER BY job, id
            """]).text
        var byJob: [String: [String]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            byJob[parts[0], default: []].append(parts[1] + (parts[2].isEmpty ? "" : " \(parts[2])"))
        }
        return byJob
    }

    @Test("pg_cron truth: every real fire recorded with what the endpoint answered (200, 401, 503, hang), trigger --via pg_cron too",
          .timeLimit(.minutes(4)))
    func pgCronTruth() async throws {
        let db = try await PgTestDatabase.open()
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let endpoint = try Self.endpoints()
        defer { endpoint.stop() }
        let token = "sbp_truth\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let secret = "cron-secret-truth-\(UUID().uuidString)"

        // The migration the binary writes, applied twice, on a database without the keep-alive functions.
        let file = rbs.home.appendingPathComponent("mesa.yaml")
        try Self.truthManifest.write(to: file, atomically: true, encoding: .utf8)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        let out = rbs.home.appendingPathComponent("migrations")
        let applied = try await rbs.run(["schedule", "apply", "--layer", "pg_cron", "--app", "mesa", "--out", out.path])
        #expect(applied.status == 0, "\(applied.stderr)")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: out.path).first)
        let migration = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
        #expect(try await db.exec("SELECT count(*) FROM pg_proc WHERE proname = 'keep_alive'").hasPrefix("0"))
        try await db.exec(migration)
        try await db.exec(migration)
        try await db.exec("SELECT keep_alive();")  // created by the migration
        try await db.createSecret("rbscron_mesa_base_url", endpoint.baseURL)
        try await db.createSecret("rbscron_mesa_cron_secret", secret)

        // pg_cron fires the four every-minute jobs at the next minute boundary; wait for their four answers.
        var answered: [PgTestDatabase.Fire] = []
        let deadline = Date().addingTimeInterval(100)
        while Date() < deadline {
            try await Task.sleep(for: .seconds(2))
            _ = try await db.exec("SELECT * FROM rbscron.collect_http_responses();")
            answered = try await db.fires().filter { $0.trigger == "cron" && $0.outcome != "pending" }
            if Set(answered.compactMap(\.job_name)).count == 4 { break }
        }
        try await db.deactivateJobs()
        // A fire pg_cron started at a later minute boundary, before the jobs were deactivated, gets its answer
        // before the history is read (the hanging endpoint's takes up to 14 s): every fire then has its outcome.
        let settled = Date().addingTimeInterval(40)
        while Date() < settled {
            _ = try await db.exec("SELECT * FROM rbscron.collect_http_responses();")
            if try await db.fires().allSatisfy({ $0.outcome != "pending" }) { break }
            try await Task.sleep(for: .seconds(1))
        }
        #expect(Set(answered.compactMap(\.job_name)) == ["rbs-mesa-ok", "rbs-mesa-denied", "rbs-mesa-down", "rbs-mesa-hang"])
        // pg_cron's own verdict for all of them: succeeded.
        let cronSays = try await db.exec("""
            SELECT DISTINCT d.status FROM cron.job_run_details d JOIN cron.job j USING (jobid)
            WHERE j.jobname IN ('rbs-mesa-ok', 'rbs-mesa-denied', 'rbs-mesa-down', 'rbs-mesa-hang') AND d.status IN ('succeeded', 'failed');
            """)
        #expect(cronSays.split(separator: "\n").map(String.init) == ["succeeded"])

        // stats --sync reads the history through the Management API: the runs are what the endpoints answered.
        let api = try Self.managementAPI(db: db, ref: "mesa", token: token)
        defer { api.stop() }
        let env = ["RBSCRON_SECRET_GLOBAL_SUPABASE_ACCESS_TOKEN": token, "SUPABASE_API_URL": api.baseURL]
        let synced = try await rbs.run(["stats", "--sync", "--app", "mesa", "--since", "1h", "--json"], env: env)
        #expect(synced.status == 0, "\(synced.stderr)")
        let runs = try await Self.remoteRuns(rbs.db)
        let served = Dictionary(grouping: endpoint.requests, by: \.path).mapValues(\.count)
        #expect(runs["ok"]?.first == "ok 200")
        #expect(runs["denied"]?.first == "http_error 401")
        #expect(runs["down"]?.first == "http_error 503")
        #expect(runs["hang"]?.first == "timeout")
        for job in ["ok", "denied", "down", "hang"] {
            // Fire by fire: as many runs as the endpoint received calls (pg_cron may have fired twice).
            #expect(runs[job]?.count == served["/api/cron/\(job)"], "\(job): \(runs[job] ?? []) vs \(served)")
        }
        #expect(endpoint.requests.allSatisfy { $0.authorization == "Bearer \(secret)" })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(synced.stdout.utf8)) as? [String: Any])
        let jobs = try #require(report["jobs"] as? [[String: Any]])
        let status = Dictionary(uniqueKeysWithValues: jobs.map { ($0["job"] as? String ?? "", $0["status"] as? String ?? "") })
        #expect(status["ok"] == "green" && status["denied"] == "red" && status["down"] == "red" && status["hang"] == "red", "\(status)")
        // Fire by fire: every call pg_cron made is accounted for with the endpoint's answer, and no fire before the
        // migration was applied counts as missed.
        let counts = Dictionary(uniqueKeysWithValues: jobs.map { ($0["job"] as? String ?? "", $0["fire_counts"] as? [String: Int] ?? [:]) })
        let expectedState = ["ok": "delivered", "denied": "failed", "down": "failed", "hang": "unknown"]
        for (job, state) in expectedState {
            let fires = jobs.first { $0["job"] as? String == job }?["fires"] ?? []
            #expect((counts[job]?[state] ?? 0) == served["/api/cron/\(job)"], "\(job): \(fires) vs \(served)")
            #expect(counts[job]?["missed"] == 0, "\(job): \(counts[job] ?? [:])")
        }
        let again = try await rbs.run(["stats", "--sync", "--app", "mesa", "--since", "1h"], env: env)
        #expect(again.status == 0 && again.stderr.contains(", 0 new"), "\(again.stderr)")

        // trigger --via pg_cron runs the job's own command in the database and records what pg_net saw.
        let via = try await rbs.run(["trigger", "mesa/down", "--via", "pg_cron", "--json"], env: env)
        #expect(via.status == 2, "\(via.stderr)")
        let viaRun = try #require((try JSONSerialization.jsonObject(with: Data(via.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(viaRun["outcome"] as? String == "http_error" && viaRun["http_status"] as? Int == 503)
        let manual = try await db.fires().filter { $0.trigger == "manual" }
        #expect(manual.map(\.outcome) == ["http_error"] && manual.first?.status_code == 503)
        let viaOk = try await rbs.run(["trigger", "mesa/ok", "--via", "pg_cron"], env: env)
        #expect(viaOk.status == 0 && viaOk.stdout.contains("ok"), "\(viaOk.stdout)\(viaOk.stderr)")
        let viaSQL = try await rbs.run(["trigger", "mesa/keep-alive-ping", "--via", "pg_cron", "--json"], env: env)
        #expect(viaSQL.status == 0, "\(viaSQL.stdout)\(viaSQL.stderr)")

        // The secret's plaintext is nowhere: not in what was printed, not in the inventory file, not in what the
        // app's database keeps (its history, pg_cron's jobs and their messages).
        for outcome in [applied, synced, again, via, viaOk, viaSQL] {
            #expect(!outcome.stdout.contains(secret) && !outcome.stderr.contains(secret))
            #expect(!outcome.stdout.contains(token) && !outcome.stderr.contains(token))
        }
        for stored in try FileManager.default.contentsOfDirectory(atPath: rbs.home.path) where stored.hasPrefix("inventory.sqlite") {
            let bytes = try Data(contentsOf: rbs.home.appendingPathComponent(stored))
            #expect(bytes.range(of: Data(secret.utf8)) == nil && bytes.range(of: Data(token.utf8)) == nil, "\(stored)")
        }
        let inDatabase = try await db.exec("""
            SELECT (SELECT count(*) FROM rbscron.fires f WHERE concat_ws(' ', f.error_msg, f.body_excerpt, f.job_name) LIKE '%\(secret)%')
                 + (SELECT count(*) FROM cron.job WHERE command LIKE '%\(secret)%')
                 + (SELECT count(*) FROM cron.job_run_details WHERE return_message LIKE '%\(secret)%');
            """)
        #expect(inDatabase.split(separator: "\n").last == "0")
    }

    @Test("a project Supabase reports paused: its jobs unobserved (not missed, not green), keepalive --status exits 2")
    func pausedProject() async throws {
        let db = try await PgTestDatabase.open()
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("mesa.yaml")
        try Self.truthManifest.write(to: file, atomically: true, encoding: .utf8)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        let token = "sbp_paused\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let api = try Self.managementAPI(db: db, ref: "mesa", token: token, status: "INACTIVE")
        defer { api.stop() }
        let env = ["RBSCRON_SECRET_GLOBAL_SUPABASE_ACCESS_TOKEN": token, "SUPABASE_API_URL": api.baseURL]
        let synced = try await rbs.run(["stats", "--sync", "--app", "mesa", "--json"], env: env)
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.stderr.contains("pg_cron of project mesa (mesa) not read") && synced.stderr.contains("INACTIVE"))
        #expect(api.requests.allSatisfy { $0.method == "GET" }, "a paused project's database is not queried")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(synced.stdout.utf8)) as? [String: Any])
        for job in try #require(report["jobs"] as? [[String: Any]]) {
            #expect(job["observation"] as? String == "unobserved" && job["observation_note"] as? String == "project paused")
            #expect(job["missed_fires"] is NSNull && job["status"] as? String == "grey")
        }
        let status = try await rbs.run(["keepalive", "--status", "--project", "mesa", "--json"])
        #expect(status.status == 2)
        #expect(status.stdout.contains(#""state" : "paused""#))
    }
}
