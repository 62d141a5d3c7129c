import Foundation
import GRDB

extension InventoryStore {
    // MARK: health_checks

    /// Records a run's results in one transaction.
    public func recordHealthChecks(_ results: [HealthCheckRecord]) throws(StoreError) {
        try run {
            try writer.write { db in
                let statement = try db.makeStatement(sql: """
                    INSERT INTO health_checks (app, checked_at, status, method, http_status, reason,
                                               dns_ms, connect_ms, tls_ms, first_byte_ms, total_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for r in results {
                    try statement.execute(arguments: [
                        r.app, Timestamp.ms(r.checkedAt), r.status.rawValue, r.method, r.httpStatus, r.reason,
                        r.dnsMs, r.connectMs, r.tlsMs, r.firstByteMs, r.totalMs,
                    ])
                }
            }
        }
    }

    /// Stored health checks, newest first; only `app`'s when given.
    public func healthChecks(app: String? = nil, limit: Int = 1000) throws(StoreError) -> [HealthCheckRecord] {
        try run {
            try writer.read { db in
                var sql = "SELECT * FROM health_checks"
                var arguments: StatementArguments = []
                if let app {
                    sql += " WHERE app = ?"
                    arguments += [app]
                }
                sql += " ORDER BY checked_at DESC, id DESC LIMIT ?"
                arguments += [max(0, limit)]
                return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                    HealthCheckRecord(
                        app: row["app"], checkedAt: Timestamp.date(ms: row["checked_at"]),
                        status: HealthStatus(rawValue: row["status"]) ?? .down, method: row["method"],
                        httpStatus: row["http_status"], reason: row["reason"], dnsMs: row["dns_ms"],
                        connectMs: row["connect_ms"], tlsMs: row["tls_ms"], firstByteMs: row["first_byte_ms"],
                        totalMs: row["total_ms"])
                }
            }
        }
    }


    // MARK: keepalive_pings

    /// Records keep-alive pings in one transaction.
    public func recordKeepalivePings(_ pings: [KeepalivePingRecord]) throws(StoreError) {
        try run {
            try writer.write { db in
                for p in pings {
                    try db.execute(sql: """
                        INSERT INTO keepalive_pings (app, pinged_at, ok, http_status, error, total_ms)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [p.app, Timestamp.ms(p.pingedAt), p.ok, p.httpStatus, p.error, p.totalMs])
                }
            }
        }
    }

    /// Per app: the last successful ping, the last attempt and its error if it failed.
    public func keepaliveHistory() throws(StoreError) -> [String: KeepaliveHistory] {
        try run {
            try writer.read { db in
                var history: [String: KeepaliveHistory] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT app, MAX(CASE WHEN ok = 1 THEN pinged_at END) AS last_ok, MAX(pinged_at) AS last_attempt
                    FROM keepalive_pings GROUP BY app
                    """) {
                    let app: String = row["app"]
                    let lastAttempt: Int64 = row["last_attempt"]
                    let error = try String.fetchOne(db, sql: """
                        SELECT error FROM keepalive_pings WHERE app = ? AND pinged_at = ? AND ok = 0
                        ORDER BY id DESC LIMIT 1
                        """, arguments: [app, lastAttempt])
                    history[app] = KeepaliveHistory(
                        lastSuccess: (row["last_ok"] as Int64?).map(Timestamp.date(ms:)),
                        lastAttempt: Timestamp.date(ms: lastAttempt), lastError: error)
                }
                return history
            }
        }
    }
}
