import ArgumentParser
import Foundation
import RBSCronKit

extension RBSCron.List {
    struct Schedules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the scheduled jobs by layer, or with --remote what the layer itself holds.",
            discussion: """
                Without --remote: the inventory's vercel, qstash and pg_cron jobs with the id each layer knows \
                them by. With --remote, one layer (--layer is required):

                qstash: every schedule in QStash (QSTASH_TOKEN) with its last and next fire and the states of the \
                last run's messages.

                pg_cron: cron.job of each app's Supabase project (supabase.project_ref; with --app, that app's) \
                through the Management API (SUPABASE_ACCESS_TOKEN of the app, else global; SUPABASE_API_URL \
                overrides https://api.supabase.com), with each job's latest run. Jobs named rbs-<app>-<job> (and \
                .2, .3… for extra UTC entries) and the seed's keep-alive-ping and cleanup-cron-history are \
                rbscron's; anything else is foreign. Commands are shown with stored secrets and literal tokens \
                hidden. A project that cannot be read (no token: nothing is sent; HTTP error; unreachable) is \
                reported on stderr (and as `error` in --json) after the projects that could be, and the exit \
                status is 1.

                vercel: the crons array of the app's deployed vercel.json (--vercel-json, default ./vercel.json; \
                needs --app), each matched by path to the app's vercel job, or flagged foreign.

                Examples:
                  rbscron list schedules
                  rbscron list schedules --layer qstash --app colectiva
                  rbscron list schedules --remote --layer qstash --app colectiva
                  rbscron list schedules --remote --layer qstash --json
                  rbscron list schedules --remote --layer pg_cron
                  rbscron list schedules --remote --layer pg_cron --app camino --json
                  rbscron list schedules --remote --layer vercel --app baul
                  rbscron list schedules --remote --layer vercel --app baul --json
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var filterOptions: ListFilterOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Read the layer itself: QStash's schedules, pg_cron's cron.job, or the app's vercel.json.") var remote = false

        @Option(name: .customLong("vercel-json"),
                help: ArgumentHelp("With --remote --layer vercel: the app's vercel.json (default ./vercel.json).", valueName: "path"))
        var vercelJSON: String?

        func validate() throws {
            if vercelJSON != nil && !(remote && filterOptions.layer == .vercel) {
                throw ValidationError("--vercel-json is for --remote --layer vercel")
            }
            guard remote else { return }
            switch filterOptions.layer {
            case nil:
                throw ValidationError("--remote reads one layer; add --layer qstash, pg_cron or vercel")
            case .manual?, .fanout?:
                throw ValidationError("the \(filterOptions.layer?.rawValue ?? "") layer has no scheduler to read; use --layer qstash, pg_cron or vercel")
            case .vercel?:
                if filterOptions.app == nil {
                    throw ValidationError("--remote --layer vercel needs --app APP (each app deploys its own vercel.json)")
                }
            case .qstash?, .pgCron?:
                break
            }
        }

        mutating func run() async throws {
            let context = try LayerContext(global: global)
            let filter = filterOptions.filter
            try filter.validate(against: context.inventory)
            let style = global.style
            guard remote else {
                let jobs = ScheduledJobReport.list(context.inventory, filter: filter)
                if output.json { return try Output.json(jobs) }
                let rows = jobs.map { [$0.layer.rawValue, $0.job, $0.id, $0.schedule, $0.target, $0.enabled ? "yes" : style.yellow("no")] }
                return print(Output.table(["LAYER", "JOB", "ID", "SCHEDULE", "TARGET", "ENABLED"], rows, style: style))
            }
            switch filterOptions.layer {
            case .pgCron?:
                let report = try await PgCronRemote.list(
                    inventory: context.inventory, app: filterOptions.app, transport: CurlTransport(userAgent: RBSCronVersion.userAgent),
                    baseURL: PgCronHistoryClient.baseURL(environment: ProcessInfo.processInfo.environment), secrets: try context.secrets())
                if output.json { try Output.json(report) } else { RemoteScheduleRenderer.print(report, style: style) }
                if !report.appsWithoutProjectRef.isEmpty {
                    Output.note("not read (no Supabase project ref): \(report.appsWithoutProjectRef.joined(separator: ", "))")
                }
                for failed in report.failures {
                    Output.note("Error: pg_cron of project \(failed.projectRef) (\(failed.apps.joined(separator: ", "))): \(failed.error ?? "")")
                }
                if !report.failures.isEmpty { throw ExitCode.failure }
            case .vercel?:
                let report = try VercelCrons.remote(app: try context.app(filterOptions.app), jobs: context.inventory.jobs,
                                                    path: vercelJSON ?? "vercel.json")
                if output.json { return try Output.json(report) }
                RemoteScheduleRenderer.print(report, style: style)
            default:
                let schedules = try await context.qstash().remoteSchedules(app: filterOptions.app)
                if output.json { return try Output.json(schedules) }
                RemoteScheduleRenderer.print(schedules, app: filterOptions.app, style: style)
            }
        }
    }
}

/// The tables of `list schedules --remote`.
enum RemoteScheduleRenderer {
    static func print(_ schedules: [RemoteScheduleReport], app: String?, style: TerminalStyle) {
        if schedules.isEmpty { return Swift.print("QStash holds no schedules\(app.map { " for \($0)" } ?? "")") }
        let rows = schedules.map { s -> [String] in
            let states = s.lastScheduleStates.values.sorted()
            let counted = Dictionary(grouping: states, by: { $0 }).map { "\($0.key)×\($0.value.count)" }.sorted()
            return [s.id, s.job ?? style.dim("foreign"), s.cron, s.paused ? style.yellow("paused") : "active",
                    s.lastScheduleTime.map(Timestamp.rfc3339) ?? "-", s.nextScheduleTime.map(Timestamp.rfc3339) ?? "-",
                    counted.isEmpty ? "-" : counted.joined(separator: " ")]
        }
        Swift.print(Output.table(["ID", "JOB", "CRON", "STATE", "LAST", "NEXT", "LAST STATES"], rows, style: style))
    }

    /// One block per project that could be read; the others are reported on stderr by the command.
    static func print(_ report: PgCronRemoteReport, style: TerminalStyle) {
        var blocks: [String] = []
        for project in report.projects where project.error == nil {
            let title = style.bold("project \(project.projectRef) (\(project.apps.joined(separator: ", ")))")
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
        if !blocks.isEmpty { Swift.print(blocks.joined(separator: "\n\n")) }
    }

    static func print(_ report: VercelRemoteReport, style: TerminalStyle) {
        guard !report.crons.isEmpty else { return Swift.print("\(report.file) has no crons") }
        let rows = report.crons.map { [$0.path, $0.schedule, $0.job ?? style.dim("foreign")] }
        let foreign = report.crons.filter(\.isForeign).count
        Swift.print(Output.table(["PATH", "SCHEDULE", "JOB"], rows, style: style)
                    + "\n\(report.crons.count) cron\(report.crons.count == 1 ? "" : "s") in \(report.file), \(foreign) foreign")
    }

    /// The command on one line, whitespace collapsed, cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        let line = words.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }
}
