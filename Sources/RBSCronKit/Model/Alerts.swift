import Foundation

/// How loud an incident is. Routes can be limited to some severities.
public enum AlertSeverity: String, Codable, Sendable, CaseIterable {
    /// Someone should act now: a critical or high-priority job failing, an app down, a project about to pause.
    case critical
    /// Worth knowing today: a medium or low-priority job failing, drift, a falling success rate.
    case warning

    /// The severity of a condition about `job`: its priority decides.
    public static func of(_ job: Job) -> AlertSeverity {
        job.priority <= .high ? .critical : .warning
    }
}

/// What an incident is about. Each kind is judged by one condition source (`Alerts/AlertSources.swift`); the
/// word is stored with the incident and is part of its key, so it never changes once released.
public enum AlertKind: String, Codable, Sendable, CaseIterable {
    /// A job's latest N runs failed (N is 1 unless the job's `alert.failures` says otherwise).
    case jobFailing = "job_failing"
    /// A job's success rate over the window fell below its threshold.
    case successRate = "success_rate"
    /// The latest fire the schedule made was not run.
    case missedFire = "missed_fire"
    /// The app's latest health check found it down.
    case appDown = "app_down"
    /// A Supabase project went 5 days or more without a successful keep-alive, or is paused.
    case keepalive
    /// The job's circuit breaker is open: its latest runs all failed, so triggers skip it.
    case breakerOpen = "breaker_open"
    /// A layer holds a schedule that differs from the inventory.
    case drift
    /// The endpoint's latest `audit` found a critical hole (a caller without the secret got in).
    case endpointOpen = "endpoint_open"
}

/// A condition that holds now, as a source found it: the raw material of an incident.
public struct AlertCondition: Sendable, Equatable {
    public var kind: AlertKind
    /// Stable from one check to the next while the condition lasts: `job_failing:camino/daily-dispatcher`.
    public var key: String
    public var severity: AlertSeverity
    public var app: String?
    public var job: JobRef?
    public var layer: Layer?
    /// What is wrong, in one sentence.
    public var summary: String
    /// The last error, already redacted and shortened.
    public var detail: String?
    /// When the condition began, when the evidence says; nil means "when the incident opened".
    public var since: Date?
    /// The command that shows more (`rbscron stats --job camino/daily-dispatcher`).
    public var lookCloser: String

    public init(kind: AlertKind, subject: String, severity: AlertSeverity, app: String?, job: JobRef? = nil,
                layer: Layer? = nil, summary: String, detail: String? = nil, since: Date? = nil, lookCloser: String) {
        self.kind = kind
        self.key = AlertCondition.key(kind, subject)
        self.severity = severity
        self.app = app
        self.job = job
        self.layer = layer
        self.summary = summary
        self.detail = detail
        self.since = since
        self.lookCloser = lookCloser
    }

    /// `<kind>:<subject>`, the one way a key is made.
    public static func key(_ kind: AlertKind, _ subject: String) -> String { "\(kind.rawValue):\(subject)" }
}

/// An incident: a condition from the check that found it until the check that found it over.
public struct AlertIncident: Sendable, Equatable, Encodable {
    public var id: Int64
    public var key: String
    public var kind: AlertKind
    public var severity: AlertSeverity
    public var app: String?
    public var job: JobRef?
    public var layer: Layer?
    public var summary: String
    public var detail: String?
    public var lookCloser: String
    /// When the condition began (or, without evidence of that, when the incident opened).
    public var since: Date
    public var openedAt: Date
    /// The latest check that found the condition still there.
    public var lastSeenAt: Date
    public var resolvedAt: Date?
    /// Why no notification goes out for it now (a silence, a maintenance window); nil when none holds.
    public var silencedBy: String?

