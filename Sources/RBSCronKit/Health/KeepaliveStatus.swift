import Foundation

/// How close a project is to the free tier's pause.
public enum KeepaliveState: String, Codable, Sendable, CaseIterable {
    /// Less than ``KeepaliveStatusReport/warnDays`` since the last successful ping.
    case ok
    /// From ``KeepaliveStatusReport/warnDays`` up to ``KeepaliveStatusReport/failDays``: ping it soon.
    case warn
    /// More than ``KeepaliveStatusReport/failDays``: the project may pause within a day. Exit 2.
    case overdue
    /// rbscron has never pinged it successfully, so it cannot tell (the project's own pg_cron keep-alive may
    /// be running). Reported, not failed.
    case unknown
    /// No Supabase URL in the inventory.
    case notConfigured = "not_configured"
    /// The Management API reported the project paused the last time rbscron read it (`stats --sync`): it runs
    /// nothing until restored. Exit 2.
    case paused
}

/// One project's keep-alive status. Keys are a contract (see README).
public struct KeepaliveStatusEntry: Sendable, Equatable, Encodable {
    public var app: String
    public var projectRef: String?
    public var url: String?
    public var state: KeepaliveState
    public var lastSuccessAt: Date?
    /// Days (to 0.01) since the last successful ping; nil when there was none.
    public var daysSince: Double?
    /// When the free tier would pause the project without other activity: last success + 7 days.
    public var pausesAfter: Date?
    public var lastAttemptAt: Date?
    /// The error of the last attempt, when it failed.
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case app, projectRef = "project_ref", url, state, lastSuccessAt = "last_success_at", daysSince = "days_since",
             pausesAfter = "pauses_after", lastAttemptAt = "last_attempt_at", lastError = "last_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(app, forKey: .app)
        try c.encode(projectRef, forKey: .projectRef)
        try c.encode(url, forKey: .url)
        try c.encode(state, forKey: .state)
        try c.encode(lastSuccessAt, forKey: .lastSuccessAt)
        try c.encode(daysSince.map { ($0 * 100).rounded(.down) / 100 }, forKey: .daysSince)
        try c.encode(pausesAfter, forKey: .pausesAfter)
        try c.encode(lastAttemptAt, forKey: .lastAttemptAt)
        try c.encode(lastError, forKey: .lastError)
    }
}

/// `keepalive --status`: days since each project's last successful ping.
public struct KeepaliveStatusReport: Sendable, Equatable, Encodable {
    /// Supabase pauses a free-tier project after 7 days without activity.
    public static let pauseDays = 7.0
    /// Warn from 5 days on.
    public static let warnDays = 5.0
    /// Fail (exit 2) past 6 days: less than a day is left.
    public static let failDays = 6.0

    public var entries: [KeepaliveStatusEntry]

    /// True when a project is overdue or paused: `keepalive --status` then exits 2.
    public var anyOverdue: Bool { entries.contains { $0.state == .overdue || $0.state == .paused } }

    /// Its JSON is the array of entries.
    public func encode(to encoder: any Encoder) throws { try entries.encode(to: encoder) }

    /// The state for a project last pinged successfully `days` ago.
    public static func state(daysSince days: Double) -> KeepaliveState {
        if days > failDays { return .overdue }
        if days >= warnDays { return .warn }
        return .ok
    }

    /// Builds the report for the projects of `inventory` (all, or `project`) from the stored history.
    public static func build(inventory: Inventory, project: String?, history: [String: KeepaliveHistory],
                             projects: [String: ProjectState] = [:], now: Date) throws -> KeepaliveStatusReport {
        let apps = try KeepalivePinger.projects(in: inventory, project: project)
        let entries = apps.map { app -> KeepaliveStatusEntry in
            let past = history[app.name] ?? KeepaliveHistory()
            let configured = !(app.supabase?.url ?? "").isEmpty
            let days = past.lastSuccess.map { now.timeIntervalSince($0) / 86_400 }
            var state: KeepaliveState
            if let days {
                state = Self.state(daysSince: days)
            } else {
                state = configured ? .unknown : .notConfigured
            }
            var lastError = past.lastError
            if let ref = app.supabase?.projectRef, let known = projects[ref], known.status == .paused,
               past.lastSuccess.map({ $0 < known.checkedAt }) ?? true {
                state = .paused
                lastError = known.detail
            }
            return KeepaliveStatusEntry(
                app: app.name, projectRef: app.supabase?.projectRef, url: app.supabase?.url, state: state,
                lastSuccessAt: past.lastSuccess, daysSince: days,
                pausesAfter: past.lastSuccess?.addingTimeInterval(pauseDays * 86_400),
                lastAttemptAt: past.lastAttempt, lastError: lastError)
        }
        return KeepaliveStatusReport(entries: entries)
    }
}

/// `keepalive --sql`: the seed's keep-alive and cron-history cleanup migration for one project.
public struct KeepaliveSQLReport: Sendable, Equatable {
    public var app: String
    /// The suggested path inside the app's repository, `supabase/migrations/<YYYYMMDDHHMMSS>_rbscron_keep_alive.sql`.
    public var suggestedPath: String
    /// The file name alone.
    public var fileName: String
    public var sql: String

    /// The migration for `project`, or for the only app with a Supabase project when `project` is nil.
    /// - Throws: ``KeepaliveError`` when no app, or more than one, could be meant; ``InventoryQueryError`` for an unknown app.
    public static func build(inventory: Inventory, project: String?, now: Date) throws -> KeepaliveSQLReport {
        let apps = try KeepalivePinger.projects(in: inventory, project: project)
        guard let app = apps.first else { throw KeepaliveError.noProjects }
        guard apps.count == 1 else { throw KeepaliveError.chooseProject(apps.map(\.name)) }
        let path = PgCronSQL.keepAliveFileName(now: now)
        return KeepaliveSQLReport(app: app.name, suggestedPath: path, fileName: (path as NSString).lastPathComponent,
                                  sql: PgCronSQL.keepAliveMigration(app: app, now: now))
    }
}
