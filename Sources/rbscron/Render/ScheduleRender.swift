import Foundation
import RBSCronKit

// MARK: - Rendering

enum ScheduleRender {
    static func formatter(_ pattern: String, _ zone: TimeZone) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.calendar = Calendar(identifier: .gregorian)
        f.timeZone = zone
        f.dateFormat = pattern
        return f
    }

    static var utc: TimeZone { TimeZone(identifier: "UTC") ?? .current }

    static func next(_ report: NextFiresReport, display: TimeZone, style: TerminalStyle) -> String {
        var lines: [String] = []
        if let job = report.job { lines.append("\(style.bold("job"))         \(job)\(report.via.map { "  (fan-out: fires with \($0))" } ?? "")") }
        lines.append("\(style.bold("expression"))  \(report.expression)")
        lines.append("\(style.bold("dialect"))     \(report.dialect.rawValue)")
        lines.append("\(style.bold("time zone"))   \(report.timezone)")
        lines.append("\(style.bold("meaning"))     \(report.description)")
        lines.append("")
        if report.fires.isEmpty {
            lines.append("no fire times (the expression never fires)")
            return lines.joined(separator: "\n")
        }
        let utcF = formatter("EEE yyyy-MM-dd HH:mm'Z'", utc)
        let localF = formatter("EEE yyyy-MM-dd HH:mm xxx", display)
        let displayName = ScheduleReports.zoneName(display)
        let showLocal = displayName != "UTC"
        let rows = report.fires.enumerated().map { i, date -> [String] in
            [String(i + 1), utcF.string(from: date)] + (showLocal ? [localF.string(from: date)] : [])
        }
        lines.append(Output.table(["#", "UTC"] + (showLocal ? [displayName] : []), rows, style: style))
        return lines.joined(separator: "\n")
    }

    static let levels: [(limit: Int, cell: String)] = [
        (0, "·"), (1, "▁"), (2, "▂"), (4, "▃"), (8, "▄"), (16, "▅"), (32, "▆"), (64, "▇"), (Int.max, "█"),
    ]

    static func cell(_ count: Int) -> String {
        levels.first { count <= $0.limit }?.cell ?? "█"
    }

    static func timeline(_ report: TimelineReport, zone: TimeZone, style: TerminalStyle) -> String {
        var lines: [String] = []
        let showLocal = report.timezone != "UTC"
        let localF = formatter("EEE MM-dd HH:mm", zone)
        let utcF = formatter("MM-dd HH:mm'Z'", utc)
        let spanF = formatter("yyyy-MM-dd HH:mm xxx", zone)
        let scheduled = report.fires.filter { $0.triggeredBy == nil }.count
        lines.append(style.bold("Timeline \(spanF.string(from: report.from)) → \(spanF.string(from: report.to)) (\(report.timezone))"))
        lines.append("\(report.fires.count) fires: \(scheduled) scheduled, \(report.fires.count - scheduled) fan-out children")
        lines.append("")
        if !report.fires.isEmpty {
            let rows = report.fires.map { fire -> [String] in
                let time = (showLocal ? [localF.string(from: fire.at)] : []) + [utcF.string(from: fire.at)]
                if let parent = fire.triggeredBy {
                    return time + ["  ↳ \(fire.job)", style.dim("fan-out #\(fire.order.map(String.init) ?? "-") of \(parent)")]
                }
                return time + [fire.job, "\(fire.layer.rawValue) '\(fire.schedule ?? "")'"]
            }
            lines.append(Output.table((showLocal ? [report.timezone.uppercased()] : []) + ["UTC", "JOB", "FIRED BY"], rows, style: style))
            lines.append("")
        }
        if report.bursts.isEmpty {
            lines.append("No bursts (\(report.burstThreshold) or more jobs of one app or layer in one minute).")
        } else {
            lines.append(style.bold("Bursts (\(report.burstThreshold) or more jobs of one app or layer in one minute): \(report.bursts.count)"))
            for burst in report.bursts {
                let when = (showLocal ? localF.string(from: burst.minute) + "  " : "") + utcF.string(from: burst.minute)
                let shown = burst.jobs.prefix(6).joined(separator: ", ") + (burst.jobs.count > 6 ? ", …" : "")
                lines.append("  \(when)  \(style.yellow("\(burst.kind.rawValue) \(burst.key): \(burst.count) jobs"))  \(shown)")
            }
        }
        lines.append("")
        lines.append(style.bold("Fires per hour of the day (\(report.timezone))"))
        let width = max(12, (report.heat.map(\.app.count).max() ?? 0) + 2)
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        lines.append(pad("") + stride(from: 0, to: 24, by: 3).map { $0 < 10 ? "0\($0) " : "\($0) " }.joined())
        for heat in report.heat {
            lines.append(pad(heat.app) + heat.hours.map(cell).joined() + "  \(heat.total)")
        }
        let legend = levels.enumerated().map { i, level -> String in
            let low = i == 0 ? 0 : levels[i - 1].limit + 1
            let range = level.limit == Int.max ? "\(low)+" : (low == level.limit ? "\(low)" : "\(low)-\(level.limit)")
            return "\(level.cell) \(range)"
        }.joined(separator: "  ")
        lines.append(style.dim(pad("") + legend))
        return lines.joined(separator: "\n")
    }

    static func check(_ report: ScheduleCheckReport, style: TerminalStyle) -> String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        var lines = ["schedule check: \(plural(report.appsChecked, "app")), \(plural(report.jobsChecked, "job")): "
            + "\(plural(report.counts.error, "error")), \(plural(report.counts.warning, "warning")), \(report.counts.info) info"]
        for severity in FindingSeverity.allCases {
            let group = report.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            let title: String
            switch severity {
            case .error: title = style.red(style.bold("ERRORS (\(group.count))"))
            case .warning: title = style.yellow(style.bold("WARNINGS (\(group.count))"))
            case .info: title = style.bold("INFO (\(group.count))")
            }
            lines.append("")
            lines.append(title)
            for finding in group {
                lines.append("  \(style.bold(finding.job))  [\(finding.rule)]")
                lines.append("    \(finding.message)")
                lines.append("    \(style.dim("fix:")) \(finding.fix)")
            }
        }
        if report.findings.isEmpty { lines.append("No findings.") }
        return lines.joined(separator: "\n")
    }
}

extension NextFiresResult: HumanReadable {
    func human(_ style: TerminalStyle) -> String? { ScheduleRender.next(report, display: displayZone, style: style) }
}

/// `schedule timeline`'s report with the zone its times are shown in.
struct ScheduleTimeline: Encodable, HumanReadable {
    var report: TimelineReport
    var zone: TimeZone

    func encode(to encoder: any Encoder) throws { try report.encode(to: encoder) }
    var warnings: [String] { report.skipped.map { "\($0.job) left out: \($0.reason)" } }
    func human(_ style: TerminalStyle) -> String? { ScheduleRender.timeline(report, zone: zone, style: style) }
}

extension ScheduleCheckReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? { ScheduleRender.check(self, style: style) }
}