    public init(id: Int64, key: String, kind: AlertKind, severity: AlertSeverity, app: String?, job: JobRef?, layer: Layer?,
                summary: String, detail: String?, lookCloser: String, since: Date, openedAt: Date, lastSeenAt: Date,
                resolvedAt: Date?, silencedBy: String? = nil) {
        self.id = id
        self.key = key
        self.kind = kind
        self.severity = severity
        self.app = app
        self.job = job
        self.layer = layer
        self.summary = summary
        self.detail = detail
        self.lookCloser = lookCloser
        self.since = since
        self.openedAt = openedAt
        self.lastSeenAt = lastSeenAt
        self.resolvedAt = resolvedAt
        self.silencedBy = silencedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, key, kind, severity, app, job, address, layer, summary, lastError = "last_error", lookCloser = "look_closer", since
        case openedAt = "opened_at", lastSeenAt = "last_seen_at", resolvedAt = "resolved_at", silencedBy = "silenced_by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(key, forKey: .key)
        try c.encode(kind, forKey: .kind)
        try c.encode(severity, forKey: .severity)
        try c.encode(app, forKey: .app)
        try c.encode(job?.description, forKey: .job)
        try c.encode(job?.description, forKey: .address)
        try c.encode(layer, forKey: .layer)
        try c.encode(summary, forKey: .summary)
        try c.encode(detail, forKey: .lastError)
        try c.encode(lookCloser, forKey: .lookCloser)
        try c.encode(since, forKey: .since)
        try c.encode(openedAt, forKey: .openedAt)
        try c.encode(lastSeenAt, forKey: .lastSeenAt)
        try c.encode(resolvedAt, forKey: .resolvedAt)
        try c.encode(silencedBy, forKey: .silencedBy)
    }
}

/// The message format a route speaks.
public enum AlertRouteKind: String, Codable, Sendable, CaseIterable {
    /// rbscron's own JSON document (see README "Alerts"); email, pagers and chat bridges take it from there.
    case webhook
    /// A Slack incoming webhook: `text` plus Block Kit blocks.
    case slack
}

/// Where notifications go. The URL itself is a secret (`global/ALERT_ROUTE_<NAME>`), never kept here.
public struct AlertRoute: Sendable, Equatable {
    public var name: String
    public var kind: AlertRouteKind
    /// Only incidents of these apps; empty for every app.
    public var apps: [String]
    /// Only incidents on these layers; empty for every incident (one without a layer included).
    public var layers: [Layer]
    /// Only incidents of these severities; empty for all.
    public var severities: [AlertSeverity]
    public var createdAt: Date

    public init(name: String, kind: AlertRouteKind, apps: [String] = [], layers: [Layer] = [], severities: [AlertSeverity] = [],
                createdAt: Date) {
        self.name = name
        self.kind = kind
        self.apps = apps
        self.layers = layers
        self.severities = severities
        self.createdAt = createdAt
    }

    /// The secret key holding the route's URL, in the global scope: `ALERT_ROUTE_OPS_SLACK` for `ops-slack`.
    public var secretKey: String { Self.secretKey(for: name) }

    public static func secretKey(for name: String) -> String {
        "ALERT_ROUTE_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// Why `url` cannot be a route's address, in words that never repeat it (the URL is the secret); nil when fine.
    public static func urlProblem(_ url: String) -> String? {
        guard !url.isEmpty else { return "it is empty" }
        guard !url.contains(where: \.isWhitespace) else { return "it contains white space" }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            return "it is not an absolute URL"
        }
        guard scheme == "http" || scheme == "https" else { return "it uses the \(scheme) scheme; only http and https are sent" }
        guard let host = components.host, !host.isEmpty else { return "it has no host" }
        return nil
    }

    /// Whether the route takes notifications about `incident`. An incident without an app (or layer) passes an app
    /// (or layer) limit only when the route has none.
    public func takes(_ incident: AlertIncident) -> Bool {
        if !apps.isEmpty, !(incident.app.map(apps.contains) ?? false) { return false }
        if !layers.isEmpty, !(incident.layer.map(layers.contains) ?? false) { return false }
        if !severities.isEmpty, !severities.contains(incident.severity) { return false }
        return true
    }
}

