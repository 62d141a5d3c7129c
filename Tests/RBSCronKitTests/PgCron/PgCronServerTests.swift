import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

/// The generated SQL applied to a real PostgreSQL 15 with pg_cron (`scripts/pg-test-server.sh`).
/// Serialized: pg_cron's `cron.job` is one table per database.
@Suite(
    "pg_cron migrations on a real server",
    .serialized,
    .enabled(if: PgTestDatabase.shouldRun, Comment(rawValue: PgTestDatabase.skipReason))
)
struct PgCronServerTests {
    static let now = Date(timeIntervalSince1970: 1_775_822_400)  // 2026-04-10T12:00:00Z

    static let camino = App(
        name: "camino", displayName: "Camino", baseURL: "https://camino.example.test", platform: .vercel,
        supabase: SupabaseProject(url: "https://abcd.supabase.co", projectRef: "abcd")
    )

    static func caminoJobs(includeSQL: Bool = true) -> [Job] {
        var jobs = [
            Job(app: "camino", name: "sync-constanza-invoices", path: "/api/cron/sync-constanza-invoices",
                method: .POST, layer: .pgCron, schedule: "0 */6 * * *", timeoutMs: 10_000),
            Job(app: "camino", name: "voice-outbound", path: "/api/cron/voice-outbound?dry=0", method: .GET,
                layer: .pgCron, schedule: "*/15 9-18 * * 1-6", timezone: "America/Mexico_City", timeoutMs: 60_000),
            // Not scheduled: disabled, another layer, another app.
            Job(app: "camino", name: "paused", path: "/api/cron/paused", layer: .pgCron, schedule: "0 1 * * *", enabled: false),
            Job(app: "camino", name: "daily-dispatcher", path: "/api/cron/daily-dispatcher", layer: .vercel, schedule: "0 14 * * *"),
            Job(app: "baul", name: "generate-routes", path: "/api/cron/generate-routes", layer: .pgCron, schedule: "0 12 * * 1-5"),
        ]
        if includeSQL {
            jobs.append(Job(app: "camino", name: "refresh-stats", path: nil, sql: "SELECT 'it''s $$ fine' AS note; ",
                            layer: .pgCron, schedule: "30 2 * * *", auth: .none))
        }
        return jobs
    }

    // MARK: keep-alive

    @Test("keep-alive migration applied twice leaves exactly the two seed jobs, and its functions work")
    func keepAliveTwice() async throws {
        let db = try await PgTestDatabase.open()
        let sql = PgCronSQL.keepAliveMigration(app: Self.camino, now: Self.now)
        try await db.exec(sql)
        let first = try await db.cronJobs()
        try await db.exec(sql)
        let jobs = try await db.cronJobs()

        #expect(jobs.map(\.jobname) == ["cleanup-cron-history", "keep-alive-ping"])
        #expect(jobs.map(\.schedule) == ["0 3 * * 0", "0 12 */3 * *"])
        #expect(jobs.map(\.command) == ["SELECT cleanup_cron_history()", "SELECT keep_alive()"])
        #expect(jobs.map(\.jobid) == first.map(\.jobid), "re-applying replaces the jobs in place")
        #expect(jobs.allSatisfy { $0.active })

        // The scheduled commands themselves run, and the cleanup prunes only rows older than 7 days.
        let pruned = try await db.exec("""
            INSERT INTO cron.job_run_details (jobid, runid, status, start_time, end_time)
              VALUES (1, 900001, 'succeeded', now() - interval '9 days', now() - interval '9 days'),
                     (1, 900002, 'succeeded', now() - interval '1 day', now() - interval '1 day');
            SELECT keep_alive();
            SELECT cleanup_cron_history();
            SELECT string_agg(runid::text, ',' ORDER BY runid) FROM cron.job_run_details WHERE runid >= 900001;
            """)
        #expect(pruned.split(separator: "\n").last == "900002")
    }

    // MARK: schedule

