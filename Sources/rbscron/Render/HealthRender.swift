import Foundation
import RBSCronKit

extension HealthReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        guard !results.isEmpty else { return "no active apps to check" }
        func ms(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "-" }
        let rows = results.map { r -> [String] in
            let status: String
            switch r.status {
            case .up: status = style.green("up")
            case .degraded: status = style.yellow("degraded")
            case .down: status = style.red("down")
            }
            let t = r.timings
            return [r.app, status, r.httpStatus.map(String.init) ?? "-", r.method, ms(t.totalMs),
                    "\(ms(t.dnsMs))/\(ms(t.connectMs))/\(ms(t.tlsMs))/\(ms(t.firstByteMs))", r.detail ?? ""]
        }
        var lines = [Output.table(["APP", "STATUS", "HTTP", "METHOD", "TOTAL MS", "DNS/CONN/TLS/TTFB MS", "DETAIL"], rows, style: style)]
        for r in results where r.status == .down && !r.dependentsAffected.isEmpty {
            lines.append("")
            lines.append(style.red("\(r.app) is down") + ": these apps lose background jobs it fires:")
            for d in r.dependentsAffected {
                lines.append("  \(d.app): \(d.jobs.joined(separator: ", ")) (fired by \(d.triggeredBy.joined(separator: ", ")))")
            }
        }
        lines.append("")
        lines.append("\(results.count) app\(results.count == 1 ? "" : "s"): \(upCount) up, \(degradedCount) degraded, \(downCount) down")
        return lines.joined(separator: "\n")
    }
}

extension KeepaliveReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        guard !results.isEmpty else { return "no app in the inventory has a Supabase project" }
        let rows = results.map { r -> [String] in
            let outcome: String
            switch r.outcome {
            case .ok: outcome = style.green("ok")
            case .failed: outcome = style.red("failed")
            case .denied: outcome = style.red("denied")
            case .notConfigured: outcome = style.dim("not configured")
            }
            return [r.app, outcome, r.mode?.rawValue ?? "-", r.httpStatus.map(String.init) ?? "-",
                    r.totalMs.map { String(format: "%.0f", $0) } ?? "-", r.reason ?? ""]
        }
        let counts = Dictionary(grouping: results, by: \.outcome).mapValues(\.count)
        let summary = "\(results.count) projects: \(counts[.ok] ?? 0) ok, \(counts[.failed] ?? 0) failed, "
            + "\(counts[.denied] ?? 0) denied, \(counts[.notConfigured] ?? 0) not configured"
        return Output.table(["APP", "OUTCOME", "MODE", "HTTP", "MS", "REASON"], rows, style: style) + "\n\n" + summary
    }
}

extension KeepaliveStatusReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        guard !entries.isEmpty else { return "no app in the inventory has a Supabase project" }
        let rows = entries.map { e -> [String] in
            let state: String
            switch e.state {
            case .ok: state = style.green("ok")
            case .warn: state = style.yellow("warn")
            case .overdue: state = style.red("overdue")
            case .unknown: state = style.yellow("unknown")
            case .notConfigured: state = style.dim("not configured")
            case .paused: state = style.red("paused")
            }
            return [e.app, state, e.daysSince.map(Self.days) ?? "-", e.lastSuccessAt.map(Timestamp.rfc3339) ?? "never",
                    e.pausesAfter.map(Timestamp.rfc3339) ?? "-", e.lastError ?? ""]
        }
        return Output.table(["APP", "STATE", "DAYS", "LAST OK", "PAUSES AFTER", "LAST ERROR"], rows, style: style)
    }

    var notes: [String] {
        entries.compactMap { e in
            switch e.state {
            case .warn, .overdue:
                return "warning: \(e.app): \(Self.days(e.daysSince ?? 0)) days since the last successful ping; Supabase pauses a "
                    + "free project after 7. Run `rbscron keepalive --project \(e.app)`."
            case .unknown:
                return "warning: \(e.app): never pinged by rbscron, so its activity is unknown. Run `rbscron keepalive --project \(e.app)`."
            case .paused:
                return "warning: \(e.app): Supabase reported its project paused (stats --sync); restore it in the Supabase "
                    + "dashboard, then apply `rbscron keepalive --sql --project \(e.app)`."
            case .ok, .notConfigured:
                return nil
            }
        }
    }

    static func days(_ value: Double) -> String { String(format: "%.1f", (value * 10).rounded(.down) / 10) }
}