/// An operator's "not now" for an app or one job, until it expires.
public struct AlertSilence: Sendable, Equatable, Encodable {
    public var id: Int64
    public var app: String
    /// nil for the whole app.
    public var job: String?
    public var reason: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: Int64, app: String, job: String?, reason: String, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.app = app
        self.job = job
        self.reason = reason
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// `camino` or `camino/daily-dispatcher`.
    public var target: String { job.map { "\(app)/\($0)" } ?? app }

    /// Whether it covers an incident about `app` (and `job`): a silence of an app covers all of its incidents.
    public func covers(app incidentApp: String?, job incidentJob: JobRef?) -> Bool {
        guard incidentApp == app || incidentJob?.app == app else { return false }
        guard let job else { return true }
        return incidentJob?.job == job
    }

    enum CodingKeys: String, CodingKey { case id, target, app, job, reason, createdAt = "created_at", expiresAt = "expires_at" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(target, forKey: .target)
        try c.encode(app, forKey: .app)
        try c.encode(job, forKey: .job)
        try c.encode(reason, forKey: .reason)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(expiresAt, forKey: .expiresAt)
    }
}

/// A recurring window (a cron expression and a duration) in which incidents of some apps or jobs notify no one:
/// deploys, a provider's maintenance. Kept in the manifest (`maintenance:`), so it is reviewed like the rest.
public struct MaintenanceWindow: Codable, Sendable, Equatable {
    /// A slug, unique in the manifest.
    public var name: String
    /// When each window starts: five Vixie cron fields, in `timezone`.
    public var cron: String
    public var timezone: String
    public var durationMs: Int
    /// The apps it covers; with `jobs` also empty, it covers everything.
    public var apps: [String]
    /// The jobs it covers.
    public var jobs: [JobRef]
    public var reason: String

    public init(name: String, cron: String, timezone: String = "UTC", durationMs: Int, apps: [String] = [], jobs: [JobRef] = [],
                reason: String = "") {
        self.name = name
        self.cron = cron
        self.timezone = timezone
        self.durationMs = durationMs
        self.apps = apps
        self.jobs = jobs
        self.reason = reason
    }

    /// Whether it covers an incident about `app` (and `job`), whether or not the window is open now.
    public func covers(app incidentApp: String?, job incidentJob: JobRef?) -> Bool {
        if apps.isEmpty && jobs.isEmpty { return true }
        if let app = incidentApp ?? incidentJob?.app, apps.contains(app) { return true }
        if let incidentJob, jobs.contains(incidentJob) { return true }
        return false
    }

    /// The window open at `date` (the latest start whose duration has not run out), or nil. A window whose
    /// cron or zone is unreadable is never open (the manifest's validation refuses both).
    public func openWindow(at date: Date) -> (start: Date, end: Date)? {
        guard durationMs > 0, let zone = TimeZone(identifier: timezone),
              let schedule = try? CronSchedule.parse(cron, dialect: .vixie) else { return nil }
        let duration = TimeInterval(durationMs) / 1000
        guard let start = schedule.previous(atOrBefore: date, in: zone, lookback: duration) else { return nil }
        let end = start.addingTimeInterval(duration)
        return end > date ? (start, end) : nil
    }

    /// The next start after `date`.
    public func nextStart(after date: Date) -> Date? {
        guard let zone = TimeZone(identifier: timezone), let schedule = try? CronSchedule.parse(cron, dialect: .vixie) else {
            return nil
        }
        return schedule.next(after: date, in: zone)
    }
}

/// A job's own alert thresholds (the manifest's `alert:` on a job); nil fields take the `alert check` defaults.
public struct JobAlertPolicy: Codable, Sendable, Equatable {
    /// Consecutive failed runs that open an incident; 0 turns failure alerts off for the job.
    public var failures: Int?
    /// An incident opens when the success rate over the window falls below this (0 < rate ≤ 1).
    public var successRate: Double?
    /// False turns missed-fire alerts off for the job.
    public var missedFires: Bool?

