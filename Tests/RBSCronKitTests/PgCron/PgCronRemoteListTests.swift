import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

// Nested in the pg_cron server suite for its `.serialized` trait (cron.job is one table for every suite that uses
// the test server) and its condition: runs when RBSCRON_TEST_PG is set, fails under CI=true without it.
extension PgCronServerTests {
    @Suite("list schedules --remote --layer pg_cron: cron.job through a Management API stand-in")
    struct RemoteList {
        static let token = "sbp_remote_list_token_0123456789abcdef"
        static let cronSecret = "stored-cron-secret-5f1e2d3c"
        static let literalJWT = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"

        static let apps = [
            PgCronServerTests.camino,
            App(name: "baul", displayName: "Baúl", baseURL: "https://baul.example.test", platform: .vercel,
                supabase: SupabaseProject(url: "https://efgh.supabase.co", projectRef: "efgh")),
            App(name: "agora", displayName: "Ágora", baseURL: "https://agora.example.test", platform: .vercel),
        ]

        static var inventoryJobs: [Job] {
            PgCronServerTests.caminoJobs() + [
                Job(app: "camino", name: "keep-alive-ping", path: nil, sql: "SELECT keep_alive()", layer: .pgCron,
                    schedule: "0 12 */3 * *", auth: .none),
                Job(app: "agora", name: "digest", path: "/api/cron/digest", layer: .pgCron, schedule: "0 6 * * *"),
            ]
        }

        static var inventory: Inventory { Inventory(apps: apps, jobs: inventoryJobs) }

        /// What the database holds: camino's real migration (voice-outbound is meant in Mexico City, so it runs as
        /// two UTC entries, the second named `.2`), the seed's keep-alive migration, and two jobs made by hand: one
        /// with a token written into its command, one without a name. Then a run history.
        static func seed(_ db: PgTestDatabase) async throws {
            let migration = try PgCronSQL.scheduleMigration(app: PgCronServerTests.camino, jobs: inventoryJobs,
                                                            previouslyScheduled: nil, now: PgCronServerTests.now)
            // Each migration is followed, in the same script, by deactivating its jobs: the test server's pg_cron
            // must not fire them on the wall clock and add runs of its own to the history read back below.
            try await db.exec(migration.sql + "\nUPDATE cron.job SET active = false;")
            try await db.exec(PgCronSQL.keepAliveMigration(app: PgCronServerTests.camino, now: PgCronServerTests.now)
                              + "\nUPDATE cron.job SET active = false;")
            try await db.exec("""
                SET client_min_messages = warning;
                SELECT cron.schedule('nightly-report', '0 4 * * *', $c$SELECT net.http_post(url := 'https://x.test/r', headers := '{"Authorization": "Bearer \(literalJWT)", "x-cron": "\(cronSecret)"}'::jsonb)$c$);
                -- Inactive, so the test server's pg_cron fires none of them; the unnamed one never fires (31 February).
                UPDATE cron.job SET active = false;
                SELECT cron.schedule('0 0 31 2 *', 'SELECT 1');
                INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, status, return_message, start_time, end_time)
                SELECT j.jobid, 1, 'rbscron_test', 'postgres', 'x', v.status, NULL,
                       timestamptz '2026-04-10 10:00:00+00' + v.offset_s * interval '1 second',
                       timestamptz '2026-04-10 10:00:00+00' + v.offset_s * interval '1 second' + interval '250 milliseconds'
                FROM cron.job j JOIN (VALUES
                    ('rbs-camino-sync-constanza-invoices', 'succeeded', 0),
                    ('rbs-camino-sync-constanza-invoices', 'failed', 3600),
                    ('keep-alive-ping', 'succeeded', 60),
                    ('nightly-report', 'running', 120)
                ) AS v(name, status, offset_s) ON v.name = j.jobname
                ORDER BY v.offset_s;
                """)
        }

