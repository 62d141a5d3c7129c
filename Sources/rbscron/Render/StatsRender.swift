import Foundation
import RBSCronKit

extension SyncSummary {
    /// `synced qstash: 120 events, 30 runs, 2 new` for stderr.
    var line: String {
        switch layer {
        case "qstash":
            return "synced qstash: \(read) events, \(matched) runs, \(inserted) new"
        case "vercel" where sources.isEmpty:
            return "vercel: no project read; its jobs stay unobserved"
        case "vercel":
            return "synced vercel (\(sources.joined(separator: ", "))): \(read) request-log rows, \(matched) calls, \(inserted) new"
        default:
            return "synced \(layer) (\(sources.joined(separator: ", "))): \(read) rows, \(inserted) new"
        }
    }
}

extension StatsReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? { StatsTable.render(self, style: style) }
}

/// The human table of `stats`.
enum StatsTable {
    static func render(_ report: StatsReport, style: TerminalStyle) -> String {
        func paint(_ text: String, _ colour: StatusColour) -> String {
            switch colour {
            case .green: return style.green(text)
            case .amber: return style.yellow(text)
            case .red: return style.red(text)
            case .grey: return style.dim(text)
            }
        }
        func ms(_ value: Double?) -> String { value.map(measured) ?? "-" }
        let rows = report.jobs.map { j -> [String] in
            let rate = j.successRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
            let missed = j.missedFires.map { "\($0)/\(j.expectedFires ?? 0)" } ?? j.observation.rawValue
            var last = "-"
            if let f = j.lastFailure {
                last = "\(Timestamp.rfc3339(f.at)) \(f.outcome)" + (f.httpStatus.map { " \($0)" } ?? "")
            }
            return [paint(j.status.rawValue, j.status), j.ref.description, j.layer.rawValue, String(j.runs), rate,
                    ms(j.p50Ms), ms(j.p95Ms), ms(j.maxMs), j.failureStreak > 0 ? style.red(String(j.failureStreak)) : "0",
                    missed, last]
        }
        var text = Output.table(["STATUS", "JOB", "LAYER", "RUNS", "SUCCESS", "P50", "P95", "MAX", "STREAK", "MISSED", "LAST FAILURE"],
                                rows, style: style)
        let apps = report.apps.filter { $0.checks > 0 }
        if !apps.isEmpty {
            let appRows = apps.map { a in
                [paint(a.status.rawValue, a.status), a.app, String(a.checks),
                 a.uptime.map { String(format: "%.2f%%", $0 * 100) } ?? "-", ms(a.p95LatencyMs), a.lastStatus ?? "-"]
            }
            text += "\n\n" + Output.table(["STATUS", "APP", "CHECKS", "UPTIME", "P95", "LAST"], appRows, style: style)
        }
        text += "\n\nsince \(Timestamp.rfc3339(report.since)); missed fires judged up to \(Timestamp.rfc3339(report.firesCheckedUntil))"
        return text
    }

    /// `830ms`, `1.2s`, `2m05s`: a measured duration for tables.
    static func measured(_ value: Double) -> String {
        if value < 1000 { return String(format: "%.0fms", value) }
        if value < 60_000 { return String(format: "%.1fs", value / 1000) }
        let seconds = Int((value / 1000).rounded())
        return String(format: "%dm%02ds", seconds / 60, seconds % 60)
    }
}

extension CleanupReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        let rows = tables.map { t in [t.table, t.olderThan.map(Timestamp.rfc3339) ?? "expired", String(t.rows)] }
        return Output.table(["TABLE", "OLDER THAN", dryRun ? "WOULD REMOVE" : "REMOVED"], rows, style: style) + "\n"
            + "\(dryRun ? "would remove" : "removed") \(total) rows" + (vacuumed ? "; vacuumed" : "")
    }
}
