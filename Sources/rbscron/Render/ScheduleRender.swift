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
            let columns = (showLocal ? [TableColumn(report.timezone.uppercased())] : [])
                + [TableColumn("UTC"), TableColumn("JOB", minWidth: 40), TableColumn("FIRED BY")]
            lines.append(Output.table(columns: columns, rows, style: style))
            lines.append("")
        }
        if report.bursts.isEmpty {
            lines.append("No bursts (\(report.burstThreshold) or more jobs of one app or layer in one minute).")
        } else {
            lines.append(style.bold("Bursts (\(report.burstThreshold) or more jobs of one app or layer in one minute): \(report.bursts.count)"))
            for burst in report.bursts {
                let when = (showLocal ? localF.string(from: burst.minute) + "  " : "") + utcF.string(from: burst.minute)
                let shown = burst.jobs.prefix(6).joined(separator: ", ") + (burst.jobs.count > 6 ? ", …" : "")
                let line = "  \(when)  \(style.yellow("\(burst.kind.rawValue) \(burst.key): \(burst.count) jobs"))  \(shown)"
                lines.append(style.width.map { !style.wide && Output.visibleWidth(line) > $0 ? Output.cut(line, $0) : line } ?? line)
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
            // On a terminal the message and the fix wrap at word boundaries under their indent.
            func wrapped(_ text: String, indent: String, first: String = "") -> [String] {
                guard let width = style.width, !style.wide, width - indent.count >= 20 else { return [indent + first + text] }
                let lines = Output.wrap(text, width - indent.count - Output.visibleWidth(first))
                return [indent + first + lines[0]] + lines.dropFirst().map { String(repeating: " ", count: indent.count + Output.visibleWidth(first)) + $0 }
            }
            for finding in group {
                lines.append("  \(style.bold(finding.job))  [\(finding.rule)]")
                lines += wrapped(finding.message, indent: "    ")
                lines += wrapped(finding.fix, indent: "    ", first: style.dim("fix:") + " ")
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

extension BudgetReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? { BudgetRender.text(self, style: style) }
    var warnings: [String] { skipped.map { "\($0.job) left out: \($0.reason)" } }
}

enum BudgetRender {
    static func text(_ report: BudgetReport, style: TerminalStyle) -> String {
        let day = ScheduleRender.formatter("yyyy-MM-dd", ScheduleRender.utc)
        var lines = [style.bold("Budget \(day.string(from: report.from)) → \(day.string(from: report.to)) (\(report.days) UTC days)")]
        guard !report.budgets.isEmpty else { return (lines + ["no scheduled job on any layer"]).joined(separator: "\n") }
        let rows = report.budgets.map { b -> [String] in
            let fires = b.days.map(\.fires)
            let range = "\(fires.min() ?? 0)–\(fires.max() ?? 0)"
            let schedules = "\(b.schedules)" + (b.scheduleLimit.map { "/\($0)" } ?? "")
            let peak = b.peak.map { p in p.messages.map { "\(NumberText.grouped($0)) (\(p.date))" } ?? "-" } ?? "-"
            var status = "ok"
            if b.overSchedules { status = b.scheduleLimitHard ? style.red("over: schedules") : style.yellow("billed: schedules") }
            if !b.daysOverLimit.isEmpty { status = style.red("over: \(b.daysOverLimit.count) day\(b.daysOverLimit.count == 1 ? "" : "s")") }
            if b.layer == .qstash, b.plan == nil { status = style.dim("plan unknown") }
            return [b.app, b.layer.rawValue, b.plan ?? "-", schedules, range, peak,
                    b.dailyLimit.map(NumberText.grouped) ?? "-", status]
        }
        lines.append("")
        lines.append(Output.table(["APP", "LAYER", "PLAN", "SCHEDULES", "FIRES/DAY", "PEAK MESSAGES/DAY", "LIMIT/DAY", "STATUS"],
                                  rows, style: style))
        for b in report.budgets where b.layer == .qstash {
            lines.append("")
            let retries = "messages = fires × (1 + retries)"
            lines.append(style.bold("\(b.app) on qstash, per day") + style.dim("  (\(retries))"))
            let dayRows = b.days.map { d -> [String] in
                let over = b.dailyLimit.map { (d.messages ?? 0) > $0 } ?? false
                let messages = NumberText.grouped(d.messages ?? 0)
                return [d.date, String(d.fires), over ? style.red(messages) : messages]
            }
            lines.append(Output.table(["DAY", "FIRES", "MESSAGES"], dayRows, style: style))
        }
        return lines.joined(separator: "\n")
    }
}

extension VercelMigrationReport: HumanReadable {
    func human(_ style: TerminalStyle) -> String? { MigrationRender.text(self, style: style) }

    var notes: [String] {
        guard recorded else { return [] }
        return ["recorded vercel_mode: schedules for \(app)"
                + (moved.isEmpty ? "" : " and moved \(moved.joined(separator: ", ")) to the vercel layer")
                + " in the inventory; run `rbscron export` and commit the manifest to keep it"]
    }
}

enum MigrationRender {
    static func text(_ report: VercelMigrationReport, style: TerminalStyle) -> String {
        let day = ScheduleRender.formatter("yyyy-MM-dd", ScheduleRender.utc)
        let stamp = ScheduleRender.formatter("yyyy-MM-dd HH:mm'Z'", ScheduleRender.utc)
        var lines = [style.bold("\(report.app): Vercel \(report.modeBefore == .crons ? "Cron (crons)" : "Schedules (already)") → Vercel Schedules")
                     + "  fires compared \(day.string(from: report.from)) → \(day.string(from: report.to))"]
        lines.append("")
        if report.jobs.isEmpty {
            lines.append("\(report.app) has no enabled vercel job to migrate")
        } else {
            let rows = report.jobs.map { j -> [String] in
                let method = j.methodBefore == j.methodAfter ? j.methodAfter : "\(j.methodBefore) → \(j.methodAfter)"
                let zone = j.zoneBefore == j.zoneAfter ? j.zoneAfter : "\(j.zoneBefore) → \(j.zoneAfter)"
                let fires = "\(j.firesKept) of \(j.firesBefore) kept" + (j.firesAfter != j.firesBefore ? ", \(j.firesAfter) after" : "")
                return [j.job, j.layerBefore == .pgCron ? "pg_cron '\(j.schedule)'" : "'\(j.schedule)'", method, zone, fires,
                        j.preserved ? style.green("preserved") : style.yellow("moves")]
            }
            lines.append(Output.table(["JOB", "SCHEDULE", "METHOD", "ZONE", "FIRES", ""], rows, style: style))
            for j in report.jobs {
                lines.append("\(j.job): \(j.note)")
                for shift in j.shifts {
                    lines.append("    " + (shift.before.map(stamp.string) ?? "(none)") + " → " + (shift.after.map(stamp.string) ?? "(none)"))
                }
            }
        }
        if !report.candidates.isEmpty {
            lines.append("")
            lines.append(style.bold("Also meant in a local zone, on pg_cron (GMT):"))
            for c in report.candidates {
                let name = c.job.split(separator: "/").last.map(String.init) ?? c.job
                lines.append("  \(c.job) '\(c.schedule)' in \(c.timezone): Vercel Schedules would fire it in its zone (add --move \(name))")
            }
        }
        lines.append("")
        lines.append(PlanRenderer.text(report.plan, style: style))
        if let written = report.written {
            lines.append("wrote \(written)")
        } else if !report.recorded {
            lines.append(style.dim("nothing written; --write writes \(report.file) and records vercel_mode: schedules"))
        }
        return lines.joined(separator: "\n")
    }
}
