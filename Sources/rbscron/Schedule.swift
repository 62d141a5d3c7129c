import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron {
    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fire times, the timeline, checks against each layer's rules, and keeping the layers in sync.",
            discussion: """
                Examples:
                  rbscron schedule next '0 14 * * *' --tz America/Mexico_City
                  rbscron schedule next camino/voice-outbound
                  rbscron schedule timeline --hours 24 --tz America/Mexico_City
                  rbscron schedule check --exit-code
                  rbscron schedule plan --layer qstash --exit-code
                  rbscron schedule apply --layer vercel --app baul --vercel-json ../baul/vercel.json
                """,
            subcommands: [Next.self, Timeline.self, Check.self, Plan.self, Apply.self, Pause.self, Resume.self]
        )
    }
}

extension CronDialect: ExpressibleByArgument {}

/// Options and parsing shared by the `schedule` subcommands.
enum ScheduleOptionParsing {
    static func zone(_ text: String?, option: String = "--tz") throws -> TimeZone? {
        guard let text else { return nil }
        guard let zone = TimeZone(identifier: text) else {
            throw ValidationError("\(option): unknown time zone '\(text)'; use an IANA name such as UTC or America/Mexico_City")
        }
        return zone
    }

    static func instant(_ text: String?, option: String = "--from") throws -> Date? {
        guard let text else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw ValidationError("\(option): '\(text)' is not an RFC 3339 time; write it like 2026-03-08T07:00:00Z")
        }
        return date
    }
}

// MARK: - next

extension RBSCron.Schedule {
    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The next fire times of a cron expression, or of a job of the inventory.",
            discussion: """
                EXPR is a cron expression in quotes, read in --dialect (Vercel always fires in UTC; a QStash \
                'CRON_TZ=Zone' prefix wins over --tz). APP/JOB shows a job's fires in its own dialect and \
                time zone; a fan-out child fires when its parent does. Times are shown in UTC and in --tz \
                (for a job, its own zone by default).

                Examples:
                  rbscron schedule next '0 14 * * *' --from 2026-03-08T00:00:00Z --count 3
                  rbscron schedule next '*/15 9-18 * * 1-6' --tz America/Mexico_City
                  rbscron schedule next 'CRON_TZ=Europe/Madrid 0 9 * * 1' --dialect qstash --json
                  rbscron schedule next camino/voice-outbound --count 10
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: ArgumentHelp("A cron expression (quote it) or a job address APP/JOB.", valueName: "expr|app/job"), completion: InventoryCompletion.jobs)
        var expression: String

        @Option(help: ArgumentHelp("Fires strictly after this RFC 3339 time (default: now).", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("How many fires, 1–\(ScheduleReports.maximumCount).", valueName: "n"))
        var count = 5

        @Option(help: ArgumentHelp("The IANA zone the expression is meant in, and in which times are shown (default: UTC, or the job's zone).", valueName: "zone"))
        var tz: String?

        @Option(help: ArgumentHelp("The expression's syntax: \(CronDialect.allCases.map(\.rawValue).joined(separator: ", ")) (default: vixie).", valueName: "dialect"))
        var dialect: CronDialect?

        var isJobAddress: Bool { JobRef(expression) != nil }

        func validate() throws {
            guard (1...ScheduleReports.maximumCount).contains(count) else {
                throw ValidationError("--count must be from 1 to \(ScheduleReports.maximumCount), not \(count)")
            }
            _ = try ScheduleOptionParsing.zone(tz)
            _ = try ScheduleOptionParsing.instant(from)
            if isJobAddress, let dialect {
                throw ValidationError("--dialect \(dialect.rawValue) does not apply to a job: \(expression) is read in its layer's dialect")
            }
            if !isJobAddress {
                // A malformed expression is a usage error: report it with this command's usage.
                do {
                    _ = try CronSchedule.parse(expression, dialect: dialect ?? .vixie)
                } catch {
                    throw ValidationError(error.localizedDescription)
                }
            }
        }

        mutating func run() async throws {
            let from = try ScheduleOptionParsing.instant(from) ?? Date()
            let asked = try ScheduleOptionParsing.zone(tz)
            let report: NextFiresReport
            var notes: [String] = []
            if isJobAddress {
                let inventory = try global.openStore().inventory()
                let job = try inventory.resolve(expression)
                report = try ScheduleReports.next(job: job, in: inventory, from: from, count: count)
                let root = report.via.flatMap { JobRef($0) }.flatMap(inventory.job) ?? job
                if root.layer != .qstash, root.timezone != "UTC", root.layer == .pgCron || root.layer == .vercel {
                    notes.append("\(root.layer.rawValue) fires in UTC, not \(root.timezone): these are the intended times; `rbscron schedule check` shows the UTC entries that keep them")
                }
            } else {
                do {
                    report = try ScheduleReports.next(expression: expression, dialect: dialect ?? .vixie,
                                                      zone: asked ?? TimeZone(identifier: "UTC") ?? .current,
                                                      from: from, count: count)
                } catch {
                    throw ValidationError(error.localizedDescription)
                }
                if let asked, report.timezone != ScheduleReports.zoneName(asked) {
                    notes.append("the expression fires in \(report.timezone) (\(report.dialect == .vercel ? "Vercel always uses UTC" : "its CRON_TZ= prefix")); --tz \(ScheduleReports.zoneName(asked)) only changes how times are shown")
                }
            }
            for note in notes { Output.warn(note) }
            if output.json { return try Output.json(report) }
            let display = asked ?? TimeZone(identifier: report.timezone) ?? .current
            print(ScheduleRender.next(report, display: display, style: global.style))
        }
    }
}

// MARK: - timeline

extension RBSCron.Schedule {
    struct Timeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every fire across the inventory in a window, with bursts and a per-app heat strip.",
            discussion: """
                Fan-out children are listed at their parent's fire. A burst is --burst or more jobs of one app \
                (every request it receives, children included) or of one layer (the fires it makes itself) in \
                the same minute. The heat strip shows each app's fires per hour of the day in --tz.

