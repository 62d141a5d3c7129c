import Foundation
import RBSCronKit

/// The incident lines shared by `alert check` and `alert list`.
enum IncidentLines {
    static func render(_ incident: AlertIncident, now: Date, style: TerminalStyle) -> [String] {
        let severity = incident.severity == .critical ? style.red("critical") : style.yellow("warning")
        let state: String
        if incident.resolvedAt != nil {
            state = style.green("RESOLVED")
        } else if incident.silencedBy != nil {
            state = style.dim("SILENCED")
        } else {
            state = style.bold("OPEN")
        }
        var lines = ["\(state) \(severity) \(incident.summary)"]
        if let resolved = incident.resolvedAt {
            lines.append("  from \(Timestamp.rfc3339(incident.since)) to \(Timestamp.rfc3339(resolved)) "
                         + "(\(AlertMessage.span(from: incident.since, to: resolved)))")
        } else {
            lines.append("  since \(Timestamp.rfc3339(incident.since)) (\(AlertMessage.span(from: incident.since, to: now)))")
        }
        if let detail = incident.detail { lines.append("  last error: \(detail)") }
        if let silence = incident.silencedBy { lines.append("  silenced by \(silence)") }
        lines.append("  look closer: \(incident.lookCloser)")
        lines.append(style.dim("  key \(incident.key)"))
        return lines
    }
}

extension AlertCheckReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        var lines: [String] = []
        for incident in open { lines += IncidentLines.render(incident, now: checkedAt, style: style) }
        for incident in resolved { lines += IncidentLines.render(incident, now: checkedAt, style: style) }
        if !deliveries.isEmpty {
            if !lines.isEmpty { lines.append("") }
            for d in deliveries {
                let outcome = d.delivered ? style.green("delivered") : style.red("failed")
                lines.append("\(outcome) \(d.event.rawValue) \(d.incident) → \(d.route)" + (d.error.map { ": \($0)" } ?? ""))
            }
        }
        let skipped = sources.filter { !$0.judged }
        if !skipped.isEmpty {
            lines.append(style.dim("not judged: " + skipped.map { "\($0.kind.rawValue) (\($0.note ?? "no evidence"))" }
                .joined(separator: "; ")))
        }
        if !lines.isEmpty { lines.append("") }
        let failed = deliveries.filter { !$0.delivered }.count
        let silenced = open.count - firing.count
        lines.append("\(firing.count) incident\(firing.count == 1 ? "" : "s") open"
                     + (silenced > 0 ? " (+\(silenced) silenced)" : "")
                     + ", \(opened.count) opened, \(resolved.count) resolved; "
                     + "\(deliveries.count - failed) notification\(deliveries.count - failed == 1 ? "" : "s") delivered, \(failed) failed"
                     + (undelivered > 0 ? ", \(undelivered) waiting for the next check" : ""))
        return lines.joined(separator: "\n")
    }

    var notices: [String] { notes.map { "note: \($0)" } }
}

extension AlertListReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        var lines: [String] = []
        if open.isEmpty {
            lines.append("no incident open")
        } else {
            for incident in open { lines += IncidentLines.render(incident, now: generatedAt, style: style) }
        }
        if !resolved.isEmpty {
            lines.append("")
            lines.append(style.bold("resolved since \(Timestamp.rfc3339(resolvedSince))"))
            for incident in resolved { lines += IncidentLines.render(incident, now: generatedAt, style: style) }
        }
        if !silences.isEmpty {
            lines.append("")
            lines.append(SilenceList(silences: silences, verb: nil).human(style) ?? "")
        }
        if !maintenance.isEmpty {
            lines.append("")
            let rows = maintenance.map { m -> [String] in
                let covers = m.window.apps + m.window.jobs.map(\.description)
                return [m.window.name, m.window.cron + (m.window.timezone == "UTC" ? "" : " (\(m.window.timezone))"),
                        DurationText.format(milliseconds: m.window.durationMs), covers.isEmpty ? "everything" : covers.joined(separator: ", "),
                        m.openUntil.map { style.yellow("open until \(Timestamp.rfc3339($0))") }
                            ?? (m.nextStart.map { "next \(Timestamp.rfc3339($0))" } ?? "-")]
            }
            lines.append(Output.table(["MAINTENANCE", "CRON", "LASTS", "COVERS", "NOW"], rows, style: style))
        }
        if !undelivered.isEmpty {
            lines.append("")
            let rows = undelivered.map { n in
                [String(n.id), n.route, n.event.rawValue, n.incidentKey, n.state.rawValue, String(n.attempts), n.lastError ?? ""]
            }
            lines.append(Output.table(["NOTIFICATION", "ROUTE", "EVENT", "INCIDENT", "STATE", "ATTEMPTS", "LAST ERROR"], rows, style: style))
        }
        if routes.isEmpty {
            lines.append("")
            lines.append(style.dim("no route: incidents are recorded but reach no one. Add one with `rbscron alert route add NAME --slack -`."))
        }
        return lines.joined(separator: "\n")
    }
}

