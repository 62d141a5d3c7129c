import Foundation

/// What one source made of the evidence, as `alert check` reports it.
public struct AlertSourceStatus: Sendable, Equatable, Encodable {
    public var kind: AlertKind
    public var judged: Bool
    /// How many conditions of the kind hold now (0 when not judged).
    public var conditions: Int
    /// Why it was not judged.
    public var note: String?

    enum CodingKeys: String, CodingKey { case kind, judged, conditions, note }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(judged, forKey: .judged)
        try c.encode(conditions, forKey: .conditions)
        try c.encode(note, forKey: .note)
    }
}

/// The conditions every source found, and which kinds were judged.
public struct AlertEvaluation: Sendable {
    public var conditions: [AlertCondition]
    public var sources: [AlertSourceStatus]
    public var judged: Set<AlertKind> { Set(sources.filter(\.judged).map(\.kind)) }

    /// Asks every source. A source that fails is reported as not judged (its incidents stay as they are); the others
    /// still count.
    public static func run(_ sources: [any AlertConditionSource], _ context: AlertContext) -> AlertEvaluation {
        var evaluation = AlertEvaluation(conditions: [], sources: [])
        for source in sources {
            do {
                switch try source.judge(context) {
                case .judged(let conditions):
                    evaluation.conditions += conditions
                    evaluation.sources.append(AlertSourceStatus(kind: source.kind, judged: true, conditions: conditions.count))
                case .notJudged(let why):
                    evaluation.sources.append(AlertSourceStatus(kind: source.kind, judged: false, conditions: 0, note: why))
                }
            } catch {
                evaluation.sources.append(AlertSourceStatus(kind: source.kind, judged: false, conditions: 0,
                                                            note: context.redactor.remote(error.localizedDescription)))
            }
        }
        return evaluation
    }
}

/// Silences and maintenance windows in force at one moment: why an incident notifies no one now.
public struct AlertSilencing: Sendable {
    public var silences: [AlertSilence]
    public var windows: [MaintenanceWindow]
    public var now: Date

    public init(silences: [AlertSilence], windows: [MaintenanceWindow], now: Date) {
        self.silences = silences
        self.windows = windows
        self.now = now
    }

    /// `silence #3 of camino until …: deploy`, `maintenance window sunday-deploys until …`, or nil.
    public func reason(for incident: AlertIncident) -> String? {
        if let silence = silences.first(where: { $0.expiresAt > now && $0.covers(app: incident.app, job: incident.job) }) {
            return "silence #\(silence.id) of \(silence.target) until \(Timestamp.rfc3339(silence.expiresAt))"
                + (silence.reason.isEmpty ? "" : ": \(silence.reason)")
        }
        for window in windows where window.covers(app: incident.app, job: incident.job) {
            if let open = window.openWindow(at: now) {
                return "maintenance window \(window.name) until \(Timestamp.rfc3339(open.end))"
                    + (window.reason.isEmpty ? "" : ": \(window.reason)")
            }
        }
        return nil
    }
}

/// What `alert check` did. Keys are a contract (README "Alerts").
public struct AlertCheckReport: Sendable, Encodable {
    public var checkedAt: Date
    public var refreshed: Bool
    public var sources: [AlertSourceStatus]
    /// Every incident open after the check, silenced ones with `silenced_by`.
    public var open: [AlertIncident]
    public var opened: [AlertIncident]
    public var resolved: [AlertIncident]
    /// The delivery attempts this check made.
    public var deliveries: [AlertDelivery]
    /// Notifications still not delivered after the check (failed ones are tried again by the next check).
    public var undelivered: Int
    /// What `--refresh` could not read (sentences for stderr; not in the JSON).
    public var notes: [String] = []

    public init(checkedAt: Date, refreshed: Bool, sources: [AlertSourceStatus], open: [AlertIncident], opened: [AlertIncident],
                resolved: [AlertIncident], deliveries: [AlertDelivery], undelivered: Int, notes: [String] = []) {
        self.checkedAt = checkedAt
        self.refreshed = refreshed
        self.sources = sources
        self.open = open
        self.opened = opened
        self.resolved = resolved
        self.deliveries = deliveries
        self.undelivered = undelivered
        self.notes = notes
    }

    /// Open incidents that are not silenced: what makes `alert check` exit 2.
    public var firing: [AlertIncident] { open.filter { $0.silencedBy == nil } }

