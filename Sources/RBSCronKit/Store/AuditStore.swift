import Foundation
import GRDB

/// One stored probe of an audit (a row of `audit_probes`). Never a credential: `detail` is redacted text.
public struct AuditProbeRecord: Sendable, Equatable {
    /// When the audit began; every probe of one audit shares it.
    public var auditedAt: Date
    public var app: String
    public var job: String
    public var method: String
    public var url: String
    /// The probe's name (`no_credentials`, `bearer_undefined`, …).
    public var probe: String
    public var expected: String
    public var httpStatus: Int?
    /// Where redirects led, when they were followed.
    public var finalURL: String?
    public var verdict: String
    /// `critical`, `warning`, `info`, `ok`; nil for a probe that was not sent.
    public var severity: String?
    public var detail: String?
    public var totalMs: Double?

    public init(auditedAt: Date, app: String, job: String, method: String, url: String, probe: String, expected: String,
                httpStatus: Int?, finalURL: String?, verdict: String, severity: String?, detail: String?, totalMs: Double?) {
        self.auditedAt = auditedAt
        self.app = app
        self.job = job
        self.method = method
        self.url = url
        self.probe = probe
        self.expected = expected
        self.httpStatus = httpStatus
        self.finalURL = finalURL
        self.verdict = verdict
        self.severity = severity
        self.detail = detail
        self.totalMs = totalMs
    }
}

extension InventoryStore {
    // MARK: audit_probes

    /// Records one audit's probes in one transaction.
    public func recordAuditProbes(_ probes: [AuditProbeRecord]) throws(StoreError) {
        try run {
            try writer.write { db in
                let statement = try db.makeStatement(sql: """
                    INSERT INTO audit_probes (audited_at, app, job, method, url, probe, expected, http_status, final_url,
                                              verdict, severity, detail, total_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for p in probes {
                    try statement.execute(arguments: [
                        Timestamp.ms(p.auditedAt), p.app, p.job, p.method, p.url, p.probe, p.expected, p.httpStatus,
                        p.finalURL, p.verdict, p.severity, p.detail, p.totalMs,
                    ])
                }
            }
        }
    }

    /// The probes of each endpoint's latest audit, by endpoint (`APP/JOB`), in the order they were sent.
    public func latestAuditProbes() throws(StoreError) -> [JobRef: [AuditProbeRecord]] {
        try run {
            try writer.read { db in
                var byJob: [JobRef: [AuditProbeRecord]] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT a.* FROM audit_probes a
                    JOIN (SELECT app, job, MAX(audited_at) AS last FROM audit_probes GROUP BY app, job) l
                      ON a.app = l.app AND a.job = l.job AND a.audited_at = l.last
                    ORDER BY a.app, a.job, a.id
                    """) {
                    let record = AuditProbeRecord(
                        auditedAt: Timestamp.date(ms: row["audited_at"]), app: row["app"], job: row["job"],
                        method: row["method"], url: row["url"], probe: row["probe"], expected: row["expected"],
                        httpStatus: row["http_status"], finalURL: row["final_url"], verdict: row["verdict"],
                        severity: row["severity"], detail: row["detail"], totalMs: row["total_ms"])
                    byJob[JobRef(app: record.app, job: record.job), default: []].append(record)
                }
                return byJob
            }
        }
    }
}