/// `alert route add`: the route as stored. Its JSON is the route.
struct RouteAdded: Encodable, HumanReadable {
    var route: AlertRouteReport
    var replaced: Bool

    func encode(to encoder: any Encoder) throws { try route.encode(to: encoder) }

    func human(_ style: TerminalStyle) -> String? {
        "\(replaced ? "replaced" : "added") route \(route.name) (\(route.kind.rawValue), \(route.url)); it takes \(RouteList.limits(route))"
            + (replaced ? "; its history is kept" : "")
    }
}

/// `alert route list`. Its JSON is the array of routes.
struct RouteList: Encodable, HumanReadable {
    var routes: [AlertRouteReport]

    func encode(to encoder: any Encoder) throws { try routes.encode(to: encoder) }

    func human(_ style: TerminalStyle) -> String? {
        guard !routes.isEmpty else { return "no alert route. Add one with: rbscron alert route add NAME --slack -" }
        let rows = routes.map { r in
            [r.name, r.kind.rawValue, r.url, r.urlSource ?? "-", Self.limits(r), String(r.delivered), String(r.undelivered)]
        }
        return Output.table(["ROUTE", "KIND", "URL", "URL FROM", "TAKES", "DELIVERED", "WAITING"], rows, style: style)
    }

    static func limits(_ route: AlertRouteReport) -> String {
        var parts: [String] = []
        if !route.apps.isEmpty { parts.append("apps " + route.apps.joined(separator: ", ")) }
        if !route.layers.isEmpty { parts.append("layers " + route.layers.map(\.rawValue).joined(separator: ", ")) }
        if !route.severities.isEmpty { parts.append(route.severities.map(\.rawValue).joined(separator: ", ")) }
        return parts.isEmpty ? "every incident" : parts.joined(separator: "; ")
    }
}

extension AlertDelivery: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        if delivered { return "\(style.green("delivered")) a test message to \(route)" + (httpStatus.map { " (HTTP \($0))" } ?? "") }
        return "\(style.red("not delivered")) to \(route): \(error ?? "no answer")"
    }
}

/// Silences, as `alert silence` and `alert silence list` print them. Its JSON is the array.
struct SilenceList: Encodable, HumanReadable {
    var silences: [AlertSilence]
    /// `silenced` or `ended` for the commands that change one; nil for the list.
    var verb: String?

    func encode(to encoder: any Encoder) throws { try silences.encode(to: encoder) }

    func human(_ style: TerminalStyle) -> String? {
        if let verb {
            return silences.map { s in
                "\(verb) \(s.target) (silence #\(s.id))" + (verb == "silenced" ? " until \(Timestamp.rfc3339(s.expiresAt))" : "")
            }.joined(separator: "\n")
        }
        guard !silences.isEmpty else { return "no silence in force" }
        let rows = silences.map { s in [String(s.id), s.target, Timestamp.rfc3339(s.expiresAt), s.reason] }
        return Output.table(["SILENCE", "TARGET", "UNTIL", "REASON"], rows, style: style)
    }
}