    /// 2 while an unsilenced incident is open; else 1 when a notification could not be delivered; else 0.
    public var exitCode: Int32 {
        if !firing.isEmpty { return 2 }
        if deliveries.contains(where: { !$0.delivered }) { return 1 }
        return 0
    }

    enum CodingKeys: String, CodingKey {
        case checkedAt = "checked_at", refreshed, sources, open, opened, resolved, notifications, undelivered
        case exitCode = "exit_code"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(checkedAt, forKey: .checkedAt)
        try c.encode(refreshed, forKey: .refreshed)
        try c.encode(sources, forKey: .sources)
        try c.encode(open, forKey: .open)
        try c.encode(opened.map(\.key), forKey: .opened)
        try c.encode(resolved, forKey: .resolved)
        try c.encode(deliveries, forKey: .notifications)
        try c.encode(undelivered, forKey: .undelivered)
        try c.encode(exitCode, forKey: .exitCode)
    }
}

extension AlertCheckReport: PingOutcome {
    public var pingSucceeded: Bool { exitCode == 0 }

    public var pingSummary: String {
        var lines = ["alert check: \(firing.count) open incident\(firing.count == 1 ? "" : "s")"
                     + ", \(opened.count) opened, \(resolved.count) resolved"
                     + (deliveries.contains { !$0.delivered } ? ", \(deliveries.filter { !$0.delivered }.count) notifications failed" : "")]
        for incident in firing.prefix(10) { lines.append("\(incident.severity.rawValue): \(incident.summary)") }
        return lines.joined(separator: "\n")
    }
}

/// A maintenance window as `alert list` shows it.
public struct MaintenanceStatus: Sendable, Equatable, Encodable {
    public var window: MaintenanceWindow
    /// The end of the window open now, or nil.
    public var openUntil: Date?
    public var nextStart: Date?

    enum CodingKeys: String, CodingKey {
        case name, cron, timezone, duration, apps, jobs, reason, openUntil = "open_until", nextStart = "next_start"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(window.name, forKey: .name)
        try c.encode(window.cron, forKey: .cron)
        try c.encode(window.timezone, forKey: .timezone)
        try c.encode(DurationText.format(milliseconds: window.durationMs), forKey: .duration)
        try c.encode(window.apps, forKey: .apps)
        try c.encode(window.jobs.map(\.description), forKey: .jobs)
        try c.encode(window.reason, forKey: .reason)
        try c.encode(openUntil, forKey: .openUntil)
        try c.encode(nextStart, forKey: .nextStart)
    }
}

/// `alert list`: what is open, what was resolved lately, what is silenced, and what waits to be delivered.
public struct AlertListReport: Sendable, Encodable {
    public var generatedAt: Date
    public var open: [AlertIncident]
    /// Resolved since `resolvedSince`.
    public var resolved: [AlertIncident]
    public var resolvedSince: Date
    public var silences: [AlertSilence]
    public var maintenance: [MaintenanceStatus]
    public var undelivered: [AlertNotification]
    public var routes: [String]

    enum CodingKeys: String, CodingKey {
        case generatedAt = "generated_at", open, resolved, resolvedSince = "resolved_since", silences, maintenance, undelivered, routes
    }
}

/// A route as `alert route list` shows it: its URL masked, where the URL comes from.
public struct AlertRouteReport: Sendable, Equatable, Encodable {
    public var name: String
    public var kind: AlertRouteKind
    /// `https://hooks.slack.com/…(79 chars)`; `(locked)` when the URL cannot be read (no master key).
    public var url: String
    /// `environment RBSCRON_SECRET_GLOBAL_ALERT_ROUTE_OPS` or `inventory global/ALERT_ROUTE_OPS`; nil when unreadable.
    public var urlSource: String?
    public var apps: [String]
    public var layers: [Layer]
    public var severities: [AlertSeverity]
    public var createdAt: Date
    public var delivered: Int
    public var undelivered: Int

    enum CodingKeys: String, CodingKey {
        case name, kind, url, urlSource = "url_source", apps, layers, severities, createdAt = "created_at", delivered, undelivered
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(url, forKey: .url)
        try c.encode(urlSource, forKey: .urlSource)
        try c.encode(apps, forKey: .apps)
        try c.encode(layers, forKey: .layers)
        try c.encode(severities, forKey: .severities)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(delivered, forKey: .delivered)
        try c.encode(undelivered, forKey: .undelivered)
    }
}
