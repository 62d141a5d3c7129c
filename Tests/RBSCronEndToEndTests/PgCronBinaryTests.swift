import Foundation
import RBSCronTestSupport
import Testing

/// The SQL the built binary writes, applied to the real PostgreSQL + pg_cron of `scripts/pg-test-server.sh`:
/// `schedule apply --layer pg_cron` and `keepalive --sql`, end to end. `PgTestDatabase.open()` takes the lock the
/// in-process pg_cron suites take, so they never share `cron.job` at the same time.
@Suite("pg_cron migrations from the binary on a real PostgreSQL", .serialized,
       .enabled(if: PgTestDatabase.shouldRun, Comment(rawValue: PgTestDatabase.skipReason)))
struct PgCronBinaryTests {
    static func manifest(withVoice: Bool) -> String {
        """
        version: 1
        apps:
          - name: mesa
            display_name: Mesa
            base_url: https://mesa.example.test
            platform: vercel
            supabase: {url: https://mesa.supabase.co, project_ref: mesa}
            jobs:
              - {name: sync-invoices, path: /api/cron/sync-invoices, method: POST, layer: pg_cron, schedule: "0 */6 * * *", auth: cron_secret, timeout: 10s}
              - {name: refresh-stats, sql: "SELECT 1", layer: pg_cron, schedule: "30 2 * * *"}
        \(withVoice ? """
              - {name: voice-outbound, path: /api/cron/voice-outbound, method: GET, layer: pg_cron, schedule: "*/15 9-18 * * 1-6", timezone: America/Mexico_City, auth: cron_secret, timeout: 14s}
        """ : "")
        """
    }

