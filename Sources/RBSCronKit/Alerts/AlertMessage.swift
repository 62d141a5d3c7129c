import Foundation

/// What one notification says: what, where, since when, the last error, and the command to look closer. Each route
/// kind sends it in its own body; every text in it has passed the redactor.
public struct AlertMessage: Sendable {
    public var event: AlertEvent
    public var incident: AlertIncident
    /// The reminder's number (0 for open, resolve and test).
    public var sequence: Int
    public var sentAt: Date
    /// The app's display name (`Baúl`), when the incident is about an app of the inventory.
    public var appDisplayName: String?

    public init(event: AlertEvent, incident: AlertIncident, sequence: Int = 0, sentAt: Date, appDisplayName: String? = nil) {
        self.event = event
        self.incident = incident
        self.sequence = sequence
        self.sentAt = sentAt
        self.appDisplayName = appDisplayName
    }

    /// `OPEN critical: camino/daily-dispatcher failed 3 runs in a row`.
    public var headline: String {
        switch event {
        case .open: return "OPEN \(incident.severity.rawValue): \(incident.summary)"
        case .remind: return "STILL OPEN (reminder \(sequence)) \(incident.severity.rawValue): \(incident.summary)"
        case .resolve: return "RESOLVED after \(Self.span(from: incident.since, to: incident.resolvedAt ?? sentAt)): \(incident.summary)"
        case .test: return "TEST: \(incident.summary)"
        }
    }

    /// `Camino (camino) · camino/daily-dispatcher · vercel`.
    public var location: String {
        var parts: [String] = []
        if let app = incident.app {
            parts.append(appDisplayName.map { $0 == app ? app : "\($0) (\(app))" } ?? app)
        }
        if let job = incident.job { parts.append(job.description) }
        if let layer = incident.layer { parts.append(layer.rawValue) }
        return parts.isEmpty ? "rbscron" : parts.joined(separator: " · ")
    }

    /// `2026-04-10T14:00:00Z (2h 5m ago)`, or for a resolved incident its start, end and length.
    public var when: String {
        if let resolved = incident.resolvedAt {
            return "\(Timestamp.rfc3339(incident.since)) to \(Timestamp.rfc3339(resolved)) (\(Self.span(from: incident.since, to: resolved)))"
        }
        return "\(Timestamp.rfc3339(incident.since)) (\(Self.span(from: incident.since, to: sentAt)) ago)"
    }

    /// The message as plain lines (also the body of a healthchecks-style ping).
    public var plainText: String {
        var lines = [headline, "where: \(location)", "since: \(when)"]
        if let detail = incident.detail { lines.append("last error: \(detail)") }
        lines.append("look closer: \(incident.lookCloser)")
        return lines.joined(separator: "\n")
    }

    /// `45s`, `12m`, `2h 5m`, `3d 4h`.
    public static func span(from start: Date, to end: Date) -> String {
        let seconds = max(0, Int(end.timeIntervalSince(start).rounded()))
        if seconds < 60 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 24 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h \(minutes % 60)m" }
        return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d \(hours % 24)h"
    }

    // MARK: - Bodies

    /// The body `kind` sends, every secret the redactor knows hidden (also in its JSON-escaped forms).
    public func body(for kind: AlertRouteKind, redactor: Redactor) throws -> Data {
        let message = redacted(by: redactor)
        let data: Data
        switch kind {
        case .webhook: data = try ReportJSON.compact(WebhookBody(message: message))
        case .slack: data = try ReportJSON.compact(message.slackBody)
        }
        return redactor.redact(data)
    }

    /// The message with every text that may carry outside words passed through the redactor.
    func redacted(by redactor: Redactor) -> AlertMessage {
        var copy = self
        copy.incident.summary = redactor.remote(incident.summary)
        copy.incident.detail = incident.detail.map { redactor.remote($0) }
        copy.incident.lookCloser = redactor.remote(incident.lookCloser)
        copy.incident.silencedBy = nil
        return copy
    }

    /// The generic webhook's document: the incident as `alert list --json` shows it, the event and a text line.
    struct WebhookBody: Encodable {
        var message: AlertMessage

        enum CodingKeys: String, CodingKey { case event, reminder, text, location, incident, sentAt = "sent_at", sender }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message.event, forKey: .event)
            try c.encode(message.event == .remind ? message.sequence : nil, forKey: .reminder)
            try c.encode(message.headline, forKey: .text)
            try c.encode(message.location, forKey: .location)
            try c.encode(message.incident, forKey: .incident)
            try c.encode(message.sentAt, forKey: .sentAt)
            try c.encode(RBSCronVersion.userAgent, forKey: .sender)
        }
    }

    /// Slack's incoming-webhook body: `text` (the notification's fallback) and Block Kit sections.
    struct SlackBody: Encodable {
        struct Text: Encodable {
            var type = "mrkdwn"
            var text: String
        }
        struct Block: Encodable {
            var type: String
            var text: Text?
            var fields: [Text]?
            var elements: [Text]?
        }
        var text: String
        var blocks: [Block]
    }

    var slackBody: SlackBody {
        let icon: String
        switch event {
        case .open: icon = incident.severity == .critical ? ":rotating_light:" : ":warning:"
        case .remind: icon = ":bell:"
        case .resolve: icon = ":white_check_mark:"
        case .test: icon = ":wave:"
        }
        let e = Self.slackEscaped
        var blocks = [
            SlackBody.Block(type: "section", text: .init(text: "\(icon) *\(e(headline))*")),
            SlackBody.Block(type: "section", fields: [
                .init(text: "*Where*\n\(e(location))"),
                .init(text: "*\(incident.resolvedAt == nil ? "Since" : "From–to")*\n\(e(when))"),
            ]),
        ]
        if let detail = incident.detail {
            blocks.append(SlackBody.Block(type: "section", text: .init(text: "*Last error*\n```\(e(detail))```")))
        }
        blocks.append(SlackBody.Block(type: "context", elements: [
            .init(text: "Look closer: `\(e(incident.lookCloser))` · \(RBSCronVersion.userAgent) · \(e(incident.key))"),
        ]))
        return SlackBody(text: "\(icon) \(e(headline))", blocks: blocks)
    }

    /// Slack's three control characters.
    static func slackEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
