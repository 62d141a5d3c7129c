import Foundation
import GRDB

/// How long local history is kept, per table (seed 000: health checks and dead letters 30 days).
public struct RetentionPolicy: Sendable, Equatable {
    public var runs: TimeInterval
    public var healthChecks: TimeInterval
    public var deadLetters: TimeInterval
    public var keepalivePings: TimeInterval

    /// Runs 90 days; health checks, dead letters and keep-alive pings 30 days.
    public static let defaults = RetentionPolicy(runs: 90 * 86_400, healthChecks: 30 * 86_400,
                                                 deadLetters: 30 * 86_400, keepalivePings: 30 * 86_400)

    /// A run still `started` and younger than this may be in flight; it is never deleted.
    public static let inFlightGuard: TimeInterval = 86_400

    public init(runs: TimeInterval, healthChecks: TimeInterval, deadLetters: TimeInterval, keepalivePings: TimeInterval) {
        self.runs = runs
        self.healthChecks = healthChecks
        self.deadLetters = deadLetters
        self.keepalivePings = keepalivePings
    }
}

/// What `cleanup` removed (or, in a dry run, would remove) from one table.
public struct TableCleanup: Encodable, Sendable, Equatable {
    public var table: String
    /// Rows older than this were (or would be) removed; nil for rows pruned by their own expiry (secrets).
    public var olderThan: Date?
    public var rows: Int

    enum CodingKeys: String, CodingKey { case table, olderThan = "older_than", rows }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(table, forKey: .table)
        try c.encode(olderThan, forKey: .olderThan)
        try c.encode(rows, forKey: .rows)
    }
}

/// What `rbscron cleanup` reports. Keys are a contract (see README "JSON shapes").
public struct CleanupReport: Encodable, Sendable, Equatable {
    public var dryRun: Bool
    public var vacuumed: Bool
    public var tables: [TableCleanup]

    public var total: Int { tables.reduce(0) { $0 + $1.rows } }

    enum CodingKeys: String, CodingKey { case dryRun = "dry_run", vacuumed, tables, total }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(vacuumed, forKey: .vacuumed)
        try c.encode(tables, forKey: .tables)
        try c.encode(total, forKey: .total)
    }
}

extension InventoryStore {
    /// Deletes local history older than `policy` allows, in one transaction: runs (never a `started` run younger
    /// than a day), health checks, dead letters and keep-alive pings; with the runs' retention, due decisions,
    /// resolved alert incidents, expired silences and superseded audit probes; then previous secret values whose
    /// grace period has ended. With `dryRun` nothing changes and the counts say what would go. `vacuum` compacts the
    /// file afterwards (not in a dry run).
    public func pruneHistory(policy: RetentionPolicy, now: Date = Date(), dryRun: Bool = false,
                             vacuum: Bool = false) throws(StoreError) -> CleanupReport {
        let nowMs = Timestamp.ms(now)
        func cutoff(_ age: TimeInterval) -> Int64 { nowMs - Int64((age * 1000).rounded()) }
        let inFlightMs = cutoff(RetentionPolicy.inFlightGuard)
        // (table, condition, cutoff) — the condition takes the cutoff as its first argument.
        let plan: [(String, String, TimeInterval, StatementArguments)] = [
            ("runs", "started_at < ? AND NOT (state = 'started' AND started_at >= ?)", policy.runs,
             [cutoff(policy.runs), inFlightMs]),
            ("health_checks", "checked_at < ?", policy.healthChecks, [cutoff(policy.healthChecks)]),
            ("dead_letters", "created_at < ?", policy.deadLetters, [cutoff(policy.deadLetters)]),
            ("keepalive_pings", "pinged_at < ?", policy.keepalivePings, [cutoff(policy.keepalivePings)]),
            // The records that explain runs follow the runs' retention: due mode's decisions, resolved alert
            // incidents (their notifications and delivery attempts go with them), expired silences, and audit
            // probes, except each endpoint's latest audit, which stays until a newer one replaces it.
            ("due_decisions", "decided_at < ?", policy.runs, [cutoff(policy.runs)]),
            ("alert_incidents", "resolved_at IS NOT NULL AND resolved_at < ?", policy.runs, [cutoff(policy.runs)]),
            ("alert_silences", "expires_at < ?", policy.runs, [cutoff(policy.runs)]),
            ("audit_probes", """
                audited_at < ? AND audited_at < (SELECT MAX(l.audited_at) FROM audit_probes l
                                                 WHERE l.app = audit_probes.app AND l.job = audit_probes.job)
                """, policy.runs, [cutoff(policy.runs)]),
        ]
        var report = try run {
            try writer.write { db in
                var tables: [TableCleanup] = []
                for (table, condition, age, arguments) in plan {
                    let count: Int
                    if dryRun {
                        count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(condition)", arguments: arguments) ?? 0
                    } else {
                        try db.execute(sql: "DELETE FROM \(table) WHERE \(condition)", arguments: arguments)
                        count = db.changesCount
                    }
                    tables.append(TableCleanup(table: table, olderThan: now.addingTimeInterval(-age), rows: count))
                }
                return CleanupReport(dryRun: dryRun, vacuumed: false, tables: tables)
            }
        }
        let secrets: Int
        if dryRun {
            secrets = try run {
                try writer.read { db in
                    try Int.fetchOne(db, sql: """
                        SELECT COUNT(*) FROM secrets WHERE previous_expires_at IS NOT NULL AND previous_expires_at <= ?
                        """, arguments: [nowMs]) ?? 0
                }
            }
        } else {
            secrets = try pruneExpiredPreviousSecrets(now: now)
        }
        report.tables.append(TableCleanup(table: "expired_previous_secrets", olderThan: nil, rows: secrets))
        if vacuum, !dryRun {
            try run { try writer.vacuum() }
            report.vacuumed = true
        }
        return report
    }
}
