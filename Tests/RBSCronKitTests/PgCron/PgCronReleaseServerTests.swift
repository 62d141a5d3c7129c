import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

// Nested in the pg_cron server suite for its `.serialized` trait and its condition (runs when RBSCRON_TEST_PG is set,
// fails under CI=true without it). The test server runs Debian's pg_cron 1.4: no `N seconds`, no `$`.
extension PgCronServerTests {
    @Suite("a migration for a project on pg_cron 1.4 uses neither `$` nor seconds, and applies")
    struct Release {
        /// SQL jobs only, so the migration needs neither pg_net nor Vault. `month-start` is 01:00 on the 1st in Tokyo:
        /// 16:00 UTC on the last day of the previous month, which pg_cron 1.6 writes with `$`.
        static func jobs(app: String) -> [Job] {
            [
                Job(app: app, name: "month-start", path: nil, sql: "SELECT 1", layer: .pgCron, schedule: "0 1 1 * *",
                    timezone: "Asia/Tokyo", auth: .none),
                Job(app: app, name: "nightly", path: nil, sql: "SELECT 2", layer: .pgCron, schedule: "30 2 * * *", auth: .none),
            ]
        }

        static func app(_ version: PgCronVersion?) -> App {
            App(name: "legacy", displayName: "Legacy", baseURL: "https://legacy.example.test", platform: .vercel,
                supabase: SupabaseProject(projectRef: "lgcy", pgCronVersion: version))
        }

        @Test("generated for 1.4 it applies on the real 1.4 server; generated for 1.6 the same job needs `$` and 1.4 refuses it")
        func appliesOnDebian() async throws {
            let db = try await PgTestDatabase.open()
            let version = try await db.exec("SELECT extversion FROM pg_extension WHERE extname = 'pg_cron';")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(PgCronVersion(version).map { ($0.major, $0.minor) == (1, 4) } == true, "the test server runs pg_cron \(version)")

            let old = try PgCronSQL.scheduleMigration(app: Self.app(.debian), jobs: Self.jobs(app: "legacy"),
                                                      previouslyScheduled: nil, now: PgCronServerTests.now)
            #expect(old.entries.allSatisfy { !$0.schedule.contains("$") && !$0.schedule.lowercased().contains("second") })
            try await db.exec(old.sql + "\nUPDATE cron.job SET active = false;")
            let applied = try await db.cronJobs().filter { $0.jobname.hasPrefix("rbs-legacy-") }
            #expect(applied.map(\.jobname) == ["rbs-legacy-cleanup-cron-history", "rbs-legacy-month-start", "rbs-legacy-nightly"])
            #expect(Set(applied.map(\.schedule)) == Set(old.entries.map(\.schedule)))

            // Supabase's release writes the Tokyo job as an exact UTC entry with `$`: pg_cron 1.4 refuses it.
            let modern = try PgCronSQL.scheduleMigration(app: Self.app(nil), jobs: Self.jobs(app: "legacy"),
                                                         previouslyScheduled: nil, now: PgCronServerTests.now)
            #expect(modern.entries.contains { $0.schedule == "0 16 $ * *" })
            let refused = try await db.run(modern.sql)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("invalid schedule"))

            // And a seconds schedule never reaches the database for a 1.4 project: the migration is refused first.
            let fast = Job(app: "legacy", name: "fast", path: nil, sql: "SELECT 3", layer: .pgCron, schedule: "30 seconds", auth: .none)
            #expect(throws: PgCronSQLError.self) {
                _ = try PgCronSQL.scheduleMigration(app: Self.app(.debian), jobs: [fast], previouslyScheduled: nil,
                                                    now: PgCronServerTests.now)
            }
            try await db.exec("SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname LIKE 'rbs-legacy-%';")
        }
    }
}
