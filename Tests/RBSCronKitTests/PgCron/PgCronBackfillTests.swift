import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

// Nested in the pg_cron server suite: serialized with it (cron.job is one table), same condition.
extension PgCronServerTests {
    @Suite("due mode's pg_cron backfill on a real database (rbscron.backfill)")
    struct Backfill {
        static let token = "sbp_backfill_access_token_0123456789"

        @Test("two runners back up the same missed fire at once: one call goes out, the other is told it is claimed")
        func twoRunnersOneFire() async throws {
            let db = try await PgTestDatabase.open()
            let endpoint = try LoopbackServer { _ in .json(200, #"{"ok":true}"#) }
            defer { endpoint.stop() }
            let jobs = PgCronServerTests.caminoJobs(includeSQL: false)
            let migration = try PgCronSQL.scheduleMigration(app: PgCronServerTests.camino, jobs: jobs, previouslyScheduled: nil,
                                                            now: PgCronServerTests.now)
            try await db.exec(migration.sql)
            try await db.deactivateJobs()
            try await db.createSecret("rbscron_camino_base_url", endpoint.baseURL)
            try await db.createSecret("rbscron_camino_cron_secret", "cron-secret-backfill-0123456789")
            let server = try await HistorySync.managementAPI(db: db, ref: "abcd", token: Self.token)
            defer { Task { await server.stop() } }

            let inventory = Inventory(apps: [PgCronServerTests.camino], jobs: jobs)
            let job = try #require(inventory.job(JobRef(app: "camino", job: "sync-constanza-invoices")))
            // Two runners: each its own layer, as two machines with two inventories would have.
            func runner() throws -> PgCronLayer {
                try PgCronLayer(inventory: inventory, secrets: StaticSecrets(["camino": [SecretKeys.supabaseAccessToken: Self.token]]),
                                transport: CurlTransport(userAgent: testUserAgent), baseURL: server.baseURL)
            }
            // A recent fire: claims older than the history's retention (14 days) are pruned by the collector.
            let fire = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600 - 3600)
            let first = try runner(), second = try runner()
            async let a = first.backfill(job, scheduledFor: fire, runner: "runner-a", now: { Date() })
            async let b = second.backfill(job, scheduledFor: fire, runner: "runner-b", now: { Date() })
            let results = try await [a, b]

            let ran = results.compactMap { result -> PgCronRunNow? in
                if case .ran(let run, _) = result { return run }
                return nil
            }
            #expect(ran.count == 1, "\(results)")
            #expect(results.filter { $0 == .claimedElsewhere }.count == 1, "\(results)")
            #expect(ran.first?.outcome == .ok && ran.first?.httpStatus == 200)
            #expect(endpoint.requests.count == 1)
            #expect(endpoint.requests.first?.target == "/api/cron/sync-constanza-invoices")

            // The database holds one claim and one fire marked as the backfill.
            let claims = try await db.exec("SELECT count(*) FROM rbscron.backfills;")
            #expect(claims.split(separator: "\n").last == "1")
            let fires = try await db.fires()
            #expect(fires.count == 1 && fires.first?.trigger == "backfill", "\(fires)")

            // A third runner later: still claimed; another fire of the same job is its own.
            #expect(try await runner().backfill(job, scheduledFor: fire, runner: "runner-c", now: { Date() }) == .claimedElsewhere)
            let next = try await runner().backfill(job, scheduledFor: fire.addingTimeInterval(-6 * 3600), runner: "runner-c",
                                                   now: { Date() })
            if case .ran = next {} else { Issue.record("the next fire was not run: \(next)") }
            #expect(endpoint.requests.count == 2)
        }
    }
}
