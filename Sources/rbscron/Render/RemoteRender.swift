import Foundation
import RBSCronKit

extension RemoteSchedules: HumanReadable {
    func human(_ style: TerminalStyle) -> String? {
        switch self {
        case .qstash(let schedules, let app): return RemoteScheduleRenderer.text(schedules, app: app, style: style)
        case .pgCron(let report): return RemoteScheduleRenderer.text(report, style: style)
        case .vercel(let report): return RemoteScheduleRenderer.text(report, style: style)
        }
    }

    var warnings: [String] {
        guard case .pgCron(let report) = self else { return [] }
        return report.versionWarnings
    }

    var notices: [String] {
        guard case .pgCron(let report) = self else { return [] }
        var lines: [String] = []
        if !report.appsWithoutProjectRef.isEmpty {
            lines.append("not read (no Supabase project ref): \(report.appsWithoutProjectRef.joined(separator: ", "))")
        }
        for failed in report.failures {
            lines.append("Error: pg_cron of project \(failed.projectRef) (\(failed.apps.joined(separator: ", "))): \(failed.error ?? "")")
        }
        return lines
    }
}

/// `list schedules` without `--remote`: the inventory's scheduled jobs.
struct ScheduledJobListing: Encodable, HumanReadable {
    var jobs: [ScheduledJobReport]

    func encode(to encoder: any Encoder) throws { try jobs.encode(to: encoder) }

    func human(_ style: TerminalStyle) -> String? {
        let rows = jobs.map { [$0.layer.rawValue, $0.job, $0.id, $0.schedule, $0.target, $0.enabled ? "yes" : style.yellow("no")] }
        return Output.table(["LAYER", "JOB", "ID", "SCHEDULE", "TARGET", "ENABLED"], rows, style: style)
    }
}

/// The tables of `list schedules --remote`.
enum RemoteScheduleRenderer {
    static func text(_ schedules: [RemoteScheduleReport], app: String?, style: TerminalStyle) -> String {
        if schedules.isEmpty { return "QStash holds no schedules\(app.map { " for \($0)" } ?? "")" }
        let rows = schedules.map { s -> [String] in
            let states = s.lastScheduleStates.values.sorted()
            let counted = Dictionary(grouping: states, by: { $0 }).map { "\($0.key)×\($0.value.count)" }.sorted()
            return [s.id, s.job ?? style.dim("foreign"), s.cron, s.paused ? style.yellow("paused") : "active",
                    s.lastScheduleTime.map(Timestamp.rfc3339) ?? "-", s.nextScheduleTime.map(Timestamp.rfc3339) ?? "-",
                    counted.isEmpty ? "-" : counted.joined(separator: " ")]
        }
        return Output.table(["ID", "JOB", "CRON", "STATE", "LAST", "NEXT", "LAST STATES"], rows, style: style)
    }

    /// One block per project that could be read; the others are reported on stderr by the command.
    static func text(_ report: PgCronRemoteReport, style: TerminalStyle) -> String? {
        var blocks: [String] = []
        for project in report.projects where project.error == nil {
            let version = project.pgCronVersion.map { ", pg_cron \($0)" } ?? ""
            let title = style.bold("project \(project.projectRef) (\(project.apps.joined(separator: ", "))\(version))")
            guard !project.jobs.isEmpty else {
                blocks.append("\(title): cron.job holds no jobs\(report.app.map { " for \($0)" } ?? "")")
                continue
            }
            let rows = project.jobs.map { j -> [String] in
                let owner = j.job ?? (j.managed ? style.dim("rbscron") : style.dim("foreign"))
                var last = "-"
                if let run = j.lastRun {
                    let status = run.status ?? "?"
                    last = (status == "failed" ? style.red(status) : status) + (run.startTime.map { " \(Timestamp.rfc3339($0))" } ?? "")
                }
                return [String(j.jobid), j.jobname ?? style.dim("(unnamed)"), owner, j.schedule,
                        j.active ? "active" : style.yellow("inactive"), last, oneLine(j.command, limit: 60)]
            }
            let foreign = project.jobs.filter(\.isForeign).count
            blocks.append(title + "\n"
                          + Output.table(["JOBID", "NAME", "JOB", "SCHEDULE", "STATE", "LAST RUN", "COMMAND"], rows, style: style)
                          + "\n\(project.jobs.count) job\(project.jobs.count == 1 ? "" : "s"), \(foreign) foreign")
        }
        return blocks.isEmpty ? nil : blocks.joined(separator: "\n\n")
    }

    static func text(_ report: VercelRemoteReport, style: TerminalStyle) -> String {
        var blocks: [String] = []
        if !report.crons.isEmpty || report.schedules.isEmpty {
            guard !report.crons.isEmpty else {
                return "\(report.file) has no crons and no schedules (\(report.app) uses vercel_mode: \(report.mode.rawValue))"
            }
            let rows = report.crons.map { [$0.path, $0.schedule, $0.job ?? style.dim("foreign")] }
            let foreign = report.crons.filter(\.isForeign).count
            blocks.append(Output.table(["PATH", "SCHEDULE", "JOB"], rows, style: style)
                          + "\n\(report.crons.count) cron\(report.crons.count == 1 ? "" : "s") in \(report.file), \(foreign) foreign")
        }
        if !report.schedules.isEmpty {
            let rows = report.schedules.map { s -> [String] in
                let target = s.target == "path" ? "\(s.requestMethod ?? "GET") \(s.destination ?? "")" : "\(s.target) \(s.destination ?? "")"
                return [s.name, s.schedule, s.timezone ?? "UTC", s.jitter.map(String.init) ?? "-", target, s.job ?? style.dim("foreign")]
            }
            let foreign = report.schedules.filter(\.isForeign).count
            blocks.append(Output.table(["NAME", "SCHEDULE", "TIMEZONE", "JITTER", "TARGET", "JOB"], rows, style: style)
                          + "\n\(report.schedules.count) schedule\(report.schedules.count == 1 ? "" : "s") in \(report.file), \(foreign) foreign")
        }
        if report.mode == .schedules, !report.crons.isEmpty {
            blocks.append(style.yellow("\(report.app) uses vercel_mode: schedules, but \(report.file) still has crons: `schedule apply --layer vercel` removes them"))
        } else if report.mode == .crons, report.schedules.contains(where: { $0.target == "path" }) {
            blocks.append(style.yellow("\(report.app) uses vercel_mode: crons, but \(report.file) has path schedules: `schedule apply --layer vercel` removes them"))
        }
        return blocks.joined(separator: "\n\n")
    }

    /// The command on one line, whitespace collapsed, cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        let line = words.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }
}
