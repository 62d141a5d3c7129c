import Foundation
import RBSCronTestSupport
import Testing
@testable import RBSCronKit

@Suite("pg_cron plan/apply: the migration file", .serialized)
struct PgCronSyncTests {
    static let now = Date(timeIntervalSince1970: 1_775_822_400)  // 2026-04-10T12:00:00Z

    func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-pgsync-\(UUID().uuidString)").path
        return dir
    }

    @Test("plan lists every entry as the migration writes it, with the SQL and the file it would write")
    func plan() throws {
        let plan = try PgCronSync.plan(app: PgCronServerTests.camino, jobs: PgCronServerTests.caminoJobs(), directory: "mig", now: Self.now)
        #expect(plan.items.map(\.id) == ["rbs-camino-sync-constanza-invoices", "rbs-camino-voice-outbound",
                                         "rbs-camino-voice-outbound.2", "rbs-camino-refresh-stats",
                                         "rbs-camino-collect", "rbs-camino-cleanup-cron-history"])
        #expect(plan.items.allSatisfy { $0.action == .create })
        #expect(plan.file == "mig/20260410120000_rbscron_pg_cron_camino.sql")
        #expect(plan.sql?.contains("SELECT cron.schedule('rbs-camino-voice-outbound'") == true)
        // Every line describes the migration: voice-outbound (Mexico City) is written as two UTC entries, each with
        // the schedule the SQL writes; no warning says it is written unchanged; only rbscron's own entries say
        // "added by rbscron".
        let byID = Dictionary(uniqueKeysWithValues: plan.items.map { ($0.id, $0) })
        #expect(byID["rbs-camino-voice-outbound"]?.schedule == "*/15 15-23 * * 1-6")
        #expect(byID["rbs-camino-voice-outbound.2"]?.schedule == "*/15 0 * * 0,2-6")
        #expect(byID["rbs-camino-voice-outbound.2"]?.job == "camino/voice-outbound")
        #expect(byID["rbs-camino-voice-outbound"]?.note?.contains("written as 2 UTC entries") == true)
        #expect(byID["rbs-camino-voice-outbound.2"]?.note?.contains("weekly prune") != true)
        for item in plan.items {
            #expect(plan.sql?.contains("SELECT cron.schedule('\(item.id)', '\(item.schedule ?? "")'") == true, "\(item.id)")
            #expect((item.note?.hasPrefix("added by rbscron") ?? false) == (item.job == nil), "\(item.id)")
        }
        #expect(plan.issues.isEmpty, "\(plan.issues)")
        // A zone with DST cannot be written as fixed UTC entries: that, and only that, is a warning.
        var ny = PgCronServerTests.caminoJobs()
        ny[1].timezone = "America/New_York"
        let warned = try PgCronSync.plan(app: PgCronServerTests.camino, jobs: ny, directory: "mig", now: Self.now)
        #expect(warned.issues.map(\.job) == ["camino/voice-outbound"])
        #expect(warned.issues.first?.message.contains("written unchanged") == true)
    }

    @Test("a job pg_cron cannot run stops the plan with the library's error")
    func refused() {
        let jobs = [Job(app: "camino", name: "put", path: "/x", method: .PUT, layer: .pgCron, schedule: "0 0 * * *")]
        #expect(throws: PgCronSQLError.unsupportedMethod(JobRef(app: "camino", job: "put"), .PUT)) {
            try PgCronSync.plan(app: PgCronServerTests.camino, jobs: jobs, now: Self.now)
        }
    }

    @Test("apply writes the file into --out (creating it), never overwriting one; same migration twice is a no-op")
    func applyWrites() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dry = try PgCronSync.apply(app: PgCronServerTests.camino, jobs: PgCronServerTests.caminoJobs(), directory: dir, now: Self.now, dryRun: true)
        #expect(dry.written == nil && !FileManager.default.fileExists(atPath: dir))
        let report = try PgCronSync.apply(app: PgCronServerTests.camino, jobs: PgCronServerTests.caminoJobs(), directory: dir, now: Self.now, dryRun: false)
        let path = try #require(report.written)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == report.plan.sql)
        // The same migration again in the same second: nothing new is written.
        let again = try PgCronSync.apply(app: PgCronServerTests.camino, jobs: PgCronServerTests.caminoJobs(), directory: dir, now: Self.now, dryRun: false)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(again.written == path && files.count == 1)
        // A different one in the same second: the next free second, never over the first file.
        let fewer = PgCronServerTests.caminoJobs().filter { $0.name != "voice-outbound" }
        let other = try PgCronSync.apply(app: PgCronServerTests.camino, jobs: fewer, directory: dir, now: Self.now, dryRun: false)
        let otherPath = try #require(other.written)
        #expect(otherPath != path && (otherPath as NSString).lastPathComponent > (path as NSString).lastPathComponent)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == report.plan.sql, "the first file is untouched")
        #expect(try String(contentsOfFile: otherPath, encoding: .utf8) == other.plan.sql)
        // A file that is not writable is still a clear error.
        let blocked = try tempDir()
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: blocked) }
        try Data().write(to: URL(fileURLWithPath: blocked + "/out"))
        #expect(throws: PgCronSyncError.self) {
            try PgCronSync.apply(app: PgCronServerTests.camino, jobs: PgCronServerTests.caminoJobs(), directory: blocked + "/out",
                                 now: Self.now, dryRun: false)
        }
    }
}

// On the real server: part of PgCronServerTests' serialized suite, since every test there resets cron.job.
extension PgCronServerTests {
    @Test(
        "schedule apply --layer pg_cron: the written migration applied twice leaves exactly the planned jobs"
            )
    func scheduleSyncMigrationAppliedTwice() async throws {
        let db = try await PgTestDatabase.open()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rbscron-pgsync-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let report = try PgCronSync.apply(app: PgCronServerTests.camino, jobs: PgCronServerTests.caminoJobs(), directory: dir, now: Self.now, dryRun: false)
        let sql = try String(contentsOfFile: try #require(report.written), encoding: .utf8)
        try await db.exec(sql)
        let first = try await db.cronJobs()
        try await db.exec(sql)
        let second = try await db.cronJobs()
        #expect(first.map(\.jobname) == report.plan.items.map(\.id).sorted())
        #expect(second.map(\.jobname) == first.map(\.jobname))
        #expect(second.map(\.schedule) == first.map(\.schedule))
        // A later migration without one job sweeps it.
        let fewer = PgCronServerTests.caminoJobs(includeSQL: false)
        let dir2 = dir + "-later"
        defer { try? FileManager.default.removeItem(atPath: dir2) }
        let later = try PgCronSync.apply(app: PgCronServerTests.camino, jobs: fewer, directory: dir2, now: Self.now, dryRun: false)
        try await db.exec(try String(contentsOfFile: try #require(later.written), encoding: .utf8))
        await #expect(try db.cronJobs().map(\.jobname) == later.plan.items.map(\.id).sorted())
    }
}