    /// Imports the manifest, runs `schedule apply --layer pg_cron`, and returns the SQL of the migration it wrote.
    func apply(_ rbs: RBSCronProcess, withVoice: Bool, out: URL) async throws -> String {
        let file = rbs.home.appendingPathComponent("mesa-\(withVoice).yaml")
        try Self.manifest(withVoice: withVoice).write(to: file, atomically: true, encoding: .utf8)
        let imported = try await rbs.run(["import", file.path, "--yes"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? [])
        let applied = try await rbs.run(["schedule", "apply", "--layer", "pg_cron", "--app", "mesa", "--out", out.path])
        #expect(applied.status == 0, "\(applied.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { !before.contains($0) }
        let name = try #require(written.first, "apply wrote no migration into \(out.path)")
        #expect(written.count == 1 && name.hasSuffix(".sql") && applied.stdout.contains(name))
        return try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("schedule apply's migration, applied twice, then without a job: exact jobs, the sweep, foreign jobs kept")
    func scheduleMigration() async throws {
        let db = try await PgTestDatabase.open()
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let out = rbs.home.appendingPathComponent("migrations")
        try await db.exec("SELECT cron.schedule('nightly-vacuum', '0 4 * * *', 'VACUUM');")

        // A CRON_SECRET in rbscron's store must not end up in the migration: the invoker reads Vault.
        let token = "pg-e2e-token-\(UUID().uuidString)"
        #expect(try await rbs.run(["secret", "set", "mesa", "CRON_SECRET"], stdin: token).status == 0)
        let first = try await apply(rbs, withVoice: true, out: out)
        try await db.exec(first)
        let once = try await db.cronJobs()
        try await db.exec(first)
        let twice = try await db.cronJobs()
        #expect(twice.map(\.jobid) == once.map(\.jobid), "re-applying replaces by name, keeping job ids")
        let schedules = Dictionary(uniqueKeysWithValues: twice.map { ($0.jobname, $0.schedule) })
        // voice-outbound is meant in Mexico City (UTC-6 all year): two exact UTC entries on GMT pg_cron.
        #expect(schedules == [
            "nightly-vacuum": "0 4 * * *",
            "rbs-mesa-cleanup-cron-history": "0 3 * * 0",
            "rbs-mesa-collect": "*/5 * * * *",
            "rbs-mesa-sync-invoices": "0 */6 * * *",
            "rbs-mesa-refresh-stats": "30 2 * * *",
            "rbs-mesa-voice-outbound": "*/15 15-23 * * 1-6",
            "rbs-mesa-voice-outbound.2": "*/15 0 * * 0,2-6",
        ])
        let sync = try #require(twice.first { $0.jobname == "rbs-mesa-sync-invoices" })
        #expect(sync.command.contains("rbscron.invoke_cron_endpoint('/api/cron/sync-invoices', 'POST', 10000, 'rbs-mesa-sync-invoices')"))
        #expect(!first.contains(token), "no token in the migration: the invoker reads it from Vault")

        // What pg_cron runs: the stored command calls the endpoint through pg_net with Vault's base URL and bearer.
        try await db.deactivateJobs()
        let endpoint = try LoopbackServer(status: 200)
        defer { endpoint.stop() }
        try await db.createSecret("rbscron_mesa_base_url", endpoint.baseURL)
        try await db.createSecret("rbscron_mesa_cron_secret", token)
        let fires = try await db.runJobNow("rbs-mesa-sync-invoices")
        #expect(fires.map(\.outcome) == ["ok"] && fires.first?.status_code == 200)
        #expect(endpoint.requests.count == 1)
        #expect(endpoint.requests.first?.method == "POST" && endpoint.requests.first?.target == "/api/cron/sync-invoices")
        #expect(endpoint.requests.first?.authorization == "Bearer \(token)")

        // The job leaves the inventory: the next migration unschedules both of its entries and nothing else.
        let second = try await apply(rbs, withVoice: false, out: out)
        let result = try await db.run(second)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try await db.cronJobs().map(\.jobname).sorted() == [
            "nightly-vacuum", "rbs-mesa-cleanup-cron-history", "rbs-mesa-collect", "rbs-mesa-refresh-stats",
            "rbs-mesa-sync-invoices",
        ])
    }

    @Test("keepalive --sql applied twice leaves exactly the two keep-alive jobs")
    func keepAliveMigration() async throws {
        let db = try await PgTestDatabase.open()
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let file = rbs.home.appendingPathComponent("mesa.yaml")
        try Self.manifest(withVoice: false).write(to: file, atomically: true, encoding: .utf8)
        #expect(try await rbs.run(["import", file.path, "--yes"]).status == 0)
        let sql = try await rbs.run(["keepalive", "--sql", "--app", "mesa"])
        #expect(sql.status == 0, "\(sql.stderr)")
        try await db.exec(sql.stdout)
        try await db.exec(sql.stdout)
        let jobs = try await db.cronJobs()
        #expect(jobs.map(\.jobname) == ["cleanup-cron-history", "keep-alive-ping"])
        // The scheduled commands run as stored.
        for job in jobs { try await db.exec("DO $t$ BEGIN EXECUTE \(db.quote(job.command)); END $t$;") }
    }

    /// Supabase's `POST /v1/projects/{ref}/database/query`: runs the query the binary posted on the real database
    /// and answers its rows as a JSON array, as the Management API does. Its handler runs on the server's own
    /// thread, which may wait for the psql call.
    static func managementAPI(db: PgTestDatabase, ref: String, token: String, status: String = "ACTIVE_HEALTHY") throws -> LoopbackServer {
        try LoopbackServer { request in
            if request.method == "GET", request.path == "/v1/projects/\(ref)" {
                guard request.authorization == "Bearer \(token)" else { return .json(401, #"{"message":"Unauthorized"}"#) }
                return .json(200, #"{"ref": "\#(ref)", "status": "\#(status)"}"#)
            }
            guard request.method == "POST", request.path == "/v1/projects/\(ref)/database/query" else {
                return .json(404, #"{"message":"not found"}"#)
            }
            guard request.authorization == "Bearer \(token)" else { return .json(401, #"{"message":"Unauthorized"}"#) }
            let body = request.body
            let answer = TestBox((status: 500, body: ""))
            let done = DispatchSemaphore(value: 0)
            Task {
                let result = await db.managementQuery(body)
                answer.mutate { $0 = result }
                done.signal()
            }
            done.wait()
            return .json(answer.value.status, answer.value.body)
        }
    }

    @Test("list schedules --remote --layer pg_cron reads back what the binary's migration scheduled")
    func remoteListing() async throws {
        let db = try await PgTestDatabase.open()
        let rbs = try RBSCronProcess()
        defer { rbs.cleanup() }
        let token = "sbp_e2e_\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let literal = "literal-token-\(UUID().uuidString.prefix(8))"
        let migration = try await apply(rbs, withVoice: true, out: rbs.home.appendingPathComponent("migrations"))
        // Inactive at once, so the server's pg_cron does not fire them; a hand-made job with a token in its
        // command; one run in the history.
        try await db.exec(migration + """

            UPDATE cron.job SET active = false;
            SELECT cron.schedule('report-by-hand', '0 5 * * *',
                $c$SELECT net.http_post(url := 'https://x.test/r', headers := '{"Authorization": "Bearer \(literal)"}'::jsonb)$c$);
            UPDATE cron.job SET active = false;
            INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, status, start_time, end_time)
            SELECT jobid, 1, 'rbscron_test', 'postgres', 'x', 'failed', now() - interval '1 hour', now() - interval '59 minutes'
            FROM cron.job WHERE jobname = 'rbs-mesa-sync-invoices';
            """)
        let api = try Self.managementAPI(db: db, ref: "mesa", token: token)
        defer { api.stop() }
        #expect(try await rbs.run(["secret", "set", "global", "SUPABASE_ACCESS_TOKEN"], stdin: token).status == 0)

        let listed = try await rbs.run(["list", "schedules", "--remote", "--layer", "pg_cron", "--app", "mesa", "--json"],
                                       env: ["SUPABASE_API_URL": api.baseURL])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!listed.stdout.contains(token) && !listed.stderr.contains(token) && !listed.stdout.contains(literal))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
        let project = try #require((report["projects"] as? [[String: Any]])?.first)
        #expect(project["project_ref"] as? String == "mesa" && project["error"] is NSNull)
        let jobs = try #require(project["jobs"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: jobs.compactMap { job in (job["jobname"] as? String).map { ($0, job) } })
        #expect(Set(byName.keys) == ["rbs-mesa-sync-invoices", "rbs-mesa-refresh-stats", "rbs-mesa-voice-outbound",
                                     "rbs-mesa-voice-outbound.2", "rbs-mesa-cleanup-cron-history", "rbs-mesa-collect",
                                     "report-by-hand"])
        #expect(byName["rbs-mesa-voice-outbound.2"]?["job"] as? String == "mesa/voice-outbound")
        #expect(byName["rbs-mesa-voice-outbound.2"]?["managed"] as? Bool == true)
        #expect(byName["report-by-hand"]?["managed"] as? Bool == false && byName["report-by-hand"]?["job"] is NSNull)
        #expect((byName["report-by-hand"]?["command"] as? String)?.contains("Bearer [REDACTED]") == true)
        let lastRun = byName["rbs-mesa-sync-invoices"]?["last_run"] as? [String: Any]
        #expect(lastRun?["status"] as? String == "failed")
        #expect(byName["rbs-mesa-refresh-stats"]?["last_run"] is NSNull)
    }
}
