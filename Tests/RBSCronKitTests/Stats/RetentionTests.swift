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
                                 "due_decisions": 0, "alert_incidents": 0, "alert_silences": 0, "audit_probes": 0,
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

    @Test("due decisions, resolved incidents with their notifications, expired silences and superseded audits follow the runs")
    func recordsThatExplainRuns() throws {
        let store = try F.store()
        let old = Timestamp.ms(now.addingTimeInterval(-100 * F.day)), older = Timestamp.ms(now.addingTimeInterval(-120 * F.day))
        let recent = Timestamp.ms(now.addingTimeInterval(-1 * F.day))
        try store.writer.write { db in
            for (at, fire) in [(old, 1), (recent, 2)] {
                try db.execute(sql: """
                    INSERT INTO due_decisions (app, job, fire_at, decided_at, state, action, reason)
                    VALUES ('camino', 'hourly', ?, ?, 'missed', 'fired', 'r')
                    """, arguments: [fire, at])
            }
            try db.execute(sql: """
                INSERT INTO alert_routes (name, kind, apps, layers, severities, created_at) VALUES ('hooks', 'webhook', '', '', '', ?)
                """,
                           arguments: [older])
            // Resolved long ago (goes, with its notification and attempt); resolved lately; still open since long ago.
            for (key, resolved) in [("a", old as Int64?), ("b", recent), ("c", nil)] {
                try db.execute(sql: """
                    INSERT INTO alert_incidents (key, kind, severity, summary, look_closer, since, opened_at, last_seen_at, resolved_at)
                    VALUES (?, 'job.failing', 'critical', 's', 'l', ?, ?, ?, ?)
                    """, arguments: [key, older, older, older, resolved])
            }
            try db.execute(sql: """
                INSERT INTO alert_notifications (incident_id, route, event, state, created_at)
                SELECT id, 'hooks', 'open', 'delivered', ? FROM alert_incidents
                """, arguments: [older])
            try db.execute(sql: """
                INSERT INTO alert_attempts (notification_id, attempted_at, outcome) SELECT id, ?, 'delivered' FROM alert_notifications
                """, arguments: [older])
            for (created, expires) in [(older, old), (old, recent + 86_400_000)] {
                try db.execute(sql: "INSERT INTO alert_silences (app, reason, created_at, expires_at) VALUES ('camino', 'r', ?, ?)",
                               arguments: [created, expires])
            }
            // Two old audits of one endpoint (the older goes, the latest stays however old), one of another.
            for (job, at) in [("hourly", older), ("hourly", old), ("daily", older)] {
                try db.execute(sql: """
                    INSERT INTO audit_probes (audited_at, app, job, method, url, probe, expected, verdict, severity)
                    VALUES (?, 'camino', ?, 'GET', 'https://x/api', 'no-auth', 'denied', 'denied', 'ok')
                    """, arguments: [at, job])
            }
        }
        let dry = rows(try store.pruneHistory(policy: .defaults, now: now, dryRun: true))
        #expect(dry["due_decisions"] == 1 && dry["alert_incidents"] == 1 && dry["alert_silences"] == 1 && dry["audit_probes"] == 1)
        #expect(try F.count("audit_probes", in: store) == 3, "a dry run removes nothing")
        let report = rows(try store.pruneHistory(policy: .defaults, now: now))
        #expect(report == dry.merging(["runs": 0]) { new, _ in new })
        #expect(try F.count("due_decisions", in: store) == 1)
        #expect(try F.count("alert_incidents", in: store) == 2, "the lately resolved and the open incident stay")
        #expect(try F.count("alert_notifications", in: store) == 2 && F.count("alert_attempts", in: store) == 2)
        #expect(try F.count("alert_silences", in: store) == 1)
        let audits = try store.writer.read { db in try String.fetchAll(db, sql: "SELECT job || ':' || audited_at FROM audit_probes ORDER BY job") }
        #expect(audits == ["daily:\(older)", "hourly:\(old)"], "each endpoint keeps its latest audit")
        // A shorter retention for runs takes the lately resolved incident too; never the open one.
        let short = RetentionPolicy(runs: 12 * 3600, healthChecks: F.day, deadLetters: F.day, keepalivePings: F.day)
        _ = try store.pruneHistory(policy: short, now: now)
        #expect(try F.count("alert_incidents", in: store) == 1)
    }
}
