import Foundation
import RBSCronTestSupport
import Testing

@testable import RBSCronKit

// In the pg_cron server suite, so it is serialized with the other tests that share `cron.job`.
extension PgCronServerTests {
    @Test("keepalive --sql for the seed's Baúl, applied twice: exactly the two cron jobs, and they run")
    func keepaliveSQLAppliedTwice() async throws {
        let db = try await PgTestDatabase.open()
        let inventory = try EmbeddedEcosystem.inventory()
        let sql = try KeepaliveSQLReport.build(inventory: inventory, project: "baul", now: Self.now).sql
        try await db.exec(sql)
        let first = try await db.cronJobs()
        try await db.exec(sql)
        let jobs = try await db.cronJobs()

        #expect(jobs.count == 2)
        #expect(jobs.map(\.jobname) == ["cleanup-cron-history", "keep-alive-ping"])
        #expect(jobs.map(\.schedule) == ["0 3 * * 0", "0 12 */3 * *"])
        #expect(jobs.map(\.command) == ["SELECT cleanup_cron_history()", "SELECT keep_alive()"])
        #expect(jobs.map(\.jobid) == first.map(\.jobid))
        #expect(jobs.allSatisfy { $0.active })
        // What the keep-alive ping's RPC calls exists and runs.
        let output = try await db.exec("SELECT keep_alive(); SELECT 'ran';")
        #expect(output.split(separator: "\n").last == "ran")
    }
}