    @Test("schedule migration applied twice, then with a job removed: exact jobs, sweep, foreign jobs untouched")
    func scheduleApplyAndSweep() async throws {
        let db = try await PgTestDatabase.open()
        try await db.exec("SELECT cron.schedule('nightly-vacuum', '0 4 * * *', 'VACUUM');")

        let migration = try PgCronSQL.scheduleMigration(app: Self.camino, jobs: Self.caminoJobs(), previouslyScheduled: nil, now: Self.now)
        // voice-outbound is meant in Mexico City: two UTC entries (09:00–17:45 and 18:00–18:45 local).
        let expectedNames = ["rbs-camino-sync-constanza-invoices", "rbs-camino-voice-outbound", "rbs-camino-voice-outbound.2",
                             "rbs-camino-refresh-stats", "rbs-camino-collect", "rbs-camino-cleanup-cron-history"]
        #expect(migration.jobNames == expectedNames)

        try await db.exec(migration.sql)
        let first = try await db.cronJobs()
        try await db.exec(migration.sql)
        let jobs = try await db.cronJobs()
        #expect(jobs.map(\.jobid) == first.map(\.jobid), "re-applying replaces by name, keeping job ids")

        let marker = "/* rbscron:camino */ "
        let expected: [String: (String, String)] = [
            "nightly-vacuum": ("0 4 * * *", "VACUUM"),
            "rbs-camino-sync-constanza-invoices": (
                "0 */6 * * *",
                marker + "SELECT rbscron.invoke_cron_endpoint('/api/cron/sync-constanza-invoices', 'POST', 10000, 'rbs-camino-sync-constanza-invoices')"),
            "rbs-camino-voice-outbound": (
                "*/15 15-23 * * 1-6",
                marker + "SELECT rbscron.invoke_cron_endpoint('/api/cron/voice-outbound?dry=0', 'GET', 14000, 'rbs-camino-voice-outbound')"),
            "rbs-camino-voice-outbound.2": (
                "*/15 0 * * 0,2-6",
                marker + "SELECT rbscron.invoke_cron_endpoint('/api/cron/voice-outbound?dry=0', 'GET', 14000, 'rbs-camino-voice-outbound')"),
            "rbs-camino-refresh-stats": ("30 2 * * *", marker + "SELECT 'it''s $$ fine' AS note;"),
            "rbs-camino-collect": ("*/5 * * * *", marker + "SELECT rbscron.collect_http_responses()"),
            "rbs-camino-cleanup-cron-history": (
                "0 3 * * 0", marker + "DELETE FROM cron.job_run_details WHERE end_time < now() - interval '7 days'"),
        ]
        #expect(jobs.count == expected.count)
        for job in jobs {
            let want = try #require(expected[job.jobname], "unexpected job \(job.jobname)")
            #expect(job.schedule == want.0, "\(job.jobname)")
            #expect(job.command == want.1, "\(job.jobname)")
        }

        // The SQL job's command runs as stored.
        let note = try await db.exec("DO $t$ BEGIN EXECUTE (SELECT command FROM cron.job WHERE jobname = 'rbs-camino-refresh-stats'); END $t$;")
        #expect(note.isEmpty)

        // Drop one job from the inventory: only it disappears.
        let fewer = Self.caminoJobs().filter { $0.name != "voice-outbound" }
        let second = try PgCronSQL.scheduleMigration(
            app: Self.camino, jobs: fewer, previouslyScheduled: jobs.map(\.jobname), now: Self.now)
        #expect(second.unscheduledJobNames == ["rbs-camino-voice-outbound", "rbs-camino-voice-outbound.2"])
        let applied = try await db.run(second.sql)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stderr.contains("rbscron: unscheduled rbs-camino-voice-outbound"))
        #expect(applied.stderr.contains("rbscron: unscheduled rbs-camino-voice-outbound.2"))
        let after = try await db.cronJobs()
        #expect(after.map(\.jobname).sorted() == expected.keys.filter { !$0.hasPrefix("rbs-camino-voice-outbound") }.sorted())
        let idsBefore = Dictionary(uniqueKeysWithValues: jobs.map { ($0.jobname, $0.jobid) })
        for job in after {
            #expect(idsBefore[job.jobname] == job.jobid, "\(job.jobname) kept its id")
            #expect(job.command == expected[job.jobname]?.1)
        }
    }

    @Test("apps whose names share a prefix (la, la-hoja) never sweep each other's jobs")
    func prefixSharingApps() async throws {
        let db = try await PgTestDatabase.open()
        let la = App(name: "la", displayName: "La", baseURL: "https://la.example.test", platform: .vercel)
        let laHoja = App(name: "la-hoja", displayName: "La Hoja", baseURL: "https://lahoja.example.test", platform: .vercel)
        let hojaJobs = [Job(app: "la-hoja", name: "dispatcher", path: nil, sql: "SELECT 2", layer: .pgCron, schedule: "0 * * * *")]
        try await db.exec(PgCronSQL.scheduleMigration(app: laHoja, jobs: hojaJobs, previouslyScheduled: nil, now: Self.now).sql)
        let laJobs = [Job(app: "la", name: "tick", path: nil, sql: "SELECT 1", layer: .pgCron, schedule: "5 * * * *")]
        try await db.exec(PgCronSQL.scheduleMigration(app: la, jobs: laJobs, previouslyScheduled: nil, now: Self.now).sql)
        try await db.exec(PgCronSQL.scheduleMigration(app: la, jobs: [], previouslyScheduled: nil, now: Self.now).sql)
        await #expect(try db.cronJobs().map(\.jobname) == [
            "rbs-la-cleanup-cron-history", "rbs-la-hoja-cleanup-cron-history", "rbs-la-hoja-dispatcher",
        ])
    }

    @Test("an unsafe-looking SQL job and path survive quoting exactly")
    func quotingRoundTrip() async throws {
        let db = try await PgTestDatabase.open()
        let sql = "SELECT '$rbs$ and $rbs1$' || $$x$$ || 'o''k' AS tricky -- trailing $rbs"
        let jobs = [
            Job(app: "camino", name: "tricky-sql", path: nil, sql: sql, layer: .pgCron, schedule: "0 0 1 1 *"),
            Job(app: "camino", name: "tricky-path", path: "/api/o'brien?x=$$", layer: .pgCron, schedule: "0 0 1 1 *", timeoutMs: 500),
        ]
        let migration = try PgCronSQL.scheduleMigration(app: Self.camino, jobs: jobs, previouslyScheduled: nil, now: Self.now)
        try await db.exec(migration.sql)
        let byName = await Dictionary(uniqueKeysWithValues: try db.cronJobs().map { ($0.jobname, $0) })
        #expect(byName["rbs-camino-tricky-sql"]?.command == "/* rbscron:camino */ " + sql)
        #expect(byName["rbs-camino-tricky-path"]?.command
                == "/* rbscron:camino */ SELECT rbscron.invoke_cron_endpoint('/api/o''brien?x=$$', 'POST', 500, 'rbs-camino-tricky-path')")
        try await db.exec("DO $t$ BEGIN EXECUTE (SELECT command FROM cron.job WHERE jobname = 'rbs-camino-tricky-sql'); END $t$;")
    }

    // MARK: invoking

    @Test("a scheduled HTTP command calls the endpoint through the real pg_net, with Vault's URL and bearer, under 14 s")
    func commandCallsPgNet() async throws {
        let db = try await PgTestDatabase.open()
        let endpoint = try LoopbackServer { request in
            request.path.hasSuffix("voice-outbound") ? .json(503, #"{"error":"busy"}"#) : .json(200, #"{"ok":true}"#)
        }
        defer { endpoint.stop() }
        let sentinel = "rbs-sentinel-\(UUID().uuidString)"
        let migration = try PgCronSQL.scheduleMigration(app: Self.camino, jobs: Self.caminoJobs(), previouslyScheduled: nil, now: Self.now)
        try await db.exec(migration.sql)
        try await db.deactivateJobs()
        try await db.createSecret("rbscron_camino_base_url", endpoint.baseURL + "/")
        try await db.createSecret("rbscron_camino_cron_secret", sentinel)

        let post = try await db.runJobNow("rbs-camino-sync-constanza-invoices")
        try #require(post.count == 1)
        #expect(post[0].outcome == "ok" && post[0].status_code == 200 && post[0].trigger == "manual")
        #expect(post[0].job_name == "rbs-camino-sync-constanza-invoices" && post[0].timeout_ms == 10_000)
        let received = try #require(endpoint.requests.first)
        #expect(received.method == "POST" && received.target == "/api/cron/sync-constanza-invoices")
        #expect(received.authorization == "Bearer \(sentinel)")
        #expect(received.header("content-type") == "application/json")
        #expect(received.head.contains("User-Agent: rbscron-pg_cron"))
        #expect(received.text == "{}")

        let get = try await db.runJobNow("rbs-camino-voice-outbound")
        try #require(get.count == 1)
        #expect(get[0].outcome == "http_error" && get[0].status_code == 503 && get[0].body_excerpt == #"{"error":"busy"}"#)
        #expect(endpoint.requests.last?.method == "GET" && endpoint.requests.last?.target == "/api/cron/voice-outbound?dry=0")
        #expect(get[0].timeout_ms <= 14_000)

        // The invoker caps whatever it is given.
        try await db.exec("SELECT rbscron.invoke_cron_endpoint('/x', 'post', 600000, 'by-hand');")
        let direct = try await db.fires().last
        #expect(direct?.timeout_ms == 14_000 && direct?.method == "POST" && direct?.trigger == "direct")

        // The secret reached pg_net at call time only: not the migration, not cron.job, not the history.
        #expect(!migration.sql.contains(sentinel))
        await #expect(try db.cronJobs().allSatisfy { !$0.command.contains(sentinel) && !$0.command.contains("Bearer") })
        let leaks = try await db.exec("""
            SELECT count(*) FROM rbscron.fires f WHERE concat_ws(' ', f.error_msg, f.body_excerpt, f.secret_fp) LIKE '%' || \(db.quote(sentinel)) || '%';
            """)
        #expect(leaks.split(separator: "\n").last == "0")
    }

    @Test("an answer pg_net stamped before the fire's row was written is collected, not marked lost; a much older one is not")
    func answerStampedBeforeTheFireRow() async throws {
        let db = try await PgTestDatabase.open()
        let migration = try PgCronSQL.scheduleMigration(app: Self.camino, jobs: Self.caminoJobs(), previouslyScheduled: nil, now: Self.now)
        try await db.exec(migration.sql)
        try await db.deactivateJobs()
        // pg_net's worker stamps a response with its transaction's start, which can precede the invoker's
        // clock_timestamp() for the fire row by a little (the request is taken off the queue later in that
        // transaction). Request ids far above what this test database's pg_net will reach.
        try await db.exec("""
            INSERT INTO rbscron.fires (app, job_name, path, method, timeout_ms, trigger, request_id)
              VALUES ('camino', 'rbs-camino-race', '/api/cron/race', 'POST', 14000, 'cron', 9000000001),
                     ('camino', 'rbs-camino-stale', '/api/cron/stale', 'POST', 14000, 'cron', 9000000002);
            INSERT INTO net._http_response (id, status_code, content, timed_out, created)
              VALUES (9000000001, 200, 'done', false, clock_timestamp() - interval '2 seconds'),
                     (9000000002, 200, 'someone else''s', false, clock_timestamp() - interval '10 minutes');
            SELECT * FROM rbscron.collect_http_responses();
            """)
        let fires = try await db.fires()
        #expect(fires.first { $0.job_name == "rbs-camino-race" }?.outcome == "ok")
        #expect(fires.first { $0.job_name == "rbs-camino-race" }?.status_code == 200)
        #expect(fires.first { $0.job_name == "rbs-camino-stale" }?.outcome == "lost", "an answer from long before the fire is not its")
        try await db.exec("DELETE FROM net._http_response WHERE id IN (9000000001, 9000000002);")
    }

    @Test("with the cron secret missing or empty the command raises and makes no request")
    func missingSecretDenies() async throws {
        let db = try await PgTestDatabase.open()
        let migration = try PgCronSQL.scheduleMigration(app: Self.camino, jobs: Self.caminoJobs(), previouslyScheduled: nil, now: Self.now)
        try await db.exec(migration.sql)
        try await db.deactivateJobs()
        try await db.createSecret("rbscron_camino_base_url", "https://camino.example.test")

        for job in ["rbs-camino-sync-constanza-invoices", "rbs-camino-voice-outbound"] {
            let result = try await db.run("SELECT * FROM rbscron.run_job_now('\(job)');")
            #expect(result.status != 0)
            #expect(result.stderr.contains("rbscron_camino_cron_secret is missing or empty; refusing to call"), "\(result.stderr)")
        }
        try await db.createSecret("rbscron_camino_cron_secret", "  ")
        let blank = try await db.run("SELECT rbscron.invoke_cron_endpoint('/api/cron/x', 'POST', 1000);")
        #expect(blank.status != 0)
        #expect(blank.stderr.contains("refusing to call"))

        // Secret present, base URL missing: also refused.
        try await db.exec("""
            DELETE FROM vault.secrets;
            SELECT vault.create_secret('tok-0123456789', 'rbscron_camino_cron_secret');
            """)
        let noURL = try await db.run("SELECT rbscron.invoke_cron_endpoint('/api/cron/x', 'POST', 1000);")
        #expect(noURL.status != 0)
        #expect(noURL.stderr.contains("rbscron_camino_base_url"))

        // Nothing reached pg_net, and nothing was recorded as fired.
        let count = try await db.exec("""
            SELECT (SELECT count(*) FROM net.http_request_queue) + (SELECT count(*) FROM net._http_response)
                 + (SELECT count(*) FROM rbscron.fires);
            """)
        #expect(count.split(separator: "\n").last == "0")
    }

    @Test("without pg_net the migration stops with a sentence instead of half-applying")
    func preflightWithoutPgNet() async throws {
        let db = try await PgTestDatabase.open()
        try await db.exec("SET client_min_messages = warning; DROP EXTENSION pg_net CASCADE;")
        // No defer to restore pg_net: every test opens the database through open(), which resets it.
        let migration = try PgCronSQL.scheduleMigration(app: Self.camino, jobs: Self.caminoJobs(), previouslyScheduled: nil, now: Self.now)
        let result = try await db.run(migration.sql)
        #expect(result.status != 0)
        #expect(result.stderr.contains("pg_net is not enabled"), "\(result.stderr)")
        await #expect(try db.cronJobs().isEmpty)
    }
}
