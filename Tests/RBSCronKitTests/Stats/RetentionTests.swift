import Foundation
import Testing
@testable import RBSCronKit

@Suite("cleanup: retention per table")
struct RetentionTests {
    typealias F = StatsFixture
    let now = StatsFixture.now

    func seeded() throws -> InventoryStore {
        let store = try F.store()
        try F.insert([
            F.RunRow(startedAt: now.addingTimeInterval(-100 * F.day)),                   // old: goes
            F.RunRow(startedAt: now.addingTimeInterval(-89 * F.day)),                    // kept
            F.RunRow(startedAt: now.addingTimeInterval(-95 * F.day), state: "started", outcome: nil),  // stale started: goes
            F.RunRow(startedAt: now.addingTimeInterval(-2 * F.hour), state: "started", outcome: nil),  // in flight: kept
        ], into: store)
        try F.insertHealth("camino", at: now.addingTimeInterval(-31 * F.day), status: "up", totalMs: 1, into: store)
        try F.insertHealth("camino", at: now.addingTimeInterval(-29 * F.day), status: "up", totalMs: 1, into: store)
        try F.insertDeadLetter("camino", "hourly", at: now.addingTimeInterval(-40 * F.day), error: "x", into: store)
        try F.insertDeadLetter("camino", "hourly", at: now.addingTimeInterval(-1 * F.day), error: "y", into: store)
        try F.insertPing("camino", at: now.addingTimeInterval(-45 * F.day), ok: true, into: store)
        try F.insertPing("camino", at: now.addingTimeInterval(-3 * F.day), ok: true, into: store)
        return store
    }

    func rows(_ report: CleanupReport) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: report.tables.map { ($0.table, $0.rows) })
    }

    @Test("defaults: runs 90 d, health checks, dead letters and keep-alive pings 30 d")
    func defaults() throws {
        let store = try seeded()
        let report = try store.pruneHistory(policy: .defaults, now: now)
        #expect(rows(report) == ["runs": 2, "health_checks": 1, "dead_letters": 1, "keepalive_pings": 1,
                                 "expired_previous_secrets": 0])
        #expect(report.total == 5)
        #expect(try F.count("runs", in: store) == 2)
        #expect(try F.count("health_checks", in: store) == 1)
        #expect(try F.count("dead_letters", in: store) == 1)
        #expect(try F.count("keepalive_pings", in: store) == 1)
        let runsTable = try #require(report.tables.first { $0.table == "runs" })
        #expect(runsTable.olderThan == now.addingTimeInterval(-90 * F.day))
    }

    @Test("dry run counts and changes nothing")
    func dryRun() throws {
        let store = try seeded()
        let report = try store.pruneHistory(policy: .defaults, now: now, dryRun: true, vacuum: true)
        #expect(report.dryRun)
        #expect(!report.vacuumed)
        #expect(report.total == 5)
        #expect(try F.count("runs", in: store) == 4)
        #expect(try F.count("health_checks", in: store) == 2)
        #expect(try F.count("dead_letters", in: store) == 2)
        #expect(try F.count("keepalive_pings", in: store) == 2)
    }

    @Test("each table's retention is its own; a started run younger than a day is never removed")
    func perTable() throws {
        let store = try seeded()
        let policy = RetentionPolicy(runs: 60, healthChecks: 365 * F.day, deadLetters: 365 * F.day, keepalivePings: F.day)
        let report = try store.pruneHistory(policy: policy, now: now, vacuum: true)
        #expect(rows(report)["runs"] == 3)
        #expect(rows(report)["health_checks"] == 0)
        #expect(rows(report)["dead_letters"] == 0)
        #expect(rows(report)["keepalive_pings"] == 2)
        #expect(report.vacuumed)
        let left = try store.writer.read { db in try String.fetchAll(db, sql: "SELECT state FROM runs") }
        #expect(left == ["started"])
    }

    @Test("expired previous secret values are pruned, counted in a dry run")
    func secrets() throws {
        let store = try seeded()
        let box = SecretBox(masterKey: try MasterKey(rawBytes: Data(repeating: 7, count: 32)))
        try store.setSecret(scope: "camino", key: "CRON_SECRET", value: "first-value-1234", box: box, now: now.addingTimeInterval(-3 * F.day))
        try store.rotateSecret(scope: "camino", key: "CRON_SECRET", newValue: "second-value-5678", grace: F.day, box: box,
                               now: now.addingTimeInterval(-2 * F.day))
        #expect(rows(try store.pruneHistory(policy: .defaults, now: now, dryRun: true))["expired_previous_secrets"] == 1)
        #expect(try store.secretRecords().first?.hasPrevious == true)
        #expect(rows(try store.pruneHistory(policy: .defaults, now: now))["expired_previous_secrets"] == 1)
        #expect(try store.secretRecords().first?.hasPrevious == false)
    }
}