    public init(failures: Int? = nil, successRate: Double? = nil, missedFires: Bool? = nil) {
        self.failures = failures
        self.successRate = successRate
        self.missedFires = missedFires
    }

    enum CodingKeys: String, CodingKey { case failures, successRate = "success_rate", missedFires = "missed_fires" }

    /// True when it sets nothing (the manifest then writes no `alert:`).
    public var isEmpty: Bool { failures == nil && successRate == nil && missedFires == nil }
}

/// What a notification says about its incident.
public enum AlertEvent: String, Codable, Sendable, CaseIterable {
    /// The incident opened (or a route began to take it: a new route, a silence that ended).
    case open
    /// `alert check --repeat`: the incident is still open.
    case remind
    /// The incident is over.
    case resolve
    /// `alert route test`: a sample, about no incident.
    case test
}

/// Where a notification stands.
public enum AlertNotificationState: String, Codable, Sendable, CaseIterable {
    /// Waiting for a check to send it.
    case pending
    /// A check claimed it and is sending it (a claim older than the lease is taken as lost).
    case sending
    case delivered
    /// The last attempt failed; the next check tries again.
    case failed
}

/// One notification of one incident to one route.
public struct AlertNotification: Sendable, Equatable, Encodable {
    public var id: Int64
    public var incidentKey: String
    public var route: String
    public var event: AlertEvent
    /// 0 for open and resolve; 1, 2, … for the reminders.
    public var sequence: Int
    public var state: AlertNotificationState
    public var attempts: Int
    public var createdAt: Date
    public var deliveredAt: Date?
    public var lastError: String?

    public init(id: Int64, incidentKey: String, route: String, event: AlertEvent, sequence: Int, state: AlertNotificationState,
                attempts: Int, createdAt: Date, deliveredAt: Date?, lastError: String?) {
        self.id = id
        self.incidentKey = incidentKey
        self.route = route
        self.event = event
        self.sequence = sequence
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case id, incident = "incident", route, event, sequence, state, attempts, createdAt = "created_at"
        case deliveredAt = "delivered_at", lastError = "last_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(incidentKey, forKey: .incident)
        try c.encode(route, forKey: .route)
        try c.encode(event, forKey: .event)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(state, forKey: .state)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(deliveredAt, forKey: .deliveredAt)
        try c.encode(lastError, forKey: .lastError)
    }
}

/// Why an alert request was refused. Never carries a route's URL.
public enum AlertError: Error, LocalizedError, Sendable, Equatable {
    case invalidRouteName(String)
    case routeExists(String)
    case routeNotFound(String, suggestion: String?)
    case invalidURL(String)
    case invalidPingURL(String)
    case silenceNotFound(String)
    case routeURLMissing(route: String, key: String)

    public var errorDescription: String? {
        switch self {
        case .invalidRouteName(let name):
            return "'\(name)' is not a route name; use lowercase letters, digits and single hyphens (e.g. ops-slack)."
        case .routeExists(let name):
            return "a route named '\(name)' already exists; add --replace to give it a new URL and limits (its history is kept), "
                + "or remove it with `rbscron alert route rm \(name)`."
        case .routeNotFound(let name, let suggestion):
            return "no alert route named '\(name)'.\(suggestion.map { " Did you mean '\($0)'?" } ?? "") See `rbscron alert route list`."
        case .invalidURL(let reason):
            return "the route's URL is not usable: \(reason). Give the full http:// or https:// address of the webhook "
                + "(nothing was stored)."
        case .invalidPingURL(let reason):
            return "the --ping URL is not usable: \(reason). Give the full https:// address of the check (e.g. https://hc-ping.com/<uuid>)."
        case .silenceNotFound(let what):
            return "no active silence \(what). See `rbscron alert silence list`."
        case .routeURLMissing(let route, let key):
            return "the URL of route '\(route)' is not available: neither RBSCRON_SECRET_GLOBAL_\(key) nor the inventory's "
                + "global/\(key) could be read (is the master key set?)."
        }
    }
}
