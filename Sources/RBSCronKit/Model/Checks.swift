import Foundation

/// The verdict on one app.
public enum HealthStatus: String, Codable, Sendable, CaseIterable {
    /// Answered with the expected status within the slow threshold.
    case up
    /// Answered with the expected status, but slower than the slow threshold.
    case degraded
    /// No answer, or not the expected status.
    case down
}

/// One stored health check (a row of `health_checks`).
public struct HealthCheckRecord: Sendable, Equatable {
    public var app: String
    public var checkedAt: Date
    public var status: HealthStatus
    public var method: String
    public var httpStatus: Int?
    /// A ``HealthReason`` raw value, or nil when the app was up.
    public var reason: String?
    public var dnsMs: Double?
    public var connectMs: Double?
    public var tlsMs: Double?
    public var firstByteMs: Double?
    public var totalMs: Double?

    public init(app: String, checkedAt: Date, status: HealthStatus, method: String, httpStatus: Int?, reason: String?,
                dnsMs: Double? = nil, connectMs: Double? = nil, tlsMs: Double? = nil, firstByteMs: Double? = nil,
                totalMs: Double? = nil) {
        self.app = app
        self.checkedAt = checkedAt
        self.status = status
        self.method = method
        self.httpStatus = httpStatus
        self.reason = reason
        self.dnsMs = dnsMs
        self.connectMs = connectMs
        self.tlsMs = tlsMs
        self.firstByteMs = firstByteMs
        self.totalMs = totalMs
    }
}

/// One stored keep-alive ping (a row of `keepalive_pings`).
public struct KeepalivePingRecord: Sendable, Equatable {
    public var app: String
    public var pingedAt: Date
    public var ok: Bool
    public var httpStatus: Int?
    public var error: String?
    public var totalMs: Double?

    public init(app: String, pingedAt: Date, ok: Bool, httpStatus: Int? = nil, error: String? = nil, totalMs: Double? = nil) {
        self.app = app
        self.pingedAt = pingedAt
        self.ok = ok
        self.httpStatus = httpStatus
        self.error = error
        self.totalMs = totalMs
    }
}

/// The last keep-alive activity of one app, as `keepalive --status` needs it.
public struct KeepaliveHistory: Sendable, Equatable {
    public var lastSuccess: Date?
    public var lastAttempt: Date?
    /// The error of the last attempt, when it failed.
    public var lastError: String?

    public init(lastSuccess: Date? = nil, lastAttempt: Date? = nil, lastError: String? = nil) {
        self.lastSuccess = lastSuccess
        self.lastAttempt = lastAttempt
        self.lastError = lastError
    }
}

/// What rbscron last learnt of a Supabase project from its Management API: whether it answers, and its pg_cron.
public struct ProjectState: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// The project answered.
        case active
        /// Supabase reports it paused (`INACTIVE`, `PAUSING`…): its pg_cron runs nothing.
        case paused
        /// The Management API or the database could not be reached.
        case unreachable
        /// Not known.
        case unknown
    }

    public var projectRef: String
    public var status: Status
    /// What the Management API said (`ACTIVE_HEALTHY`, `INACTIVE`…), when it said something.
    public var providerStatus: String?
    /// `extversion` of pg_cron in the project's database, e.g. `1.6`.
    public var pgCronVersion: String?
    /// Why it is paused or unreachable, in a sentence (no secret).
    public var detail: String?
    public var checkedAt: Date
    /// Everything the project's history held up to here has been read (the next sync starts here at the latest).
    public var syncedUntil: Date?

    public init(projectRef: String, status: Status, providerStatus: String? = nil, pgCronVersion: String? = nil,
                detail: String? = nil, checkedAt: Date, syncedUntil: Date? = nil) {
        self.projectRef = projectRef
        self.status = status
        self.providerStatus = providerStatus
        self.pgCronVersion = pgCronVersion
        self.detail = detail
        self.checkedAt = checkedAt
        self.syncedUntil = syncedUntil
    }
}
