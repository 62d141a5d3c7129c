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
            case .blue: return style.blue(text)
            }
        }
        func ms(_ value: Double?) -> String { value.map(measured) ?? "-" }
        let rows = report.jobs.map { j -> [String] in
            let rate = j.successRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
            // Missed fires are a count over the fires expected; whether they could be counted at all is SEEN's.
            let missed = j.missedFires.map { "\($0)/\(j.expectedFires ?? 0)" } ?? "-"
            var last = "-"
            if let f = j.lastFailure {
                last = "\(Output.time(f.at, style: style)) \(f.outcome)" + (f.httpStatus.map { " \($0)" } ?? "")
            }
            let next = j.nextFireAt.map { Output.time($0, style: style, now: report.generatedAt) } ?? "-"
            return [paint(j.status.rawValue, j.status), j.ref.description, j.layer.rawValue, String(j.runs), rate,
                    ms(j.p50Ms), ms(j.p95Ms), ms(j.maxMs), j.failureStreak > 0 ? style.red(String(j.failureStreak)) : "0",
                    missed, seen(j), next, fireSummary(j.fireCounts), last]
        }
        var text = Output.table(columns: [TableColumn("STATUS"), TableColumn("JOB", minWidth: 40), TableColumn("LAYER", drop: 4),
                                          TableColumn("RUNS", drop: 5), TableColumn("SUCCESS"), TableColumn("P50", drop: 1),
                                          TableColumn("P95", drop: 3), TableColumn("MAX", drop: 2), TableColumn("STREAK"),
                                          TableColumn("MISSED"), TableColumn("SEEN", drop: 9, minWidth: 11),
                                          TableColumn("NEXT FIRE", drop: 8, minWidth: 20),
                                          TableColumn("FIRES", drop: 6), TableColumn("LAST FAILURE", drop: 7, minWidth: 20)],
                                rows, style: style)
        let apps = report.apps.filter { $0.checks > 0 }
        if !apps.isEmpty {
            let appRows = apps.map { a in
                [paint(a.status.rawValue, a.status), a.app, String(a.checks),
                 a.uptime.map { String(format: "%.2f%%", $0 * 100) } ?? "-", ms(a.p95LatencyMs), a.lastStatus ?? "-"]
            }
            text += "\n\n" + Output.table(["STATUS", "APP", "CHECKS", "UPTIME", "P95", "LAST"], appRows, style: style)
        }
        var totals = FireCounts()
        for job in report.jobs { for state in FireState.allCases { totals.add(state, job.fireCounts[state]) } }
        if totals.total > 0 {
            text += "\n\nfires: " + FireState.allCases.filter { totals[$0] > 0 }.map { "\(totals[$0]) \($0.rawValue)" }
                .joined(separator: ", ")
        }
        // One job asked for: its fires, latest last (at most the 20 latest; --json has them all).
        if report.jobs.count == 1, let job = report.jobs.first, !job.fires.isEmpty {
            let shown = job.fires.suffix(20)
            let rows = shown.map { [Timestamp.rfc3339($0.at), paint($0.state.rawValue, $0.state.colour), $0.reason] }
            text += "\n\n" + (job.fires.count > shown.count ? "the latest \(shown.count) of \(job.fires.count) fires:\n" : "")
                + Output.table(["FIRE", "STATE", "WHY"], rows, style: style)
        }
        text += "\n\n" + Output.fit("since \(Output.time(report.since, style: style)); fires judged up to "
            + "\(Output.time(report.firesCheckedUntil, style: style)), each after its layer's tolerance", style: style)
        return text
    }

    /// Whether rbscron sees the job's fires: `yes`, `no` (with the reason when one is known), `no schedule` for
    /// manual and fan-out jobs, `disabled`.
    static func seen(_ job: JobStats) -> String {
        switch job.observation {
        case .observed: return "yes"
        case .unobserved: return job.observationNote.map { "no: \($0)" } ?? "no"
        case .unscheduled: return "no schedule"
        case .disabled: return "disabled"
        }
    }

    /// `46 ok, 1 missed` → compact: delivered over judged, then what is not delivered.
    static func fireSummary(_ counts: FireCounts) -> String {
        guard counts.total > 0 else { return "-" }
        let shorts: [(FireState, String)] = [(.failed, "failed"), (.missed, "missed"), (.unknown, "unknown"), (.pending, "pending"),
                                             (.paused, "paused"), (.parentDelivered, "via parent"), (.unobserved, "unseen")]
        var parts = ["\(counts[.delivered])/\(counts.total)"]
        for (state, word) in shorts where counts[state] > 0 { parts.append("\(counts[state]) \(word)") }
        return parts.joined(separator: " ")
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