                Examples:
                  rbscron schedule timeline
                  rbscron schedule timeline --hours 168 --app colectiva --tz America/Mexico_City
                  rbscron schedule timeline --from 2026-04-01T00:00:00Z --burst 5 --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Window length in hours, 1–\(TimelineRequest.maximumHours).", valueName: "h"))
        var hours = 24

        @Option(help: ArgumentHelp("Window start, RFC 3339 (default: now).", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("Only this app's fires (its slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Option(help: ArgumentHelp("The zone times and the hour ruler are shown in (default: UTC).", valueName: "zone"))
        var tz: String?

        @Option(help: ArgumentHelp("Jobs in one minute that make a burst (at least 2).", valueName: "n"))
        var burst = 3

        func validate() throws {
            guard (1...TimelineRequest.maximumHours).contains(hours) else {
                throw ValidationError("--hours must be from 1 to \(TimelineRequest.maximumHours), not \(hours)")
            }
            guard burst >= 2 else { throw ValidationError("--burst must be at least 2, not \(burst)") }
            _ = try ScheduleOptionParsing.zone(tz)
            _ = try ScheduleOptionParsing.instant(from)
        }

        mutating func run() async throws {
            let zone = try ScheduleOptionParsing.zone(tz) ?? TimeZone(identifier: "UTC") ?? .current
            let from = try ScheduleOptionParsing.instant(from) ?? Date()
            let inventory = try global.openStore().inventory()
            try InventoryFilter(app: app).validate(against: inventory)
            let report = ScheduleReports.timeline(inventory, TimelineRequest(
                from: from, hours: hours, app: app, zone: zone, burstThreshold: burst))
            for skip in report.skipped { Output.warn("\(skip.job) left out: \(skip.reason)") }
            if output.json { return try Output.json(report) }
            print(ScheduleRender.timeline(report, zone: zone, style: global.style))
        }
    }
}

// MARK: - check

extension RBSCron.Schedule {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every job against its layer's rules and limits.",
            discussion: """
                Vercel (GET only, UTC only, 100 jobs a project, Hobby once a day), QStash (minute resolution, \
                CRON_TZ), pg_cron on Supabase (8 jobs at once, 10 minutes each, GMT), fan-out children that \
                depend on another app, and cron endpoints nothing schedules. Each finding has a severity, a \
                stable rule id and a fix. With --exit-code, exit 2 when any finding is an error.

                Examples:
                  rbscron schedule check
                  rbscron schedule check --app camino
                  rbscron schedule check --exit-code --json | jq '.findings[] | select(.severity == "error")'
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: ArgumentHelp("Only this app's jobs (its slug).", valueName: "app"), completion: InventoryCompletion.apps)
        var app: String?

        @Flag(help: "Exit 2 when any finding is an error.")
        var exitCode = false

        mutating func run() async throws {
            let inventory = try global.openStore().inventory()
            try InventoryFilter(app: app).validate(against: inventory)
            let report = ScheduleCheck.run(inventory, app: app, now: Date())
            if output.json {
                try Output.json(report)
            } else {
                print(ScheduleRender.check(report, style: global.style))
            }
            if exitCode, report.hasErrors { throw ExitCode(2) }
        }
    }
}

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