        @Test("lists every job of the project with its latest run; rbscron's names attributed, the rest foreign, secrets hidden")
        func listsProject() async throws {
            let db = try await PgTestDatabase.open()
            try await Self.seed(db)
            let server = try await PgCronServerTests.HistorySync.managementAPI(db: db, ref: "abcd", token: Self.token)
            defer { Task { await server.stop() } }
            let secrets = StaticSecrets([
                "camino": [SecretKeys.supabaseAccessToken: Self.token, SecretKeys.cronSecret: Self.cronSecret],
            ])
            let report = try await PgCronRemote.list(
                inventory: Self.inventory, app: "camino", transport: CurlTransport(userAgent: RBSCronVersion.userAgent),
                baseURL: server.baseURL, secrets: secrets)

            #expect(report.failures.isEmpty)
            #expect(report.projects.map(\.projectRef) == ["abcd"])
            let jobs = try #require(report.projects.first?.jobs)
            let byName = Dictionary(jobs.compactMap { j in j.jobname.map { ($0, j) } }, uniquingKeysWith: { a, _ in a })
            // Everything cron.job holds, named jobs in name order and the unnamed one last.
            #expect(jobs.map(\.jobname) == [
                "cleanup-cron-history", "keep-alive-ping", "nightly-report", "rbs-camino-cleanup-cron-history",
                "rbs-camino-collect", "rbs-camino-keep-alive-ping", "rbs-camino-refresh-stats", "rbs-camino-sync-constanza-invoices", "rbs-camino-voice-outbound",
                "rbs-camino-voice-outbound.2", nil,
            ])
            #expect(byName["rbs-camino-voice-outbound"]?.job == "camino/voice-outbound")
            #expect(byName["rbs-camino-voice-outbound.2"]?.job == "camino/voice-outbound")
            #expect(byName["rbs-camino-voice-outbound.2"]?.schedule == "*/15 0 * * 0,2-6")
            #expect(byName["rbs-camino-sync-constanza-invoices"]?.job == "camino/sync-constanza-invoices")
            #expect(byName["rbs-camino-cleanup-cron-history"]?.job == "camino/cleanup-cron-history")
            // The collector is rbscron's own entry, not a job of the inventory.
            #expect(byName["rbs-camino-collect"].map { $0.job == nil && $0.managed } == true)
            #expect(byName["keep-alive-ping"]?.job == "camino/keep-alive-ping")
            #expect(byName["keep-alive-ping"]?.managed == true)
            #expect(byName["cleanup-cron-history"].map { $0.job == nil && $0.managed } == true)
            #expect(byName["nightly-report"]?.isForeign == true)
            #expect(jobs.last?.isForeign == true)
            #expect(jobs.filter(\.isForeign).count == 2)
            #expect(byName["rbs-camino-keep-alive-ping"]?.job == "camino/keep-alive-ping")
            #expect(byName.values.allSatisfy { !$0.active })
            #expect(jobs.last?.active == true)
            #expect(byName["rbs-camino-sync-constanza-invoices"]?.command.hasPrefix("/* rbscron:camino */ SELECT rbscron.invoke_cron_endpoint(") == true)

            // The latest run of each job: the failed one an hour after the success.
            let sync = try #require(byName["rbs-camino-sync-constanza-invoices"]?.lastRun)
            #expect(sync.status == "failed")
            #expect(sync.startTime.map(Timestamp.rfc3339) == "2026-04-10T11:00:00Z")
            #expect(sync.endTime.map { Timestamp.ms($0) - Timestamp.ms(sync.startTime ?? $0) } == 250)
            #expect(byName["keep-alive-ping"]?.lastRun?.status == "succeeded")
            #expect(byName["nightly-report"]?.lastRun?.status == "running")
            #expect(byName["cleanup-cron-history"]?.lastRun == nil)

            // The hand-made command: the stored secret and the literal token are hidden, the rest is kept.
            let command = try #require(byName["nightly-report"]?.command)
            #expect(command.contains("https://x.test/r"))
            #expect(!command.contains(Self.cronSecret) && !command.contains(Self.literalJWT) && !command.contains("eyJ"))
            #expect(command.contains("Bearer \(Redactor.placeholder)"))

            // JSON: sorted snake_case keys, RFC 3339 times, nulls written out.
            let json = try ReportJSON.encode(report)
            #expect(!json.contains(Self.token) && !json.contains(Self.cronSecret))
            #expect(json.contains("\"start_time\" : \"2026-04-10T11:00:00Z\""))
            #expect(json.contains("\"apps_without_project_ref\" : ["))
            #expect(json.contains("\"last_run\" : null"))
            // Two queries: cron.job, then the release of pg_cron, which on the test server (Debian's 1.4) is not the
            // 1.6 the inventory assumes for a Supabase project: a warning says so.
            #expect(server.requests.count == 2)
            #expect(server.requests.allSatisfy { $0.authorization == "Bearer \(Self.token)" })
            let release = try #require(report.projects.first?.pgCronVersion.flatMap(PgCronVersion.init))
            #expect(release.major == 1 && release.minor == 4)
            #expect(report.versionWarnings.count == 1)
            #expect(report.versionWarnings.first?.contains("runs pg_cron 1.4, but the inventory records 1.6") == true)
        }

        @Test("a project that cannot be read is reported beside the one that could; with no token nothing is sent for it")
        func partialFailure() async throws {
            let db = try await PgTestDatabase.open()
            try await Self.seed(db)
            // Serves abcd only: efgh has no token (denied before any request), so the server never sees it.
            let server = try await PgCronServerTests.HistorySync.managementAPI(db: db, ref: "abcd", token: Self.token)
            defer { Task { await server.stop() } }
            let secrets = StaticSecrets(["camino": [SecretKeys.supabaseAccessToken: Self.token]])
            let report = try await PgCronRemote.list(
                inventory: Self.inventory, app: nil, transport: CurlTransport(userAgent: RBSCronVersion.userAgent),
                baseURL: server.baseURL, secrets: secrets)
            #expect(report.projects.map(\.projectRef) == ["abcd", "efgh"])
            #expect(report.projects[0].error == nil)
            #expect(report.projects[0].jobs.count == 11)
            #expect(report.projects[1].apps == ["baul"])
            let error = try #require(report.projects[1].error)
            #expect(error.contains("SUPABASE_ACCESS_TOKEN") && error.contains("rbscron secret set"))
            #expect(report.failures.map(\.projectRef) == ["efgh"])
            #expect(report.appsWithoutProjectRef == ["agora"])
            #expect(server.requests.map(\.path) == ["/v1/projects/abcd/database/query", "/v1/projects/abcd/database/query"])
        }
    }
}
